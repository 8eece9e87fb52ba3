"""R1-R3: physical restore, as OceanBase's "physical restore failures" page walks it.

R1  the RESTORE command fails: ``physical_restore`` events with a result, then
    ``grep ob_restore_util rootservice.log | grep ret=<code>`` on the root service; -4018 is
    checked against the restorable window (backup sets' MIN_RESTORE_SCN .. archive checkpoint).
R2  the restore stays RESTORING: in RESTORE_WAIT_LS, the ls meta restore_status, GV$OB_LOG_STAT
    END_SCN vs recovery_until_scn, replay stat and log stream 1's recovery stat say which step
    hangs; in another status, the tenant's schema refresh (GV$OB_SERVER_SCHEMA_INFO, SerScheQueue).
R3  the job is FAILED: CDB_OB_RESTORE_HISTORY.COMMENT names server or root service, trace and code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from obdoctor.addresses import server_ip
from obdoctor.evidence.records import RootServiceEvent
from obdoctor.evidence.records import RestoreJob, scn_time
from obdoctor.findings import Finding, Verdict
from obdoctor.catalog import error_docs
from obdoctor.catalog.data_files import data_toml
from obdoctor.logs.record import LogRecord
from obdoctor.logs.traceid import is_trace_id
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, fmt_time, search
from obdoctor.rules.services.destination import DestinationProblem, diagnose, is_destination_code

NO_ENOUGH_LOG = -4018
ARCHIVE_RECYCLED = -9079
_SCN_IN_TEXT = re.compile(r"(\d{16,19})")
_POINT_KEYS = ("restore_scn", "until_scn", "recovery_until_scn", "restore_timestamp", "until_time")


def restore_facts() -> dict:
    return data_toml("beyond_runbook.toml")["restore"]


# -- the restorable window ---------------------------------------------------------------------

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
        a, b = self.time or scn_time(self.scn), other.time or scn_time(other.scn)
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
            from obdoctor.logs.parser import parse_ts

            when = parse_ts(value.strip('"'))
            if when:
                return Point(None, when, f"{key} in {source}")
    return None


def window_check(ctx: RuleContext, chain: Chain, point: Point | None, backup_tenant: int | None) -> bool | None:
    """Whether ``point`` is inside the restorable window (None: cannot tell). Adds the steps."""
    sets = [s for s in ctx.evidence.backup_set_files()
            if s.status == "SUCCESS" and (backup_tenant is None or s.tenant_id == backup_tenant)
            and s.file_status in (None, "AVAILABLE")]
    pieces = [p for p in ctx.evidence.archive_pieces() if backup_tenant is None or p.tenant_id == backup_tenant]
    rounds = [r for r in ctx.evidence.archivelog() if backup_tenant is None or r.tenant_id == backup_tenant]
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
        chain.could_not_check("the restorable window", "no backup set files or archive pieces of the backup tenant")
        return None
    inside = True
    if earliest is not None and point.before(earliest):
        inside = False
    if latest is not None and latest.before(point):
        inside = False
    chain.step("the restore point against the restorable window",
               f"UNTIL {point.text()} ({point.source}) is {'inside' if inside else 'OUTSIDE'} the window "
               f"{earliest.text() if earliest else '?'} .. {latest.text() if latest else '?'}")
    return inside


def _explain_code(ctx: RuleContext, chain: Chain, code: int | None, *, tenant_id: int | None, point: Point | None,
                  backup_tenant: int | None, servers: tuple[str, ...], lines: list[LogRecord], since, until,
                  generic: str) -> tuple[str, Verdict, str, list[str]]:
    """(cause, verdict, summary tail, extra next steps) for a restore failure's code."""
    proof = any(l.ret() == code or (code is not None and f"ret={code}" in l.raw) for l in lines)
    if code == NO_ENOUGH_LOG:
        inside = window_check(ctx, chain, point, backup_tenant)
        if inside is False:
            return "restore_point_outside_window", Verdict.CONFIRMED, "the restore point is outside the restorable window", []
        if inside is True:
            return generic, Verdict.LIKELY, "-4018 although the point looks restorable: check the paths given to RESTORE", []
        return ("restore_point_outside_window", Verdict.CONFIRMED if proof else Verdict.LIKELY,
                "no enough log for restore: the restore point is probably outside the restorable window", [])
    if code == ARCHIVE_RECYCLED:
        return "archive_log_recycled", Verdict.CONFIRMED if proof else Verdict.LIKELY, "archived logs were recycled", []
    if is_destination_code(code):
        e = diagnose(ctx, chain, DestinationProblem(code, tenant_id, servers=servers, since=since, until=until,
                                                    lines=tuple(lines), purpose="restore"))
        return e.cause, e.verdict, e.summary, e.next_steps
    if code and generic == "restore_command_failed":  # a RESTORE refused: the signatures may know the code
        from obdoctor.rules.services.signatures import explain_refusal

        e = explain_refusal(ctx, chain, code, "restore", tenant_id=tenant_id, lines=lines)
        if e is not None:
            return e.cause, e.verdict, e.summary, e.next_steps
    doc = error_docs.doc(code) if code else None
    tail = ("documented cause: " + " ".join(doc.cause).rstrip(".")) if doc and doc.cause else ""
    steps = [f"Documented solution: {s}" for s in doc.solution] if doc else []
    verdict = Verdict.CONFIRMED if proof else (Verdict.LIKELY if code else Verdict.UNKNOWN)
    return generic, verdict, tail, steps


