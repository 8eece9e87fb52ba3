"""SCN times beside the views' times are on the views' clock, and say so.

A 4.x SCN is nanoseconds since the epoch (an instant); ``*_SCN_DISPLAY`` columns and every other
view time are on the session zone (OceanBase docs, CDB_OB_LS_LOG_ARCHIVE_PROGRESS and
CDB_OB_ARCHIVELOG pages). A1's slowest-log-stream note said its checkpoint in UTC beside the
round's checkpoint on +08:00, and the timeline put that row 8 h before the round's.
"""

from __future__ import annotations

import json
from pathlib import Path

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.report.json_report import report_dict
from obdoctor.report.timeline import build_timeline
from obdoctor.sources.bundle import Bundle

ARCHIVE = {"DEST_ID": 1001, "INCARNATION": 1, "DEST_NO": 0, "START_SCN": 1, "START_SCN_DISPLAY": "2024-05-01 08:00:00",
           "COMPATIBLE": 1, "BASE_PIECE_ID": 1, "USED_PIECE_ID": 1, "PIECE_SWITCH_INTERVAL": 86400000000,
           "COMMENT": "", "PATH": "file:///data/nfs/archive", "TENANT_ID": 1002, "ROUND_ID": 1,
           "CHECKPOINT_SCN": 1717232400000000000, "CHECKPOINT_SCN_DISPLAY": "2024-06-01 17:00:00.000000",
           "STATUS": "DOING"}
# 09:00 UTC = 17:00 on +08:00 (the slowest stream, as the round's checkpoint); 10:50 UTC = 18:50
PROGRESS = [{"TENANT_ID": 1002, "DEST_ID": 1001, "LS_ID": ls, "ROUND_ID": 1, "PIECE_ID": 3, "STATUS": "DOING",
             "CHECKPOINT_SCN": scn} for ls, scn in ((1, 1717239000000000000), (1001, 1717232400000000000))]


def _bundle(root: Path, zone: str | None = '"+08:00"') -> Path:
    (root / "sql").mkdir(parents=True)
    (root / "sql" / "CDB_OB_ARCHIVELOG.jsonl").write_text(json.dumps(ARCHIVE) + "\n")
    (root / "sql" / "CDB_OB_LS_LOG_ARCHIVE_PROGRESS.jsonl").write_text("".join(json.dumps(r) + "\n" for r in PROGRESS))
    (root / "manifest.toml").write_text('[cluster]\nversion = "4.2.1.0"\ncollected_at = 2024-06-01T20:00:00\n'
                                        + (f"time_zone = {zone}\n" if zone else ""))
    return root


def _analyse(root: Path):
    with Bundle(root) as source:
        report = diagnose(Evidence(source))
        return report, json.dumps(report_dict(report))


def test_the_slowest_log_stream_is_said_on_the_views_clock(tmp_path):
    report, text = _analyse(_bundle(tmp_path / "b"))
    assert "log stream 1001 is archived only to 2024-06-01 17:00:00 (+08:00" in text
    assert "the others reach 2024-06-01 18:50:00 (+08:00" in text
    assert "09:00:00 UTC" not in text


def test_the_timeline_puts_the_log_streams_checkpoint_beside_the_rounds(tmp_path):
    report, _ = _analyse(_bundle(tmp_path / "b"))
    times = {e.time.strftime("%H:%M") for e in build_timeline(report).events if e.kind == "row"}
    assert "09:00" not in times and "17:00" in times, times


def test_without_a_known_zone_the_scn_time_is_said_in_utc(tmp_path):
    _, text = _analyse(_bundle(tmp_path / "b", zone=None))
    assert "log stream 1001 is archived only to 2024-06-01 09:00:00 (UTC" in text
