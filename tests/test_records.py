"""Typed records read view rows by column name, whatever the version prints."""

from __future__ import annotations

from datetime import datetime

import pytest

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records import (
    ArchiveStatus, BackupJob, BackupTask, JobComment, LSTask, RootServiceEvent, ScheduleTask, Server, Tenant,
    server_ip,
)
from obdoctor.evidence.rows import Row

P = Provenance("sql", "TEST", row=1)


def row(**values) -> Row:
    return Row(values, P)


@pytest.mark.parametrize("pairs", [
    # the seed's start_backup_data: result in VALUE2
    {"NAME1": "tenant_id", "VALUE1": "1002", "NAME2": "result", "VALUE2": "-9040"},
    # the seed's 'deal with failed job': result in VALUE3 (the seed's text says VALUE3 for both)
    {"NAME1": "tenant_id", "VALUE1": "1002", "NAME2": "job_id", "VALUE2": "1", "NAME3": "result", "VALUE3": "-9040"},
    # any order, lower-case column names, blank unused pairs
    {"name3": "tenant_id", "value3": "1002", "name1": "result", "value1": "-9040", "NAME6": "", "VALUE6": ""},
])
def test_event_values_are_read_by_name(pairs) -> None:
    event = RootServiceEvent.from_row(row(TIMESTAMP="2023-08-17 15:56:02.023265", MODULE="backup_data",
                                          EVENT="start_backup_data", RS_SVR_IP="11.1.1.1", RS_SVR_PORT="4000", **pairs))
    assert event.tenant_id == 1002
    assert event.result == -9040
    assert event.timestamp == datetime(2023, 8, 17, 15, 56, 2, 23265)
    assert event.rs_svr_port == 4000


def test_event_result_zero_is_success_not_missing() -> None:
    event = RootServiceEvent.from_row(row(MODULE="backup_data", EVENT="start_backup_data",
                                          NAME1="tenant_id", VALUE1="1002", NAME2="result", VALUE2="0"))
    assert event.result == 0


@pytest.mark.parametrize("text,expected", [
    ("(SERVER)ls_id: 1001, addr: 127.0.0.3:2882, module: BACKUP_DATA, result: -9071(OB_BACKUP_PERMISSION_DENIED), trace_id: YB427F000002-0005E98EC6000602-0-0",
     ("server", 1001, "127.0.0.3:2882", "BACKUP_DATA", -9071, "OB_BACKUP_PERMISSION_DENIED", "YB427F000002-0005E98EC6000602-0-0")),
    # the 4.3.3 document: lower case, no space after commas, module without space
    ("(server)ls_id: 1002,addr: 11.xx.xx.xx:4004,module:BACKUP_DATA,result: -4016(Internal error),trace_id: YFA40BA2D90B-005FA487348F363-0-0",
     ("server", 1002, "11.xx.xx.xx:4004", "BACKUP_DATA", -4016, "Internal error", "YFA40BA2D90B-005FA487348F363-0-0")),
    # fullwidth commas, as pasted from the Chinese documentation
    ("(server)ls_id: 1002，addr: 127.0.0.3:2882，module:BACKUP_DATA，result: -4016(Internal error)，trace_id: YB427F000003-0005FA487348F363-0-0",
     ("server", 1002, "127.0.0.3:2882", "BACKUP_DATA", -4016, "Internal error", "YB427F000003-0005FA487348F363-0-0")),
    ("(ROOTSERVICE)addr: 127.0.0.2:2882, result: -9070(OB_BACKUP_DEST_NOT_CONNECT), trace_id: YB427F000002-0005E98EC6000611-0-0",
     ("rootservice", None, "127.0.0.2:2882", None, -9070, "OB_BACKUP_DEST_NOT_CONNECT", "YB427F000002-0005E98EC6000611-0-0")),
])
def test_structured_comment(text, expected) -> None:
    c = JobComment.parse(text)
    assert (c.origin, c.ls_id, c.addr, c.module, c.result, c.result_text, c.trace_id) == expected


@pytest.mark.parametrize("text", [None, "", "backup device out of space", "Internal error", "(something)else"])
def test_4_0_and_4_1_comments_are_not_structured(text) -> None:
    assert JobComment.parse(text) is None


def test_job_from_the_seed_positive_result_blank_values() -> None:
    job = BackupJob.from_row(row(TENANT_ID="1004", JOB_ID="8", STATUS="FAILED", RESULT="4016", PASSWD="", COMMENT="",
                                 START_TIMESTAMP="2023-04-27 12:41:27.451141", END_TIMESTAMP="2022-04-27 12:42:24.352493",
                                 PLUS_ARCHIVELOG="OFF"))
    assert job.result == -4016
    assert job.comment is None and job.plus_archivelog is False
    assert job.structured_comment is None


def test_running_job_has_no_end() -> None:
    job = BackupJob.from_row(row(TENANT_ID=1002, JOB_ID=9, STATUS="doing", RESULT=0, START_TIMESTAMP="2023-09-26 14:40:01.102213",
                                 END_TIMESTAMP=None))
    assert job.end is None and job.status == "DOING" and job.result == 0


