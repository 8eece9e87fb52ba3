"""Destination code family (through P3) and D1: pass and fail fixtures."""

from __future__ import annotations

import pytest

from tests.rules.kit import TRACE, causes, evidence_text, line, run, servers_table


def job(result: int, path: str, status: str = "FAILED", comment: str | None = None) -> dict:
    return {"TENANT_ID": 1002, "JOB_ID": 7, "INCARNATION": 1, "BACKUP_SET_ID": 7, "BACKUP_TYPE": "FULL", "JOB_LEVEL": "USER_TENANT",
            "START_TIMESTAMP": "2024-06-01 10:00:00.000000", "END_TIMESTAMP": "2024-06-01 10:30:00.000000", "STATUS": status,
            "RESULT": result, "PATH": path,
            "COMMENT": comment if comment is not None else
            (f"(SERVER)ls_id: 1001, addr: 127.0.0.3:2882, module: BACKUP_DATA, result: {result}(X), trace_id: {TRACE}" if result else "")}


def failing(result: int, body: str, path: str = "file:///data/nfs/backup", extra: list[dict] = ()) -> dict:
    return {("127.0.0.3", "observer"): [*extra, line("2024-06-01 10:29:59.000000", body, errcode=result)]}


@pytest.mark.parametrize("code, body, path, cause, verdict", [
    (-9080, "format file does not exist(ret=-9080)", "file:///data/nfs/backup", "dest_format_file_missing", "confirmed"),
    (-9081, "format file does not match(ret=-9081)", "file:///data/nfs/backup", "dest_format_file_mismatch", "confirmed"),
    (-9082, "failed to write(ret=-9082)", "file:///data/nfs/backup", "dest_out_of_space", "confirmed"),
    (-9071, "failed to write(ret=-9071)", "file:///data/nfs/backup", "dest_permission_denied", "confirmed"),
    (-9105, 's3 request failed(ret=-9105, http_code=404, exception="NoSuchBucket")', "s3://bkt/p?host=s3.example.com",
     "object_storage_not_found", "confirmed"),
    (-9071, 'oss info (aos_ret->code=403, aos_ret->error_code="AccessDenied")(ret=-9071)', "oss://bkt/p?host=h",
     "object_storage_access_denied", "confirmed"),
    (-9060, "cos failed(ret=-9060)", "cos://bkt/p?host=h", "object_storage_error", "likely"),
])
def test_destination_codes(tmp_path, code, body, path, cause, verdict) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job(code, path)]}, logs=failing(code, body), rules=("P3",))
    assert causes(report) == [("P3", cause, verdict)]
    assert report.findings[0].code == code


def test_object_storage_credentials_are_masked(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job(-9003, "oss://b/p?host=h&access_id=AK&access_key=SECRETKEY")]},
                 logs=failing(-9003, "oss info (aos_ret->code=-998)(ret=-9003)"), rules=("P3",))
    assert causes(report) == [("P3", "object_storage_unreachable", "confirmed")]
    assert "SECRETKEY" not in evidence_text(report) and "access_key=***" in evidence_text(report)


def test_nfs_unreachable_without_the_other_servers_is_not_called_unmounted(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job(-9070, "file:///data/nfs/backup")]},
                 logs=failing(-9070, "open failed(ret=-9070)"), rules=("P3",))
    assert causes(report) == [("P3", "dest_unreachable", "confirmed")]
    assert any("other servers" in u.what for f in report.findings for u in f.unchecked)


def test_nfs_failing_everywhere_is_unreachable_not_partial(tmp_path) -> None:
    logs = failing(-9070, "open failed(ret=-9070)")
    for ip in ("127.0.0.2", "127.0.0.4"):
        logs[(ip, "observer")] = [line("2024-06-01 10:29:58.000000", "open failed(ret=-9070)", errcode=-9070)]
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job(-9070, "file:///data/nfs/backup")],
                                "DBA_OB_SERVERS": servers_table()}, logs=logs, rules=("P3",))
    assert causes(report) == [("P3", "dest_unreachable", "confirmed")]


def test_9051_is_nfs_not_mounted_everywhere(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job(-9051, "file:///data/nfs/backup")]},
                 logs=failing(-9051, "backup mount file is not valid(ret=-9051)"), rules=("P3",), version="4.1.0.2")
    assert causes(report) == [("P3", "nfs_not_mounted_everywhere", "confirmed")]
    assert any("NFS 4.1 or later" in s for s in report.findings[0].next_steps)


def test_completed_job_passes(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job(0, "file:///data/nfs/backup", status="COMPLETED")]},
                 rules=("P3", "D1"))
    assert report.findings == []


def test_undocumented_specific_code_keeps_error_code_with_documented_cause(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job(-9048, "file:///data/nfs/backup")]},
                 logs=failing(-9048, "isolated(ret=-9048)"), rules=("P3",))
    assert causes(report) == [("P3", "error_code", "confirmed")]
    assert "documented cause: Data backup and log archiving are discontinuous" in report.findings[0].summary
    assert report.findings[0].next_steps[0].startswith("Documented solution: Check whether log archiving is interrupted")


def event(code: int, comment: str = "write single file") -> dict:
    return {"TIMESTAMP": "2024-06-01 10:00:00.000000", "MODULE": "connectivity_check", "EVENT": "permission check",
            "NAME1": "tenant_id", "VALUE1": "1002", "NAME2": "error_code", "VALUE2": str(code), "NAME3": "comment",
            "VALUE3": comment, "RS_SVR_IP": "127.0.0.2", "RS_SVR_PORT": 2882}


def test_d1_permission_check_failed(tmp_path) -> None:
    params = [{"TENANT_ID": 1002, "NAME": "data_backup_dest", "VALUE": "file:///data/nfs/backup"}]
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [event(-9071)], "CDB_OB_BACKUP_PARAMETER": params},
                 rules=("D1",))
    assert causes(report) == [("D1", "dest_permission_denied", "likely")]
    assert "write single file" in report.findings[0].summary


def test_d1_passing_check(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [event(0)]}, rules=("D1",))
    assert report.findings == []


def test_d1_leaves_a_failed_job_with_the_same_code_to_p3(tmp_path) -> None:
    failed = job(-9071, "file:///data/nfs/backup")
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [event(-9071)], "CDB_OB_BACKUP_JOB_HISTORY": [failed]},
                 rules=("D1", "P3"))
    assert [f.rule_id for f in report.findings] == ["P3"]
    assert any("permission check failed" in o.text for o in report.observations)
