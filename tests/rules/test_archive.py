"""A1 log archive: pass and fail fixtures."""

from __future__ import annotations

from tests.rules.kit import causes, evidence_text, line, run, servers_table

BASE = dict(DEST_ID=1001, INCARNATION=1, DEST_NO=0, START_SCN=1, START_SCN_DISPLAY="2024-05-01 00:00:00.000000",
            COMPATIBLE=1, BASE_PIECE_ID=1, USED_PIECE_ID=1, PIECE_SWITCH_INTERVAL=86400000000, COMMENT="",
            PATH="file:///data/nfs/archive")


def archive(status: str, checkpoint: str, tenant: int = 1002, **more) -> dict:
    return {**BASE, "TENANT_ID": tenant, "ROUND_ID": 1, "STATUS": status, "CHECKPOINT_SCN": 1,
            "CHECKPOINT_SCN_DISPLAY": checkpoint, **more}


def change(ts: str, old: str, new: str, tenant: int = 1002) -> dict:
    return {"TIMESTAMP": ts, "MODULE": "log_archive", "EVENT": "change_status", "NAME1": "tenant_id", "VALUE1": str(tenant),
            "NAME2": "dest_no", "VALUE2": "0", "NAME3": "old_status", "VALUE3": old, "NAME4": "new_status", "VALUE4": new,
            "RS_SVR_IP": "127.0.0.2", "RS_SVR_PORT": 2882}


def test_current_archive_is_observed_not_a_finding(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_ARCHIVELOG": [archive("DOING", "2024-06-01 11:58:00.000000")]}, rules=("A1",))
    assert report.findings == []
    assert any("Tenant 1002: log archive (dest_no 0, round 1) is DOING" in o.text for o in report.observations)


def test_lag_over_threshold_is_a_finding(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_ARCHIVELOG": [archive("DOING", "2024-06-01 09:00:00.000000")],
                                "DBA_OB_SERVERS": servers_table()}, rules=("A1",))
    assert causes(report) == [("A1", "archive_lagging", "confirmed")]
    assert "3.0 hours behind" in report.findings[0].summary


def test_interrupted_without_proof_is_likely(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_ARCHIVELOG": [archive("INTERRUPTED", "2024-06-01 10:00:00.000000")]}, rules=("A1",))
    assert causes(report) == [("A1", "archive_interrupted", "likely")]


def test_interrupted_by_a_full_destination_goes_to_the_destination(tmp_path) -> None:
    report = run(
        tmp_path,
        sql={"CDB_OB_ARCHIVELOG": [archive("INTERRUPTED", "2024-06-01 10:00:00.000000")],
             "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [change("2024-06-01 10:05:00.000000", "DOING", "INTERRUPTED")],
             "DBA_OB_SERVERS": servers_table()},
        logs={("127.0.0.3", "observer"): [line("2024-06-01 10:04:59.000000",
                                                "archive continuous encounter error(ret=-9082, tenant_id=1002)",
                                                errcode=-9082, thread="T1002_ArcSender", module="ARCHIVE")]},
        rules=("A1",))
    assert causes(report) == [("A1", "dest_out_of_space", "confirmed")]
    assert report.findings[0].code == -9082
    assert "DOING -> INTERRUPTED" in evidence_text(report)


def test_stuck_in_suspending(tmp_path) -> None:
    sql = {"CDB_OB_ARCHIVELOG": [archive("SUSPENDING", "2024-06-01 09:00:00.000000")],
           "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [change("2024-06-01 09:01:00.000000", "DOING", "SUSPENDING")]}
    report = run(tmp_path, sql=sql, rules=("A1",))
    assert causes(report) == [("A1", "archive_stuck_transition", "confirmed")]


def test_short_transition_is_not_stuck(tmp_path) -> None:
    sql = {"CDB_OB_ARCHIVELOG": [archive("STOPPING", "2024-06-01 11:50:00.000000")],
           "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [change("2024-06-01 11:55:00.000000", "DOING", "STOPPING")]}
    assert run(tmp_path, sql=sql, rules=("A1",)).findings == []


def test_backup_tenant_without_archive_round_is_observed(tmp_path) -> None:
    job = {"TENANT_ID": 1004, "JOB_ID": 1, "INCARNATION": 1, "BACKUP_SET_ID": 1, "STATUS": "COMPLETED", "RESULT": 0,
           "START_TIMESTAMP": "2024-06-01 01:00:00.000000", "END_TIMESTAMP": "2024-06-01 02:00:00.000000"}
    report = run(tmp_path, sql={"CDB_OB_ARCHIVELOG": [archive("DOING", "2024-06-01 11:59:00.000000")],
                                "CDB_OB_BACKUP_JOB_HISTORY": [job]}, rules=("A1",))
    assert any("Tenant 1004: no log archive round" in o.text for o in report.observations)


def test_missing_archive_view_is_said(tmp_path) -> None:
    job = {"TENANT_ID": 1002, "JOB_ID": 1, "INCARNATION": 1, "BACKUP_SET_ID": 1, "STATUS": "COMPLETED", "RESULT": 0}
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job]}, rules=("A1",))
    assert report.findings == []
    # said once, by the coverage check (issue 11), with the query that would decide it
    archive = [u for u in report.unchecked if "archive" in u.what]
    assert [u.what for u in archive] == ["log archive status"] and "CDB_OB_ARCHIVELOG" in archive[0].query


def _scn(text: str) -> int:
    """SCNs are nanoseconds since the epoch; obdoctor shows the time they encode in UTC."""
    from datetime import datetime, timezone

    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()) * 1_000_000_000


def test_lagging_names_the_slowest_log_stream(tmp_path) -> None:
    progress = [{"TENANT_ID": 1002, "DEST_ID": 1001, "LS_ID": ls, "ROUND_ID": 1, "PIECE_ID": 3, "STATUS": "DOING",
                 "CHECKPOINT_SCN": _scn(t)} for ls, t in ((1, "2024-06-01 10:50:00"), (1001, "2024-06-01 09:00:00"),
                                                          (1002, "2024-06-01 10:50:00"))]
    report = run(tmp_path, sql={"CDB_OB_ARCHIVELOG": [archive("DOING", "2024-06-01 09:00:00.000000")],
                                "CDB_OB_LS_LOG_ARCHIVE_PROGRESS": progress}, rules=("A1",))
    assert causes(report) == [("A1", "archive_lagging", "confirmed")]
    assert "log stream 1001 is archived only to 2024-06-01 09:00:00 UTC" in evidence_text(report)


def test_stopped_archive_observation_says_when(tmp_path) -> None:
    event = {"TIMESTAMP": "2024-05-30 08:00:00.000000", "MODULE": "log_archive", "EVENT": "disable_archive",
             "NAME1": "tenant_id", "VALUE1": "1002", "NAME2": "dest_no", "VALUE2": "0", "RS_SVR_IP": "127.0.0.2", "RS_SVR_PORT": 2882}
    report = run(tmp_path, sql={"CDB_OB_ARCHIVELOG": [archive("STOP", "2024-05-30 08:00:00.000000")],
                                "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [event]}, rules=("A1",))
    assert report.findings == []
    assert any("Last archive event: disable_archive at 2024-05-30 08:00:00" in o.text for o in report.observations)