# -- R1: the RESTORE command fails ---------------------------------------------------------------

class RestoreCommandFailed(Rule):
    """ALTER SYSTEM RESTORE failed: a ``physical_restore`` event with a non-zero result, proved by
    ``ob_restore_util`` lines with ``ret=<code>`` in the root service's rootservice.log; -4018
    (no enough log for restore) is checked against the restorable window.
    """

    id = "R1"
    name = "restore-command-failed"
    needs = ("rs_events", "backup_set_files", "archive_pieces", "archivelog", "tenants", "logs:rootservice")
    codes = (NO_ENOUGH_LOG,)

    def check(self, ctx: RuleContext) -> list[Finding]:
        events = ctx.evidence.rs_events("physical_restore")
        latest: dict[object, RootServiceEvent] = {}
        for e in events:
            if not ctx.options.in_window(e.timestamp) or not ctx.options.wants(e.tenant_id):
                continue
            key = e.tenant_id if e.tenant_id is not None else e.value("tenant_name") or e.value("restore_tenant_name")
            if key not in latest or (e.timestamp or datetime.min) >= (latest[key].timestamp or datetime.min):
                latest[key] = e
        findings = []
        for event in latest.values():
            code = event.result if event.result else None
            if code is None:
                ret = event.int_value("ret")
                code = -abs(ret) if ret else None
            if code:
                findings.append(self._diagnose(ctx, event, code))
        return findings

    def _diagnose(self, ctx: RuleContext, event: RootServiceEvent, code: int) -> Finding:
        chain = Chain(self.id)
        chain.row_step("DBA_OB_ROOTSERVICE_EVENT_HISTORY where module='physical_restore'",
                       f"{event.event} at {fmt_time(event.timestamp)} returned {code_text(code)}; root service on "
                       f"{event.rs_svr_ip or '?'}", [event], ("timestamp", "event", "tenant_id", "result", "rs_svr_ip"))
        chain.server(event.rs_svr_ip)
        since = event.timestamp - timedelta(minutes=10) if event.timestamp else None
        until = event.timestamp + timedelta(minutes=2) if event.timestamp else None
        lines: list[LogRecord] = []
        if event.rs_svr_ip:
            result = search(ctx, chain, servers=(event.rs_svr_ip,), kinds=("rootservice",),
                            any_of=(f"ret={code}",), all_of=(restore_facts()["util_fragment"],),
                            since=since, until=until, purpose=f"ob_restore_util lines with ret={code}")
            lines = result.records
            if lines:
                chain.trace(lines[0].trace_id if is_trace_id(lines[0].trace_id) else None)
                chain.log_step(f"rootservice.log* on {event.rs_svr_ip}: grep \"ob_restore_util\" | grep \"ret={code}\"",
                               f"{len(lines)} line(s); first: {lines[0].message[:200]}", lines)
            elif result.searched_anything:
                chain.step(f"rootservice.log* on {event.rs_svr_ip}: grep \"ob_restore_util\" | grep \"ret={code}\"",
                           f"no line in {len(result.files_searched)} file(s)")
        else:
            chain.could_not_check("rootservice.log of the restore command", "the event names no root service server")
        point = restore_point_from(event.values, lines)
        backup_tenant = event.int_value("backup_tenant_id")
        cause, verdict, tail, steps = _explain_code(
            ctx, chain, code, tenant_id=event.tenant_id, point=point, backup_tenant=backup_tenant,
            servers=tuple(s for s in (event.rs_svr_ip,) if s), lines=lines, since=since, until=until,
            generic="restore_command_failed")
        summary = f"ALTER SYSTEM RESTORE failed at {fmt_time(event.timestamp)} with {code_text(code)}" + (f": {tail}." if tail else ".")
        return chain.finding(cause, verdict, summary, code=code, tenant_id=event.tenant_id, time=event.timestamp,
                             extra_steps=steps)


