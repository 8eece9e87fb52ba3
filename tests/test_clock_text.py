"""Log times as servers write them (red team): the 4.x, 3.x, trace.log and alert.log headers
(``ob_log_format.md`` §1, §5, the 4.2 alert pipe format) give back the time written, on any
date; text that is no time gives None, never an exception; a line without a time is kept by a
time window (a continuation must not vanish) and orders after the timed ones."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.evidence import LogQuery
from obdoctor.logs import parse_line, parse_ts
from obdoctor.logs.files import _ts_of_line

WHEN = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2099, 12, 31))
TRACE4 = "YB427F000003-0005E98EC6000999-0-0"
TRACE3 = "YB427F000003-0005E98EC6000999"


def _headers(ts: str) -> list[str]:
    return [
        f"[{ts}] WDIAG [STORAGE] process (ob_backup_task.cpp:2810) [8999][T1002_BACKUP][T1002][{TRACE4}] "
        "[lt=12][errcode=-9071] failed to do backup(ret=-9071)",
        f"[{ts}] WARN  [STORAGE] process (ob_backup_task.cpp:2810) [8999][0][{TRACE3}] [lt=12] [dc=0] "
        "failed to do backup(ret=-9071)",  # 3.x, a function name and (file:line)
        f"[{ts}] INFO  [STORAGE] ob_backup_task.cpp:2810 [8999][0][{TRACE3}] [lt=12] [dc=0] start backup",  # 3.x INFO
        f"{ts}|WARN|BACKUP|BACKUP_FAILED|-9071|1002|8999|T1002_BACKUP|{TRACE4}|process|ob_backup_task.cpp:2810|failed",
    ]


@settings(max_examples=150, deadline=None)
@given(WHEN)
def test_every_header_gives_back_its_time(when) -> None:
    ts = when.strftime("%Y-%m-%d %H:%M:%S.%f")
    for line in _headers(ts):
        record = parse_line(line)
        assert record.format != "raw", line
        assert record.ts == when, (record.format, line)
        assert _ts_of_line(line.encode()) == when


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"\A\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{0,9})?\Z")))
def test_any_text_is_a_time_or_none(text) -> None:
    got = parse_ts(text)
    assert got is None or isinstance(got, datetime)
    for line in (("[" + text).encode("utf-8", "surrogatepass"), text.encode("utf-8", "surrogatepass")):
        assert _ts_of_line(line) is None or isinstance(_ts_of_line(line), datetime)


def test_impossible_dates_are_no_time() -> None:
    for text in ("2023-02-29 10:00:00.000000", "2023-13-01 10:00:00.000000", "2023-10-29 24:00:00.000000",
                 "2023-10-29 02:60:00.000000"):
        assert parse_ts(text) is None


def test_a_line_without_a_time_is_kept_by_a_window() -> None:
    untimed = parse_line("    at some continuation of the previous line ret=-9071")
    assert untimed.ts is None
    query = LogQuery((), since=datetime(2023, 9, 26, 14, 30), until=datetime(2023, 9, 26, 14, 40))
    assert query.keeps(untimed)
    outside = parse_line(_headers("2023-09-26 14:41:00.000000")[0])
    assert not query.keeps(outside)
