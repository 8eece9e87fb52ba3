"""File discovery, time spans and window choice by overlap."""

from datetime import datetime
from pathlib import Path, PurePosixPath

from obdoctor.logs.files import classify, discover, first_timestamp, last_timestamp, overlaps, time_span

from .conftest import make_lines, write


def test_classify_every_name_oceanbase_writes():
    cases = {
        "observer.log": ("observer", False, None, None),
        "observer.log.wf": ("observer", True, None, None),
        "rootservice.log.20230519132325238": ("rootservice", False, datetime(2023, 5, 19, 13, 23, 25, 238000), None),
        "election.log.wf.20230519132325238": ("election", True, datetime(2023, 5, 19, 13, 23, 25, 238000), None),
        "observer.log.20210908154910": ("observer", False, datetime(2021, 9, 8, 15, 49, 10), None),  # 3.x
        "observer.log.20230519132325238.zst": ("observer", False, datetime(2023, 5, 19, 13, 23, 25, 238000), "zst"),
        "trace.log.20230519132325238.gz": ("trace", False, datetime(2023, 5, 19, 13, 23, 25, 238000), "gz"),
        "alert.log": ("alert", False, None, None),
    }
    for name, (family, wf, rotated, comp) in cases.items():
        f = classify(Path(name))
        assert (f.family, f.wf, f.rotated_at, f.compression) == (family, wf, rotated, comp), name
    for bad in ("observer.txt", "observer.log.123", "observer_20230519.log", "core.1234", "observer.log.20231399999999999"):
        f = classify(Path(bad))
        assert f is None or f.rotated_at is None, bad
    assert classify(PurePosixPath("observer.log.20230519132325238")).family == "observer"


def test_discover_reports_skipped_files(tmp_path):
    write(tmp_path / "observer.log", make_lines(5))
    write(tmp_path / "observer.log.20240318080000123.gz", make_lines(5), "gz")
    (tmp_path / "alert").mkdir()
    write(tmp_path / "alert" / "alert.log", ["2024-03-18 08:00:00.000001|INFO|X|E|0|1|2|t|Y0-0-0-0|f|a.cpp:1|m"])
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / "rootservice.log").write_bytes(b"")
    files, skipped = discover(tmp_path, "10.0.0.1")
    assert sorted(f.name for f in files) == ["alert.log", "observer.log", "observer.log.20240318080000123.gz"]
    assert all(f.server == "10.0.0.1" for f in files)
    reasons = {p.name: r for p, r in skipped}
    assert reasons == {"notes.txt": "not an OceanBase log file name", "rootservice.log": "empty file"}
    assert discover(tmp_path / "missing")[1][0][1] == "not a directory"


def test_rotated_files_come_oldest_first(tmp_path):
    for name in ("observer.log", "observer.log.20240318090000000", "observer.log.20240318080000000.gz"):
        write(tmp_path / name, make_lines(3))
    files, _ = discover(tmp_path)
    assert [f.name for f in files] == ["observer.log.20240318080000000.gz", "observer.log.20240318090000000", "observer.log"]


def test_time_span_and_overlap(tmp_path):
    # lines from 08:00 to about 08:00:50; rotated at 09:00
    path = write(tmp_path / "observer.log.20240318090000000", make_lines(200))
    f = classify(path)
    first, last = time_span(f)
    assert first == first_timestamp(f) and first.hour == 8 and last == datetime(2024, 3, 18, 9)
    assert last_timestamp(f) < last  # the last line is a little before the rotation
    # overlap, not containment: a window starting inside the file selects it
    assert overlaps(f, datetime(2024, 3, 18, 8, 30), datetime(2024, 3, 18, 10))
    assert overlaps(f, datetime(2024, 3, 18, 7), datetime(2024, 3, 18, 8, 0, 10))
    assert overlaps(f, datetime(2024, 3, 18, 7), datetime(2024, 3, 18, 11))  # window holds the file
    assert not overlaps(f, datetime(2024, 3, 18, 9, 0, 1), None)  # rotated before the window
    assert not overlaps(f, None, datetime(2024, 3, 18, 7))  # starts after the window
    live = classify(write(tmp_path / "observer.log", make_lines(10)))
    assert overlaps(live, datetime(2030, 1, 1), None)  # the live file is open-ended


def test_unreadable_compressed_file_has_unknown_span(tmp_path):
    bad = tmp_path / "observer.log.20240318090000000.gz"
    bad.write_bytes(b"not gzip at all")
    f = classify(bad)
    assert first_timestamp(f) is None
    assert overlaps(f, None, datetime(2024, 3, 18, 7))  # unknown start: read it rather than miss it
