"""Time across real inputs (red team): offsets of half and three quarter hours, negative ones,
daylight saving time in the servers' or the views' zone, ``SYSTEM`` with an ambiguous
``@@system_time_zone``, windows at the edge of the calendar, and rotated files named on a
wall clock that repeats an hour.

Facts used: MySQL/OceanBase print ``@@system_time_zone`` as the OS abbreviation (``CST`` for
China Standard Time, also US Central and Cuba), MySQL reference manual "MySQL Server Time Zone
Support" (https://dev.mysql.com/doc/refman/8.0/en/time-zone-support.html); the DST rules of
Europe/Berlin (2023-10-29 03:00 CEST -> 02:00 CET, 2023-03-26 02:00 CET -> 03:00 CEST) and
America/New_York (2023-03-12 02:00 EST -> 03:00 EDT) from the IANA tz database.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence, LogQuery
from obdoctor.evidence.clock import from_zones, parse_offset, searching
from obdoctor.evidence.source import SourceInfo
from obdoctor.sources.bundle import Bundle

ROOT = Path(__file__).resolve().parent.parent
SKEWED = ROOT / "examples" / "clock-skew-utc-logs"
TRACE = "YB427F000002-0005E98EC6000702-0-0"
H = timedelta(hours=1)


# -- zones as said ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, minutes", [
    ("+05:45", 345), ("+05:30", 330), ("-03:30", -210), ("-09:30", -570), ("+12:45", 765), ("-12:00", -720),
    ("+14:00", 840), ("-0330", -210), ("GMT-03:30", -210),
    ("Asia/Kathmandu", 345), ("Asia/Kolkata", 330), ("America/St_Johns", -150), ("Australia/Lord_Howe", 630),
    ("America/New_York", -240), ("Etc/GMT+5", -300),
])
def test_odd_and_negative_offsets(text, minutes) -> None:
    """Summer 2023 in the north (St John's -02:30 NDT, New York -04:00 EDT), winter in Lord Howe
    (+10:30: its DST moves by half an hour). ``Etc/GMT+5`` is five hours *behind* (POSIX sign)."""
    assert parse_offset(text, datetime(2023, 7, 1, 12)) == timedelta(minutes=minutes)


@pytest.mark.parametrize("zone, at, hours", [
    ("Europe/Berlin", datetime(2023, 10, 29, 0, 30, tzinfo=timezone.utc), 2),   # 02:30 CEST, first pass
    ("Europe/Berlin", datetime(2023, 10, 29, 1, 30, tzinfo=timezone.utc), 1),   # 02:30 CET, second pass
    ("America/New_York", datetime(2023, 3, 12, 6, 30, tzinfo=timezone.utc), -5),  # 01:30 EST
    ("America/New_York", datetime(2023, 3, 12, 7, 30, tzinfo=timezone.utc), -4),  # 03:30 EDT
    ("Europe/Berlin", datetime(2023, 10, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))), 1),  # same instant as 01:30Z
])
def test_a_named_zone_at_an_instant_takes_the_offset_of_that_instant(zone, at, hours) -> None:
    """``collected_at`` with an offset is an instant: the zone's offset is the one in force then,
    not the one on the zone's wall clock showing the same digits."""
    assert parse_offset(zone, at) == timedelta(hours=hours)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30),
                 st.from_regex(r"\A(UTC|GMT)?[+-]\d{1,3}(:?\d{1,3})?\Z"),
                 st.sampled_from(["SYSTEM", "CST", "IST", "Asia/Shanghai", "Europe/Berlin", "../etc/passwd",
                                  "Etc/GMT-14", "posixrules", "/", "Asia/", "\x00"])),
       st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)))
def test_any_zone_text_is_an_offset_within_a_day_or_none(text, at) -> None:
    """Zone text comes from a manifest or a server: anything, never a crash, never a nonsense offset."""
    got = parse_offset(text, at)
    assert got is None or (abs(got) <= timedelta(hours=14) and got % timedelta(minutes=1) == timedelta(0))


# -- a shift that follows daylight saving time -----------------------------------------------------

def _info(**said) -> SourceInfo:
    return SourceInfo(kind="bundle", location="b", **said)


