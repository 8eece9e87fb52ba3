"""contrib/: the alert rules and the dashboard speak of metrics obdoctor really writes.

``promtool check rules`` validates the rules when Debian's ``prometheus`` package is installed
(it is not installed by scripts/test: ~100 MB for one test); the structural checks run always.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from obdoctor.check.formats import METRICS as CHECK_METRICS
from obdoctor.watch.prometheus import _METRICS as WATCH_METRICS
from tests.conftest import ROOT

CONTRIB = ROOT / "contrib"
RULES = CONTRIB / "prometheus" / "obdoctor-rules.yml"
KNOWN = {name for name, *_ in (*CHECK_METRICS, *WATCH_METRICS)}
_METRIC = re.compile(r"\bobdoctor_[a-z_]+\b")


def test_rules_name_only_written_metrics():
    groups = yaml.safe_load(RULES.read_text())["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert {"ObdoctorCheckCritical", "ObdoctorBackupStalled"} <= {r["alert"] for r in rules}
    for rule in rules:
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        used = set(_METRIC.findall(rule["expr"]))
        assert used and used <= KNOWN, (rule["alert"], used - KNOWN)


def test_dashboard_queries_written_metrics():
    dashboard = json.loads((CONTRIB / "grafana" / "obdoctor-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {m for e in exprs for m in _METRIC.findall(e)}
    assert used and used <= KNOWN, used - KNOWN
    assert any("restore_window" in e for e in exprs) and any("stalled" in e for e in exprs)


def test_promtool_accepts_the_rules():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package prometheus; not installed by scripts/test: too large)")
    done = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_timer_runs_check_with_a_prometheus_file():
    service = (CONTRIB / "systemd" / "obdoctor-check.service").read_text()
    assert "obdoctor check" in service and "--prometheus" in service and "SuccessExitStatus=1 2" in service
    assert "obdoctor check" in (CONTRIB / "cron" / "obdoctor-check.cron").read_text()


def test_promtool_accepts_the_check_metrics(tmp_path):
    """The textfile-collector output passes ``promtool check metrics`` (names, HELP/TYPE, labels)."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package prometheus; not installed by scripts/test: too large)")
    from obdoctor.check.formats import prometheus
    from tests.check.kit import BY_NAME, bundle, check_bundle

    text = prometheus(check_bundle(bundle(BY_NAME["window-gap"], tmp_path)), 1_700_000_000.0)
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
