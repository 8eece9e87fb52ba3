"""``obdoctor check`` end to end: the Nagios exit code table, usage errors, golden outputs, the
Prometheus file written atomically.

Golden files are tests/check/golden/mixed.*; regenerate after an intended change with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/check/test_cli.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.check.kit import BY_NAME, bundle

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")

# A tenant with one check in each status: a failed attempt (warning), INTERRUPTED archive
# (critical), a gap in the restorable window (warning), a stuck clean job, no parameters (unknown).
MIXED = {"name": "mixed", "replace": {**BY_NAME["last-backup-failed-since"]["replace"],
                                      **BY_NAME["archive-interrupted"]["replace"],
                                      **BY_NAME["window-gap"]["replace"],
                                      **BY_NAME["clean-stuck"]["replace"]},
         "drop": ["CDB_OB_BACKUP_PARAMETER"]}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("check-cli")
    for case in (*BY_NAME.values(), MIXED):
        bundle(case, directory)
    return directory


# -- the exit code table (docs/check.md, README) ---------------------------------------------------
@pytest.mark.parametrize("case, code", [
    ("last-backup-ok", 0),                # every check ok
    ("last-backup-failed-since", 1),      # a warning
    ("archive-interrupted", 2),           # a critical
    ("last-backup-no-history", 3),        # a check that could not run, nothing worse
    ("mixed", 2),                         # critical wins over warning and unknown
])
def test_exit_codes(bundles, run_cli, case, code):
    result = run_cli("check", bundles / case, "--format", "nagios")
    assert result.code == code, result.out
    state = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}[code]
    assert result.out.startswith(f"OBDOCTOR {state} - ")


@pytest.mark.parametrize("argv", [
    ["--max-backup-age", "soon"],
    ["--format", "xml"],
    ["--restore-to", "yesterday"],
    ["--no-such-option"],
    ["a", "b"],
])
def test_usage_errors_are_unknown(bundles, run_cli, argv):
    assert run_cli("check", bundles / "last-backup-ok", *argv).code == 3


def test_unreadable_bundle_is_unknown(tmp_path, run_cli):
    result = run_cli("check", tmp_path / "missing")
    assert result.code == 3 and "missing" in result.err


def test_exit_code_through_a_real_process(bundles):
    """What Nagios sees: the process' exit status, not only main()'s return value."""
    for case, code in (("archive-interrupted", 2), ("last-backup-ok", 0)):
        done = subprocess.run([sys.executable, "-m", "obdoctor.cli.main", "check", str(bundles / case), "--format", "nagios"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == code, done.stderr
    bad = subprocess.run([sys.executable, "-m", "obdoctor.cli.main", "check", "--bogus"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 3 and "unrecognized arguments" in bad.stderr


# -- golden outputs of the four formats ---------------------------------------------------------------
def normalise(text: str) -> str:
    return re.sub(r"^(obdoctor_check_last_run_timestamp_seconds) \S+$", r"\1 <run>", text, flags=re.MULTILINE)


@pytest.mark.parametrize("fmt, suffix", [("text", "txt"), ("json", "json"), ("nagios", "nagios"), ("prometheus", "prom")])
def test_golden(bundles, run_cli, monkeypatch, fmt, suffix):
    monkeypatch.chdir(bundles)  # the output names the bundle as given: keep it relative
    result = run_cli("check", "mixed", "--format", fmt, "--restore-to", "2024-06-30 20:00")
    assert result.code == 2
    text = normalise(result.out)
    path = GOLDEN / f"mixed.{suffix}"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (UPDATE_GOLDEN=1 to accept)"


def test_prometheus_file_is_written_atomically(bundles, run_cli, tmp_path):
    target = tmp_path / "obdoctor_check.prom"
    result = run_cli("check", bundles / "archive-interrupted", "--format", "json", "--prometheus", target)
    assert result.code == 2 and json.loads(result.out)["status"] == "critical"
    text = target.read_text()
    assert 'obdoctor_check_status{check="log_archive",tenant_id="1002"} 2' in text
    assert [p.name for p in tmp_path.iterdir()] == ["obdoctor_check.prom"], "no temporary file left behind"


def test_prometheus_file_unwritable_is_unknown(bundles, run_cli, tmp_path):
    (tmp_path / "a-file").write_text("")  # a missing directory is created (as watch does); a file in the way is not
    result = run_cli("check", bundles / "last-backup-ok", "--prometheus", tmp_path / "a-file" / "x.prom")
    assert result.code == 3 and "cannot write" in result.err


def test_history_file_feeds_running_work(bundles, run_cli, tmp_path):
    """A watch history whose last poll is recent judges progress; the history file is named."""
    from obdoctor.watch.detect import Track
    from obdoctor.watch.store import History

    import time

    db = tmp_path / "history.sqlite"
    now = time.time()
    with History(db) as history, history.transaction() as conn:
        track = Track("ls:1002:12:1001", "ls", 1002, 12, 1001, "sig", now - 7200, now - 3600, now, "DOING")
        conn.execute("INSERT INTO tracks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     (track.key, track.kind, track.tenant_id, track.job_id, track.ls_id, track.signature,
                      track.first_seen, track.changed_at, track.last_seen, track.status, 0, 0, None))
    result = run_cli("check", bundles / "running-moving", "--db", db, "--format", "json")
    running = next(c for c in json.loads(result.out)["checks"] if c["check"] == "running_work")
    assert running["status"] == "critical" and "ls 1001 without progress for 60 minutes" in running["summary"]
    missing = run_cli("check", bundles / "running-moving", "--db", tmp_path / "none.sqlite", "--format", "json")
    running = next(c for c in json.loads(missing.out)["checks"] if c["check"] == "running_work")
    assert "does not exist" in running["details"]["history_problem"]
