"""Malformed rows and missing columns never crash the new rules, nor make them confident.

Six rules read the same garbage, so the case lives here rather than in one rule's case file; it
is a case of ``runner.py``'s schema, run and checked by the runner."""

from __future__ import annotations

from tests.rules.runner import check, run_case

GARBAGE = {
    "generated": True, "noise": 20, "version": "4.2.1.0", "collected_at": "2024-06-01 12:00:00",
    "sql": {
        "CDB_OB_RESTORE_PROGRESS": [{"TENANT_ID": "x", "JOB_ID": None, "STATUS": None, "START_TIMESTAMP": "garbage"}],
        "CDB_OB_RESTORE_HISTORY": [{"TENANT_ID": 1, "STATUS": "FAILED", "COMMENT": "(SERVER) nonsense"}],
        "__all_virtual_restore_job": [{"tenant_id": None, "name": None}],
        "CDB_OB_BACKUP_DELETE_JOBS": [{"STATUS": "DOING", "START_TIMESTAMP": "2020-01-01 00:00:00"}],
        "CDB_OB_BACKUP_DELETE_JOB_HISTORY": [{"STATUS": "FAILED", "RESULT": "abc"}],
        "CDB_OB_ARCHIVELOG": [{"TENANT_ID": 1002, "STATUS": "INTERRUPTED", "COMMENT": "ret=-9082"}, {"STATUS": "SUSPENDING"}],
        "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [
            {"MODULE": "physical_restore", "EVENT": "x", "NAME1": "result", "VALUE1": "-4018"},
            {"MODULE": "connectivity_check", "EVENT": "permission check", "NAME1": "error_code", "VALUE1": "zz"}],
        "GV$OB_SERVER_SCHEMA_INFO": [{"TENANT_ID": None}],
        "CDB_OB_LS_LOG_ARCHIVE_PROGRESS": [{"TENANT_ID": 1002, "LS_ID": "?", "CHECKPOINT_SCN": "not a number"}],
    },
    "unchecked_lacks": ["internal error"],
    "absent": ["restore_schema_not_refreshed"],  # a row without tenant proves nothing
    "fires": [{"rule": "A1", "cause": "dest_out_of_space", "verdict": "likely"},  # the code only from the COMMENT
              {"rule": "R3", "cause": "restore_failed", "verdict": "unknown"}],
    "report_unchecked": ["names no tenant"],
}


def test_garbage_rows(tmp_path) -> None:
    check(run_case(GARBAGE, ["A1", "D1", "R1", "R2", "R3", "C1"], tmp_path), GARBAGE)
