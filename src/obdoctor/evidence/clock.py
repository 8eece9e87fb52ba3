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
from collections.abc import Callable, Iterable
from itertools import islice
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo

from obdoctor.evidence.logquery import LogQuery, LogSearchResult
from obdoctor.evidence.rows import Row, TableResult
from obdoctor.logs import LogRecord, TRACE_ID, parse_ts
from obdoctor.zones import AMBIGUOUS_ZONES, MAX_OFFSET, format_offset, move, offset_at, zone_of

QUARTER = timedelta(minutes=15)
ANCHOR_SLACK = timedelta(seconds=90)
"""How far a row's time and its trace's first or last line may be apart, beyond whole quarter
hours (an event and its line are milliseconds apart; a job's end and its task's last line, seconds)."""
MAX_ANCHOR_TRACES = 16

# -- zones ----------------------------------------------------------------------------------------


def parse_offset(text: object, at: datetime | None = None) -> timedelta | None:
    """:func:`zone_of` as its offset from UTC at ``at`` (:func:`offset_at`)."""
    zone = zone_of(text)
    return offset_at(zone, at) if zone is not None else None


def _is_fixed(zone: tzinfo) -> bool:
    return isinstance(zone, timezone)


def system_offset(system_time_zone: str | None, collected: datetime | None) -> tuple[timedelta | None, str | None]:
    """The views' offset when the session zone is ``SYSTEM`` (views on the OS zone), and a note
    when it is not the OS zone's own: taken from ``collected_at``'s offset, or not known (UTC is
    then used for epoch columns, and said)."""
    zone = zone_of(system_time_zone)
    if zone is not None:
        return offset_at(zone, collected), None
    what = f"{system_time_zone!r}" if system_time_zone else "not said"
    why = (f" (an abbreviation: {AMBIGUOUS_ZONES[system_time_zone.upper()]})"
           if system_time_zone and system_time_zone.upper() in AMBIGUOUS_ZONES else "")
    if collected is not None and collected.tzinfo is not None:
        offset = collected.utcoffset()
        return offset, (f"views are on SYSTEM (the servers' zone) and the servers' zone is {what}{why}: "
                        f"collected_at's offset {format_offset(offset)} is taken to be the views'")
    return None, (f"views are on SYSTEM (the servers' zone) and the servers' zone is {what}{why}, not resolved: "
                  "epoch-microsecond columns (start_ts, generate_ts) are shown in UTC and may be off by the "
                  "servers' offset; view and log times are on the servers' clock")