def test_dba_view_rows_take_the_default_tenant() -> None:
    job = BackupJob.from_row(row(JOB_ID=2, STATUS="FAILED", RESULT=-4103), default_tenant=1002)
    assert job.tenant_id == 1002
    task = BackupTask.from_row(row(TASK_ID=2, JOB_ID=2, STATUS="BACKUP_DATA_SYS"), default_tenant=1002)
    assert task.tenant_id == 1002
    explicit = BackupJob.from_row(row(TENANT_ID=1004, JOB_ID=2, STATUS="FAILED"), default_tenant=1002)
    assert explicit.tenant_id == 1004


@pytest.mark.parametrize("status", ["BACKUP_DATA_SYS", "BACKUP_META_FINISH", "BACKUP_USER_DATA", "BEFORE_BACKUP_LOG",
                                    "BACKUP_FUSE_TABLET_META", "SOMETHING_FROM_4_5"])
def test_task_stages_are_kept_verbatim(status) -> None:
    assert BackupTask.from_row(row(TENANT_ID=1, TASK_ID=1, JOB_ID=1, STATUS=status)).status == status


def test_schedule_task_reads_epoch_microseconds_and_destination() -> None:
    s = ScheduleTask.from_row(row(tenant_id="1002", job_id="339", task_id="3", ls_id="1001", type="0",
                                  trace_id="YB42C0A80C44-0005F637014C8DE6-0-0", destination="192.168.12.68:2882",
                                  is_schedule="True", generate_ts="1679378679020065", schedule_ts="0", executor_ts=""))
    assert s.server == "192.168.12.68" and s.is_schedule
    assert s.generate_ts is not None and s.generate_ts.year == 2023
    assert s.executor_ts is None


def test_ls_task_history_failed_is_finish_with_result() -> None:
    t = LSTask.from_row(row(tenant_id=1002, task_id=1, ls_id=1, job_id=1, status="failed", svr_ip="100.1.1.1",
                            svr_port=5000, task_trace_id="Y1388644564E0-0005E98EBF2D9DBE-0-0", result=-4016, retry_id=0))
    assert t.status == "FAILED" and t.result == -4016 and t.svr_port == 5000


def test_tenant_of_4_0_has_no_role() -> None:
    t = Tenant.from_row(row(TENANT_ID=1002, TENANT_NAME="t", STATUS="RESTORE"))
    assert t.role is None and t.status == "RESTORE"


def test_archive_and_server() -> None:
    a = ArchiveStatus.from_row(row(TENANT_ID=1002, DEST_NO=0, ROUND_ID=3, STATUS="interrupted",
                                   CHECKPOINT_SCN_DISPLAY="2023-09-26 12:32:12.000000", COMMENT=""))
    assert a.status == "INTERRUPTED" and a.checkpoint == datetime(2023, 9, 26, 12, 32, 12) and a.comment is None
    s = Server.from_row(row(SVR_IP="127.0.0.4", SVR_PORT="2882", STATUS="INACTIVE", START_SERVICE_TIME="NULL"))
    assert s.status == "INACTIVE" and s.start_service_time is None


@pytest.mark.parametrize("addr,ip", [("127.0.0.3:2882", "127.0.0.3"), ("127.0.0.3", "127.0.0.3"), ('"127.0.0.3:2882"', "127.0.0.3"),
                                     ("[::1]:2882", "::1"), ("", None), (None, None), ("fe80::1", "fe80::1")])
def test_server_ip(addr, ip) -> None:
    assert server_ip(addr) == ip


def test_malformed_numbers_do_not_raise() -> None:
    job = BackupJob.from_row(row(TENANT_ID="abc", JOB_ID="1.0", STATUS="FAILED", RESULT="n/a", START_TIMESTAMP="yesterday"))
    assert job.tenant_id is None and job.job_id == 1 and job.result is None and job.start is None


def test_a_comment_whose_address_is_quoted_names_the_bare_address():
    """Pasted by hand, a 4.2 COMMENT can carry the address as OceanBase's logs print one,
    ``addr: "10.1.1.12:2882"``: the report said the job 'failed on "10.1.1.12:2882"', quotes included.
    The docs' form (full-width comma, no quotes) reads the same."""
    from obdoctor.evidence.records.backup import JobComment

    quoted = JobComment.parse('(server)ls_id: 1001, addr: "10.1.1.12:2882", module: BACKUP, '
                              "result: -9081(x), trace_id: 'YB420A01010C-0005F8B2C1D2E3F4-0-0'")
    assert quoted.addr == "10.1.1.12:2882" and quoted.trace_id == "YB420A01010C-0005F8B2C1D2E3F4-0-0"
    docs = JobComment.parse("(server)ls_id: 1002，addr: 10.1.1.12:4004,module:BACKUP_DATA,result: -4016(Internal error),"
                            "trace_id: YFA40BA2D90B-005FA487348F363-0-0")
    assert docs.addr == "10.1.1.12:4004" and docs.result == -4016 and docs.ls_id == 1002
