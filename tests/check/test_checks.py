"""Checks that need more than a bundle (a watch history, live mode), the SCN clock and the formats."""

from __future__ import annotations

import json
from datetime import datetime

from obdoctor.check import CheckOptions, ProgressMark, Status
from obdoctor.check.archive import lag_target_seconds
from obdoctor.check.formats import nagios, prometheus
from obdoctor.check.model import worst
from tests.check.kit import BY_NAME, bundle, check_bundle, result_of


def test_watch_history_stall_is_critical(tmp_path):
    path = bundle(BY_NAME["running-moving"], tmp_path)
    mark = ProgressMark(1002, 12, 1001, 2400.0, datetime(2024, 7, 1, 14, 59), "history.sqlite")
    result = result_of(check_bundle(path, CheckOptions(progress=[mark])), "running_work")
    assert result.status is Status.CRITICAL
    assert "ls 1001 without progress for 40 minutes" in result.summary
    assert any("history.sqlite" in step.looked_at for step in result.evidence)
    quiet = ProgressMark(1002, 12, None, 300.0, datetime(2024, 7, 1, 14, 59), "history.sqlite")
    assert result_of(check_bundle(path, CheckOptions(progress=[quiet])), "running_work").status is Status.OK


def test_history_problem_is_said(tmp_path):
    path = bundle(BY_NAME["running-moving"], tmp_path)
    result = result_of(check_bundle(path, CheckOptions(progress_problem="h.sqlite: last poll too old")), "running_work")
    assert result.details["history_problem"] == "h.sqlite: last poll too old"


def test_destination_space_is_unknown_live_and_absent_offline(tmp_path):
    path = bundle(BY_NAME["destination-ok"], tmp_path)
    offline = check_bundle(path)
    assert not [r for r in offline.results if r.check == "destination_space"]
    assert any("checked only live" in n for n in offline.notes)
    live = result_of(check_bundle(path, CheckOptions(live=True)), "destination_space")
    assert live.status is Status.UNKNOWN and "df -P" in live.query


def test_thresholds_come_from_options(tmp_path):
    path = bundle(BY_NAME["last-backup-ok"], tmp_path)
    assert result_of(check_bundle(path, CheckOptions(max_backup_age=3600)), "last_backup").status is Status.CRITICAL
    assert result_of(check_bundle(path, CheckOptions(max_archive_lag=30)), "log_archive").status is Status.WARNING


def test_scn_only_rows_use_the_zone_the_evidence_shows(tmp_path):
    """The base's views are UTC+8: an SCN alone is shifted by 8 hours, not read as UTC."""
    path = bundle(BY_NAME["archive-scn-only"], tmp_path)
    result = result_of(check_bundle(path), "log_archive")
    assert result.details["checkpoint"] == datetime(2024, 7, 1, 14, 59)


def test_lag_target_values():
    assert lag_target_seconds("120s") == 120
    assert lag_target_seconds("2m") == 120
    assert lag_target_seconds("120000000") == 120  # a bare number is microseconds
    assert lag_target_seconds("soon") is None


def test_worst_follows_nagios_order():
    assert worst([Status.OK, Status.UNKNOWN]) is Status.UNKNOWN
    assert worst([Status.UNKNOWN, Status.WARNING]) is Status.WARNING
    assert worst([Status.WARNING, Status.CRITICAL, Status.UNKNOWN]) is Status.CRITICAL


def test_nagios_and_prometheus_shapes(tmp_path):
    report = check_bundle(bundle(BY_NAME["archive-interrupted"], tmp_path))
    first, *details = nagios(report).splitlines()
    assert first.startswith("OBDOCTOR CRITICAL - tenant 1002 log_archive critical: archive INTERRUPTED")
    assert "| 't1002_last_backup'=43200s;;93600;0" in first
    assert len(details) == len(report.results)
    text = prometheus(report, 1_700_000_000.0)
    assert 'obdoctor_check_status{check="log_archive",tenant_id="1002"} 2' in text
    assert "# TYPE obdoctor_check_status gauge" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert {"check", "tenant_id", "status", "summary", "value", "threshold", "evidence"} <= set(data["checks"][0])
