"""Pastes shaped like public threads that are not about a failed backup: obdoctor must neither
invent a backup cause nor claim "nothing wrong". The lines are ours, built from each thread's
facts (code, module, statement); the threads are cited."""

from __future__ import annotations

import io

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.exit_codes import ExitCode


def _run(paste: str, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, env={}, color=False, stdin=io.StringIO(paste)))
    return code, out.getvalue()


# oceanbase/seekdb#295: ACTIVATE STANDBY refused with 4109 after log_restore_source was reset.
STANDBY = ("obclient [oceanbase]> ALTER SYSTEM ACTIVATE STANDBY TENANT = t1;\n"
           "ERROR 4109 (HY000): Server state or role not the same as expected\n")

# oceanbase/oceanbase#1910: liboblog (TLOG) errors, -4002 then -4388, in a log miner's log.
LOGMINER = (
    "[2024-04-09 12:42:40.860298] EDIAG [TLOG] revert_tenant (ob_log_meta_data_baseline_loader.cpp:287) "
    "[344788][][T0][Y0-0000000000000000-0-0] [lt=11][errcode=-4002] tenant is NULL(ret=-4002, tenant=NULL)\n"
    "[2024-04-09 12:42:40.860336] ERROR [LIB] issue_dba_error (ob_log.cpp:1987) [344788][][T0]"
    "[Y0-0000000000000000-0-0] [lt=37][errcode=-4388] Unexpected internal error happen(errcode=-4002)\n")


def test_a_refused_standby_switch_is_explained_without_a_backup_context() -> None:
    code, out = _run(STANDBY, "explain", "-")
    assert code == ExitCode.NOTHING_WRONG
    assert "-4109 OB_STATE_NOT_MATCH" in out
    assert "no backup, archive or restore statement" in out
    # the cause pages obdoctor carries are 9000-9499: it must not say OceanBase documents nothing else
    assert "obdoctor carries OceanBase's cause pages for 9000-9499 only" in out and "only 9000-9499 are" not in out


def test_a_non_backup_paste_is_undecided_not_healthy() -> None:
    for paste in (STANDBY, LOGMINER):
        code, out = _run(paste, "analyze", "-")
        assert code == ExitCode.UNDIAGNOSED, out
        assert "No failed or stuck backup seen" not in out or "cannot rule one out" in out


# apecloud/kubeblocks-addons#3127: SET LOG_ARCHIVE_DEST to an S3/MinIO destination timed out (-4012)
# at the default 10 s session timeout. The key here is ours.
ARCHIVE_DEST_TIMEOUT = (
    "obclient [oceanbase]> ALTER SYSTEM SET LOG_ARCHIVE_DEST='LOCATION=s3://obbackup/archive?host=minio.svc:9000"
    "&access_id=AKID&access_key=not-a-real-key-41&s3_region=us-east-1' TENANT=kbtest_tenant;\n"
    "ERROR 4012 (HY000): Timeout\n")


def test_a_generic_code_after_a_statement_gets_the_statements_meaning_first() -> None:
    """-4012 means a checkpoint that does not advance when a backup job hits it; after SET
    LOG_ARCHIVE_DEST on object storage it is the session timeout. The job's cause is listed as
    another context, not as the answer; the key is never printed."""
    code, out = _run(ARCHIVE_DEST_TIMEOUT, "explain", "-")
    assert code == ExitCode.NOTHING_WRONG
    assert "set-dest-timeout-object-storage" in out
    assert "other contexts: checkpoint_not_advancing" in out and "obdoctor cause: checkpoint_not_advancing" not in out
    assert "not-a-real-key-41" not in out
