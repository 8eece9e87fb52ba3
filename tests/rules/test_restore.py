"""R1-R3 physical restore: pass and fail fixtures."""

from __future__ import annotations

from tests.rules.kit import TRACE, causes, evidence_text, line, run

UNTIL = 1717236000000000000  # 2024-06-01 10:00:00 UTC


def restore_event(result: int) -> dict:
    return {"TIMESTAMP": "2024-06-01 11:00:00.000000", "MODULE": "physical_restore", "EVENT": "restore_tenant",
            "NAME1": "tenant_name", "VALUE1": "r1", "NAME2": "result", "VALUE2": str(result),
            "RS_SVR_IP": "127.0.0.2", "RS_SVR_PORT": 2882}


def util_line(scn: int) -> dict:
    return line("2024-06-01 10:59:59.000000", f"no enough log for restore(ret=-4018, restore_scn={{val:{scn}, v:0}})",
                errcode=-4018, src="ob_restore_util.cpp:412", module="RS", tenant=1, thread="T1_DdlQueue")


def backup_set(min_restore: str) -> dict:
    return {"TENANT_ID": 1002, "BACKUP_SET_ID": 1, "STATUS": "SUCCESS", "FILE_STATUS": "AVAILABLE", "BACKUP_TYPE": "FULL",
            "MIN_RESTORE_SCN_DISPLAY": min_restore, "MIN_RESTORE_SCN": 0}


def piece(checkpoint: str) -> dict:
    return {"TENANT_ID": 1002, "ROUND_ID": 1, "PIECE_ID": 1, "STATUS": "ACTIVE", "FILE_STATUS": "AVAILABLE",
            "CHECKPOINT_SCN_DISPLAY": checkpoint}


def test_4018_before_the_first_backup_set(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)],
                                "CDB_OB_BACKUP_SET_FILES": [backup_set("2024-06-01 10:30:00.000000")],
                                "CDB_OB_ARCHIVELOG_PIECE_FILES": [piece("2024-06-01 10:50:00.000000")]},
                 logs={("127.0.0.2", "rootservice"): [util_line(UNTIL)]}, rules=("R1",))
    assert causes(report) == [("R1", "restore_point_outside_window", "confirmed")]
    assert "OUTSIDE" in evidence_text(report)


def test_4018_inside_the_window_is_only_likely_generic(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)],
                                "CDB_OB_BACKUP_SET_FILES": [backup_set("2024-06-01 08:00:00.000000")],
                                "CDB_OB_ARCHIVELOG_PIECE_FILES": [piece("2024-06-01 10:50:00.000000")]},
                 logs={("127.0.0.2", "rootservice"): [util_line(UNTIL)]}, rules=("R1",))
    assert causes(report) == [("R1", "restore_command_failed", "likely")]


def test_4018_without_window_facts(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)]},
                 logs={("127.0.0.2", "rootservice"): [util_line(UNTIL)]}, rules=("R1",))
    assert causes(report) == [("R1", "restore_point_outside_window", "confirmed")]
    assert any("restorable window" in u.what for f in report.findings for u in f.unchecked)


def test_successful_restore_command_passes(tmp_path) -> None:
    assert run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(0)]}, rules=("R1",)).findings == []


def progress() -> dict:
    return {"TENANT_ID": 1, "JOB_ID": 1, "RESTORE_TENANT_NAME": "r1", "RESTORE_TENANT_ID": 1006, "STATUS": "RESTORING",
            "START_TIMESTAMP": "2024-06-01 06:00:00.000000", "RESTORE_SCN": UNTIL}


def wait_ls(**extra) -> dict:
    sql = {"CDB_OB_RESTORE_PROGRESS": [progress()],
           "__all_virtual_restore_job": [{"tenant_id": 1006, "job_id": 1, "name": "status", "value": "RESTORE_WAIT_LS"}],
           "__all_virtual_ls_meta_table": [{"tenant_id": 1006, "ls_id": 1, "svr_ip": "127.0.0.2", "svr_port": 2882, "role": 1,
                                            "restore_status": 6, "zone": "z1"}],
           "__all_virtual_tenant_info": [{"tenant_id": 1006, "tenant_role": "RESTORE", "recovery_until_scn": UNTIL}],
           "GV$OB_LOG_STAT": [{"TENANT_ID": 1006, "LS_ID": 1, "SVR_IP": "127.0.0.2", "ROLE": "LEADER", "END_SCN": UNTIL + 1}],
           "__all_virtual_replay_stat": [{"tenant_id": 1006, "ls_id": 1, "svr_ip": "127.0.0.2", "role": "LEADER",
                                          "pending_cnt": 0, "unsubmitted_log_scn": UNTIL + 1}],
           "__all_virtual_ls_recovery_stat": [{"tenant_id": 1006, "ls_id": 1, "sync_scn": UNTIL, "readable_scn": UNTIL}]}
    sql.update(extra)
    return sql


def test_wait_ls_replica_stuck_early(tmp_path) -> None:
    meta = [{"tenant_id": 1006, "ls_id": 1, "svr_ip": "127.0.0.2", "svr_port": 2882, "role": 1, "restore_status": 6},
            {"tenant_id": 1006, "ls_id": 1001, "svr_ip": "127.0.0.3", "svr_port": 2882, "role": 1, "restore_status": 3}]
    report = run(tmp_path, sql=wait_ls(__all_virtual_ls_meta_table=meta), rules=("R2",))
    assert causes(report) == [("R2", "restore_ls_stuck", "confirmed")]
    assert report.findings[0].servers == ["127.0.0.3"]


