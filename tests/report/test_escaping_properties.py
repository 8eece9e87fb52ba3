"""Whatever a log line holds, every format shows it exactly (after secret masking) and nothing in
it can break out of its block: property tests over arbitrary text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.security.redaction import redact_text
from obdoctor.report import html, json_report, markdown
from tests.report.helpers import cited_line
from tests.report.test_redaction import planted_report

LINE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"'`|*_[]"),
               min_size=1, max_size=80)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pres: list[str] = []
        self._in_pre = False
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "pre":
            self._in_pre = True
            self.pres.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_pre = False

    def handle_data(self, data):
        if self._in_pre:
            self.pres[-1] += data


def _report_with(line: str):
    report = planted_report()
    lines = report.findings[0].evidence[2].lines
    lines[0] = cited_line(line, lines[0].provenance)
    return report


@settings(max_examples=60, deadline=None)
@given(LINE)
def test_html_shows_the_line_verbatim_and_nothing_escapes(line: str) -> None:
    page = html.render(_report_with(line))
    parser = _Text()
    parser.feed(page)
    assert redact_text(line) in parser.pres
    assert parser.tags.count("script") == 1


@settings(max_examples=60, deadline=None)
@given(LINE)
def test_markdown_fence_holds_the_line(line: str) -> None:
    text = markdown.render(_report_with(line))
    blocks = re.findall(r"^   (`{3,})text\n   (.*?)\n   \1$", text, re.M | re.S)
    assert redact_text(line) in [b for _, b in blocks]


@settings(max_examples=30, deadline=None)
@given(LINE)
def test_json_round_trips_the_line(line: str) -> None:
    data = json.loads(json_report.render(_report_with(line)))
    assert data["findings"][0]["evidence"][2]["lines"][0] == redact_text(line)
