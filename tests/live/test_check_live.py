"""``obdoctor check`` on the simulated cluster gives what it gives on the same evidence as a bundle.

Every case of tests/check/cases.toml is loaded into MariaDB (its dropped views left out, so they
answer 1146 as a missing view does) and checked through the whole command, live; the statuses and
summaries must be the offline ones, and the exit code Nagios'.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.kit import BY_NAME, CASE_NAMES, bundle, omitted, scenario


def _config(path: Path, db) -> Path:
    path.write_text("\n".join([
        "[cluster]", 'name = "obcluster"',
        "[db]", 'host = "127.0.0.1"', f"port = {db.port}", 'user = "root@sys"', f'password = "{db.password}"',
        "connect_timeout = 5", "read_timeout = 10",
    ]) + "\n")
    return path


def _statuses(result) -> list[tuple]:
    return [(c["check"], c["tenant_id"], c["status"], c["summary"]) for c in result.json()["checks"]]


# A view the column catalogue does not know, declared with no row, cannot be created in MariaDB
# (no column to create it with): live it is missing, offline it is an empty file.
NOT_COMPARABLE = {"clean-no-policy"}


@pytest.mark.parametrize("name", [n for n in CASE_NAMES if n not in NOT_COMPARABLE])
def test_live_check_matches_offline(simdb, run_cli, tmp_path, name):
    case = BY_NAME[name]
    try:
        simdb.load(scenario(case), omit=omitted(case))
    except ValueError as exc:
        pytest.skip(f"the simulated database cannot hold case {name}: {exc}")
    config = _config(tmp_path / "obdoctor.toml", simdb)
    extra = ["--restore-to", case["restore_to"]] if case.get("restore_to") else []
    live = run_cli("check", "--config", config, "-q", "--format", "json", "--db", tmp_path / "no-history", *extra)
    offline = run_cli("check", bundle(case, tmp_path), "--format", "json", "--db", tmp_path / "no-history", *extra)
    assert live.json()["source"]["kind"] == "live"
    live_checks = [c for c in _statuses(live) if c[0] != "destination_space"]
    offline_checks = _statuses(offline)
    # unknown summaries name the view; the reasons differ (1146 live, "not in the bundle" offline)
    assert [c[:3] for c in live_checks] == [c[:3] for c in offline_checks]
    assert [c[3] for c in live_checks if c[2] != "unknown"] == [c[3] for c in offline_checks if c[2] != "unknown"]
    expected = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}[live.json()["status"]]
    assert live.code == expected
    assert simdb.password not in live.out


def test_live_file_destination_space_is_unknown_with_its_command(simdb, run_cli, tmp_path):
    simdb.load(scenario(BY_NAME["destination-ok"]))
    result = run_cli("check", "--config", _config(tmp_path / "obdoctor.toml", simdb), "-q", "--format", "json",
                     "--db", tmp_path / "no-history")
    space = [c for c in result.json()["checks"] if c["check"] == "destination_space"]
    assert len(space) == 1 and space[0]["status"] == "unknown" and "df -P" in space[0]["query"]
    assert result.code == 3, "a check that could not run, nothing worse: UNKNOWN"


def test_live_without_a_cluster_is_unknown(run_cli, tmp_path):
    result = run_cli("check", "--format", "nagios", env={"HOME": str(tmp_path)})
    assert result.code == 3 and "no cluster" in result.err
