"""``--since``/``--until`` (issue 11 item 4): offsets, ``Z``, relative forms, in every command, never a crash."""

from __future__ import annotations

import argparse
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.cli.main import parse_time, resolve_for, resolve_times
from obdoctor.evidence.source import SourceInfo

ROOT = Path(__file__).resolve().parent.parent
SKEWED = ROOT / "examples" / "clock-skew-utc-logs"


@pytest.mark.parametrize("text, want", [
    ("2023-09-26 14:30", datetime(2023, 9, 26, 14, 30)),
    ("2023-09-26T14:30:05", datetime(2023, 9, 26, 14, 30, 5)),
    ("2023-09-26", datetime(2023, 9, 26)),
    ("2023-09-26T06:30:00Z", datetime(2023, 9, 26, 6, 30, tzinfo=timezone.utc)),
    ("2023-09-26 14:30:00+08:00", datetime(2023, 9, 26, 14, 30, tzinfo=timezone(timedelta(hours=8)))),
    ("2023-09-26 14:30:00 +08:00", datetime(2023, 9, 26, 14, 30, tzinfo=timezone(timedelta(hours=8)))),
    ("2h", timedelta(hours=2)), ("30m", timedelta(minutes=30)), ("1d", timedelta(days=1)),
    ("90 s", timedelta(seconds=90)), ("2 hours ago", timedelta(hours=2)), ("1.5h", timedelta(hours=1.5)),
    ("now", timedelta(0)),
])
def test_parse_time(text, want) -> None:
    assert parse_time(text) == want


@pytest.mark.parametrize("text", ["yesterday", "2h30", "-5", "9999999999h", "2023-13-01", "", "1e999", "🕐"])
def test_bad_times_are_usage_errors(text) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_time(text)


def test_resolved_on_the_evidence_clock() -> None:
    now = datetime(2023, 9, 26, 15, 0)
    args = argparse.Namespace(since=parse_time("2h"), until=parse_time("2023-09-26T07:00:00Z"))
    resolve_times(args, now, timezone(timedelta(hours=8)))
    assert (args.since, args.until) == (datetime(2023, 9, 26, 13, 0), datetime(2023, 9, 26, 15, 0))
    edge = argparse.Namespace(since=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8))),
                              until=datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-8))))
    resolve_times(edge, now, timezone.utc)
    assert edge.since == datetime.min and edge.until == datetime.max


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_time_or_a_usage_error(text) -> None:
    try:
        value = parse_time(text)
    except argparse.ArgumentTypeError:
        return
    args = argparse.Namespace(since=value, until=value)
    resolve_times(args, datetime(2023, 9, 26, 15, 0), timezone(timedelta(hours=14)))
    assert isinstance(args.since, datetime) and args.since.tzinfo is None


@pytest.mark.parametrize("since", ["2023-09-26T06:30:00Z", "2023-09-26 14:30+08:00", "30m", "2023-09-26 14:30"])
def test_every_form_in_analyze_finds_the_skewed_failure(run_cli, since) -> None:
    result = run_cli("analyze", SKEWED, "--since", since, "--format", "json")
    assert result.code == 1, result.err
    assert [(f["cause"], f["verdict"]) for f in result.json()["findings"]] == [("dest_permission_denied", "confirmed")]


@pytest.mark.parametrize("argv", [["logs", "search", "x"], ["logs", "trace", "YB427F000002-0005E98EC6000702-0-0"]])
@pytest.mark.parametrize("since", ["2h", "2023-09-26T06:30:00Z", "1d ago", "garbage"])
def test_logs_commands_take_every_form(run_cli, argv, since) -> None:
    result = run_cli(*argv, str(SKEWED), "--since", since)
    assert result.code in (0, 1, 2, 3)
    assert "internal error" not in result.err


def test_a_relative_window_on_a_bundle_without_its_collection_time_is_refused(run_cli, tmp_path) -> None:
    """``--since 2h`` is before the bundle's "now"; a bundle that does not say when it was collected
    has none. This machine's clock (years later for an old bundle) made the window miss every row:
    'No failed or stuck backup found', exit 0, on a bundle with a failed job."""
    bundle = tmp_path / "b"
    shutil.copytree(SKEWED, bundle)
    manifest = bundle / "manifest.toml"
    manifest.write_text("".join(line for line in manifest.read_text().splitlines(keepends=True)
                                if not line.startswith("collected_at")))
    result = run_cli("analyze", bundle, "--since", "2h", "--format", "json")
    assert result.code == 2 and "collected_at" in result.err, (result.code, result.err)
    absolute = run_cli("analyze", bundle, "--since", "2023-09-26 14:00", "--format", "json")
    assert [(f["cause"], f["verdict"]) for f in absolute.json()["findings"]] == [("dest_permission_denied", "confirmed")]


def test_a_time_with_an_offset_is_moved_on_the_views_named_zone_at_that_time() -> None:
    """Views on Europe/Berlin, the bundle collected in winter (+01:00): a summer time given in UTC
    is on +02:00, not on the offset at collection."""
    info = SourceInfo(kind="bundle", location="b", collected_at=datetime(2023, 12, 1, 10), time_zone="Europe/Berlin",
                      utc_offset=timedelta(hours=1))
    args = argparse.Namespace(since=parse_time("2023-07-01T10:00:00Z"), until=parse_time("2023-12-01T09:00:00Z"))
    assert resolve_for(args, info) is None
    assert (args.since, args.until) == (datetime(2023, 7, 1, 12), datetime(2023, 12, 1, 10))
