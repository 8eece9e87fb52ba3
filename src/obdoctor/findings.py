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


@dataclass(frozen=True)
class LineRef:
    """A cited log line with where it came from (``provenance`` None when the rule gave none)."""

    text: str
    provenance: Provenance | None


@dataclass(frozen=True)
class RowRef:
    """A cited view row with where it came from (``provenance`` None when the rule gave none)."""

    row: dict[str, Any]
    provenance: Provenance | None


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

    def line_refs(self) -> list[LineRef]:
        """Each cited line with its log provenance: the log provenance is parallel to ``lines``."""
        logs = [p for p in self.provenance if p.kind == "log"]
        return [LineRef(line, logs[i] if i < len(logs) else None) for i, line in enumerate(self.lines)]

    def row_refs(self) -> list[RowRef]:
        """Each cited row with its view provenance: one per row when the rule gave one per row,
        else the step's first view provenance for every row."""
        views = [p for p in self.provenance if p.kind != "log"]
        return [RowRef(row, views[i] if len(views) == len(self.rows) else (views[0] if views else None))
                for i, row in enumerate(self.rows)]

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
class ReportSource:
    """Where the evidence came from, as the report states it (``source`` in JSON); made from the
    source's own ``evidence.SourceInfo`` by the engine."""

    kind: str | None = None
    location: str | None = None
    cluster: str | None = None
    version: str | None = None
    collected_at: str | None = None
    servers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the source said about itself (the clocks' offset, disagreeing files, a 3.x cluster)."""
    product: str | None = None
    """The server's own name for itself, when it gave one."""
    version_scope: str | None = None
    """A 3.x cluster: what was read, said instead of a bare all-clear."""
    hosts_redacted: bool = False
    """Addresses and host names are aliases (``--redact-hosts``)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind, "location": self.location, "cluster": self.cluster, "version": self.version,
            "collected_at": self.collected_at, "servers": list(self.servers), "notes": list(self.notes)}
        if self.product:
            out["product"] = self.product
        if self.version_scope:
            out["version_scope"] = self.version_scope
        if self.hosts_redacted:
            out["hosts_redacted"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ReportSource":
        """The JSON ``source`` object back (a report read from history or built by hand)."""
        return cls(**{k: data[k] for k in ("kind", "location", "cluster", "version", "collected_at", "product",
                                           "version_scope", "hosts_redacted") if k in data},
                   servers=list(data.get("servers") or []), notes=list(data.get("notes") or []))


@dataclass
class ViewRead:
    """One view the evidence read (or could not): a line of "Sources read"."""

    view: str
    available: bool
    rows: int
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"view": self.view, "available": self.available, "rows": self.rows, "reason": self.reason}


@dataclass
class LogRead:
    """One log search the evidence ran: its purpose, where, and what it could not search."""

    purpose: str
    servers: list[str]
    files: int
    matches: int
    unchecked: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"log_search": self.purpose, "servers": list(self.servers), "files": self.files,
                "matches": self.matches, "unchecked": list(self.unchecked)}


SourceRead = ViewRead | LogRead


def source_read_from_dict(data: dict[str, Any]) -> SourceRead:
    """A ``sources_read`` JSON item back: a view read has ``view``, a log search ``log_search``."""
    if "view" in data:
        return ViewRead(data["view"], bool(data.get("available")), int(data.get("rows") or 0), data.get("reason"))
    return LogRead(data["log_search"], list(data.get("servers") or []), int(data.get("files") or 0),
                   int(data.get("matches") or 0), list(data.get("unchecked") or []))


@dataclass
class Report:
    findings: list[Finding]
    observations: list[Observation]
    unchecked: list[Unchecked]
    source: ReportSource
    sources_read: list[SourceRead] = field(default_factory=list)
    decided: bool = True
    """The evidence needed to say "nothing wrong" was read (``coverage.py``); without findings
    and without it, the report says what could not be read instead of an all-clear."""
    undecided: list[Unchecked] = field(default_factory=list)
    """Why ``decided`` is False: each missing piece, with the query that would decide it."""
    out_of_scope: list[str] = field(default_factory=list)
    """``--tenant``/``--job`` values that match nothing in the evidence."""
    internal_errors: list[Unchecked] = field(default_factory=list)
    """Rules that raised: a bug in obdoctor (exit 4), never a silent "could not check"."""

    def __post_init__(self) -> None:
        # the JSON shapes are accepted too (a report read back, a test building one by hand)
        if isinstance(self.source, dict):
            self.source = ReportSource.from_dict(self.source)
        self.sources_read = [source_read_from_dict(s) if isinstance(s, dict) else s for s in self.sources_read]

    @property
    def diagnosed(self) -> bool:
        return any(f.verdict is not Verdict.UNKNOWN for f in self.findings)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
