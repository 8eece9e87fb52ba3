"""What the restore rules share: the restore point, the restorable window, a restore code explained.

A service, not a rule: R1 (``rules/restore_command.py``) and R3 (``rules/restore_failed.py``)
explain a restore's code with it; R2 (``rules/restore_stuck.py``) reads the same facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from obdoctor.catalog.cause_ids import ARCHIVE_LOG_RECYCLED, RESTORE_COMMAND_FAILED, RESTORE_POINT_OUTSIDE_WINDOW
from obdoctor.evidence.clock import from_scn
from obdoctor.evidence.kinds import Kind
from obdoctor.catalog import error_docs
from obdoctor.catalog.data_files import data_toml
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records import scn_time
from obdoctor.findings import Verdict
from obdoctor.logs import LogRecord
from obdoctor.rules.base import Chain, RuleContext, fmt_time
from obdoctor.rules.services.destination import DestinationProblem, diagnose, is_destination_code
from obdoctor.rules.services.failure import uninformative_codes


NO_ENOUGH_LOG = -4018


ARCHIVE_RECYCLED = -9079


_SCN_IN_TEXT = re.compile(r"(\d{16,19})")


_POINT_KEYS = ("restore_scn", "until_scn", "recovery_until_scn", "restore_timestamp", "until_time")


def restore_facts() -> dict:
    return data_toml("beyond_runbook.toml")["restore"]


@dataclass
class Point:
    """A point in time as SCN and/or time, with where it came from."""

    scn: int | None
    time: datetime | None
    source: str

    def text(self) -> str:
        when = fmt_time(self.time) if self.time else f"{fmt_time(scn_time(self.scn))} UTC"
        return f"{when} (SCN {self.scn})" if self.scn else when

    def before(self, other: "Point") -> bool | None:
        if self.scn and other.scn:
            return self.scn < other.scn
        a, b = self.time or from_scn(self.scn), other.time or from_scn(other.scn)  # both on the views' clock
        if a is None or b is None:
            return None
        return a < b


def restore_point_from(values: dict[str, str | None], lines: list[LogRecord]) -> Point | None:
    """The UNTIL point of a restore, from event values or the fields of its log lines."""
    sources = [("the physical_restore event", dict(values))] + [(f"{l.where()}", dict(l.fields)) for l in lines]
    for source, fields in sources:
        for key in _POINT_KEYS:
            value = fields.get(key)
            if not value:
                continue
            m = _SCN_IN_TEXT.search(value)
            if m:
                return Point(int(m.group(1)), None, f"{key} in {source}")
            from obdoctor.logs import parse_ts

            when = parse_ts(value.strip('"'))
            if when:
                return Point(None, when, f"{key} in {source}")
    return None


def window_check(ctx: RuleContext, chain: Chain, point: Point | None, backup_tenant: int | None) -> bool | None:
    """Whether ``point`` is inside the restorable window (None: cannot tell). Adds the steps."""
    sets = [s for s in ctx.evidence.get(Kind.BACKUP_SET_FILES)
            if s.status == "SUCCESS" and (backup_tenant is None or s.tenant_id == backup_tenant)
            and s.file_status in (None, "AVAILABLE")]
    pieces = [p for p in ctx.evidence.get(Kind.ARCHIVE_PIECES) if backup_tenant is None or p.tenant_id == backup_tenant]
    archive = ctx.evidence.get(Kind.ARCHIVELOG)
    rounds = [r for r in archive if backup_tenant is None or r.tenant_id == backup_tenant]
    earliest = None
    if sets:
        first = min(sets, key=lambda s: (s.min_restore_scn or 0, s.min_restore or datetime.max))
        earliest = Point(first.min_restore_scn, first.min_restore, first.provenance.describe())
        chain.row_step(first.provenance.name,
                       f"{len(sets)} usable backup set(s); the earliest restorable point is {earliest.text()} "
                       f"(backup set {first.backup_set_id})",
                       sets, ("tenant_id", "backup_set_id", "backup_type", "status", "file_status", "min_restore"))
    latest = None
    reach = [(p.checkpoint_scn, p.checkpoint, p) for p in pieces] + [(r.checkpoint_scn, r.checkpoint, r) for r in rounds]
    reach = [x for x in reach if x[0] or x[1]]
    if reach:
        scn, when, record = max(reach, key=lambda x: (x[0] or 0, x[1] or datetime.min))
        latest = Point(scn, when, record.provenance.describe())
        chain.row_step(record.provenance.name, f"the archive reaches {latest.text()}", [record],
                       ("tenant_id", "round_id", "status", "checkpoint"))
    if point is None:
        chain.could_not_check("the restore point against the restorable window", "the UNTIL point is not in the evidence")
        return None
    if earliest is None and latest is None:
        chain.could_not_check("the restorable window", "no backup set files or archive pieces of the backup tenant",
                              _window_query(False, backup_tenant))
        chain.could_not_check("the restorable window's end", "no archive pieces or rounds of the backup tenant",
                              _window_query(True, backup_tenant))
        return None
    inside = True
    if earliest is not None and point.before(earliest):
        inside = False
    if latest is not None and latest.before(point):
        inside = False
    if inside and (earliest is None or latest is None):  # one bound unknown: the point may lie beyond it
        missing = "end (archive pieces, archive rounds)" if latest is None else "start (usable backup sets)"
        chain.could_not_check("the restore point against the restorable window",
                              f"the window's {missing} is not in the evidence: UNTIL {point.text()} is on the "
                              f"right side of {(earliest or latest).text()}, the only bound known, which does not "
                              "place it inside", _window_query(latest is None, backup_tenant))
        return None
    chain.step("the restore point against the restorable window",
               f"UNTIL {point.text()} ({point.source}) is {'inside' if inside else 'OUTSIDE'} the window "
               f"{earliest.text() if earliest else '?'} .. {latest.text() if latest else '?'}")
    if earliest is not None and point.before(earliest):
        chain.notes.append(_why_it_starts(ctx, point, backup_tenant, sets))
    if latest is not None and latest.before(point):
        if archive.available:
            chain.notes.append(_why_it_ends(rounds))
        else:
            chain.could_not_check("why the archive ends there (the archive round's status)",
                                  archive.reason or f"{archive.source} not available")
    return inside


def _window_query(end: bool, backup_tenant: int | None) -> str:
    """The query that reads one end of the restorable window: the archive's reach, or the first
    usable backup set (whole rows: its output is the view's file in a bundle)."""
    where = f" WHERE TENANT_ID = {backup_tenant}" if backup_tenant is not None else ""
    view = "CDB_OB_ARCHIVELOG_PIECE_FILES" if end else "CDB_OB_BACKUP_SET_FILES"
    return f"SELECT * FROM oceanbase.{view}{where}"


def _why_it_starts(ctx: RuleContext, point: Point, backup_tenant: int | None, usable) -> str:
    """Why the window starts after the point: the earlier backup sets that cannot seed a restore."""
    when = point.time or from_scn(point.scn)  # min_restore is a *_DISPLAY time: the views' clock
    earlier = [s for s in ctx.evidence.get(Kind.BACKUP_SET_FILES)
               if s not in usable and (backup_tenant is None or s.tenant_id == backup_tenant)
               and (s.min_restore is None or when is None or s.min_restore <= when)]
    if not earlier:
        return ("Why the window starts there: no backup set older than the restore point is in "
                "CDB_OB_BACKUP_SET_FILES (none was taken, or it was deleted and its rows are gone).")
    return ("Why the window starts there: the older backup set(s) cannot seed a restore: "
            + "; ".join(f"set {s.backup_set_id} is {s.status}/{s.file_status or '?'}" for s in earlier[:5]) + ".")


def _why_it_ends(rounds) -> str:
    """Why the window ends before the point: the archive round's status (stopped, interrupted...)
    or a round still DOING whose checkpoint had not got there yet."""
    if not rounds:
        return ("Why the window ends there is not in the evidence: CDB_OB_ARCHIVELOG has no round of the backup tenant "
                "(its archive may be another cluster's).")
    stopped = [r for r in rounds if r.status != "DOING"]
    if stopped:
        return ("Why the window ends there: the archive stopped growing: "
                + "; ".join(f"round {r.round_id} (dest_no {r.dest_no}) is {r.status}"
                            + (f" ({r.comment})" if r.comment else "") for r in stopped[:3]) + ".")
    return ("Why the window ends there: the archive is DOING but its checkpoint had not reached the restore point: "
            "wait for it (or restore to an earlier point).")


def explain_code(ctx: RuleContext, chain: Chain, code: int | None, *, tenant_id: int | None, point: Point | None,
                  backup_tenant: int | None, servers: tuple[str, ...], lines: list[LogRecord], since, until,
                  generic: str, target_name: str | None = None) -> tuple[str, Verdict, str, list[str]]:
    """(cause, verdict, summary tail, extra next steps) for a restore failure's code."""
    proof = any(l.ret() == code or (code is not None and f"ret={code}" in l.raw) for l in lines)
    if code == NO_ENOUGH_LOG:
        inside = window_check(ctx, chain, point, backup_tenant)
        if inside is False:
            return RESTORE_POINT_OUTSIDE_WINDOW, Verdict.CONFIRMED, "the restore point is outside the restorable window", []
        if inside is True:
            return generic, Verdict.LIKELY, "-4018 although the point looks restorable: check the paths given to RESTORE", []
        # The window could not place the point: -4018 is what the log (or the row) shows, "outside the
        # window" is one of its documented causes (the RESTORE's paths lacking a piece is another),
        # and nothing here tells which. Said as such, never confirmed.
        shown = "the log shows it" if proof else "the log line with it was not found"
        return (RESTORE_POINT_OUTSIDE_WINDOW, Verdict.UNKNOWN,
                f"no enough log for restore (-4018: {shown}); whether the restore point is outside the "
                "restorable window is not checked (see below for the query that decides it)", [])
    if code == ARCHIVE_RECYCLED:
        return ARCHIVE_LOG_RECYCLED, Verdict.CONFIRMED if proof else Verdict.LIKELY, "archived logs were recycled", []
    if is_destination_code(code):
        e = diagnose(ctx, chain, DestinationProblem(code, tenant_id, servers=servers, since=since, until=until,
                                                    lines=tuple(lines), purpose="restore"))
        return e.cause, e.verdict, e.summary, e.next_steps
    if code and generic == RESTORE_COMMAND_FAILED:  # a RESTORE refused: the signatures may know the code
        from obdoctor.rules.services.signatures import explain_refusal

        e = explain_refusal(ctx, chain, code, "restore", tenant_id=tenant_id, lines=lines)
        if e is not None:
            compare_target(ctx, chain, e.cause, target_name)
            return e.cause, e.verdict, e.summary, e.next_steps
    doc = error_docs.doc(code) if code else None
    tail = ("documented cause: " + " ".join(doc.cause).rstrip(".")) if doc and doc.cause else ""
    steps = [f"Documented solution: {s}" for s in doc.solution] if doc else []
    verdict = Verdict.CONFIRMED if proof else (Verdict.LIKELY if code else Verdict.UNKNOWN)
    if code in uninformative_codes() and not proof:  # "something unexpected happened": no cause without its line
        verdict, tail = Verdict.UNKNOWN, "that code names no cause: the line with it on the server tells what"
    return generic, verdict, tail, steps


def compare_target(ctx: RuleContext, chain: Chain, cause: str, target_name: str | None) -> None:
    """A RESTORE refused by the target is compared with what the target has: its tenants and
    running restores for a name that exists, its ACTIVE servers for a topology refusal (zones,
    resource pools and units are not read: said as not checked)."""
    if cause == "restore_tenant_exists":
        tenants = ctx.evidence.get(Kind.TENANTS)
        if not tenants.available:
            chain.could_not_check("the target's tenants", tenants.reason or f"{tenants.source} not available")
        elif target_name is None:
            chain.could_not_check("the target's tenant of the restored name", "the restore event names no tenant")
        else:
            same = [t for t in tenants if (t.name or "").lower() == target_name.lower()]
            if same:
                chain.row_step(tenants.source, f"the target already has tenant {target_name} (id {same[0].tenant_id}, "
                               f"{same[0].status}, {same[0].role or '?'})", same, ("tenant_id", "name", "status", "role"))
            else:
                chain.step(tenants.source, f"no tenant named {target_name} today: dropped since, or purged from the "
                           "recycle bin", provenance=[Provenance("sql", tenants.source)])
        running = [r for r in ctx.evidence.get(Kind.RESTORE_PROGRESS)
                   if target_name and (r.restore_tenant_name or "").lower() == target_name.lower()]
        if running:
            chain.row_step(running[0].provenance.name, f"a restore into {target_name} is still in progress "
                           f"(job {running[0].job_id}, {running[0].status})", running,
                           ("tenant_id", "job_id", "restore_tenant_name", "status", "start"))
    elif cause == "restore_target_topology":
        servers = ctx.evidence.get(Kind.SERVERS)
        if servers.available:
            active = [s for s in servers if s.status == "ACTIVE"]
            chain.row_step(servers.source, f"the target has {len(active)} ACTIVE server(s) of {len(list(servers))}: "
                           + ", ".join(s.svr_ip or "?" for s in active), list(servers), ("svr_ip", "svr_port", "status"))
        else:
            chain.could_not_check("the target's servers", servers.reason or f"{servers.source} not available")
        chain.could_not_check("the target's zones, resource pools and units against the locality",
                              "obdoctor does not read DBA_OB_ZONES, DBA_OB_RESOURCE_POOLS or DBA_OB_UNITS: "
                              "compare them with the source tenant's locality by hand")