def test_the_shift_follows_the_servers_daylight_saving_time() -> None:
    """Views on +08:00, servers on Europe/Berlin, the bundle collected after the change to winter
    time: a job before the change is 6 h ahead of its lines, not 7 h (the offset at collection)."""
    decided, shift, note = from_zones(_info(time_zone="+08:00", system_time_zone="Europe/Berlin",
                                            utc_offset=8 * H, collected_at=datetime(2023, 11, 1, 10)), "said")
    assert decided and shift is not None and "Europe/Berlin" in note
    assert shift.to_logs(datetime(2023, 10, 28, 14, 0)) == datetime(2023, 10, 28, 8, 0)   # CEST
    assert shift.to_logs(datetime(2023, 10, 30, 14, 0)) == datetime(2023, 10, 30, 7, 0)   # CET
    assert shift.to_views(datetime(2023, 10, 28, 8, 0)) == datetime(2023, 10, 28, 14, 0)
    assert shift.to_views(datetime(2023, 10, 30, 7, 0)) == datetime(2023, 10, 30, 14, 0)


def test_zones_equal_at_collection_differ_in_summer() -> None:
    """Views on a fixed +01:00, servers on Europe/Berlin, collected in winter: the same clock in
    December, an hour apart in July. 'One clock' would misplace every summer line."""
    decided, shift, note = from_zones(_info(time_zone="+01:00", system_time_zone="Europe/Berlin",
                                            utc_offset=H, collected_at=datetime(2023, 12, 1, 10)), "said")
    assert decided and shift is not None
    assert shift.to_logs(datetime(2023, 7, 1, 12)) == datetime(2023, 7, 1, 13)
    assert shift.to_logs(datetime(2023, 12, 1, 12)) == datetime(2023, 12, 1, 12)


def test_the_same_named_zone_on_both_sides_is_one_clock() -> None:
    assert from_zones(_info(time_zone="America/New_York", system_time_zone="America/New_York",
                            utc_offset=-4 * H, collected_at=datetime(2023, 7, 1)), "said") == (True, None, None)


def test_a_window_at_the_edge_of_the_calendar_is_moved_without_overflow() -> None:
    """``--since 0001-01-01`` / ``--until 9999-12-31`` (resolve_times saturates to datetime.min/max)
    with views 8 h ahead of the logs."""
    _, shift, _ = from_zones(_info(time_zone="+08:00", system_time_zone="UTC", utc_offset=8 * H), "said")
    moved = searching(LogQuery((), since=datetime.min, until=datetime.max), shift)
    assert moved.since == datetime.min and moved.until == datetime.max
    assert shift.to_views(datetime.min) == datetime.min and shift.to_logs(datetime.min + H) == datetime.min
    assert shift.to_views(datetime.max - H) == datetime.max
    _, behind, _ = from_zones(_info(time_zone="-05:45", system_time_zone="+08:00", utc_offset=-(5 * H + 45 * H / 60)), "said")
    moved = searching(LogQuery((), since=datetime.min, until=datetime.max), behind)
    assert moved.since == datetime.min and moved.until == datetime.max


# -- bundles ---------------------------------------------------------------------------------------

def _bundle(tmp_path: Path, cluster: str, log_shift: timedelta = timedelta(0)) -> Path:
    """The skewed example with its [cluster] zone lines replaced, its log lines moved by ``log_shift``."""
    bundle = tmp_path / "b"
    shutil.copytree(SKEWED, bundle)
    manifest = (bundle / "manifest.toml").read_text()
    manifest = re.sub(r"collected_at = .*\n|time_zone = .*\n", "", manifest).replace("[cluster]\n", f"[cluster]\n{cluster}")
    (bundle / "manifest.toml").write_text(manifest)
    if log_shift:
        for log in (bundle / "logs").rglob("*.log"):
            text = re.sub(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\]",
                          lambda m: f"[{datetime.fromisoformat(m[1]) + log_shift:%Y-%m-%d %H:%M:%S.%f}]",
                          log.read_text(), flags=re.M)
            log.write_text(text)
    return bundle


def _verdicts(bundle: Path) -> tuple[list[tuple[str, str]], list[str]]:
    with Bundle(bundle) as b:
        report = diagnose(Evidence(b))
    return [(f.cause, f.verdict.value) for f in report.findings], report.source.notes


