"""Pick the formatter for a format name."""

from __future__ import annotations

import io

from obdoctor.findings import Report


def render(report: Report, fmt: str, env, *, redact_hosts: bool = False) -> str:
    if fmt == "json":
        from obdoctor.report import json_report

        text = json_report.render(report)
    elif fmt == "markdown":
        from obdoctor.report import markdown

        text = markdown.render(report)
    elif fmt == "html":
        from obdoctor.report import html

        text = html.render(report)
    else:
        from rich.console import Console

        from obdoctor.report import terminal

        buffer = io.StringIO()
        base = env.console()
        console = Console(file=buffer, force_terminal=base.is_terminal, no_color=base.no_color,
                          width=base.width, highlight=False, color_system=base.color_system)
        terminal.render(report, console)
        text = buffer.getvalue()
    if redact_hosts:
        from obdoctor.report.pseudonyms import HostPseudonyms

        text = HostPseudonyms().apply(text)
    return text
