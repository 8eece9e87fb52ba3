"""The machine-readable report (schema: docs/report.schema.json)."""

from __future__ import annotations

import json

from obdoctor import __version__
from obdoctor.exit_codes import for_report
from obdoctor.findings import Report
from obdoctor.report.common import headline
from obdoctor.report.formats import RenderOptions, register
from obdoctor.report.next_commands import next_commands
from obdoctor.report.redact import redact_report

SCHEMA_VERSION = "1.2"
"""Follows docs/report.schema.json: major part for removed/changed fields, minor for added ones."""


def report_dict(report: Report) -> dict:
    """The report as plain data; secrets masked even when called directly (history storage)."""
    report = redact_report(report)
    return {
        "schema_version": SCHEMA_VERSION,
        "obdoctor_version": __version__,
        "source": report.source.to_dict(),
        "headline": headline(report),
        "exit_code": int(for_report(report)),
        "diagnosed": report.diagnosed,
        "decided": report.decided,
        "findings": [f.to_dict() for f in report.findings],
        "observations": [o.to_dict() for o in report.observations],
        "unchecked": [u.to_dict() for u in report.unchecked],
        "undecided": [u.to_dict() for u in report.undecided],
        "out_of_scope": list(report.out_of_scope),
        "internal_errors": [u.to_dict() for u in report.internal_errors],
        "next_commands": [c.to_dict() for c in next_commands(report)],
        "sources_read": [s.to_dict() for s in report.sources_read],
    }


@register("json", order=1, suffixes=(".json",))
def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