def test_servers_on_berlin_summer_time_bundle_collected_in_winter(tmp_path: Path) -> None:
    """The example's lines (UTC) rewritten on Berlin summer time (+2 h on 2023-09-26) and the
    bundle collected in November (+1 h then): the proving lines are 6 h behind the job."""
    bundle = _bundle(tmp_path, 'collected_at = 2023-11-01T10:00:00\ntime_zone = "+08:00"\n'
                               'system_time_zone = "Europe/Berlin"\n', log_shift=2 * H)
    verdicts, notes = _verdicts(bundle)
    assert verdicts == [("dest_permission_denied", "confirmed")], notes


def test_system_zone_resolved_from_the_servers_zone(tmp_path: Path) -> None:
    """``time_zone = SYSTEM``: the views are on the OS zone; when that zone is said, epoch columns
    are converted on it, not on UTC."""
    bundle = _bundle(tmp_path, 'collected_at = 2023-09-26T15:00:00\ntime_zone = "SYSTEM"\n'
                               'system_time_zone = "Asia/Shanghai"\n', log_shift=8 * H)
    with Bundle(bundle) as b:
        assert b.info().utc_offset == 8 * H
        assert b.clock() is None  # views and logs both on the OS zone


def test_system_with_an_ambiguous_abbreviation_is_never_guessed(tmp_path: Path) -> None:
    """``SYSTEM`` + ``CST``: China (+08:00), US Central (-06:00) or Cuba. Views and logs share the
    clock either way, but epoch-microsecond columns need an offset: the report says it took UTC."""
    bundle = _bundle(tmp_path, 'collected_at = 2023-09-26T15:00:00\ntime_zone = "SYSTEM"\n'
                               'system_time_zone = "CST"\n', log_shift=8 * H)
    with Bundle(bundle) as b:
        info = b.info()
    assert info.utc_offset is None
    said = [n for n in info.notes if "'CST'" in n]
    assert said and "UTC" in said[0], info.notes


def test_system_with_an_ambiguous_abbreviation_resolved_by_collected_at(tmp_path: Path) -> None:
    """The same, but ``collected_at`` carries the session's offset: that resolves CST, and says so."""
    bundle = _bundle(tmp_path, 'collected_at = 2023-09-26T15:00:00+08:00\ntime_zone = "SYSTEM"\n'
                               'system_time_zone = "CST"\n', log_shift=8 * H)
    with Bundle(bundle) as b:
        info = b.info()
    assert info.utc_offset == 8 * H and info.collected_at == datetime(2023, 9, 26, 15)
    assert any("'CST'" in n and "+08:00" in n and "collected_at" in n for n in info.notes), info.notes


# -- servers on different zones --------------------------------------------------------------------

def test_servers_on_different_zones_each_get_their_own_shift(tmp_path: Path) -> None:
    """127.0.0.2 (rootservice) logs on +08:00 like the views, 127.0.0.3 (the failing observer) on
    UTC: the event's trace votes for one clock on .2, the job's trace for 8 h on .3. One shift for
    every server would miss the proving lines on one of them."""
    bundle = _bundle(tmp_path, 'collected_at = 2023-09-26T15:00:00\ntime_zone = "+08:00"\n')
    rs = bundle / "logs" / "127.0.0.2" / "rootservice.log"
    rs.write_text(re.sub(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\]",
                         lambda m: f"[{datetime.fromisoformat(m[1]) + 8 * H:%Y-%m-%d %H:%M:%S.%f}]",
                         rs.read_text(), flags=re.M))
    verdicts, notes = _verdicts(bundle)
    assert verdicts == [("dest_permission_denied", "confirmed")], notes
    with Bundle(bundle) as b:
        found = b.search_logs(LogQuery((), kinds=("observer", "rootservice"), any_of=(TRACE[:-3],),
                                       since=datetime(2023, 9, 26, 14, 30), until=datetime(2023, 9, 26, 14, 40)))
        notes = b.info().notes + b.notes
    assert {r.server for r in found.records} == {"127.0.0.2", "127.0.0.3"}
    assert all(r.ts.hour == 14 for r in found.records)  # every line on the views' clock
    said = " ".join(notes)
    assert "127.0.0.3" in said and "8 h" in said, notes


# -- epoch and SCN columns on the views' clock -----------------------------------------------------

