"""The HTML report: self-contained, escaped, findings first, a timeline across servers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from obdoctor.report import html
from obdoctor.report.timeline import build_timeline
from obdoctor.evidence.provenance import Provenance
from tests.report.helpers import cited_line, cited_row, example_dirs
from tests.report.test_redaction import planted_report

EXAMPLES = example_dirs()


class _Collector(HTMLParser):
    """Parses the page like a browser would; records tags, attributes and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Collector:
    c = _Collector()
    c.feed(page)
    return c


def test_log_text_is_escaped_and_round_trips() -> None:
    report = planted_report()
    step = report.findings[0].evidence[2]
    line = ('[2023-09-26 14:37:36.700100] WDIAG [STORAGE] f (x.cpp:1) [1][T][T1002][YB420A090807-0005E98EBF2D9DBE-0-0] '
            '[lt=1] <script>alert("x")</script> a&b \'q\' </pre></details>')
    step.lines[0] = cited_line(line, step.lines[0].provenance)
    page = html.render(report)
    assert "<script>alert" not in page and "</pre></details>'" not in page
    parsed = _parse(page)
    assert [t for t, _ in parsed.tags].count("script") == 1  # only our own
    assert line in "".join(parsed.text)  # the reader sees the line exactly as logged


def test_self_contained_no_network() -> None:
    page = html.render(planted_report())
    parsed = _parse(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert not (tag == "script" and "src" in attrs)
        for name in ("src", "href", "action"):
            value = attrs.get(name) or ""
            assert not re.match(r"(?i)\s*(https?:|//|ftp:)", value), (tag, name, value)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page


def test_every_log_line_shows_server_file_and_line() -> None:
    page = html.render(planted_report())
    blocks = re.findall(r'<div class="logline"><div class="where">(.*?)</div><pre>', page)
    assert blocks, "no log lines rendered"
    for where in blocks:
        assert '<span class="srv">10.9.8.7</span>' in where and "observer.log" in where and ":12<" in where


def test_findings_come_before_the_timeline() -> None:
    page = html.render(planted_report())
    assert page.index('id="verdict"') < page.index('id="finding-1"') < page.index('id="timeline"')


def test_timeline_events_from_rows_and_lines() -> None:
    report = planted_report()
    tl = build_timeline(report)
    kinds = [e.kind for e in tl.events]
    assert kinds.count("log") == 1 and "row" in kinds and "finding" in kinds
    assert [e.time for e in tl.events] == sorted(e.time for e in tl.events)
    log = next(e for e in tl.events if e.kind == "log")
    assert (log.server, log.file, log.line, log.level, log.trace_id) == (
        "10.9.8.7", "observer.log", 12, "warn", "YB420A090807-0005E98EBF2D9DBE-0-0")
    assert tl.lanes == [None, "10.9.8.7"]
    page = html.render(report)
    assert page.count('class="tl-row ev ') == len(tl.events)
    assert 'data-trace="YB420A090807-0005E98EBF2D9DBE-0-0"' in page


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_renders(example, run_cli, tmp_path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("analyze", example, "--format", "html", "-o", out)
    assert result.code in (0, 1, 3) and result.err == ""
    page = out.read_text(encoding="utf-8")
    parsed = _parse(page)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert any(attrs.get("id") == "timeline" for _, attrs in parsed.tags)
    n = len(run_cli("analyze", example, "--format", "json").json()["findings"])
    assert sum(1 for _, attrs in parsed.tags if (attrs.get("id") or "").startswith("finding-")) == n


def test_many_servers_fall_back_to_one_column_with_server_names() -> None:
    report = planted_report()
    step = report.findings[0].evidence[2]
    template = step.lines[0].text
    step.lines = [cited_line(template.replace("14:37:36.700100", f"14:37:3{i}.000000"),
                             Provenance("log", "observer.log", server=f"10.0.0.{i}", line=i + 1)) for i in range(8)]
    page = html.render(report)
    assert 'class="lane-head"' not in page  # no lanes header: one column
    for i in range(8):
        assert f'<span class="srv">10.0.0.{i}</span>' in page


def test_job_start_and_end_are_state_changes_on_the_timeline() -> None:
    report = planted_report()
    rows = report.findings[0].evidence[0].rows
    rows[0] = cited_row({**rows[0].cells, "end": "2023-09-26 14:37:36.822558", "status": "FAILED", "result": -9003},
                        rows[0].provenance)
    rows = [e for e in build_timeline(report).events if e.kind == "row" and "CDB_OB_BACKUP_JOB_HISTORY" in e.title]
    assert [(e.title, e.level) for e in rows] == [
        ("CDB_OB_BACKUP_JOB_HISTORY: job 1 started", "info"),
        ("CDB_OB_BACKUP_JOB_HISTORY: job 1 ended FAILED result -9003", "error")]


def test_a_loop_of_identical_lines_is_one_event_with_all_its_lines() -> None:
    report = planted_report()
    step = report.findings[0].evidence[2]
    template, prov = step.lines[0].text, step.lines[0].provenance
    step.lines = [cited_line(template.replace("14:37:36.700100", f"14:37:{10 + i}.000000"),
                             Provenance("log", "observer.log", server=prov.server, line=100 + i)) for i in range(5)]
    logs = [e for e in build_timeline(report).events if e.kind == "log"]
    assert len(logs) == 1 and len(logs[0].repeats) == 4
    page = html.render(report)
    assert "×5" in page and "4 more like it, until 2023-09-26 14:37:14" in page
    for i in range(5):  # every folded line still shows where it is
        assert f'<span class="lno">:{100 + i}</span>' in page
