"""Report formats come from one registry: modules register themselves, the CLI lists them."""

from __future__ import annotations

import inspect

import pytest

from obdoctor.cli.main import build_parser
from obdoctor.findings import Report, ReportSource
from obdoctor.report import formats


def test_every_format_is_registered_with_the_text_format_first():
    assert formats.names() == ("text", "json", "markdown", "html")


def test_every_formatter_has_the_one_signature():
    for fmt in formats.all_formats():
        params = list(inspect.signature(fmt.render).parameters)
        assert params == ["report", "options"], fmt.name
        assert isinstance(fmt.render(Report([], [], [], ReportSource(kind="bundle")), formats.RenderOptions()), str)


def test_a_name_registered_twice_is_refused():
    def other(report, options):
        return ""

    other.__module__ = "obdoctor.report.elsewhere"
    with pytest.raises(ValueError, match="registered by both"):
        formats.register("json", order=9)(other)


@pytest.mark.parametrize("command", ["analyze", "diagnose"])
def test_the_cli_choices_are_the_registry(command):
    parser = build_parser([command])
    sub = next(a for a in parser._subparsers._group_actions[0].choices[command]._actions if a.dest == "format")
    assert tuple(sub.choices) == formats.names() and sub.default is None  # text, or what -o's name asks


def test_each_file_name_asks_for_one_format_and_plain_names_for_none():
    assert [formats.for_file(n) for n in ("a.JSON", "a.md", "a.markdown", "a.html", "a.htm")] == [
        "json", "markdown", "markdown", "html", "html"]
    assert formats.for_file("report.txt") is None and formats.for_file("html") is None
    suffixes = [s for f in formats.all_formats() for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))  # no name asks for two formats
