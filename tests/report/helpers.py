"""Shared by the report tests: render a Report in every format, list the examples, cite lines and rows."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from obdoctor.cli.environment import Environment
from obdoctor.evidence.provenance import Provenance
from obdoctor.findings import LineRef
from obdoctor.logs import parse_line
from obdoctor.rules.base import cited_row, line_ref
from obdoctor.report import render
from tests.conftest import EXAMPLES

FORMATS = ("text", "json", "markdown", "html")


def render_all(report, *, redact_hosts: bool = False) -> dict[str, str]:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), env={}, color=False)
    return {fmt: render.render(report, fmt, env, redact_hosts=redact_hosts) for fmt in FORMATS}


def example_dirs() -> list[Path]:
    """Every example bundle (auto-discovered: other work adds examples)."""
    return sorted(p for p in EXAMPLES.iterdir()
                  if p.is_dir() and any((p / x).exists() for x in ("manifest.toml", "sql", "logs")))



def cited_line(text: str, provenance: Provenance) -> LineRef:
    """A log line cited as a rule cites it (``rules.base.line_ref``), its secrets left in: the
    line parsed once into its record, found at ``provenance``."""
    record = parse_line(text)
    return dataclasses.replace(line_ref(record, mask=str), provenance=provenance)


__all__ = ["FORMATS", "render_all", "example_dirs", "cited_line", "cited_row"]
