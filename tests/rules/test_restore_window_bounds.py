"""Issue 15 item 4: a restore point outside the window shows the window's bounds as the views give
them (the earliest usable backup set, the archive's checkpoint) and why the window ends there."""

from __future__ import annotations

from tests.rules.kit import causes, evidence_text, run
from tests.rules.test_restore import UNTIL, backup_set, piece, restore_event, util_line

LOGS = {("127.0.0.2", "rootservice"): [util_line(UNTIL)]}  # UNTIL = 2024-06-01 10:00:00 UTC


def _notes(report) -> str:
    return "\n".join(n for f in report.findings for n in f.notes)


def test_point_before_the_first_set_shows_both_bounds_and_the_older_unusable_set(tmp_path) -> None:
    failed = dict(backup_set("2024-06-01 06:00:00.000000"), BACKUP_SET_ID=0, STATUS="FAILED", FILE_STATUS="BROKEN")
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)],
                                "CDB_OB_BACKUP_SET_FILES": [failed, backup_set("2024-06-01 10:30:00.000000")],
                                "CDB_OB_ARCHIVELOG_PIECE_FILES": [piece("2024-06-01 10:50:00.000000")]},
                 logs=LOGS, rules=("R1",))
    assert causes(report) == [("R1", "restore_point_outside_window", "confirmed")]
    text = evidence_text(report)
    assert "CDB_OB_BACKUP_SET_FILES: 1 usable backup set(s); the earliest restorable point is 2024-06-01 10:30:00 (backup set 1)" in text
    assert "CDB_OB_ARCHIVELOG_PIECE_FILES: the archive reaches 2024-06-01 10:50:00" in text
    assert "OUTSIDE the window 2024-06-01 10:30:00 .. 2024-06-01 10:50:00" in text
    assert "Why the window starts there: the older backup set(s) cannot seed a restore: set 0 is FAILED/BROKEN" in _notes(report)


def test_point_after_a_stopped_archive_says_the_round_stopped(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)],
                                "CDB_OB_BACKUP_SET_FILES": [backup_set("2024-06-01 06:00:00.000000")],
                                "CDB_OB_ARCHIVELOG": [{"TENANT_ID": 1002, "DEST_NO": 0, "ROUND_ID": 3, "STATUS": "STOP",
                                                       "CHECKPOINT_SCN_DISPLAY": "2024-06-01 08:00:00.000000"}]},
                 logs=LOGS, rules=("R1",))
    assert causes(report) == [("R1", "restore_point_outside_window", "confirmed")]
    assert "OUTSIDE the window 2024-06-01 06:00:00 .. 2024-06-01 08:00:00" in evidence_text(report)
    assert "Why the window ends there: the archive stopped growing: round 3 (dest_no 0) is STOP" in _notes(report)


def test_point_after_a_doing_archive_says_to_wait(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)],
                                "CDB_OB_BACKUP_SET_FILES": [backup_set("2024-06-01 06:00:00.000000")],
                                "CDB_OB_ARCHIVELOG": [{"TENANT_ID": 1002, "DEST_NO": 0, "ROUND_ID": 3, "STATUS": "DOING",
                                                       "CHECKPOINT_SCN_DISPLAY": "2024-06-01 08:00:00.000000"}]},
                 logs=LOGS, rules=("R1",))
    assert "the archive is DOING but its checkpoint had not reached the restore point" in _notes(report)


def test_inside_the_window_gives_no_why(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4018)],
                                "CDB_OB_BACKUP_SET_FILES": [backup_set("2024-06-01 08:00:00.000000")],
                                "CDB_OB_ARCHIVELOG_PIECE_FILES": [piece("2024-06-01 10:50:00.000000")]},
                 logs=LOGS, rules=("R1",))
    assert "Why the window" not in _notes(report)
