"""One clock for views and logs.

View times are written on the cluster's session time zone (``@@time_zone``); log lines on each
server's OS zone (``@@system_time_zone``, what the observer process inherited). When the two
differ (views +08:00, servers on UTC), a rule's window taken from a view misses the lines that
prove the cause. Sources therefore search logs on the servers' clock and hand lines back on the
views' clock: ``ClockShift`` is how far to move a log time to put it on the views' clock.

Where the shift comes from, best first: both zones said (live: the two variables; offline: the
manifest's ``time_zone`` and ``system_time_zone``); else inferred from anchors, the same trace id
in a row (a COMMENT, an event's VALUE, an ls task's trace) and in a log line, whose times differ
by a whole number of quarter hours; else none (one clock assumed, said when a zone was known).
Epoch-microsecond columns are instants: they are converted on the cluster's zone
(:func:`cluster_zone`), never the analyst's.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterable
from itertools import islice
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo

from obdoctor.evidence.logquery import LogQuery, LogSearchResult
from obdoctor.evidence.rows import Row, TableResult
from obdoctor.logs import LogRecord, TRACE_ID, parse_ts

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UCT", "ZULU", "UNIVERSAL", "ETC/UTC", "ETC/GMT", "+00:00", "-00:00"})
QUARTER = timedelta(minutes=15)
MAX_OFFSET = timedelta(hours=14)
ANCHOR_SLACK = timedelta(seconds=90)
"""How far a row's time and its trace's first or last line may be apart, beyond whole quarter
hours (an event and its line are milliseconds apart; a job's end and its task's last line, seconds)."""
MAX_ANCHOR_TRACES = 16

# -- zones ----------------------------------------------------------------------------------------


def parse_offset(text: object, at: datetime | None = None) -> timedelta | None:
    """A zone as MySQL/OceanBase or a manifest write it, as its offset from UTC.

    ``+08:00``, ``-05:30``, ``+0800``, ``UTC``, ``Z``, ``Asia/Shanghai`` (the offset at ``at``,
    DST included). None for ``SYSTEM`` (the server's OS zone: ask ``@@system_time_zone``),
    an ambiguous abbreviation (``CST`` is China, US Central or Cuba) and anything unknown.
    """
    if text is None:
        return None
    name = str(text).strip()
    if not name or name.upper() == "SYSTEM":
        return None
    if name.upper() in _UTC_NAMES:
        return timedelta(0)
    m = _OFFSET.match(name)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        value = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)) * sign
        return value if abs(value) <= MAX_OFFSET else None
    if "/" not in name:
        return None  # an abbreviation: not a zone anyone can resolve for sure
    try:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(name)
    except (ValueError, KeyError, OSError, ImportError):  # ZoneInfoNotFoundError is a KeyError
        return None
    return (at or datetime.now()).replace(tzinfo=zone).utcoffset()


def format_offset(offset: timedelta) -> str:
    """``+08:00`` / ``-05:30`` / ``+00:00``."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def format_shift(shift: timedelta) -> str:
    """``8 h``, ``5 h 30 min``, ``45 min`` (no sign)."""
    minutes = abs(int(shift.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


_ZONE: contextvars.ContextVar[tzinfo] = contextvars.ContextVar("obdoctor_cluster_zone", default=timezone.utc)


def use_cluster_zone(offset: timedelta | None) -> None:
    """Set the zone epoch columns are converted in (the cluster's session zone; UTC when unknown,
    never the analyst's own zone: the same bundle reads the same everywhere)."""
    _ZONE.set(timezone(offset) if offset is not None else timezone.utc)


def cluster_zone() -> tzinfo:
    return _ZONE.get()


def from_epoch_us(value: int) -> datetime:
    """An epoch-microsecond column (``start_ts``, ``generate_ts``) on the cluster's wall clock."""
    return datetime.fromtimestamp(value / 1_000_000, tz=cluster_zone()).replace(tzinfo=None)


# -- the shift ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockShift:
    """Log time + ``shift`` = the same instant on the views' clock."""

    shift: timedelta
    how: str
    """The sentence for the report: by how much, which way, and what says so."""

    def to_logs(self, when: datetime | None) -> datetime | None:
        return when - self.shift if when is not None else None

    def to_views(self, when: datetime | None) -> datetime | None:
        return when + self.shift if when is not None else None


def between_zones(view_offset: timedelta, log_offset: timedelta, view_zone: str, log_zone: str,
                  said_by: str) -> ClockShift | None:
    """The shift when both zones are known; None when they are the same clock."""
    shift = view_offset - log_offset
    if not shift:
        return None
    return ClockShift(shift, f"log times are {format_shift(shift)} {'behind' if shift > timedelta(0) else 'ahead of'} "
                             f"the views' (servers' zone {log_zone}, views' zone {view_zone}, {said_by}); log search "
                             f"windows are moved by {format_shift(shift)} and log lines are shown on the views' clock")


def from_zones(info, said_by: str) -> tuple[bool, ClockShift | None, str | None]:
    """(decided, shift, note) from a ``SourceInfo``'s zones. Decided when the session zone is
    ``SYSTEM`` (views and logs on the OS zone: one clock) or both zones resolve to offsets."""
    if (info.time_zone or "").upper() == "SYSTEM":
        return True, None, None
    logs = parse_offset(info.system_time_zone, info.collected_at)
    if info.utc_offset is None or logs is None:
        return False, None, None
    shift = between_zones(info.utc_offset, logs, info.time_zone or format_offset(info.utc_offset),
                          info.system_time_zone or "?", said_by)
    return True, shift, shift.how if shift else None


def searching(query: LogQuery, shift: ClockShift | None) -> LogQuery:
    """The query on the servers' clock."""
    if shift is None or (query.since is None and query.until is None):
        return query
    return replace(query, since=shift.to_logs(query.since), until=shift.to_logs(query.until))


def back_on_views(result: LogSearchResult, asked: LogQuery, shift: ClockShift | None) -> LogSearchResult:
    """A result searched with ``searching(asked, shift)``, its lines and query on the views' clock."""
    result.window = describe_window(asked, shift)
    result.query = asked
    if shift is not None:
        for record in result.records:
            if record.ts is not None:
                record.ts = shift.to_views(record.ts)
    return result


def describe_window(query: LogQuery, shift: ClockShift | None) -> str:
    """``2023-09-26 14:30:00 .. 14:40:00`` (and on the servers' clock when it differs)."""
    if query.since is None and query.until is None:
        return "any time"
    text = _span(query.since, query.until)
    if shift is not None:
        text += f" (servers' clock {_span(shift.to_logs(query.since), shift.to_logs(query.until))})"
    return text


def _span(since: datetime | None, until: datetime | None) -> str:
    def fmt(when: datetime | None) -> str:
        return when.strftime("%Y-%m-%d %H:%M:%S") if when else "…"
    if since and until and since.date() == until.date():
        return f"{fmt(since)} .. {until.strftime('%H:%M:%S')}"
    return f"{fmt(since)} .. {fmt(until)}"


# -- inference from anchors -----------------------------------------------------------------------

ANCHOR_TIME_COLUMNS = ("TIMESTAMP", "END_TIMESTAMP", "START_TIMESTAMP")
"""A row's own time: an event's, a job's or task's end (or start). Not GMT_MODIFIED/GMT_CREATE:
a long task's row is touched long after its trace's lines began."""


@dataclass(frozen=True)
class Anchor:
    trace: str
    at: datetime
    where: str
    """``DBA_OB_ROOTSERVICE_EVENT_HISTORY row 2``."""


def anchors_in(rows: Iterable[Row]) -> list[Anchor]:
    """Trace ids written in a row (any cell) with the row's own time (text columns only: an
    epoch column is already an instant and says nothing about the views' zone)."""
    out: list[Anchor] = []
    for row in rows:
        at = None
        for column in ANCHOR_TIME_COLUMNS:
            text = row.text(column)
            if text and not text.isdigit():
                at = parse_ts(text)
                if at:
                    break
        if at is None:
            continue
        for value in row.as_dict().values():
            if isinstance(value, str) and "-" in value:
                for trace in TRACE_ID.findall(value):
                    out.append(Anchor(trace, at, row.provenance.describe()))
    return out


ANCHOR_KINDS = ("rs_events", "job_history", "jobs", "task_history", "tasks", "ls_task_history", "ls_tasks",
                "server_events")
"""Views whose rows carry trace ids (an event's VALUEs, a job's COMMENT, a task's trace)."""
MAX_ANCHOR_LINES = 20_000


def anchor_views(available: Callable[[str], bool]) -> list[str]:
    """Per anchor kind, the first of its views (``evidence.VIEWS`` order) that ``available`` says is there."""
    from obdoctor.evidence.evidence import VIEWS  # evidence.evidence imports this module

    out = []
    for kind in ANCHOR_KINDS:
        name = next((n for n in VIEWS[kind] if available(n)), None)
        if name:
            out.append(name)
    return out


def infer_from(tables: Iterable[TableResult], search: Callable[[tuple[str, ...]], Iterable[LogRecord]],
               ) -> tuple[ClockShift | None, str | None]:
    """:func:`infer` over the anchors of ``tables``, their lines found by ``search(trace ids)``."""
    anchors = [a for table in tables for a in anchors_in(table.rows)]
    traces = tuple(dict.fromkeys(a.trace for a in anchors))[:MAX_ANCHOR_TRACES]
    if not traces:
        return None, None
    records = list(islice(search(traces), MAX_ANCHOR_LINES))
    return infer([a for a in anchors if a.trace in traces], records)


def infer(anchors: list[Anchor], records: Iterable[LogRecord]) -> tuple[ClockShift | None, str | None]:
    """The shift the anchors agree on, and a note; (None, None) when nothing could be said.

    Per anchor, the first and the last line of its trace (a row is written when its work
    starts or ends: an event, a job's end) are compared with the row's time; the one a whole
    number of quarter hours away (within ``ANCHOR_SLACK``) votes for that shift; the most voted
    shift wins. Lines in between are not used: a trace that logs every minute for an hour would
    match any quarter hour. A zero shift is returned as None with no note: one clock.
    """
    by_trace: dict[str, list[LogRecord]] = {}
    for record in records:
        if record.trace_id and record.ts is not None:
            by_trace.setdefault(record.trace_id, []).append(record)
    votes: dict[timedelta, list[tuple[timedelta, Anchor, LogRecord]]] = {}
    for anchor in anchors:
        lines = by_trace.get(anchor.trace)
        if not lines:
            continue
        best = None
        for record in (min(lines, key=lambda r: r.ts), max(lines, key=lambda r: r.ts)):
            diff = anchor.at - record.ts  # views - logs
            shift = QUARTER * round(diff / QUARTER)
            residual = abs(diff - shift)
            if abs(shift) <= 2 * MAX_OFFSET and residual <= ANCHOR_SLACK and (best is None or residual < best[0]):
                best = (residual, shift, record)
        if best is not None:
            votes.setdefault(best[1], []).append((best[0], anchor, best[2]))
    if not votes:
        return None, None
    shift, backing = max(votes.items(), key=lambda kv: (len(kv[1]), -min(r for r, _, _ in kv[1])))
    if not shift:
        return None, None
    _, anchor, record = min(backing, key=lambda b: b[0])
    others = sum(len(v) for k, v in votes.items() if k != shift)
    dissent = f"; {others} other anchor(s) disagree" if others else ""
    where = record.where()
    how = (f"log times are {format_shift(shift)} {'behind' if shift > timedelta(0) else 'ahead of'} the views' "
           f"(inferred: trace {anchor.trace} is in {anchor.where} at {anchor.at:%Y-%m-%d %H:%M:%S.%f} and in "
           f"{where} at {record.ts:%Y-%m-%d %H:%M:%S.%f}; {len(backing)} anchor(s) agree{dissent}); log search "
           f"windows are moved by {format_shift(shift)} and log lines are shown on the views' clock")
    return ClockShift(shift, how), how