def test_wait_ls_replay_pending(tmp_path) -> None:
    replay = [{"tenant_id": 1006, "ls_id": 1, "svr_ip": "127.0.0.2", "role": "LEADER", "pending_cnt": 12,
               "unsubmitted_log_scn": UNTIL - 5}]
    report = run(tmp_path, sql=wait_ls(__all_virtual_replay_stat=replay), rules=("R2",))
    assert causes(report) == [("R2", "restore_replay_pending", "confirmed")]


def test_wait_ls_ls1_not_recovered(tmp_path) -> None:
    rec = [{"tenant_id": 1006, "ls_id": 1, "sync_scn": UNTIL - 100, "readable_scn": UNTIL - 100}]
    report = run(tmp_path, sql=wait_ls(__all_virtual_ls_recovery_stat=rec), rules=("R2",))
    assert causes(report) == [("R2", "restore_ls1_not_recovered", "confirmed")]


def test_wait_ls_everything_complete_is_unknown(tmp_path) -> None:
    report = run(tmp_path, sql=wait_ls(), rules=("R2",))
    assert causes(report) == [("R2", "restore_wait_ls_unknown", "unknown")]


def test_schema_not_refreshed(tmp_path) -> None:
    sql = {"CDB_OB_RESTORE_PROGRESS": [progress()],
           "__all_virtual_restore_job": [{"tenant_id": 1006, "job_id": 1, "name": "status", "value": "WAIT_TENANT_RESTORE_FINISH"}],
           "GV$OB_SERVER_SCHEMA_INFO": [
               {"SVR_IP": "127.0.0.2", "SVR_PORT": 2882, "TENANT_ID": 1006, "REFRESHED_SCHEMA_VERSION": 1, "RECEIVED_SCHEMA_VERSION": 1},
               {"SVR_IP": "127.0.0.3", "SVR_PORT": 2882, "TENANT_ID": 1006, "REFRESHED_SCHEMA_VERSION": 1024, "RECEIVED_SCHEMA_VERSION": 1024}]}
    logs = {("127.0.0.2", "observer"): [line("2024-06-01 11:00:00.000000", 'execute rpc fail(ret=-4012, dst="127.0.0.4:2882")',
                                             level="WARN", thread="SerScheQueue0", tenant=0, src="ob_rpc_proxy.ipp:361")],
            ("127.0.0.4", "observer"): [line("2024-06-01 11:00:00.100000", "fail to fetch schema(ret=-4012)", errcode=-4012)]}
    report = run(tmp_path, sql=sql, logs=logs, rules=("R2",))
    assert causes(report) == [("R2", "restore_schema_not_refreshed", "confirmed")]
    assert report.findings[0].servers == ["127.0.0.2", "127.0.0.4"]
    assert TRACE in report.findings[0].trace_ids


def test_young_restore_is_not_stuck(tmp_path) -> None:
    job = dict(progress(), START_TIMESTAMP="2024-06-01 11:40:00.000000")
    sql = {"CDB_OB_RESTORE_PROGRESS": [job],
           "__all_virtual_restore_job": [{"tenant_id": 1006, "job_id": 1, "name": "status", "value": "RESTORE_TENANT"}]}
    report = run(tmp_path, sql=sql, rules=("R2",))
    assert report.findings == []
    assert any("not yet stuck" in o.text for o in report.observations)


def history(status: str, comment: str = "") -> dict:
    return {"TENANT_ID": 1, "JOB_ID": 4, "RESTORE_TENANT_NAME": "r1", "RESTORE_TENANT_ID": 1006, "STATUS": status,
            "START_TIMESTAMP": "2024-06-01 06:00:00.000000", "FINISH_TIMESTAMP": "2024-06-01 07:00:00.000000",
            "RESTORE_SCN": UNTIL, "COMMENT": comment}


def test_restore_success_passes(tmp_path) -> None:
    report = run(tmp_path, sql={"CDB_OB_RESTORE_HISTORY": [history("SUCCESS")]}, rules=("R3",))
    assert report.findings == []
    assert any("SUCCESS" in o.text for o in report.observations)


def test_restore_failed_in_rootservice(tmp_path) -> None:
    comment = f"(ROOTSERVICE)addr: 127.0.0.2:2882, result: -4016(OB_ERR_UNEXPECTED), trace_id: {TRACE}"
    logs = {("127.0.0.2", "rootservice"): [line("2024-06-01 06:59:59.000000", "restore scheduler failed(ret=-4016)",
                                                errcode=-4016, src="ob_restore_scheduler.cpp:200", module="RS")]}
    report = run(tmp_path, sql={"CDB_OB_RESTORE_HISTORY": [history("FAILED", comment)]}, logs=logs, rules=("R3",))
    assert causes(report) == [("R3", "restore_failed", "confirmed")]
    assert "ob_restore_scheduler" in evidence_text(report)


def test_restore_failed_on_a_destination_code(tmp_path) -> None:
    comment = f"(SERVER)ls_id: 1001, addr: 127.0.0.3:2882, module: RESTORE_DATA, result: -9080(X), trace_id: {TRACE}"
    logs = {("127.0.0.3", "observer"): [line("2024-06-01 06:59:59.000000", "format file does not exist(ret=-9080)", errcode=-9080)]}
    report = run(tmp_path, sql={"CDB_OB_RESTORE_HISTORY": [history("FAILED", comment)]}, logs=logs, rules=("R3",))
    assert causes(report) == [("R3", "dest_format_file_missing", "confirmed")]
