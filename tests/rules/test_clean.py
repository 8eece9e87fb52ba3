"""C1 backup clean: pass and fail fixtures."""

from __future__ import annotations

from tests.rules.kit import causes, run


def delete_job(status: str, result: int = 0, start: str = "2024-06-01 02:00:00.000000", end: str = "") -> dict:
    return {"TENANT_ID": 1002, "JOB_ID": 3, "INCARNATION": 1, "TYPE": "DELETE OBSOLETE BACKUP", "JOB_LEVEL": "USER_TENANT",
            "START_TIMESTAMP": start, "END_TIMESTAMP": end, "STATUS": status, "RESULT": result, "COMMENT": "",
            "TASK_COUNT": 1, "SUCCESS_TASK_COUNT": 0}


def test_completed_clean_is_observed(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_DELETE_JOB_HISTORY": [delete_job("COMPLETED", end="2024-06-01 02:10:00.000000")]},
                 rules=("C1",))
    assert report.findings == []
    assert any("COMPLETED" in o.text for o in report.observations)


def test_failed_clean_without_tasks(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_DELETE_JOB_HISTORY": [delete_job("FAILED", -9054, end="2024-06-01 02:10:00.000000")]},
                 rules=("C1",))
    assert causes(report) == [("C1", "clean_failed", "likely")]
    assert "documented cause: The metadata of the backup cleanup task does not exist" in report.findings[0].summary


def test_recent_running_clean_is_not_stuck(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_DELETE_JOBS": [delete_job("DOING", start="2024-06-01 11:30:00.000000")]},
                 rules=("C1",))
    assert report.findings == []


def test_old_running_clean_is_stuck(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_DELETE_JOBS": [delete_job("DOING", start="2024-05-31 10:00:00.000000")]},
                 rules=("C1",))
    assert causes(report) == [("C1", "clean_stuck", "likely")]
