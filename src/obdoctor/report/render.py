"""Pick the formatter for a format name, after redacting the Report once for all formats.

Secrets are removed from every report whatever the options; ``redact_hosts`` also replaces IPs,
host names and the addresses inside trace ids by stable aliases (``obdoctor.report.redact``).
"""

from __future__ import annotations

import dataclasses

from obdoctor.findings import Report
from obdoctor.report import formats
from obdoctor.report.redact import pseudonyms_for, redact_report


def prepare(report: Report, *, redact_hosts: bool = False) -> Report:
    """The Report every formatter renders: secrets masked, hosts aliased when asked (and then
    said in ``source.hosts_redacted``, so no reader takes an alias for a real address)."""
    if not redact_hosts:
        return redact_report(report)
    redacted = redact_report(report, pseudonyms_for(report))
    return dataclasses.replace(redacted, source=dataclasses.replace(redacted.source, hosts_redacted=True))


def render(report: Report, fmt: str, env=None, *, redact_hosts: bool = False, screen=None) -> str:
    """``fmt`` is a registered format (``formats.names()``); ``screen`` (a ``terminal.Screen``:
    width, colour, charset, --full) is for the text format."""
    return formats.get(fmt).render(prepare(report, redact_hosts=redact_hosts), formats.RenderOptions(screen=screen))
