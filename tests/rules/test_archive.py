"""A1 beyond its cases (``cases/archive.yaml``): a missing archive view is said once, with the
query that would decide it."""

from __future__ import annotations

from tests.rules.runner import run_case


def test_missing_archive_view_is_said(tmp_path) -> None:
    job = {"TENANT_ID": 1002, "JOB_ID": 1, "INCARNATION": 1, "BACKUP_SET_ID": 1, "STATUS": "COMPLETED", "RESULT": 0}
    case = {"generated": True, "noise": 20, "version": "4.2.1.0", "collected_at": "2024-06-01 12:00:00",
            "sql": {"CDB_OB_BACKUP_JOB_HISTORY": [job]}}
    report = run_case(case, ["A1"], tmp_path)
    assert report.findings == []
    # said once, by the coverage check (issue 11), with the query that would decide it
    archive = [u for u in report.unchecked if "archive" in u.what]
    assert [u.what for u in archive] == ["log archive status"] and "CDB_OB_ARCHIVELOG" in archive[0].query
