"""What obdoctor concludes: findings with their evidence chain, and the report holding them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from obdoctor.evidence.provenance import Provenance


class Verdict(str, enum.Enum):
    """How strongly the evidence supports the cause."""

    CONFIRMED = "confirmed"
    """The log line or row that proves the cause was found."""
    LIKELY = "likely"
    """State and codes point at the cause, but its proof (usually a log line) was not found."""
    UNKNOWN = "unknown"
    """Something is wrong, but the evidence does not say why."""


@dataclass
class EvidenceStep:
    """One step of the chain, as a DBA would have taken it: where they looked, what it showed."""

    looked_at: str
    showed: str
    provenance: list[Provenance] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    """The view rows (or their relevant columns) this step rests on."""
    lines: list[str] = field(default_factory=list)
    """The log lines this step rests on, verbatim, parallel to their provenance."""

    def to_dict(self) -> dict:
        return {
            "looked_at": self.looked_at,
            "showed": self.showed,
            "provenance": [p.to_dict() for p in self.provenance],
            "rows": [{k: _jsonable(v) for k, v in r.items()} for r in self.rows],
            "lines": list(self.lines),
        }


@dataclass
class Unchecked:
    """A check that could not run, and why: never silently skipped."""

    what: str
    why: str
    query: str | None = None
    """The query (or command) that would have decided it, when one would."""

    def to_dict(self) -> dict:
        out = {"what": self.what, "why": self.why}
        if self.query:
            out["query"] = self.query
        return out


@dataclass
class Finding:
    rule_id: str
    cause: str
    title: str
    summary: str
    verdict: Verdict
    code: int | None = None
    code_name: str | None = None
    tenant_id: int | None = None
    job_id: int | None = None
    servers: list[str] = field(default_factory=list)
    trace_ids: list[str] = field(default_factory=list)
    evidence: list[EvidenceStep] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Side remarks, e.g. when today's state disagrees with the log of the failure."""
    time: datetime | None = None
    """When the problem happened (event, failure or stuck-since time)."""

    def to_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "cause": self.cause,
            "title": self.title,
            "summary": self.summary,
            "verdict": self.verdict.value,
            "code": self.code,
            "code_name": self.code_name,
            "tenant_id": self.tenant_id,
            "job_id": self.job_id,
            "servers": list(self.servers),
            "trace_ids": list(self.trace_ids),
            "time": self.time.isoformat(sep=" ") if self.time else None,
            "evidence": [s.to_dict() for s in self.evidence],
            "next_steps": list(self.next_steps),
            "unchecked": [u.to_dict() for u in self.unchecked],
            "notes": list(self.notes),
        }


@dataclass
class Observation:
    """Something checked and found healthy (e.g. "job 7 of tenant 1002 COMPLETED")."""

    text: str
    provenance: list[Provenance] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "provenance": [p.to_dict() for p in self.provenance]}


@dataclass
class Report:
    findings: list[Finding]
    observations: list[Observation]
    unchecked: list[Unchecked]
    source: dict[str, Any]
    sources_read: list[dict[str, Any]] = field(default_factory=list)
    decided: bool = True
    """The evidence needed to say "nothing wrong" was read (``coverage.py``); without findings
    and without it, the report says what could not be read instead of an all-clear."""
    undecided: list[Unchecked] = field(default_factory=list)
    """Why ``decided`` is False: each missing piece, with the query that would decide it."""
    out_of_scope: list[str] = field(default_factory=list)
    """``--tenant``/``--job`` values that match nothing in the evidence."""
    internal_errors: list[Unchecked] = field(default_factory=list)
    """Rules that raised: a bug in obdoctor (exit 4), never a silent "could not check"."""

    @property
    def diagnosed(self) -> bool:
        return any(f.verdict is not Verdict.UNKNOWN for f in self.findings)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
