"""Bad input never gives a traceback: a clear message, whatever partial result the rest allows,
and the documented exit code (README: 2 = input that cannot be opened, 3 = nothing usable)."""

from __future__ import annotations

import builtins
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

FAILED_41 = EXAMPLES / "failed-41-chain"
STUCK = EXAMPLES / "stuck-rotated"
OK_CODES = {0, 1, 2, 3}


def _analyze(run_cli, path, *extra):
    result = run_cli("analyze", path, "--format", "json", *extra)
    assert "Traceback" not in result.err + result.out
    assert result.code in OK_CODES, f"exit {result.code}: {result.err}"
    return result


def _copy(src: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(src, tmp_path / src.name))


def _causes(report: dict) -> list[str]:
    return [f["cause"] for f in report["findings"]]


def _unchecked(report: dict) -> str:
    items = report["unchecked"] + [u for f in report["findings"] for u in f["unchecked"]]
    return "\n".join(f"{u['what']}: {u['why']}" for u in items)


# -- cannot be opened: exit 2 and one line on stderr --------------------------------------

def test_nonexistent_path(run_cli, tmp_path):
    result = _analyze(run_cli, tmp_path / "nope")
    assert result.code == 2
    assert "no such file or directory" in result.err
    assert result.out == ""


def test_tar_gz_that_is_not_one(run_cli, tmp_path):
    fake = tmp_path / "bundle.tar.gz"
    fake.write_bytes(b"this is not an archive\n")
    result = _analyze(run_cli, fake)
    assert result.code == 2
    assert "not a readable .tar.gz bundle" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_truncated_tar_gz(run_cli, tmp_path):
    good = tmp_path / "good.tar.gz"
    with tarfile.open(good, "w:gz") as archive:
        archive.add(FAILED_41, arcname="failed-41-chain")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = _analyze(run_cli, cut)
    assert result.code == 2
    assert "not a readable .tar.gz bundle" in result.err


def test_a_plain_file_is_read_for_its_content(run_cli, tmp_path):
    """One saved file is read as a paste (issue 13); with nothing recognisable in it: exit 3, said why."""
    plain = tmp_path / "notes.txt"
    plain.write_text("hello\n")
    result = _analyze(run_cli, plain)
    assert result.code == 3
    assert "notes.txt: line 1: no table, no prompt, no log line: not understood" in " ".join(result.out.split())


def test_a_real_tar_gz_works(run_cli, tmp_path):
    good = tmp_path / "good.tar.gz"
    with tarfile.open(good, "w:gz") as archive:
        archive.add(FAILED_41, arcname="failed-41-chain")
    result = _analyze(run_cli, good)
    assert result.code == 1
    assert result.json()["findings"][0]["code"] == -9082


# -- opened, nothing usable: exit 3 and say so -------------------------------------------

