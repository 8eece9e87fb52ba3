"""Malformed rows and missing columns never crash the new rules, nor make them confident."""

from __future__ import annotations

from tests.rules.kit import run


def test_garbage_rows(tmp_path) -> None:
    sql = {
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
    }
    report = run(tmp_path, sql=sql, rules=("A1", "D1", "R1", "R2", "R3", "C1"))
    assert not [u for u in report.unchecked if "internal error" in u.why]
    found = {(f.rule_id, f.cause): f.verdict.value for f in report.findings}
    assert ("R2", "restore_schema_not_refreshed") not in found  # a row without tenant proves nothing
    assert found[("A1", "dest_out_of_space")] == "likely"  # the code only from the COMMENT
    assert found[("R3", "restore_failed")] == "unknown"
    assert any("names no tenant" in u.why for u in report.unchecked)
