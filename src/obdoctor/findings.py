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
    """A cited log line: its text as printed and the fields of the parsed record it came from.

    A rule builds it from the :class:`~obdoctor.logs.record.LogRecord` it cites
    (``rules.base.line_ref``), so whoever reads a step (the timeline, redaction) takes the time,
    level and trace id the record has (its time already on the views' clock) instead of parsing
    ``text`` again. A line that is no log record (a ``df`` output line) has only ``text``.
    Server, file and line number are where the line was found: its provenance.
    """

    text: str
    provenance: Provenance | None = None
    time: datetime | None = None
    level: str | None = None
    trace_id: str | None = None
    tenant_id: int | None = None
    thread: str | None = None
    message: str | None = None
    """What the line says without its header and key/value list (the body when it has none)."""
    errcode: int | None = None

    @property
    def server(self) -> str | None:
        return self.provenance.server if self.provenance else None

    @property
    def file(self) -> str | None:
        return self.provenance.name if self.provenance else None

    @property
    def line(self) -> int | None:
        return self.provenance.line if self.provenance else None

    def to_dict(self) -> dict[str, Any]:
        """Every field (the report's JSON prints only ``text``; this is the ref itself)."""
        out: dict[str, Any] = {"text": self.text}
        if self.provenance is not None:
            out["provenance"] = self.provenance.to_dict()
        for name in ("level", "trace_id", "tenant_id", "thread", "message", "errcode"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.time is not None:
            out["time"] = self.time.isoformat(sep=" ")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LineRef":
        return cls(text=data["text"], provenance=_provenance(data.get("provenance")),
                   time=datetime.fromisoformat(data["time"]) if data.get("time") else None,
                   **{k: data.get(k) for k in ("level", "trace_id", "tenant_id", "thread", "message", "errcode")})


@dataclass(frozen=True)
class RowTime:
    """One time a cited row holds: the field, what the time means, and whether the row's state
    (status, result) is the state at that time."""

    column: str
    meaning: str
    time: datetime
    status_then: bool = False
    """The row's status and result are as of this time (an end, an event), not only as of now."""


@dataclass(frozen=True)
class RowRef:
    """A cited view row: the cells shown, where the row is, and the typed fields of the record
    it was read into (its times, the server it names, its trace id), so nobody guesses them
    back from column names. View and row number are its provenance."""

    cells: dict[str, Any]
    provenance: Provenance | None = None
    times: tuple[RowTime, ...] = ()
    server: str | None = None
    """The server the row is about (its address without the port), the timeline's lane."""
    trace_id: str | None = None
    addresses: tuple[str, ...] = ()
    """Every address the row names (``ip`` or ``ip:port``), for host redaction."""

    @property
    def view(self) -> str | None:
        return self.provenance.name if self.provenance else None

    @property
    def row(self) -> int | None:
        return self.provenance.row if self.provenance else None

    def to_dict(self) -> dict[str, Any]:
        """Every field; the cells as the report's JSON writes them."""
        out: dict[str, Any] = {"cells": {k: _jsonable(v) for k, v in self.cells.items()}}
        if self.provenance is not None:
            out["provenance"] = self.provenance.to_dict()
        if self.times:
            out["times"] = [{"column": t.column, "meaning": t.meaning, "time": t.time.isoformat(sep=" "),
                             "status_then": t.status_then} for t in self.times]
        for name in ("server", "trace_id"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.addresses:
            out["addresses"] = list(self.addresses)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RowRef":
        times = tuple(RowTime(t["column"], t["meaning"], datetime.fromisoformat(t["time"]), bool(t.get("status_then")))
                      for t in data.get("times") or ())
        return cls(cells=dict(data.get("cells") or {}), provenance=_provenance(data.get("provenance")),
                   times=times, server=data.get("server"), trace_id=data.get("trace_id"),
                   addresses=tuple(data.get("addresses") or ()))


def _provenance(data: dict[str, Any] | None) -> Provenance | None:
    return Provenance(**data) if data else None


@dataclass
class EvidenceStep:
    """One step of the chain, as a DBA would have taken it: where they looked, what it showed."""

    looked_at: str
    showed: str
    provenance: list[Provenance] = field(default_factory=list)
    """Where the step looked beyond the rows and lines it cites (a view read for a fact, a
    command); each cited row and line carries its own."""
    rows: list[RowRef] = field(default_factory=list)
    """The view rows (or their relevant columns) this step rests on."""
    lines: list[LineRef] = field(default_factory=list)
    """The log lines this step rests on, verbatim."""

    def all_provenance(self) -> list[Provenance]:
        """The step's own provenance, then its rows', then its lines' (the JSON ``provenance``)."""
        return [*self.provenance, *(r.provenance for r in self.rows if r.provenance is not None),
                *(line.provenance for line in self.lines if line.provenance is not None)]

    def to_dict(self) -> dict:
        return {
            "looked_at": self.looked_at,
            "showed": self.showed,
            "provenance": [p.to_dict() for p in self.all_provenance()],
            "rows": [{k: _jsonable(v) for k, v in r.cells.items()} for r in self.rows],
            "lines": [line.text for line in self.lines],
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
