"""The HTML report in a real browser (headless Chromium): verdict, timeline and a log line are
visible, the page's script runs, and the trace filter works. Skipped when Chromium is missing
(Debian: ``apt-get install -y chromium``).

``UPDATE_SCREENSHOT=1`` also refreshes docs/report-screenshot.png.
"""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLE = "failed-41-chain"
BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="headless Chromium not installed (apt-get install -y chromium)")

# Runs after the page's own script; writes what a reader would see into <body data-probe>.
PROBE = """<script>
(function () {
  function shown(el) {
    if (!el) { return false; }
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && el.offsetParent !== null;
  }
  var verdict = document.querySelector('#verdict h1');
  var events = document.querySelectorAll('#timeline .ev');
  var line = document.querySelector('#timeline .ev-log .logline pre');
  var where = document.querySelector('#timeline .ev-log .logline .where');
  var visible = function () {
    return Array.prototype.filter.call(document.querySelectorAll('#timeline .ev'), shown).length; };
  var before = visible();
  var chip = document.querySelector('.legend .chip');
  var trace = chip ? chip.getAttribute('data-trace') : null;
  if (chip) { chip.click(); }
  var filtered = visible();
  var onlyTrace = Array.prototype.every.call(document.querySelectorAll('#timeline .ev'), function (e) {
    return !shown(e) || e.getAttribute('data-trace') === trace; });
  if (chip) { chip.click(); }
  document.body.setAttribute('data-probe', JSON.stringify({
    ready: document.documentElement.getAttribute('data-ready'),
    verdict: shown(verdict) ? verdict.textContent : null,
    verdictOnFirstScreen: !!verdict && verdict.getBoundingClientRect().top < window.innerHeight,
    timeline: shown(document.getElementById('timeline')),
    events: events.length, visibleEvents: before, filtered: filtered, onlyTrace: onlyTrace,
    after: visible(),
    logLine: shown(line) ? line.textContent : null,
    where: shown(where) ? where.textContent : null,
    width: document.documentElement.scrollWidth, viewport: window.innerWidth
  }));
})();
</script>"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([BROWSER, *flags, *args], capture_output=True, text=True, timeout=90)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, str]:
    import io

    from obdoctor.cli.environment import Environment
    from obdoctor.cli.main import main

    tmp = tmp_path_factory.mktemp("browser")
    report = tmp / "report.html"
    cwd = os.getcwd()
    os.chdir(ROOT)  # the report names the bundle as given: keep it relative (no local path in the screenshot)
    try:
        code = main(["analyze", f"examples/{EXAMPLE}", "--format", "html", "-o", str(report)],
                    Environment(stdout=io.StringIO(), stderr=io.StringIO(), env={}, color=False))
    finally:
        os.chdir(cwd)
    assert code in (1, 3)
    return tmp, report.read_text(encoding="utf-8")


def test_verdict_timeline_and_log_line_are_visible(page) -> None:
    tmp, text = page
    probed = tmp / "probed.html"
    probed.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    run = _chromium(tmp, "--window-size=1366,900", "--virtual-time-budget=3000", "--dump-dom", probed.as_uri())
    m = re.search(r'data-probe="([^"]*)"', run.stdout)
    assert m, f"no probe result from Chromium (rc {run.returncode}): {run.stderr[-2000:]}"
    probe = json.loads(htmllib.unescape(m.group(1)))
    assert probe["ready"] == "1", "the page's own script did not finish"
    assert probe["verdict"] and "found" in probe["verdict"] and probe["verdictOnFirstScreen"]
    assert probe["timeline"] and probe["events"] >= 3 and probe["visibleEvents"] == probe["events"]
    assert probe["logLine"] and probe["logLine"].startswith("[2023-09-26 ")
    assert re.match(r"127\.0\.0\.\d+ \S+\.log:\d+", probe["where"] or ""), probe["where"]
    assert 0 < probe["filtered"] < probe["events"] and probe["onlyTrace"], "trace filter did not filter"
    assert probe["after"] == probe["events"], "clicking the trace again did not show all events"
    assert probe["width"] <= probe["viewport"], "page wider than a laptop screen"


def test_screenshot(page) -> None:
    tmp, text = page
    report = tmp / "report.html"
    shot = tmp / "shot.png"
    run = _chromium(tmp, "--window-size=1280,2000", f"--screenshot={shot}", report.as_uri())
    assert shot.exists(), run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page compresses to a few KB
    if os.environ.get("UPDATE_SCREENSHOT", "") not in ("", "0"):
        shutil.copyfile(shot, ROOT / "docs" / "report-screenshot.png")