def test_empty_bundle_directory(run_cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _analyze(run_cli, empty)
    assert result.code == 3
    report = result.json()
    assert report["findings"] == []
    assert any("nothing to diagnose" in n for n in report["source"]["notes"])
    text = run_cli("analyze", empty)
    assert text.code == 3
    assert "No usable evidence" in text.out
    assert "No failed or stuck backup found" not in text.out


def test_sql_and_logs_present_but_empty(run_cli, tmp_path):
    bundle = tmp_path / "b"
    (bundle / "sql").mkdir(parents=True)
    (bundle / "logs" / "127.0.0.2").mkdir(parents=True)
    result = _analyze(run_cli, bundle)
    assert result.code == 3
    assert "start_backup_data" in _unchecked(result.json())


# -- partly bad: the rest is still diagnosed ----------------------------------------------

def test_unknown_view_file_is_noted_and_ignored(run_cli, tmp_path):
    bundle = _copy(FAILED_41, tmp_path)
    (bundle / "sql" / "MY_OWN_QUERY.txt").write_text("| a |\n| 1 |\n")
    (bundle / "sql" / "notes.md").write_text("# what I did\n")
    result = _analyze(run_cli, bundle)
    report = result.json()
    assert result.code == 1 and report["findings"][0]["code"] == -9082
    notes = "\n".join(report["source"]["notes"])
    assert "MY_OWN_QUERY is not a view obdoctor knows" in notes
    assert "sql/notes.md ignored" in notes


def test_malformed_obclient_table_keeps_good_rows(run_cli, tmp_path):
    bundle = _copy(FAILED_41, tmp_path)
    (bundle / "sql" / "DBA_OB_TENANTS.txt").write_text(
        "+-----------+-------------+--------+\n"
        "| TENANT_ID | TENANT_NAME | STATUS |\n"
        "+-----------+-------------+--------+\n"
        "| 1002 | mysql_tenant | NORMAL |\n"
        "| 1003 | broken\n"
        "| 1 | 2 | 3 | 4 | 5 |\n"
        "+-----------+-------------+--------+\n"
    )
    result = _analyze(run_cli, bundle, "--all-jobs")
    assert result.code == 1
    # the tenants view is read by rules that need it; reading it directly shows what was kept
    from obdoctor.sources.bundle import Bundle

    with Bundle(bundle) as b:
        table = b.read_table("DBA_OB_TENANTS")
    assert [r.text("TENANT_ID") for r in table.rows] == ["1002"]
    assert len(table.problems) == 2 and all("row skipped" in p for p in table.problems)


def test_job_history_garbage_is_reported_and_the_rest_still_runs(run_cli, tmp_path):
    bundle = _copy(FAILED_41, tmp_path)
    (bundle / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.txt").write_bytes(bytes(range(256)) * 20)
    result = _analyze(run_cli, bundle)
    report = result.json()
    assert "CDB_OB_BACKUP_JOB_HISTORY.txt: no table found" in _unchecked(report)
    assert any(s.get("view") == "DBA_OB_ROOTSERVICE_EVENT_HISTORY" and s["available"] for s in report["sources_read"])


def test_csv_with_nul_bytes_and_jsonl_with_a_bad_line(run_cli, tmp_path):
    bundle = _copy(FAILED_41, tmp_path)
    history = bundle / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.txt"
    history.unlink()
    (bundle / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.jsonl").write_text(
        '{"TENANT_ID": 1002, "JOB_ID": 1, "STATUS": "FAILED", "RESULT": -9082, '
        '"START_TIMESTAMP": "2023-09-26 14:30:56.775981", "END_TIMESTAMP": "2023-09-26 14:37:36.822558"}\n'
        "{not json\n[1, 2]\n"
    )
    (bundle / "sql" / "DBA_OB_TENANTS.txt").unlink()
    (bundle / "sql" / "DBA_OB_TENANTS.csv").write_bytes(b"TENANT_ID,STATUS\n1002,NOR\x00MAL\n")
    result = _analyze(run_cli, bundle)
    report = result.json()
    assert result.code == 1 and report["findings"][0]["job_id"] == 1
    assert "line 2: not JSON" in _unchecked(report) and "line 3: not a JSON object" in _unchecked(report)


def test_truncated_and_fake_gz_logs(run_cli, tmp_path):
    bundle = _copy(STUCK, tmp_path)
    logs = bundle / "logs" / "127.0.0.4"
    gz = logs / "observer.log.20230926100001123.gz"
    data = gz.read_bytes()
    gz.write_bytes(data[: len(data) // 2])
    (logs / "observer.log.20230926090001123.gz").write_bytes(b"plain text, not gzip\n")
    result = _analyze(run_cli, bundle)
    report = result.json()
    assert result.code == 1
    finding = report["findings"][0]
    assert finding["cause"] == "stuck" and finding["code"] == -4009  # still proven by the other rotated file
    assert "observer.log.20230926100001123.gz" in _unchecked(report)


def test_unreadable_log_file(run_cli, tmp_path, monkeypatch):
    bundle = _copy(FAILED_41, tmp_path)
    target = "observer.log"
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if str(file).endswith(f"127.0.0.3/{target}"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)
    result = _analyze(run_cli, bundle)
    report = result.json()
    assert report["findings"], "the event and rootservice.log chain still gives a finding"
    assert "Permission denied" in _unchecked(report)


def test_missing_manifest(run_cli, tmp_path):
    bundle = _copy(FAILED_41, tmp_path)
    (bundle / "manifest.toml").unlink()
    result = _analyze(run_cli, bundle)
    assert result.code == 1
    assert result.json()["findings"][0]["code"] == -9082


@pytest.mark.parametrize("text", ["[cluster\nname = 1", "\x00\x01binary", "[cluster]\ncollected_at = \"yesterday\"\n",
                                  "[cluster]\nversion = 4.2\ndba_tenant_id = \"x\"\n", "cluster = 3\n"])
def test_bad_manifest(run_cli, tmp_path, text):
    bundle = _copy(FAILED_41, tmp_path)
    (bundle / "manifest.toml").write_text(text)
    result = _analyze(run_cli, bundle)
    assert result.code == 1
    assert result.json()["findings"][0]["code"] == -9082


def test_bad_manifest_is_said(run_cli, tmp_path):
    bundle = _copy(FAILED_41, tmp_path)
    (bundle / "manifest.toml").write_text("[cluster\n")
    result = _analyze(run_cli, bundle)
    assert any("manifest.toml ignored" in n for n in result.json()["source"]["notes"])


def test_logs_only_bundle_gets_what_logs_allow(run_cli, tmp_path):
    bundle = tmp_path / "logs-only"
    shutil.copytree(FAILED_41 / "logs", bundle / "logs")
    result = _analyze(run_cli, bundle)
    assert result.code == 1  # the logs prove the failure (issue 11): tenant, job, code, failing server
    finding = result.json()["findings"][0]
    assert (finding["tenant_id"], finding["job_id"], finding["code"], finding["servers"]) == (1002, 1, -9082, ["127.0.0.3"])
    assert "not in the bundle" in _unchecked(result.json())


def test_bad_collected_at_is_said_once(run_cli, tmp_path):
    bundle = _copy(STUCK, tmp_path)
    (bundle / "manifest.toml").write_text('[cluster]\ncollected_at = "yesterday"\n')
    report = _analyze(run_cli, bundle).json()
    assert report["source"]["notes"] == ["manifest collected_at 'yesterday' is not a date"]
    assert report["findings"][0]["cause"] == "stuck"  # without "now" the job's age is unknown, not zero
