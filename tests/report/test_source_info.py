"""The report's typed boundary: where the evidence came from and what was read, as fields."""

from __future__ import annotations

from obdoctor.findings import LogRead, Report, ReportSource, ViewRead
from obdoctor.report.common import had_evidence


def test_source_info_writes_the_json_keys_in_order_and_only_set_extras():
    info = ReportSource(kind="bundle", location="b", servers=["10.0.0.1"], notes=["n"])
    assert list(info.to_dict()) == ["kind", "location", "cluster", "version", "collected_at", "servers", "notes"]
    full = ReportSource(kind="live", product="OceanBase_CE", version_scope="3.x", hosts_redacted=True)
    assert list(full.to_dict())[-3:] == ["product", "version_scope", "hosts_redacted"]
    assert ReportSource.from_dict(full.to_dict()) == full


def test_sources_read_are_views_or_log_searches_by_type():
    view = ViewRead("CDB_OB_BACKUP_JOBS", True, 3, None)
    log = LogRead("failed job trace", ["10.0.0.1"], 2, 5, [])
    assert view.to_dict() == {"view": "CDB_OB_BACKUP_JOBS", "available": True, "rows": 3, "reason": None}
    assert log.to_dict()["log_search"] == "failed job trace"
    report = Report([], [], [], source={"kind": "bundle"}, sources_read=[view.to_dict(), log.to_dict()])
    assert report.source == ReportSource(kind="bundle") and report.sources_read == [view, log]
    assert had_evidence(report)
    assert not had_evidence(Report([], [], [], ReportSource(), [ViewRead("V", False, 0, "missing"),
                                                              LogRead("p", [], 0, 0)]))
