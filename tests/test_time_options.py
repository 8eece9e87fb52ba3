"""``--since``/``--until`` (issue 11 item 4): offsets, ``Z``, relative forms, in every command, never a crash."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.cli.main import parse_time, resolve_times

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
