"""Status values obdoctor does not understand never pass as "nothing wrong".

A status outside the values OceanBase writes in its column (ob_enums.md; the views pages of the
reference, e.g. cdb_ob_restore_history: ``SUCCESS``/``FAILED``) is a newer version's value, a
misspelling (``FAIL``) or a hand-edited cell. Read as "not FAILED" it let a failed job pass; it is
named (view, row, column, value, the values known) and keeps the report from an all-clear. A
spelling that names one known value (``completed``, padded) is read as it, and said.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from obdoctor.exit_codes import ExitCode
from tests import mutations as mut
from tests.conftest import EXAMPLES


def _with(tmp_path: Path, example: str, view: str, old: str, new: str, count: int = 1, *,
          cell: str = "STATUS: {}\n") -> mut.Outcome:
    copy = tmp_path / example
    shutil.copytree(EXAMPLES / example, copy)
    path = copy / "sql" / view
    text = path.read_text(encoding="utf-8")
    assert cell.format(old) in text
    path.write_text(text.replace(cell.format(old), cell.format(new), count), encoding="utf-8")
    return mut.analyze(copy)


def _said(outcome: mut.Outcome) -> list[dict]:
    return [*outcome.report["undecided"], *outcome.report["unchecked"]]


def test_a_restore_history_status_fail_is_named_not_passed(tmp_path):
    """A field case: restore history STATUS ``FAIL`` (the docs say ``FAILED``) was not flagged."""
    outcome = _with(tmp_path, "restore-failed-recycled", "CDB_OB_RESTORE_HISTORY.txt", "FAILED", "FAIL")
    named = [u for u in outcome.report["undecided"] if "'FAIL'" in u["why"]]
    assert named, _said(outcome)
    assert "CDB_OB_RESTORE_HISTORY" in named[0]["what"] and "STATUS" in named[0]["why"]
    assert "SUCCESS, FAILED" in named[0]["why"] and "row 1" in named[0]["why"] and named[0].get("query")
    assert outcome.code != ExitCode.NOTHING_WRONG
    assert outcome.causes("confirmed") <= {"archive_log_recycled"}


def test_a_job_status_no_version_writes_is_no_all_clear(tmp_path):
    """healthy with one job's STATUS a value no 4.x writes: exit 3 with the query, not 0."""
    outcome = _with(tmp_path, "healthy", "CDB_OB_BACKUP_JOB_HISTORY.txt", "COMPLETED", "COMPLETE")
    assert outcome.code == ExitCode.UNDIAGNOSED, outcome.report
    named = [u for u in outcome.report["undecided"] if "'COMPLETE'" in u["why"]]
    assert named and "CDB_OB_BACKUP_JOB_HISTORY" in named[0]["query"], outcome.report["undecided"]


def test_an_archive_status_not_understood_is_no_all_clear(tmp_path):
    """Not only the job views: an archive round's STATUS no version writes keeps the all-clear too."""
    outcome = _with(tmp_path, "healthy", "CDB_OB_ARCHIVELOG.txt", "DOING", "START", cell="| {} ")
    assert outcome.code == ExitCode.UNDIAGNOSED, outcome.report
    assert any("'START'" in u["why"] for u in outcome.report["undecided"])


def test_an_empty_status_is_not_understood(tmp_path):
    outcome = _with(tmp_path, "healthy", "CDB_OB_BACKUP_JOB_HISTORY.txt", "COMPLETED", "")
    assert outcome.code == ExitCode.UNDIAGNOSED, outcome.report


def test_a_lower_case_status_is_read_as_the_value_and_said(tmp_path):
    outcome = _with(tmp_path, "healthy", "CDB_OB_BACKUP_JOB_HISTORY.txt", "COMPLETED", "completed", count=3)
    assert outcome.code == ExitCode.NOTHING_WRONG, outcome.report
    notes = outcome.report["source"]["notes"]
    assert any("'completed'" in n and "COMPLETED" in n and "CDB_OB_BACKUP_JOB_HISTORY" in n for n in notes), notes


def test_a_scheduler_queue_type_no_version_defines_is_named(tmp_path):
    """__all_virtual_backup_schedule_task.type is BackupJobType's integer, 0 .. 4 (ob_enums.md
    section 6); a 7 was shown as 'type 7' and the row passed."""
    from obdoctor.catalog.statuses import known_values
    from obdoctor.evidence.provenance import Provenance
    from obdoctor.evidence.records import ScheduleTask
    from obdoctor.evidence.rows import Row

    assert known_values("__all_virtual_backup_schedule_task", "type")[1] == "VALIDATE_JOB"
    for cell, understood in (("1", True), ("7", False), ("", False), ("x", False)):
        row = Row({"tenant_id": "1002", "type": cell}, Provenance("sql", "__all_virtual_backup_schedule_task", row=1))
        task = ScheduleTask.from_row(row)
        assert (row.statuses is None) == understood, cell
        assert task.type == (int(cell) if cell.isdigit() else None)
