"""One clock (issue 11 item 4): view times on the cluster's session zone, log lines on the servers'
OS zone, epoch columns converted on the cluster's zone; the offset said by the manifest or
inferred from trace ids found in a row and in a log line, and stated in the report."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence, LogQuery, Provenance, Row
from obdoctor.evidence.clock import (
    Anchor, anchors_in, cluster_zone, format_shift, from_epoch_us, infer, parse_offset, use_cluster_zone,
)
from obdoctor.evidence.records import ScheduleTask
from obdoctor.logs.record import LogRecord
from obdoctor.sources.bundle import Bundle

ROOT = Path(__file__).resolve().parent.parent
SKEWED = ROOT / "examples" / "clock-skew-utc-logs"
TRACE = "YB427F000002-0005E98EC6000702-0-0"


@pytest.mark.parametrize("text, hours", [
    ("+08:00", 8), ("-05:30", -5.5), ("+0800", 8), ("UTC", 0), ("Z", 0), ("GMT", 0), ("utc+08:00", 8),
    ("Asia/Shanghai", 8), ("SYSTEM", None), ("CST", None), ("+15:00", None), ("", None), (None, None),
    ("Not/AZone", None),
])
def test_parse_offset(text, hours) -> None:
    got = parse_offset(text, datetime(2023, 9, 26))
    assert got == (None if hours is None else timedelta(hours=hours))


def test_format_shift() -> None:
    assert [format_shift(timedelta(hours=h)) for h in (8, -5.5, 0.75)] == ["8 h", "5 h 30 min", "45 min"]


def test_epoch_columns_are_converted_on_the_cluster_zone_not_the_analysts() -> None:
    try:
        use_cluster_zone(timedelta(hours=8))
        assert from_epoch_us(1695710256811245) == datetime(2023, 9, 26, 14, 37, 36, 811245)
        row = Row({"generate_ts": "1695710256811245", "task_id": "1"}, Provenance("sql", "__all_virtual_backup_schedule_task"))
        assert ScheduleTask.from_row(row).generate_ts == datetime(2023, 9, 26, 14, 37, 36, 811245)
        use_cluster_zone(None)  # unknown: UTC, whatever the machine's zone
        assert from_epoch_us(1695710256811245) == datetime(2023, 9, 26, 6, 37, 36, 811245)
    finally:
        use_cluster_zone(None)
    assert cluster_zone().utcoffset(None) == timedelta(0)


def _line(ts: str, trace: str = TRACE) -> LogRecord:
    return LogRecord(raw="x", ts=datetime.fromisoformat(ts), trace_id=trace, server="127.0.0.3",
                     path="logs/127.0.0.3/observer.log", line_no=1)


def test_inference_uses_a_traces_first_and_last_line_only() -> None:
    at = datetime(2023, 9, 26, 14, 37, 36, 822558)
    anchor = Anchor(TRACE, at, "CDB_OB_BACKUP_JOB_HISTORY row 2")
    shift, note = infer([anchor], [_line("2023-09-26 06:31:00"), _line("2023-09-26 06:37:36.7003")])
    assert shift is not None and shift.shift == timedelta(hours=8)
    assert "8 h behind" in note and "CDB_OB_BACKUP_JOB_HISTORY row 2" in note
    # a trace logging every minute for hours matches any quarter hour in between: not evidence
    chatty = [_line(f"2023-09-26 {h:02d}:{m:02d}:36") for h in range(10, 15) for m in range(60)]
    assert infer([anchor], chatty) == (None, None)  # last line 14:59: not a quarter hour from 14:37:36
    # same clock: nothing to say
    assert infer([anchor], [_line("2023-09-26 14:37:36.7")]) == (None, None)


def test_anchors_come_from_any_cell_with_the_rows_own_time() -> None:
    rows = [Row({"TIMESTAMP": "2023-09-26 14:37:36.822558", "VALUE4": TRACE}, Provenance("sql", "EV", row=1)),
            Row({"GMT_CREATE": "2023-09-26 14:37:36", "COMMENT": f"trace_id: {TRACE}"}, Provenance("sql", "X", row=1)),
            Row({"END_TIMESTAMP": "1695710256811245", "COMMENT": TRACE}, Provenance("sql", "Y", row=1))]
    assert [(a.trace, a.where) for a in anchors_in(rows)] == [(TRACE, "EV row 1")]


def test_the_skewed_example_is_confirmed_with_the_offset_stated() -> None:
    with Bundle(SKEWED) as bundle:
        report = diagnose(Evidence(bundle))
    finding, = report.findings
    assert finding.verdict.value == "confirmed" and finding.cause == "dest_permission_denied"
    assert any("log times are 8 h behind the views' (inferred" in n for n in report.source.notes)


def _skewed_copy(tmp_path: Path, manifest_extra: str) -> Path:
    bundle = tmp_path / "b"
    shutil.copytree(SKEWED, bundle)
    manifest = (bundle / "manifest.toml").read_text().replace('time_zone = "+08:00"\n', manifest_extra)
    (bundle / "manifest.toml").write_text(manifest)
    return bundle


def test_manifest_zones_decide_without_anchors(tmp_path: Path) -> None:
    bundle = _skewed_copy(tmp_path, 'time_zone = "+08:00"\nsystem_time_zone = "UTC"\n')
    with Bundle(bundle) as b:
        info = b.info()
        assert (info.time_zone, info.system_time_zone, info.utc_offset) == ("+08:00", "UTC", timedelta(hours=8))
        result = b.search_logs(LogQuery(("127.0.0.3",), any_of=(TRACE,), since=datetime(2023, 9, 26, 14, 30),
                                        until=datetime(2023, 9, 26, 14, 40)))
        assert result.records and all(r.ts.hour == 14 for r in result.records)  # on the views' clock
        assert "servers' clock 2023-09-26 06:30:00 .. 06:40:00" in result.window
        assert any("as manifest.toml says" in n for n in info.notes)


def test_collected_at_with_an_offset_gives_the_views_zone(tmp_path: Path) -> None:
    bundle = _skewed_copy(tmp_path, "")
    text = (bundle / "manifest.toml").read_text().replace("collected_at = 2023-09-26T15:00:00",
                                                            "collected_at = 2023-09-26T07:00:00Z")
    (bundle / "manifest.toml").write_text(text.replace("[cluster]", '[cluster]\ntime_zone = "+08:00"'))
    with Bundle(bundle) as b:
        assert b.info().collected_at == datetime(2023, 9, 26, 15, 0)  # 07:00 UTC on the views' +08:00


def test_a_search_that_finds_nothing_says_its_window_and_files(tmp_path: Path) -> None:
    with Bundle(SKEWED) as b:
        result = b.search_logs(LogQuery(("127.0.0.3",), any_of=("no such text",), since=datetime(2023, 9, 26, 14, 30),
                                        until=datetime(2023, 9, 26, 14, 40)))
        said = result.searched()
        assert "127.0.0.3/observer.log" in said and "2023-09-26 14:30:00 .. 14:40:00" in said
        assert "servers' clock 2023-09-26 06:30:00" in said
        nothing = b.search_logs(LogQuery(("10.9.9.9",), any_of=("x",)))
        assert nothing.searched().startswith("no log searched (")


def test_no_error_logged_is_never_said_of_logs_not_searched(tmp_path: Path) -> None:
    bundle = tmp_path / "stuck"
    shutil.copytree(ROOT / "examples" / "stuck-435-user-data", bundle)
    shutil.rmtree(bundle / "logs")
    with Bundle(bundle) as b:
        report = diagnose(Evidence(b))
    stuck, = [f for f in report.findings if f.cause == "stuck"]
    assert "no error logged" not in stuck.summary
    assert "its logs could not be searched (no log searched (" in stuck.summary
