"""Shared by the report tests: render a Report in every format, list the examples."""

from __future__ import annotations

import io
from pathlib import Path

from obdoctor.cli.environment import Environment
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
