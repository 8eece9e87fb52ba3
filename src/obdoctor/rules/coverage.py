"""What the evidence lets obdoctor decide: the checks whose views were missing, and whether an
all-clear is earned.

"No failed or stuck backup" is a claim about views: the running jobs (stuck ones are there), the
job history (failed ones are there) and the root service's events (a refused start leaves no
job, only its ``start_backup_data`` event). Only when all three were read, for the tenant and job
asked about, may the report say so; otherwise it says what could not be read and the query that
would decide it. The other checks (tasks, archive, delete jobs, restore) are listed once when
their views are missing, with the reason recorded when the bundle was collected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from obdoctor.evidence import Evidence
from obdoctor.catalog.statuses import known_values
from obdoctor.evidence.kinds import KINDS, Kind
from obdoctor.evidence.records.columns import mapped_columns
from obdoctor.findings import Finding, Unchecked
from obdoctor.rules.base import RuleOptions


@dataclass(frozen=True)
class Check:
    what: str
    kind: Kind
    """The evidence kind it reads (``Evidence.get``)."""
    query: str
    decisive: bool = False
    """Needed before "nothing wrong" may be said."""


CHECKS: tuple[Check, ...] = (
    Check("running backup jobs", Kind.JOBS, "SELECT * FROM oceanbase.CDB_OB_BACKUP_JOBS", decisive=True),
    Check("finished backup jobs (job history)", Kind.JOB_HISTORY,
          "SELECT * FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY ORDER BY JOB_ID DESC LIMIT 50", decisive=True),
    Check("backup start attempts (start_backup_data events)", Kind.RS_EVENTS,
          "SELECT * FROM oceanbase.DBA_OB_ROOTSERVICE_EVENT_HISTORY WHERE MODULE IN "
          "('backup_data', 'backup', 'log_archive', 'connectivity_check')", decisive=True),
    Check("running backup tasks (CDB_OB_BACKUP_TASKS)", Kind.TASKS, "SELECT * FROM oceanbase.CDB_OB_BACKUP_TASKS"),
    Check("log archive status", Kind.ARCHIVELOG, "SELECT * FROM oceanbase.CDB_OB_ARCHIVELOG"),
    Check("backup delete jobs", Kind.DELETE_JOBS, "SELECT * FROM oceanbase.CDB_OB_BACKUP_DELETE_JOBS"),
    Check("finished backup delete jobs", Kind.DELETE_JOB_HISTORY,
          "SELECT * FROM oceanbase.CDB_OB_BACKUP_DELETE_JOB_HISTORY"),
    Check("restore jobs", Kind.RESTORE_PROGRESS, "SELECT * FROM oceanbase.CDB_OB_RESTORE_PROGRESS"),
    Check("finished restore jobs", Kind.RESTORE_HISTORY, "SELECT * FROM oceanbase.CDB_OB_RESTORE_HISTORY"),
)

STATUS_KINDS = tuple(kind for kind, spec in KINDS.items()
                     if any(known_values(view, column) for view in spec.views for column in mapped_columns(spec.record)))
"""The kinds with a status, stage or type column obdoctor knows the values of."""

_TENANT_KINDS = (Kind.JOBS, Kind.JOB_HISTORY, Kind.RS_EVENTS, Kind.TASKS, Kind.TASK_HISTORY, Kind.LS_TASK_HISTORY,
                 Kind.LS_TASKS)


@dataclass
class Coverage:
    unchecked: list[Unchecked]
    """Every check whose view could not be read, once."""
    undecided: list[Unchecked]
    """What keeps the report from saying "nothing wrong" (decisive views, malformed rows)."""
    out_of_scope: list[str]
    reasons: set[str]
    """The sources' own reasons for the missing views: a rule's "could not check" repeating one
    of them is the same fact, said once."""

    @property
    def decided(self) -> bool:
        return not self.undecided and not self.out_of_scope


def assess(evidence: Evidence, options: RuleOptions, findings: list[Finding]) -> Coverage:
    unchecked: list[Unchecked] = []
    undecided: list[Unchecked] = []
    reasons: set[str] = set()
    for check in CHECKS:
        found = evidence.get(check.kind)
        query = _scoped(check.query, options)
        if not found.available:
            item = Unchecked(check.what, compact_reason(found.reason), query)
            reasons.add(found.reason or "")
            unchecked.append(item)
            if check.decisive:
                undecided.append(item)
            continue
        table = evidence.table(found.source)
        named = {n.describe() for n in table.not_understood}  # each reported on its own by not_understood
        unread = [p for p in table.problems if p not in named]
        if check.decisive and unread:
            undecided.append(Unchecked(f"part of {found.source}",
                                       f"{len(unread)} row(s) or cell(s) could not be read: a failed job "
                                       f"may be among them ({unread[0]})", query))
    undecided += not_understood(evidence)
    return Coverage(unchecked, undecided, _out_of_scope(evidence, options, findings), reasons)


def not_understood(evidence: Evidence) -> list[Unchecked]:
    """Every status cell of the views read that is none of its column's values
    (``catalog/statuses.py``): a newer version's status, ``FAIL`` for ``FAILED``, an empty cell.
    Whatever the view, the row may be the failed or stuck one, so no all-clear while one is left,
    and each is named with the query that re-reads it and the version that wrote it."""
    if evidence.info.kind == "bundle":  # on disk every view is cheap to read; live, only those already asked
        for kind in STATUS_KINDS:
            evidence.get_if_there(kind)
    return [Unchecked(f"part of {item.view}",
                      f"a status obdoctor does not understand: what the row says is unknown ({item.describe()})",
                      item.query())
            for table in evidence.tables_read() for item in table.not_understood]


_NOT_IN_BUNDLE = re.compile(r"^(?P<view>[^:;]+): not in the bundle \(sql/[^)]*\)$")


_VIEW_REASON = re.compile(r"^(?P<view>[A-Za-z_][\w$]*): (?P<why>.+)$")


def _grouped(parts: list[str]) -> list[str]:
    """``A: why; B: why`` -> ``A / B: why``: a refused connection fails every view alike, and
    is said once (in the order the reasons first came)."""
    views: dict[str, list[str]] = {}
    for part in parts:
        m = _VIEW_REASON.match(part)
        key = m["why"] if m else part
        views.setdefault(key, []).extend([m["view"]] if m else [])
    return [f"{' / '.join(names)}: {why}" if names else why for why, names in views.items()]


def compact_reason(reason: str | None) -> str:
    """``A: not in the bundle (sql/A.*); B: not in the bundle (sql/B.*)`` -> one short sentence;
    a reason recorded at collection time (``not collected: ...``) is kept whole."""
    if not reason:
        return "view not available"
    parts = reason.split("; ")
    absent = [m["view"] for m in map(_NOT_IN_BUNDLE.match, parts) if m]
    rest = _grouped([p for p in parts if not _NOT_IN_BUNDLE.match(p)])
    if absent:
        rest.append(f"{' / '.join(absent)} not in the bundle (sql/<view>.*)" if len(absent) > 1
                    else f"{absent[0]} not in the bundle (sql/{absent[0]}.*)")
    return "; ".join(rest)


def _scoped(query: str, options: RuleOptions) -> str:
    if options.tenant_id is None or "WHERE" in query or "DBA_OB_ROOTSERVICE" in query:
        return query
    where = f" WHERE TENANT_ID = {options.tenant_id}"
    if options.job_id is not None and "JOB" in query:
        where += f" AND JOB_ID = {options.job_id}"
    head, _, tail = query.partition(" ORDER BY")
    return head + where + (" ORDER BY" + tail if tail else "")


def _out_of_scope(evidence: Evidence, options: RuleOptions, findings: list[Finding]) -> list[str]:
    """``--tenant``/``--job`` that no job, task, event or finding of the evidence matches."""
    if options.tenant_id is None and options.job_id is None:
        return []
    if any(options.wants(f.tenant_id, f.job_id) and (options.job_id is None or f.job_id == options.job_id)
           for f in findings):
        return []
    seen: dict[int, set[int]] = {}  # tenant -> its jobs: what a mistyped id could have meant
    for kind in _TENANT_KINDS:
        for record in evidence.get(kind):
            tenant = getattr(record, "tenant_id", None)
            job = getattr(record, "job_id", None) if kind is not Kind.RS_EVENTS else record.int_value("job_id")
            if isinstance(tenant, int):
                seen.setdefault(tenant, set()).update([job] if isinstance(job, int) else [])
            if options.tenant_id is not None and tenant != options.tenant_id:
                continue
            if options.job_id is not None and job != options.job_id:
                continue
            return []
    asked = " ".join(part for part in (f"--tenant {options.tenant_id}" if options.tenant_id is not None else "",
                                       f"--job {options.job_id}" if options.job_id is not None else "") if part)
    read = [evidence.get(k).source for k in _TENANT_KINDS if evidence.get(k).available]
    there = ""
    if options.tenant_id is not None and options.tenant_id in seen and seen[options.tenant_id]:
        there = f"; jobs of tenant {options.tenant_id} in the evidence: {_listed(seen[options.tenant_id])}"
    elif options.tenant_id is None and any(seen.values()):
        there = "; jobs in the evidence: " + "; ".join(f"tenant {t}: {_listed(jobs)}" for t, jobs in sorted(seen.items())
                                                       if jobs)
    elif seen:
        there = f"; tenants in the evidence: {_listed(seen)}"
    return [f"{asked} matches no backup job, task or event in the evidence"
            + (f" (read: {', '.join(read)})" if read else " (no job view could be read)") + there]


def _listed(ids, most: int = 10) -> str:
    """``1001, 1002`` (sorted), ``... and N more`` past ``most``."""
    ordered = sorted(ids)
    more = f" and {len(ordered) - most} more" if len(ordered) > most else ""
    return ", ".join(map(str, ordered[:most])) + more