def format_shift(shift: timedelta) -> str:
    """``8 h``, ``5 h 30 min``, ``45 min`` (no sign)."""
    minutes = abs(int(shift.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


_ZONE: contextvars.ContextVar[tzinfo] = contextvars.ContextVar("obdoctor_cluster_zone", default=timezone.utc)


def use_cluster_zone(zone: tzinfo | timedelta | None) -> None:
    """Set the zone epoch columns are converted in (the cluster's session zone, a named one keeps
    its DST; UTC when unknown, never the analyst's own zone: the same bundle reads the same everywhere)."""
    if isinstance(zone, timedelta):
        zone = timezone(zone)
    _ZONE.set(zone if zone is not None else timezone.utc)


def views_zone(info) -> tzinfo | None:
    """The views' zone of a ``SourceInfo``: the session zone as named (``SYSTEM``: the OS zone),
    else its offset at collection; None when unknown."""
    name = info.system_time_zone if (info.time_zone or "").upper() == "SYSTEM" else info.time_zone
    zone = zone_of(name)
    if zone is not None and not _is_fixed(zone):
        return zone
    return timezone(info.utc_offset) if info.utc_offset is not None else zone


def cluster_zone() -> tzinfo:
    return _ZONE.get()


def from_epoch_us(value: int) -> datetime:
    """An epoch-microsecond column (``start_ts``, ``generate_ts``) on the cluster's wall clock."""
    return datetime.fromtimestamp(value / 1_000_000, tz=cluster_zone()).replace(tzinfo=None)


SKEW_SLACK = timedelta(minutes=5)
"""How far a row may be after the evidence's "now" and still be taken as 'just now': two servers'
clocks differ a little (NTP keeps OceanBase servers within a few hundred milliseconds)."""


def elapsed(now: datetime | None, when: datetime | None) -> timedelta | None:
    """How long before ``now`` (the evidence's: ``collected_at``, the server's NOW()) ``when`` was.
    None when either is unknown or ``when`` is after ``now`` by more than ``SKEW_SLACK``: the
    clocks disagree and no age can be told (a negative age is no age)."""
    if now is None or when is None:
        return None
    gap = now - when
    if gap < -SKEW_SLACK:
        return None
    return max(gap, timedelta(0))


def after_now(now: datetime | None, when: datetime | None) -> str:
    """The words for a time :func:`elapsed` cannot age: '' when it can."""
    if now is None or when is None or elapsed(now, when) is not None:
        return ""
    return (f" (after the collection time {now:%Y-%m-%d %H:%M:%S}: the cluster's clock is behind this time, "
            "no age can be told)")


def zone_label() -> str:
    """The zone :func:`from_scn` and :func:`from_epoch_us` put instants on, to say beside them:
    ``+08:00``, ``Asia/Shanghai``, or ``UTC`` (also when the views' zone is not known)."""
    zone = cluster_zone()
    if zone is timezone.utc:
        return "UTC"
    return format_offset(zone.utcoffset(None)) if isinstance(zone, timezone) else str(zone)


def from_scn(scn: int | None) -> datetime | None:
    """A 4.x SCN (ns since the epoch) on the cluster's wall clock, to compare with ``*_SCN_DISPLAY``
    and other view times (the report's "UTC" texts use ``records.scn_time``); None if no SCN."""
    from obdoctor.evidence.records.cells import scn_time  # records.cells imports this module

    utc = scn_time(scn)
    if utc is None:
        return None
    try:
        return utc.replace(tzinfo=timezone.utc).astimezone(cluster_zone()).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return utc


# -- the shift ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockShift:
    """Log time + ``shift`` = the same instant on the views' clock."""

    shift: timedelta
    how: str
    """The sentence for the report: by how much, which way, and what says so."""
    views_zone: tzinfo | None = None
    logs_zone: tzinfo | None = None
    """Both set when a side is a named zone with DST: each time is then moved by the offsets in
    force at that time, not by ``shift`` (the difference at collection)."""
    servers: tuple[tuple[str, "ClockShift | None"], ...] = ()
    """Servers whose logs are on another clock than this one (inferred per server: one at +08:00,
    another at UTC), with their own shift (None: the views' clock)."""

    def of(self, server: str | None) -> "ClockShift | None":
        """The shift of ``server``'s lines: its own when it differs, else this one (None when zero)."""
        for name, shift in self.servers:
            if name == server:
                return shift
        return self if self.shift or self.views_zone is not None else None

    def to_logs(self, when: datetime | None) -> datetime | None:
        return _move(when, self.views_zone, self.logs_zone, -self.shift)

    def to_views(self, when: datetime | None) -> datetime | None:
        return _move(when, self.logs_zone, self.views_zone, self.shift)


def _move(when: datetime | None, source: tzinfo | None, target: tzinfo | None, shift: timedelta) -> datetime | None:
    """``when`` from one wall clock to the other (by the zones when both are named, else by
    ``shift``). The calendar's edges are open ends (``--since 0001-01-01`` resolves to
    ``datetime.min``) and stay there; a time moved past an edge stops at it."""
    if source is not None and target is not None:
        return move(when, source, target)
    if when is None or when in (datetime.min, datetime.max):
        return when
    try:
        return when + shift
    except OverflowError:
        return datetime.min if when.year < 5000 else datetime.max


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
    ``SYSTEM`` (views and logs on the OS zone: one clock) or both zones resolve. When either is a
    named zone whose offset changes (DST), the shift follows it: zones equal at collection may be
    an hour apart in the other season."""
    if (info.time_zone or "").upper() == "SYSTEM":
        return True, None, None
    logs = zone_of(info.system_time_zone)
    if info.utc_offset is None or logs is None:
        return False, None, None
    views = views_zone(info)  # a named session zone, else the offset the server (or manifest) says
    view_name, log_name = info.time_zone or format_offset(info.utc_offset), info.system_time_zone or "?"
    if _is_fixed(views) and _is_fixed(logs):
        shift = between_zones(info.utc_offset, logs.utcoffset(None), view_name, log_name, said_by)
        return True, shift, shift.how if shift else None
    if str(views) == str(logs):
        return True, None, None  # the same named zone on both sides
    collected = info.collected_at or datetime.now(timezone.utc).astimezone(views).replace(tzinfo=None)
    at = collected.replace(tzinfo=views)
    year = collected.year
    shifts = {offset_at(views, moment) - offset_at(logs, moment)
              for moment in (at, datetime(year, 1, 15, tzinfo=timezone.utc), datetime(year, 7, 15, tzinfo=timezone.utc))}
    if shifts == {timedelta(0)}:
        return True, None, None
    now = offset_at(views, at) - offset_at(logs, at)
    follows = (f"the offset between the servers' zone {log_name} and the views' {view_name} changes with daylight "
               "saving time: each time is moved by the offsets in force then")
    base = between_zones(now, timedelta(0), view_name, log_name, said_by)
    how = (f"{base.how}; {follows}" if base else
           f"log times are on the views' clock at collection ({said_by}), but {follows}")
    return True, ClockShift(now, how, views, logs), how


def with_recorded(info, recorded: dict, default: ClockShift | None, all_servers: Iterable[str],
                  inferred: Callable[[], dict[str, timedelta]]) -> tuple[ClockShift | None, list[str]]:
    """The clock when ``collect`` read each server's zone (manifest ``[cluster.server_time_zones]``,
    ``date +%z``: the offset at collection): a server whose zone was read is on that clock, before
    ``default`` (``system_time_zone`` or the trace ids) which keeps the others. The trace ids are
    still asked (``inferred``: server -> shift); where they disagree with a zone read, the zone read
    is used and the disagreement said. Returns the clock and its notes."""
    notes: list[str] = []
    if info.utc_offset is None:
        return default, ["zones were read on the servers at collection (manifest server_time_zones), but the "
                         "views' zone is not known: they cannot be put against the views' times"]
    view_name = info.time_zone or format_offset(info.utc_offset)
    own: dict[str, ClockShift | None] = {}
    for server, text in sorted(recorded.items()):
        offset = parse_offset(text, info.collected_at)
        if offset is None:
            notes.append(f"{server}: the zone read at collection {str(text)[:40]!r} (manifest server_time_zones) "
                         "cannot be resolved to an offset: its clock is taken as for the other servers")
            continue
        own[server] = between_zones(info.utc_offset, offset, view_name, str(text),
                                    f"the zone read on {server} at collection")
    if not own:
        return default, notes
    against = inferred()
    for server, shift in own.items():
        said = shift.shift if shift else timedelta(0)
        if server in against and against[server] != said:
            notes.append(f"{server}: by the zone read on it at collection ({recorded[server]}) its log times are "
                         f"{_are(said)}, by its trace ids {_are(against[server])}: they disagree; the zone read at "
                         "collection is used (the server's zone may have changed since the lines were written)")
    how = ("log times per server, from the zones read on each at collection (manifest server_time_zones): "
           + "; ".join(f"{server}: {shift.how if shift else _are(timedelta(0)) + ' (the zone read on ' + server + ' at collection)'}"
                       for server, shift in own.items()))
    others = [s for s in all_servers if s not in own]
    base = default if others else None
    if others and default is not None:
        how += f"; the other servers ({', '.join(others)}): {default.how}"
    if all((shift.shift if shift else None) == (base.shift if base else None) for shift in own.values()) \
            and (base is None or base.views_zone is None):
        root = base if base is not None else next((s for s in own.values() if s is not None), None)
        return (replace(root, how=how, servers=()) if root is not None else None), notes + [how]
    root = replace(base, how=how, servers=tuple(own.items())) if base is not None else \
        ClockShift(timedelta(0), how, servers=tuple(own.items()))
    return root, notes + [how]


def search_on_views(query: LogQuery, shift: ClockShift | None, servers: Iterable[str],
                    search: Callable[[LogQuery], LogSearchResult]) -> LogSearchResult:
    """``search`` (on the servers' clocks) asked ``query`` (on the views'): the window moved per
    group of servers sharing a clock, the lines brought back and merged in time order."""
    if shift is None or not shift.servers:
        return back_on_views(search(searching(query, shift)), query, shift)
    groups: dict[int, tuple[ClockShift | None, list[str]]] = {}
    for server in query.servers or tuple(servers):
        own = shift.of(server)
        groups.setdefault(id(own), (own, []))[1].append(server)
    merged = LogSearchResult(query)
    windows = []
    for own, names in groups.values():
        asked = replace(query, servers=tuple(names))
        part = back_on_views(search(searching(asked, own)), asked, own)
        merged.records.extend(part.records)
        merged.total_matches += part.total_matches
        merged.files_searched.extend(part.files_searched)
        merged.unchecked.extend(part.unchecked)
        windows.append(f"{', '.join(names)}: {part.window}" if len(groups) > 1 else part.window)
    merged.records.sort(key=lambda r: (r.ts is None, r.ts or datetime.min))
    del merged.records[query.limit:]
    merged.window = "; ".join(windows)
    return merged


def searching(query: LogQuery, shift: ClockShift | None) -> LogQuery:
    """The query on the servers' clock. When their clock goes back inside the window (DST ends:
    08:00 .. 09:00 on +08:00 is 02:00 CEST .. 02:00 CET in Berlin), the window is widened to
    every wall time the hour shows, both passes of the repeated hour."""
    if shift is None or (query.since is None and query.until is None):
        return query
    since, until = shift.to_logs(query.since), shift.to_logs(query.until)
    lasted = _lasted(query.since, query.until, shift.views_zone)
    if shift.logs_zone is not None and lasted is not None and since is not None and until is not None \
            and until - since != lasted and datetime.min < since and until < datetime.max:
        try:
            since, until = min(since, until - lasted), max(until, since + lasted)
        except OverflowError:
            pass
    return replace(query, since=since.replace(fold=0) if since else since, until=until.replace(fold=0) if until else until)


def _lasted(since: datetime | None, until: datetime | None, zone: tzinfo | None) -> timedelta | None:
    """The real time from ``since`` to ``until`` (wall times on ``zone``), None when not both known."""
    if since is None or until is None or zone is None or datetime.min in (since, until) or datetime.max in (since, until):
        return None
    try:
        return until.replace(tzinfo=zone).astimezone(timezone.utc) - since.replace(tzinfo=zone).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


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
    votes = _votes(anchors, records)
    if not votes:
        return None, None
    shift, backing = max(votes.items(), key=_strongest)
    others = sum(len(v) for k, v in votes.items() if k != shift)
    per_server = _per_server(votes)
    if len(set(per_server.values())) > 1:  # servers on different clocks: each its own
        mine = {server: _inferred(s, votes[s], server) for server, s in sorted(per_server.items())}
        how = ("log times are not on one clock across servers (inferred per server from trace ids): "
               + "; ".join(f"{server}: {c.how if c else _same_clock(votes[per_server[server]], server)}"
                           for server, c in mine.items())
               + f"; a server without such a trace is taken to be like {_say(shift)}")
        root = ClockShift(shift, how, servers=tuple(mine.items()))
        return root, how
    if not shift:
        return None, None
    found = _inferred(shift, backing, None, others)
    return found, found.how


def infer_by_server(tables: Iterable[TableResult], search: Callable[[tuple[str, ...]], Iterable[LogRecord]],
                    ) -> dict[str, timedelta]:
    """Each server's shift as its own anchors' lines vote (servers with none are left out): to
    check a zone read on the server against what its trace ids say."""
    anchors = [a for table in tables for a in anchors_in(table.rows)]
    traces = tuple(dict.fromkeys(a.trace for a in anchors))[:MAX_ANCHOR_TRACES]
    if not traces:
        return {}
    records = list(islice(search(traces), MAX_ANCHOR_LINES))
    return _per_server(_votes([a for a in anchors if a.trace in traces], records))


def _votes(anchors: list[Anchor], records: Iterable[LogRecord]) -> dict[timedelta, list[tuple[timedelta, Anchor, LogRecord]]]:
    """Per shift, the anchors whose trace's first or last line is that shift away (see :func:`infer`)."""
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
    return votes


