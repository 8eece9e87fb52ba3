"""Redaction of a whole Report, once, before any formatter sees it.

Why centrally: rules already mask what they copy into evidence, but a rule that forgets (or a
future one that copies a new column) must not leak a password. Every string of the Report —
summaries, rows, log lines and their fields, provenance, sources read — goes through one
:class:`~obdoctor.security.redaction.Redactor`, so every format (text, Markdown, HTML, JSON)
shows the same masked values and, with ``--redact-hosts``, the same aliases.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from obdoctor.findings import Report
from obdoctor.security.controls import visible, visible_data
from obdoctor.security.redaction import HostPseudonyms, Redactor
from obdoctor.logs import decode_addr


def redact_report(report: Report, hosts: HostPseudonyms | None = None) -> Report:
    """A copy of ``report`` with every secret masked and, given ``hosts``, every host aliased."""
    redactor = Redactor(hosts)
    return _walk(report, redactor)


def pseudonyms_for(report: Report) -> HostPseudonyms:
    """Host pseudonyms seeded with every server the report names, in address order, so the
    aliases do not depend on which format is rendered or in which order text is met. The
    servers that made the findings' trace ids count as named."""
    return HostPseudonyms(known=sorted(_addresses(report)))


def _addresses(report: Report) -> set[str]:
    found: set[str] = set(str(s) for s in report.source.servers)
    for f in report.findings:
        found.update(f.servers)
        found.update(a for a in (decode_addr(t) for t in f.trace_ids) if a)
        for step in f.evidence:
            found.update(p.server for p in step.all_provenance() if p.server)
            for row in step.rows:
                found.update(row.addresses)
    return found


def _walk(value: Any, redactor: Redactor) -> Any:
    """Rebuild ``value`` with every string redacted and its control characters shown as escapes
    (``security.controls``: an ESC sequence in a log line must not drive the terminal the report
    is read in); dict values are cells of their key."""
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return visible(redactor.text(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _walk(getattr(value, f.name), redactor)
                   for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, dict):
        if any(str(k).lower() == "name" for k in value) and any(str(k).lower() == "value" for k in value):
            value = redactor.row(value)  # NAME/VALUE pairs (backup parameters)
        return {k: _walk(v, redactor) if isinstance(v, (dict, list, tuple)) else visible_data(redactor.value(str(k), v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, redactor) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, redactor) for v in value)
    return value
