"""Field cases from public threads, rebuilt from their facts as evidence (the texts are ours).

Each test cites the thread it comes from; what the evidence does not prove stays unproven."""

from __future__ import annotations

from tests.rules.kit import causes, evidence_text, line, run, servers_table
from tests.rules.test_archive import archive, change
from tests.rules.test_restore import UNTIL, backup_set, piece, restore_event, util_line


def test_archive_held_in_stopping_by_a_failing_medium(tmp_path) -> None:
    """https://github.com/oceanbase/oceanbase/pull/1510 (fixing oceanbase#1496): the archive medium
    failed, NOARCHIVELOG / DEFER returned success, and the round stayed STOPPING / SUSPENDING.
    Here: DOING -> STOPPING two hours before collection, the NFS destination failing with -4009
    on the archive threads meanwhile. The finding is the stuck transition with the code that keeps
    failing; it does not claim the medium is the only reason."""
    sql = {"CDB_OB_ARCHIVELOG": [archive("STOPPING", "2024-06-01 09:58:00.000000")],
           "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [change("2024-06-01 10:00:00.000000", "DOING", "STOPPING")],
           "DBA_OB_SERVERS": servers_table()}
    logs = {("127.0.0.3", "observer"): [
        line(f"2024-06-01 1{h}:00:00.000000", "archive continuous encounter error(ret=-4009, tenant_id=1002, ls_id={id:1001})",
             level="WARN", errcode=-4009, thread="T1002_ArcSender", module="ARCHIVE") for h in (0, 1)]}
    report = run(tmp_path, sql=sql, logs=logs, rules=("A1",))
    assert causes(report) == [("A1", "archive_stuck_transition", "confirmed")]
    [finding] = report.findings
    assert finding.code == -4009 and "STOPPING for 2.0 hours" in finding.summary
    assert "failing with -4009" in finding.summary
    assert any("hold the round in its transition" in n for n in finding.notes)
    assert "archive continuous encounter error" in evidence_text(report)


def test_archive_held_in_suspending_without_errors_names_no_code(tmp_path) -> None:
    """The same thread's other half (DEFER, SUSPENDING) with no archive error in the logs: the
    transition is reported, no code is invented."""
    sql = {"CDB_OB_ARCHIVELOG": [archive("SUSPENDING", "2024-06-01 09:58:00.000000")],
           "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [change("2024-06-01 10:00:00.000000", "DOING", "SUSPENDING")],
           "DBA_OB_SERVERS": servers_table()}
    report = run(tmp_path, sql=sql, logs={("127.0.0.3", "observer"): []}, rules=("A1",))
    [finding] = report.findings
    assert finding.cause == "archive_stuck_transition" and finding.code is None
    assert "failing with" not in finding.summary


def test_a_failed_backup_set_does_not_open_the_window(tmp_path) -> None:
    """https://blog.youkuaiyun.com/hezuijiudexiaobai/article/details/155860180 (a practitioner's write-up):
    of two full backup sets the first FAILED (-4016, an I/O failure while archiving) and only the
    second can be restored from. Here a RESTORE to a point between them is refused -4018: the
    window starts at the successful set and the failed one is named as the reason."""
    failed = dict(backup_set("2024-06-01 08:00:00.000000"), BACKUP_SET_ID=7, STATUS="FAILED", FILE_STATUS="AVAILABLE")
    good = dict(backup_set("2024-06-01 10:30:00.000000"), BACKUP_SET_ID=8)
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)],
                                "CDB_OB_BACKUP_SET_FILES": [failed, good],
                                "CDB_OB_ARCHIVELOG_PIECE_FILES": [piece("2024-06-01 11:00:00.000000")]},
                 logs={("127.0.0.2", "rootservice"): [util_line(UNTIL)]}, rules=("R1",))
    assert causes(report) == [("R1", "restore_point_outside_window", "confirmed")]
    assert "earliest restorable point is 2024-06-01 10:30:00 (backup set 8)" in evidence_text(report)
    assert any("set 7 is FAILED/AVAILABLE" in n for f in report.findings for n in f.notes)
