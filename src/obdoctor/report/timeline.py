"""The timeline of a report: what happened when, on which server, under which trace id.

Derived from the Report alone (rules stay unaware of it): every log line the findings cite
(the time, level and trace id of its record, carried by its ``LineRef``), every cited view row
with a time (``RowRef.times``: a job or task state change), and each finding's own time. The
same line or row cited by two findings is one event that names both. Nothing is parsed back
from text: a line whose record had no time is counted as untimed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from obdoctor.findings import LineRef, Report, RowRef

_IDENTITY_COLUMNS = (("tenant_id", "tenant"), ("job_id", "job"), ("task_id", "task"), ("ls_id", "ls"),
                     ("round_id", "round"), ("dest_no", "dest"))
_LEVELS = {"ERROR": "error", "EDIAG": "error", "USER_ERR": "error", "WARN": "warn", "WDIAG": "warn",
           "INFO": "info", "TRACE": "debug", "DEBUG": "debug"}
_BAD_STATES = ("FAILED", "INTERRUPTED", "STOP", "CANCELED", "CANCELLED", "INACTIVE", "DELETED")


@dataclass
class TimelineEvent:
    time: datetime
    kind: str
    """``log`` (a cited log line), ``row`` (a view row's time column) or ``finding``."""
    title: str
    level: str
    """``error``, ``warn``, ``info``, ``debug`` (log level, or a row's FAILED/non-zero result)."""
    server: str | None = None
    """The lane: the server the line came from or the row names; None for cluster-wide rows."""
    trace_id: str | None = None
    text: str = ""
    """The whole log line, or the row as ``column=value`` pairs."""
    where: str = ""
    """Provenance: ``server:file:line`` for a line, ``VIEW row N`` for a row."""
    file: str | None = None
    line: int | None = None
    raw_level: str | None = None
    findings: list[int] = field(default_factory=list)
    """1-based numbers of the findings that cite this event."""
    repeats: list["TimelineEvent"] = field(default_factory=list)
    """Later log lines saying the same thing right after this one (a retry or keep-alive loop),
    folded into this event so the timeline shows the loop once."""

    @property
    def last_time(self) -> datetime:
        return self.repeats[-1].time if self.repeats else self.time


@dataclass
class Timeline:
    events: list[TimelineEvent]
    lanes: list[str | None]
    """Lanes in display order: None (cluster views) first when used, then servers by address."""
    traces: list[str]
    """Trace ids in order of first appearance (their colour index)."""
    untimed: int = 0
    """Cited lines/rows that carry no time and so are not on the timeline."""


def build_timeline(report: Report) -> Timeline:
    events: dict[tuple, TimelineEvent] = {}
    untimed = 0
    for number, finding in enumerate(report.findings, 1):
        for step in finding.evidence:
            for ref in step.lines:
                event = log_event(ref)
                if event is None:
                    untimed += 1
                    continue
                _merge(events, ("log", ref.provenance.describe() if ref.provenance else ref.text), event, number)
            for row in step.rows:
                row_events = _row_events(row, step.looked_at)
                if not row_events:
                    untimed += 1
                for column, event in row_events:
                    key = ("row", row.provenance.describe() if row.provenance else step.looked_at, column,
                           _row_text(row.cells))
                    _merge(events, key, event, number)
        if finding.time is not None:
            level = {"confirmed": "error", "likely": "warn"}.get(finding.verdict.value, "warn")
            event = TimelineEvent(time=finding.time, kind="finding", level=level,
                                  title=f"#{number} {finding.verdict.value.upper()}: {finding.title}",
                                  text=finding.summary, trace_id=None)
            _merge(events, ("finding", number), event, number)
    ordered = _fold_repeats(sorted(events.values(),
                                   key=lambda e: (e.time, _kind_order(e.kind), e.server or "", e.where)))
    lanes_set = {e.server for e in ordered}
    lanes: list[str | None] = ([None] if None in lanes_set else []) + sorted(
        (s for s in lanes_set if s is not None), key=_address_key)
    traces: list[str] = []
    for e in ordered:
        if e.trace_id and e.trace_id not in traces:
            traces.append(e.trace_id)
    return Timeline(events=ordered, lanes=lanes, traces=traces, untimed=untimed)


def _fold_repeats(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Fold a run of consecutive log lines with the same server, trace, level and message."""
    out: list[TimelineEvent] = []
    for e in events:
        last = out[-1] if out else None
        if last is not None and repeats(last, e):
            last.repeats.append(e)
            last.findings.extend(n for n in e.findings if n not in last.findings)
            continue
        out.append(e)
    return out


def repeats(first: TimelineEvent, then: TimelineEvent) -> bool:
    """``then`` says what ``first`` said (same server, trace, level and message): one more turn
    of a retry loop. The HTML timeline and the text report group such runs by this test."""
    return (first.kind == "log" and then.kind == "log" and (then.server, then.trace_id, then.level, then.title)
            == (first.server, first.trace_id, first.level, first.title))


def _merge(events: dict, key: tuple, event: TimelineEvent, number: int) -> None:
    existing = events.setdefault(key, event)
    if number not in existing.findings:
        existing.findings.append(number)


def _kind_order(kind: str) -> int:
    return {"row": 0, "log": 1, "finding": 2}.get(kind, 3)


def log_event(ref: LineRef) -> TimelineEvent | None:
    """A cited line as an event, from its record's fields; None when the record had no time."""
    if ref.time is None:
        return None
    message = ref.message or ref.text
    if ref.errcode is not None and f"{ref.errcode}" not in message[:40]:
        message = f"{message} (errcode {ref.errcode})"
    prov = ref.provenance
    return TimelineEvent(
        time=ref.time, kind="log", title=_clip(message, 160),
        level=_LEVELS.get(ref.level or "", "info"), raw_level=ref.level,
        server=ref.server, trace_id=ref.trace_id, text=ref.text,
        where=prov.describe() if prov else "", file=ref.file, line=ref.line,
    )


def _row_events(row: RowRef, looked_at: str) -> list[tuple[str, TimelineEvent]]:
    """One event per time of the row; its title names the row (tenant, job...) and, at a time
    its state is as of, the status and result."""
    lowered = {str(k).lower(): v for k, v in row.cells.items()}
    view = row.view or looked_at.split()[0]
    identity = " ".join(f"{label} {lowered[c]}" for c, label in _IDENTITY_COLUMNS if lowered.get(c) not in (None, ""))
    status = lowered.get("status") or lowered.get("event")
    result = lowered.get("result")
    failed = (result not in (None, "", 0, "0")) or (isinstance(status, str) and status.upper() in _BAD_STATES)
    out = []
    if not identity and row.server:
        identity = f"server {row.server}"
    for t in row.times:
        final = t.status_then or len(row.times) == 1
        parts = [view + ":", identity or "row", t.meaning]
        if final and status:
            parts.append(str(status) if t.status_then else f"(status now {status})")
        if final and result not in (None, "", 0, "0"):
            parts.append(f"result {result}")
        title = " ".join(p for p in parts if p)
        out.append((t.column, TimelineEvent(
            time=t.time, kind="row", title=title, level="error" if final and failed else "info",
            server=row.server, trace_id=row.trace_id, text=_row_text(row.cells),
            where=row.provenance.describe() if row.provenance else view,
        )))
    return out


def _row_text(row: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in row.items() if v not in (None, ""))


def _address_key(address: str):
    parts = address.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts), address)
    return (1, (), address)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
