"""Zones ``collect`` read on each server (``date +%z`` over its SSH: the offset the server's OS
zone has at collection, GNU coreutils ``date`` manual) come before any inference from trace ids.

``[cluster.server_time_zones]`` in the manifest: server -> ``+08:00``. A server whose zone was
read is searched on that clock; one whose zone was not falls back on ``system_time_zone`` or the
trace ids; when the trace ids disagree with a recorded zone, the recorded zone is used and the
disagreement said.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence, LogQuery
from obdoctor.sources.bundle import Bundle

ROOT = Path(__file__).resolve().parent.parent
SKEWED = ROOT / "examples" / "clock-skew-utc-logs"  # views +08:00, 127.0.0.3 logs in UTC (inferred)
TRACE = "YB427F000002-0005E98EC6000702-0-0"


def _copy(tmp_path: Path, extra: str) -> Path:
    bundle = tmp_path / "b"
    shutil.copytree(SKEWED, bundle)
    text = (bundle / "manifest.toml").read_text().replace('time_zone = "+08:00"\n', 'time_zone = "+08:00"\n' + extra)
    (bundle / "manifest.toml").write_text(text)
    return bundle


def test_a_recorded_zone_decides_a_servers_clock_without_anchors(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, '\n[cluster.server_time_zones]\n"127.0.0.3" = "+00:00"\n"127.0.0.2" = "+08:00"\n')
    with Bundle(bundle) as b:
        b._infer_clock = lambda: (_ for _ in ()).throw(AssertionError("inferred though every zone was read"))
        clock = b.clock()
        assert clock is not None and clock.of("127.0.0.3").shift == timedelta(hours=8)
        assert clock.of("127.0.0.2") is None
        result = b.search_logs(LogQuery(("127.0.0.3",), any_of=(TRACE,), since=datetime(2023, 9, 26, 14, 30),
                                        until=datetime(2023, 9, 26, 14, 40)))
        assert result.records and all(r.ts.hour == 14 for r in result.records)
        assert any("read on 127.0.0.3 at collection" in n for n in b.info().notes), b.info().notes


def test_the_example_reaches_the_same_answer_from_recorded_zones(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, '\n[cluster.server_time_zones]\n"127.0.0.3" = "+00:00"\n"127.0.0.2" = "+00:00"\n')
    with Bundle(bundle) as b:
        report = diagnose(Evidence(b))
    finding, = report.findings
    assert finding.verdict.value == "confirmed" and finding.cause == "dest_permission_denied"


def test_a_recorded_zone_the_trace_ids_contradict_is_used_and_the_disagreement_said(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, '\n[cluster.server_time_zones]\n"127.0.0.3" = "+08:00"\n')
    with Bundle(bundle) as b:
        clock = b.clock()
        assert clock is None or clock.of("127.0.0.3") is None  # the recorded zone: the views' clock
        notes = " ".join(b.info().notes)
    assert "127.0.0.3" in notes and "trace ids" in notes and "disagree" in notes, notes


def test_a_recorded_zone_that_cannot_be_read_is_said_and_inference_used(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, '\n[cluster.server_time_zones]\n"127.0.0.3" = "CST"\n')
    with Bundle(bundle) as b:
        assert b.clock().of("127.0.0.3").shift == timedelta(hours=8)  # inferred, as without it
        notes = " ".join(b.info().notes)
    assert "'CST'" in notes