# -- R2: the restore is stuck ---------------------------------------------------------------------

class RestoreStuck(Rule):
    """A restore job stays RESTORING. In RESTORE_WAIT_LS: replicas stuck before log restore
    (restore_status not 0/6/8), logs not yet restored (GV$OB_LOG_STAT END_SCN <
    recovery_until_scn), replay pending (__all_virtual_replay_stat), or log stream 1 not
    recovered (sync_scn != recovery_until_scn). In another status: the new tenant's schema
    not refreshed on some servers (GV$OB_SERVER_SCHEMA_INFO, SerScheQueue lines).
    """

    id = "R2"
    name = "restore-stuck"
    needs = ("restore_progress", "restore_job_values", "ls_meta", "log_stat", "replay_stat", "tenant_info",
             "ls_recovery_stat", "schema_info", "logs:observer")

    def check(self, ctx: RuleContext) -> list[Finding]:
        progress = ctx.evidence.restore_progress()
        findings = []
        for job in progress:
            tenant = job.restore_tenant_id or job.tenant_id
            if tenant is None:
                ctx.could_not_check(f"restore job {job.job_id} ({job.provenance.describe()})", "its row names no tenant")
                continue
            if not ctx.options.wants(tenant) and not ctx.options.wants(job.tenant_id):
                continue
            finding = self._diagnose(ctx, job, tenant)
            if finding:
                findings.append(finding)
        return findings

    def _status(self, ctx: RuleContext, chain: Chain, job: RestoreJob, tenant: int | None) -> str:
        values = [v for v in ctx.evidence.restore_job_values() if v.name == "status"
                  and v.tenant_id in (tenant, job.tenant_id) and (v.job_id in (None, job.job_id) or v.tenant_id == tenant)]
        if values:
            chosen = next((v for v in values if v.tenant_id == tenant), values[0])
            chain.row_step("__all_virtual_restore_job where name = 'status'",
                           f"the restore job of tenant {chosen.tenant_id} is in {chosen.value}", [chosen],
                           ("tenant_id", "job_id", "name", "value"))
            return (chosen.value or "").upper()
        return job.status

    def _diagnose(self, ctx: RuleContext, job: RestoreJob, tenant: int | None) -> Finding | None:
        chain = Chain(self.id)
        now = ctx.evidence.collected_at
        age = (now - job.start).total_seconds() / 60 if now and job.start else None
        chain.row_step(job.provenance.name,
                       f"restore job {job.job_id} of tenant {job.restore_tenant_name or tenant} is {job.status} since "
                       f"{fmt_time(job.start)}" + (f" ({age / 60:.1f} hours before collection)" if age else ""),
                       [job], ("tenant_id", "job_id", "restore_tenant_name", "restore_tenant_id", "status", "start",
                               "restore_scn_display"))
        status = self._status(ctx, chain, job, tenant)
        if "WAIT_LS" in status:
            return self._wait_ls(ctx, chain, job, tenant)
        if age is not None and age < restore_facts()["stuck_minutes"]:
            ctx.observe(f"Restore job {job.job_id} of tenant {tenant} is {status} for {age:.0f} minutes (not yet stuck).",
                        [job.provenance])
            return None
        return self._schema(ctx, chain, job, tenant, status)

    # Issue 2: RESTORE_WAIT_LS
    def _wait_ls(self, ctx: RuleContext, chain: Chain, job: RestoreJob, tenant: int | None) -> Finding:
        facts = restore_facts()
        log_states = set(facts["log_restore_statuses"])
        meta = [r for r in ctx.evidence.ls_meta() if r.tenant_id == tenant]
        summary = f"Restore job {job.job_id} of tenant {tenant} waits in RESTORE_WAIT_LS"
        if meta:
            early = [r for r in meta if r.restore_status not in (0, *log_states, None)]
            chain.row_step("__all_virtual_ls_meta_table", "restore_status per replica: " + ", ".join(
                f"ls {r.ls_id}@{r.svr_ip}={r.restore_status}" for r in meta), meta,
                ("ls_id", "svr_ip", "svr_port", "role", "restore_status", "zone"))
            if early:
                for r in early:
                    chain.server(r.svr_ip)
                return chain.finding("restore_ls_stuck", Verdict.CONFIRMED,
                                     summary + ": " + ", ".join(f"ls {r.ls_id} on {r.svr_ip} is in restore_status {r.restore_status}"
                                                                for r in early) + ".", tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("the log streams' restore status (__all_virtual_ls_meta_table)", "no row for the tenant")
        info = next((t for t in ctx.evidence.tenant_info() if t.tenant_id == tenant), None)
        until = info.recovery_until_scn if info else None
        if info is None:
            chain.could_not_check("recovery_until_scn (__all_virtual_tenant_info)", "no row for the tenant")
            return chain.finding("restore_wait_ls_unknown", Verdict.UNKNOWN, summary + ".", tenant_id=tenant, time=job.start)
        chain.row_step("__all_virtual_tenant_info", f"recovery_until_scn {until} ({fmt_time(scn_time(until))} UTC)", [info],
                       ("tenant_id", "tenant_role", "recovery_until_scn"))
        stats = [s for s in ctx.evidence.log_stat() if s.tenant_id == tenant]
        behind = [s for s in stats if s.end_scn is not None and until is not None and s.end_scn < until]
        if stats:
            chain.row_step("GV$OB_LOG_STAT where end_scn < recovery_until_scn",
                           f"{len(behind)} of {len(stats)} replica(s) below recovery_until_scn", behind or stats,
                           ("ls_id", "svr_ip", "role", "end_scn"))
            if behind:
                for s in behind:
                    chain.server(s.svr_ip)
                return chain.finding("restore_waiting_for_logs", Verdict.CONFIRMED,
                                     summary + f": {len(behind)} replica(s) have not received logs up to recovery_until_scn "
                                     f"(lowest END_SCN {fmt_time(scn_time(min(s.end_scn for s in behind)))} UTC).",
                                     tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("log restore progress (GV$OB_LOG_STAT)", "no row for the tenant")
        replay = [r for r in ctx.evidence.replay_stat() if r.tenant_id == tenant]
        pending = [r for r in replay if (r.pending_cnt or 0) != 0
                   or (r.unsubmitted_log_scn is not None and until is not None and r.unsubmitted_log_scn <= until)]
        if replay:
            chain.row_step("__all_virtual_replay_stat", f"{len(pending)} of {len(replay)} replica(s) still replaying",
                           pending or replay, ("ls_id", "svr_ip", "role", "pending_cnt", "unsubmitted_log_scn"))
            if pending:
                return chain.finding("restore_replay_pending", Verdict.CONFIRMED,
                                     summary + f": log replay is not finished on {len(pending)} replica(s).",
                                     tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("log replay (__all_virtual_replay_stat)", "no row for the tenant")
        recovery = [r for r in ctx.evidence.ls_recovery_stat() if r.tenant_id == tenant and r.ls_id == 1]
        if recovery:
            r = recovery[0]
            chain.row_step("__all_ls_recovery_stat where ls_id = 1", f"sync_scn {r.sync_scn} vs recovery_until_scn {until}",
                           [r], ("tenant_id", "ls_id", "sync_scn", "readable_scn"))
            if r.sync_scn != until:
                return chain.finding("restore_ls1_not_recovered", Verdict.CONFIRMED,
                                     summary + ": log stream 1's sync_scn is not recovery_until_scn.",
                                     tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("log stream 1's recovery (__all_ls_recovery_stat)", "no row for the tenant")
        return chain.finding("restore_wait_ls_unknown", Verdict.UNKNOWN,
                             summary + "; logs, replay and log stream 1 look complete in the evidence.",
                             tenant_id=tenant, time=job.start)

    # Issue 3: the schema of the new tenant is not refreshed
    def _schema(self, ctx: RuleContext, chain: Chain, job: RestoreJob, tenant: int | None, status: str) -> Finding | None:
        rows = [r for r in ctx.evidence.schema_info() if r.tenant_id == tenant]
        if not rows:
            chain.could_not_check("the tenant's schema refresh (GV$OB_SERVER_SCHEMA_INFO)", "no row for the tenant")
            return chain.finding("restore_wait_ls_unknown" if "WAIT" in status else "restore_schema_not_refreshed",
                                 Verdict.UNKNOWN, f"Restore job {job.job_id} of tenant {tenant} stays in {status}.",
                                 tenant_id=tenant, time=job.start)
        bad = [r for r in rows if not r.refreshed_ok]
        chain.row_step("GV$OB_SERVER_SCHEMA_INFO",
                       f"{len(bad)} of {len(rows)} server(s) did not refresh the schema (refreshed == received, > 8, multiple of 8)",
                       bad or rows, ("svr_ip", "svr_port", "tenant_id", "refreshed", "received"))
        if not bad:
            ctx.observe(f"Restore job {job.job_id} of tenant {tenant} is {status}; the schema is refreshed on every server.",
                        [job.provenance])
            return None
        servers = tuple(dict.fromkeys(r.svr_ip for r in bad if r.svr_ip))
        for s in servers:
            chain.server(s)
        dst = None
        result = search(ctx, chain, servers=servers[:1], kinds=("observer",), any_of=(restore_facts()["schema_thread"],),
                        levels=PROBLEM_LEVELS, since=job.start, until=ctx.evidence.collected_at,
                        purpose="schema refresh thread errors")
        lines = result.records[-10:]
        if lines:
            last = lines[-1]
            chain.log_step(f"observer.log* on {servers[0] if servers else 'every server'}: grep SerScheQueue",
                           f"latest: {last.message[:200]}", lines[-5:])
            dst = server_ip((last.get("dst") or "").strip('"'))
            if last.trace_id and is_trace_id(last.trace_id):
                chain.trace(last.trace_id)
            if dst and last.trace_id:
                chain.server(dst)
                follow = search(ctx, chain, servers=(dst,), kinds=("observer",), any_of=(last.trace_id,),
                                levels=PROBLEM_LEVELS, since=job.start, until=ctx.evidence.collected_at,
                                purpose=f"trace {last.trace_id} on the failing server")
                if follow.records:
                    chain.log_step(f"observer.log* on {dst}: grep {last.trace_id}",
                                   f"{len(follow.records)} line(s); first: {follow.records[0].message[:200]}", follow.records)
        return chain.finding("restore_schema_not_refreshed", Verdict.CONFIRMED,
                             f"Restore job {job.job_id} of tenant {tenant} stays in {status}: the schema is not refreshed on "
                             f"{', '.join(servers) or 'servers the rows do not name'}" + (f" (its schema refresh RPCs to {dst} fail)" if dst else "") + ".",
                             tenant_id=tenant, time=job.start)


# -- R3: the restore job FAILED --------------------------------------------------------------------

class RestoreFailed(Rule):
    """A restore job is FAILED in CDB_OB_RESTORE_HISTORY: its COMMENT names ``(server)`` with
    addr, log stream, module and trace (grep the trace in that server's observer.log for
    WARN/ERROR) or ``(rootservice)`` (grep ob_restore_scheduler in rootservice.log); the code
    is then explained (-4018 window, -9079 recycled archive, destination codes, documentation).
    """

    id = "R3"
    name = "restore-failed"
    needs = ("restore_history", "backup_set_files", "archive_pieces", "parameters", "servers", "logs:observer",
             "logs:rootservice")
    codes = (NO_ENOUGH_LOG, ARCHIVE_RECYCLED)

    def check(self, ctx: RuleContext) -> list[Finding]:
        history = ctx.evidence.restore_history()
        latest: dict[object, RestoreJob] = {}
        for job in history:
            key = job.restore_tenant_name or job.restore_tenant_id
            if not ctx.options.wants(job.restore_tenant_id) and not ctx.options.wants(job.tenant_id):
                continue
            if not ctx.options.in_window(job.finish or job.start):
                continue
            if key not in latest or (job.job_id or 0) > (latest[key].job_id or 0):
                latest[key] = job
        findings = []
        for job in (j for j in history if j.status == "FAILED") if ctx.options.all_jobs else latest.values():
            if job.status == "FAILED":
                findings.append(self._diagnose(ctx, job))
            else:
                ctx.observe(f"Restore job {job.job_id} of tenant {job.restore_tenant_name}: {job.status} at {fmt_time(job.finish)}.",
                            [job.provenance])
        return findings

    def _diagnose(self, ctx: RuleContext, job: RestoreJob) -> Finding:
        chain = Chain(self.id)
        tenant = job.restore_tenant_id or job.tenant_id
        chain.row_step(job.provenance.name,
                       f"restore job {job.job_id} of tenant {job.restore_tenant_name or tenant} FAILED at {fmt_time(job.finish)}"
                       + (f"; COMMENT: {job.comment}" if job.comment else ""),
                       [job], ("tenant_id", "job_id", "restore_tenant_name", "status", "start", "finish", "comment"))
        comment = job.structured_comment
        since = job.start - timedelta(minutes=5) if job.start else None
        until = job.finish + timedelta(minutes=10) if job.finish else ctx.evidence.collected_at
        code = comment.result if comment else None
        if code is None and job.comment:
            parsed = error_docs.parse_code_text(job.comment)
            code = parsed.value if parsed and parsed.kind == "code" and parsed.value else None
        lines: list[LogRecord] = []
        server = server_ip(comment.addr) if comment else None
        if comment and server:
            chain.server(server)
            chain.step("the job's COMMENT", f"failed in the {comment.origin} at {comment.addr}"
                       + (f", ls {comment.ls_id}" if comment.ls_id is not None else "")
                       + (f", module {comment.module}" if comment.module else "")
                       + f", result {code_text(code)}, trace {comment.trace_id or '?'}", provenance=[job.provenance])
            if comment.origin == "server" and comment.trace_id and is_trace_id(comment.trace_id):
                chain.trace(comment.trace_id)
                result = search(ctx, chain, servers=(server,), kinds=("observer",), any_of=(comment.trace_id,),
                                levels=PROBLEM_LEVELS, since=since, until=until, purpose=f"WARN/ERROR of trace {comment.trace_id}")
                lines = result.records
                label = f"observer.log* on {server}: grep {comment.trace_id} | grep \"WARN\\|ERROR\""
            else:
                result = search(ctx, chain, servers=(server,), kinds=("rootservice",),
                                any_of=(restore_facts()["scheduler_fragment"],), levels=PROBLEM_LEVELS,
                                since=since, until=until, purpose="ob_restore_scheduler WARN/ERROR")
                lines = result.records
                label = f"rootservice.log* on {server}: grep ob_restore_scheduler | grep \"WARN\\|ERROR\""
            if lines:
                first = next((l for l in lines if code and l.ret() == code), lines[0])
                chain.log_step(label, f"{len(lines)} line(s); where it failed: {first.message[:200]}",
                               [first] + [l for l in lines if l is not first])
            elif result.searched_anything:
                chain.step(label, f"no line in {len(result.files_searched)} file(s)")
        else:
            chain.could_not_check("the server of the failure", "the COMMENT names no address (before 4.2 it is only a message)")
        point = Point(job.restore_scn, None, "RESTORE_SCN of the job") if job.restore_scn else None
        backup_tenant = None
        cause, verdict, tail, steps = _explain_code(
            ctx, chain, code, tenant_id=tenant, point=point, backup_tenant=backup_tenant,
            servers=tuple(s for s in (server,) if s), lines=lines, since=since, until=until, generic="restore_failed")
        summary = (f"Restore job {job.job_id} of tenant {job.restore_tenant_name or tenant} failed"
                   + (f" on {comment.addr}" if comment and comment.addr else "") + f" with {code_text(code)}"
                   + (f": {tail}." if tail else "."))
        return chain.finding(cause, verdict, summary, code=code, tenant_id=tenant, time=job.finish, extra_steps=steps)
