"""Log files chosen by time on a wall clock that repeats an hour (red team).

OceanBase names a rotated file after the rotation time on the server's local clock
(``observer.log.YYYYMMDDhhmmssmmm``, the time of about its last line: ob_log_format.md §6). On
Europe/Berlin's change to winter time (2023-10-29, 03:00 CEST -> 02:00 CET, IANA tz database)
02:00-03:00 happens twice: a file rotated at 02:10 in the second pass holds the lines of 02:30
in the first. Choosing files by "rotated before the window starts" must not drop it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from obdoctor.evidence import LogQuery
from obdoctor.logs import classify, overlaps
from obdoctor.sources.bundle import Bundle

TRACE = "YB427F000003-0005E98EC6000999-0-0"


def _line(ts: str, text: str) -> str:
    return (f"[{ts}] WDIAG [STORAGE] process (ob_backup_task.cpp:2810) [8999][T1002_BACKUP][T1002][{TRACE}] "
            f"[lt=12][errcode=-9071] {text}\n")


def _bundle(tmp_path: Path) -> Path:
    root = tmp_path / "b"
    logs = root / "logs" / "127.0.0.3"
    logs.mkdir(parents=True)
    (root / "manifest.toml").write_text('[cluster]\nname = "c"\nversion = "4.2.1.0"\ncollected_at = 2023-10-29T04:00:00\n'
                                        'time_zone = "Europe/Berlin"\nsystem_time_zone = "Europe/Berlin"\n')
    # first pass (CEST) 01:50 .. 02:59, then the second pass (CET) 02:00 .. 02:10, rotated at 02:10 CET
    (logs / "observer.log.20231029021000000").write_text(
        _line("2023-10-29 01:50:00.000000", "before")
        + _line("2023-10-29 02:30:00.000000", "failed to do backup(ret=-9071) first pass")
        + _line("2023-10-29 02:59:59.000000", "end of the first pass")
        + _line("2023-10-29 02:05:00.000000", "second pass"))
    (logs / "observer.log").write_text(_line("2023-10-29 02:10:01.000000", "after rotation")
                                       + _line("2023-10-29 03:30:00.000000", "later"))
    return root


def test_a_file_rotated_in_the_repeated_hour_keeps_its_first_pass_lines(tmp_path: Path) -> None:
    root = _bundle(tmp_path)
    rotated = classify(root / "logs" / "127.0.0.3" / "observer.log.20231029021000000")
    assert overlaps(rotated, datetime(2023, 10, 29, 2, 20), datetime(2023, 10, 29, 2, 40))
    with Bundle(root) as b:
        found = b.search_logs(LogQuery(("127.0.0.3",), any_of=("first pass",), since=datetime(2023, 10, 29, 2, 20),
                                       until=datetime(2023, 10, 29, 2, 40)))
    assert [r.raw.rsplit("] ", 1)[-1].strip() for r in found.records] == ["failed to do backup(ret=-9071) first pass"]


def test_a_file_starting_in_the_first_pass_is_kept_for_a_window_in_the_second(tmp_path: Path) -> None:
    """A file whose first line is 02:50 CEST and that goes on into 02:05 CET: its first line's
    digits are after a window 02:00 .. 02:20 of the second pass, its 02:05 line is inside."""
    log = tmp_path / "observer.log.20231029033000000"
    log.write_text(_line("2023-10-29 02:50:00.000000", "first pass") + _line("2023-10-29 02:05:00.000000", "second pass"))
    assert overlaps(classify(log), datetime(2023, 10, 29, 2, 0), datetime(2023, 10, 29, 2, 20))


def test_files_far_outside_the_window_are_still_left_out(tmp_path: Path) -> None:
    root = _bundle(tmp_path)
    rotated = classify(root / "logs" / "127.0.0.3" / "observer.log.20231029021000000")
    assert not overlaps(rotated, datetime(2023, 10, 29, 3, 30), datetime(2023, 10, 29, 4))
    live = classify(root / "logs" / "127.0.0.3" / "observer.log")
    assert not overlaps(live, datetime(2023, 10, 28, 22), datetime(2023, 10, 28, 23))
    # by day, when no clock repeats an hour, a file rotated 10 minutes before the window is left out
    day = tmp_path / "observer.log.20231029141000000"
    day.write_text(_line("2023-10-29 14:00:00.000000", "x"))
    assert not overlaps(classify(day), datetime(2023, 10, 29, 14, 20), datetime(2023, 10, 29, 14, 40))