def test_epoch_columns_follow_the_views_named_zone_across_dst() -> None:
    """Views on Europe/Berlin, collected in winter (+01:00): a summer ``start_ts`` is on +02:00,
    as the view's own text columns are."""
    from obdoctor.evidence.clock import from_epoch_us, use_cluster_zone, views_zone

    summer = int(datetime(2023, 7, 1, 10, tzinfo=timezone.utc).timestamp() * 1_000_000)
    try:
        use_cluster_zone(views_zone(_info(time_zone="Europe/Berlin", utc_offset=H, collected_at=datetime(2023, 12, 1))))
        assert from_epoch_us(summer) == datetime(2023, 7, 1, 12)
        use_cluster_zone(views_zone(_info(time_zone="SYSTEM", system_time_zone="Asia/Kolkata")))
        assert from_epoch_us(summer) == datetime(2023, 7, 1, 15, 30)
    finally:
        use_cluster_zone(None)


def test_a_restore_point_given_as_an_scn_is_compared_on_the_views_clock() -> None:
    """UNTIL SCN (ns since the epoch, UTC) against a window end known only by its ``*_DISPLAY``
    time (the session's +08:00): 02:00 UTC is 10:00 on the views, after a window ending at 09:30."""
    from obdoctor.evidence.clock import use_cluster_zone
    from obdoctor.rules.services.restore import Point

    scn = int(datetime(2024, 1, 1, 2, tzinfo=timezone.utc).timestamp()) * 1_000_000_000
    point, end = Point(scn, None, "UNTIL"), Point(None, datetime(2024, 1, 1, 9, 30), "archive checkpoint")
    try:
        use_cluster_zone(8 * H)
        assert end.before(point) is True and point.before(end) is False
    finally:
        use_cluster_zone(None)


def test_a_window_across_the_servers_repeated_hour_covers_both_passes() -> None:
    """Views on +08:00, servers on Europe/Berlin: 08:00 .. 09:00 on 2023-10-29 is 02:00 CEST ..
    02:00 CET on the servers, the same digits. A window of zero length on their clock would drop
    every line of the hour (02:30 first pass is 08:30 on the views)."""
    _, shift, _ = from_zones(_info(time_zone="+08:00", system_time_zone="Europe/Berlin", utc_offset=8 * H,
                                   collected_at=datetime(2023, 10, 29, 12)), "said")
    moved = searching(LogQuery((), since=datetime(2023, 10, 29, 8), until=datetime(2023, 10, 29, 9)), shift)
    assert moved.since <= datetime(2023, 10, 29, 2, 30) <= moved.until
    assert moved.until - moved.since <= 2 * H  # covering, not unbounded
    assert shift.to_views(datetime(2023, 10, 29, 2, 30)) == datetime(2023, 10, 29, 8, 30)  # first pass taken
    spring = searching(LogQuery((), since=datetime(2023, 3, 26, 8), until=datetime(2023, 3, 26, 10)), shift)
    assert (spring.since, spring.until) == (datetime(2023, 3, 26, 1), datetime(2023, 3, 26, 4))  # 02:00-03:00 never was


@pytest.mark.parametrize("value", ["2023-09-26", "15:00:00", "1695740400", '"yesterday"'])
def test_a_collection_time_that_is_no_moment_is_said(tmp_path: Path, value: str) -> None:
    """TOML reads ``2023-09-26`` as a date and ``15:00:00`` as a time of day: neither is the
    bundle's "now". Without it no age can be told; the report must say why, not drop it silently."""
    bundle = _bundle(tmp_path, f'collected_at = {value}\ntime_zone = "+08:00"\n')
    with Bundle(bundle) as b:
        info = b.info()
    assert info.collected_at is None
    assert any("collected_at" in n for n in info.notes), info.notes


ZONES = ["+08:00", "-05:45", "+05:30", "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
         "America/St_Johns", "Asia/Kathmandu"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(ZONES), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)),
       st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)))
def test_windows_move_and_come_back(views, logs, since, length) -> None:
    """Any pair of zones: a window stays a window (since <= until) on the servers' clock and
    holds at least as much real time; a time comes back to itself, within the hour DST repeats."""
    info = _info(time_zone=views, system_time_zone=logs, utc_offset=parse_offset(views, since), collected_at=since)
    decided, shift, _ = from_zones(info, "said")
    assert decided
    moved = searching(LogQuery((), since=since, until=since + length), shift)
    assert moved.since <= moved.until
    if shift is not None:
        assert moved.until - moved.since >= length - 2 * H
        assert abs(shift.to_views(shift.to_logs(since)) - since) <= H
