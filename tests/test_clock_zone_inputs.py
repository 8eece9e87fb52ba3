"""Outside input to the zone readers never crashes them: what a server's ``date '+%z %Z'`` prints
(``space.parse_zone``) and any manifest (``cli.logs_clock.clock_of``)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.cli.logs_clock import clock_of
from obdoctor.sources.space import parse_zone


@pytest.mark.parametrize("output, zone", [
    ("+0800 CST\n", "+08:00 CST"), ("-0330 NST", "-03:30 NST"), ("+0545 +0545", "+05:45 +0545"),
    ("+0000 UTC", "+00:00 UTC"), ("+0900", "+09:00"),
    ("Last login: Mon\n+0800 CST", None), ("date: invalid option", None), ("+2500 X", None), ("", None),
    ("+0800 CST; rm -rf /", None),
])
def test_a_servers_date_output(output, zone):
    found, why = parse_zone("10.0.0.1", output)
    assert found == zone
    assert (why is None) == (zone is not None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_date_output_is_a_zone_or_a_reason(output):
    found, why = parse_zone("10.0.0.1", output)
    assert (found is None) != (why is None)
    assert why is None or len(why) < 200


_VALUES = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.booleans(), st.datetimes(),
                    st.sampled_from(["+08:00", "SYSTEM", "CST", "Asia/Shanghai", "UTC", "+99:00", "Not/AZone"]))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["time_zone", "system_time_zone", "collected_at", "server_time_zones"]),
                       st.one_of(_VALUES, st.dictionaries(st.text(max_size=10), _VALUES, max_size=3)), max_size=4),
       st.booleans())
def test_any_manifest_gives_a_clock(said, nested):
    clock = clock_of({"cluster": said} if nested else said)
    assert clock.now is None or isinstance(clock.now, datetime) and clock.now.tzinfo is None