def _strongest(item: tuple[timedelta, list]) -> tuple[int, timedelta]:
    """The shift most anchors agree on; between equals, the one with the closest match."""
    return len(item[1]), -min(r for r, _, _ in item[1])


def _per_server(votes: dict[timedelta, list]) -> dict[str, timedelta]:
    """Each server's own winning shift, from the anchors whose line was on it."""
    mine: dict[str, dict[timedelta, list]] = {}
    for shift, backing in votes.items():
        for vote in backing:
            if vote[2].server:
                mine.setdefault(vote[2].server, {}).setdefault(shift, []).append(vote)
    return {server: max(theirs.items(), key=_strongest)[0] for server, theirs in mine.items()}


def _say(shift: timedelta) -> str:
    return "the views' clock" if not shift else f"{format_shift(shift)} {'behind' if shift > timedelta(0) else 'ahead of'} the views'"


def _are(shift: timedelta) -> str:
    return "on the views' clock" if not shift else _say(shift)


def _same_clock(backing: list, server: str) -> str:
    _, anchor, record = min((b for b in backing if b[2].server == server), key=lambda b: b[0])
    return (f"on the views' clock (trace {anchor.trace} is in {anchor.where} at {anchor.at:%Y-%m-%d %H:%M:%S.%f} "
            f"and in {record.where()} at {record.ts:%Y-%m-%d %H:%M:%S.%f})")


def _inferred(shift: timedelta, backing: list, server: str | None, others: int = 0) -> ClockShift | None:
    """The shift ``backing`` votes for (on ``server``'s lines only when given), with its sentence."""
    if not shift:
        return None
    mine = [b for b in backing if server is None or b[2].server == server]
    _, anchor, record = min(mine, key=lambda b: b[0])
    dissent = f"; {others} other anchor(s) disagree" if others else ""
    how = (f"log times are {_say(shift)} "
           f"(inferred: trace {anchor.trace} is in {anchor.where} at {anchor.at:%Y-%m-%d %H:%M:%S.%f} and in "
           f"{record.where()} at {record.ts:%Y-%m-%d %H:%M:%S.%f}; {len(mine)} anchor(s) agree{dissent}); log search "
           f"windows are moved by {format_shift(shift)} and log lines are shown on the views' clock")
    return ClockShift(shift, how)
