"""Exit 0 is earned (issue 11): an all-clear only when the deciding views were read, for the tenant
and job asked about; a rule that raises is exit 4; every format says the same headline."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.exit_codes import ExitCode, for_report
from obdoctor.rules.base import Rule, all_rules
from obdoctor.sources.bundle import Bundle
from tests.conftest import EXAMPLES

HEALTHY = EXAMPLES / "healthy"


def _bundle(tmp_path: Path, keep: tuple[str, ...], src: Path = HEALTHY) -> Path:
    """A copy of ``src`` holding only the SQL files whose view is in ``keep`` (no logs)."""
    out = tmp_path / "b"
    (out / "sql").mkdir(parents=True)
    for f in (src / "sql").iterdir():
        if f.name.split(".")[0] in keep:
            shutil.copy(f, out / "sql" / f.name)
    if (src / "manifest.toml").exists():
        shutil.copy(src / "manifest.toml", out / "manifest.toml")
    return out


def _headlines(run_cli, path, *extra) -> tuple[int, dict[str, str]]:
    """The headline as each format renders it, and the (identical) exit code."""
    codes, heads = set(), {}
    for fmt in ("json", "text", "markdown", "html"):
        result = run_cli("analyze", path, "--format", fmt, *extra)
        assert "Traceback" not in result.out + result.err
        codes.add(result.code)
        heads[fmt] = result.out
    assert len(codes) == 1, codes
    return codes.pop(), heads


def _same_headline(heads: dict[str, str]) -> str:
    headline = json.loads(heads["json"])["headline"]
    assert " ".join(headline.split()) in " ".join(heads["text"].split())
    assert headline.replace("'", "") in heads["markdown"].replace("\\", "").replace("'", "")
    assert headline.replace("'", "&#x27;") in heads["html"]
    return headline


def test_healthy_is_an_earned_all_clear(run_cli):
    code, heads = _headlines(run_cli, HEALTHY)
    assert code == ExitCode.NOTHING_WRONG
    assert _same_headline(heads) == "No failed or stuck backup found."


@pytest.mark.parametrize("dropped", ["CDB_OB_BACKUP_JOBS", "CDB_OB_BACKUP_JOB_HISTORY",
                                     "DBA_OB_ROOTSERVICE_EVENT_HISTORY"])
def test_a_missing_deciding_view_is_exit_3_with_its_query(run_cli, tmp_path, dropped):
    keep = tuple(f.name.split(".")[0] for f in (HEALTHY / "sql").iterdir() if not f.name.startswith(dropped + "."))
    code, heads = _headlines(run_cli, _bundle(tmp_path, keep))
    assert code == ExitCode.UNDIAGNOSED
    headline = _same_headline(heads)
    assert "cannot rule one out" in headline and "No failed or stuck backup found" not in headline
    report = json.loads(heads["json"])
    assert report["exit_code"] == 3 and report["decided"] is False
    assert any(dropped in u["query"] for u in report["undecided"]), report["undecided"]


def test_no_usable_evidence_is_never_rendered_as_an_all_clear(run_cli, tmp_path):
    (tmp_path / "empty" / "sql").mkdir(parents=True)
    code, heads = _headlines(run_cli, tmp_path / "empty")
    assert code == ExitCode.UNDIAGNOSED
    assert _same_headline(heads).startswith("No usable evidence")
    for text in heads.values():
        assert "No failed or stuck backup found" not in text


@pytest.mark.parametrize("extra", [("--tenant", "9999"), ("--job", "424242"), ("--tenant", "1002", "--job", "3")])
def test_tenant_or_job_matching_nothing_is_exit_3(run_cli, extra):
    code, heads = _headlines(run_cli, HEALTHY, *extra)
    assert code == ExitCode.UNDIAGNOSED
    headline = _same_headline(heads)
    assert "matches no backup job" in headline and " ".join(extra) in headline


@pytest.mark.parametrize("example", ["failed-41-chain", "partial-event-only", "partial-jobs-no-history"])
def test_every_format_says_the_same_headline(run_cli, example):
    code, heads = _headlines(run_cli, EXAMPLES / example)
    headline = _same_headline(heads)
    if code == ExitCode.DIAGNOSED:
        assert "found" in headline and "No failed" not in headline
    if example == "partial-event-only":  # only -4016 is known, a code that names no cause: never "cause named"
        assert "cause named" not in headline and "cause not named by the evidence" in headline


def test_tenant_that_matches_keeps_the_all_clear(run_cli):
    assert run_cli("analyze", HEALTHY, "--tenant", "1002").code == ExitCode.NOTHING_WRONG


def test_a_rule_that_raises_is_exit_4_naming_it(run_cli):
    class Broken(Rule):
        id = "ZZ"
        name = "broken-on-purpose"

        def check(self, ctx):
            raise ZeroDivisionError("boom")

    with Bundle(HEALTHY) as bundle:
        report = diagnose(Evidence(bundle), rules=[*all_rules(), Broken()])
    assert for_report(report) == ExitCode.INTERNAL_ERROR
    assert report.internal_errors[0].what == "rule ZZ (broken-on-purpose)"
    from obdoctor.report.common import headline
    assert "internal error in rule ZZ (broken-on-purpose)" in headline(report)
    assert "No failed or stuck backup found" not in headline(report)


def test_reason_recorded_at_collection_is_shown(run_cli, tmp_path):
    out = _bundle(tmp_path, ("CDB_OB_BACKUP_JOBS", "DBA_OB_ROOTSERVICE_EVENT_HISTORY"))
    (out / "manifest.toml").write_text(
        '[cluster]\nversion = "4.2.1.0"\ncollected_at = 2023-09-26T15:00:00\n\n[collect]\n\n[collect.missing]\n'
        '"CDB_OB_BACKUP_JOB_HISTORY" = "the view does not exist on this cluster (error 1146: table not exist)"\n',
        encoding="utf-8")
    result = run_cli("analyze", out, "--format", "json")
    assert result.code == ExitCode.UNDIAGNOSED
    report = result.json()
    history = [u for u in report["unchecked"] if u["what"].startswith("finished backup jobs")]
    assert len(history) == 1, report["unchecked"]
    assert "not collected: the view does not exist on this cluster (error 1146" in history[0]["why"]


def test_every_missing_check_is_listed_once(run_cli, tmp_path):
    result = run_cli("analyze", _bundle(tmp_path, ("CDB_OB_BACKUP_JOB_HISTORY",)), "--format", "json")
    whats = [u["what"] for u in result.json()["unchecked"]]
    assert len(whats) == len(set(whats)), whats
    for check in ("running backup jobs", "backup start attempts", "running backup tasks", "log archive",
                  "backup delete jobs", "restore jobs"):
        assert any(w.startswith(check) for w in whats), (check, whats)
    assert all(re.match(r"SELECT \* FROM oceanbase\.", u["query"]) for u in result.json()["unchecked"] if "query" in u)


def test_the_deciding_query_is_scoped_to_the_tenant_asked_about(run_cli, tmp_path):
    keep = ("CDB_OB_BACKUP_JOBS", "DBA_OB_ROOTSERVICE_EVENT_HISTORY")
    result = run_cli("analyze", _bundle(tmp_path, keep), "--format", "json", "--tenant", "1002")
    assert result.code == ExitCode.UNDIAGNOSED
    queries = [u["query"] for u in result.json()["undecided"]]
    assert queries == ["SELECT * FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY WHERE TENANT_ID = 1002 "
                       "ORDER BY JOB_ID DESC LIMIT 50"], queries
