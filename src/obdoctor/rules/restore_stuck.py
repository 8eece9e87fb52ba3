"""R2: the restore stays RESTORING.

Beyond the backup runbook.

Looks at, in order:

1. ``CDB_OB_RESTORE_PROGRESS``: each running restore job and how long it has run; one younger
   than ``[restore] stuck_minutes`` is an observation.
2. ``__all_virtual_restore_job`` (``name = 'status'``): the step it is in.
3. In RESTORE_WAIT_LS: ``__all_virtual_ls_meta_table`` (replicas whose ``restore_status`` is not
   0/6/8), ``__all_virtual_tenant_info`` (``recovery_until_scn``), ``GV$OB_LOG_STAT``
   (``END_SCN`` below it: logs not restored yet), ``__all_virtual_replay_stat`` (replay
   pending), ``__all_virtual_ls_recovery_stat`` (log stream 1's ``sync_scn``).
4. In another step: ``GV$OB_SERVER_SCHEMA_INFO`` (the new tenant's schema refreshed on some
   servers only) and the ``SerScheQueue`` lines of ``observer.log*`` on the servers behind.

Concludes ``restore_ls_stuck``, ``restore_waiting_for_logs``, ``restore_replay_pending``,
``restore_ls1_not_recovered`` or ``restore_schema_not_refreshed`` (confirmed by those rows);
``restore_wait_ls_unknown`` when every RESTORE_WAIT_LS step looks complete.

Cannot tell: anything about a row that names no tenant (said, never guessed); why a replica or a
log stream does not advance beyond what its rows show.
"""

from __future__ import annotations

from obdoctor.catalog.cause_ids import (
    RESTORE_LS1_NOT_RECOVERED, RESTORE_LS_STUCK, RESTORE_REPLAY_PENDING, RESTORE_SCHEMA_NOT_REFRESHED,
    RESTORE_WAITING_FOR_LOGS, RESTORE_WAIT_LS_UNKNOWN,
)
from obdoctor.evidence import LogFamily
from obdoctor.evidence.clock import after_now, elapsed
from obdoctor.evidence.kinds import Kind
from obdoctor.addresses import server_ip
from obdoctor.catalog.statuses import RESTORE_PROGRESS_FINISHED
from obdoctor.evidence.records import RestoreJob, scn_time
from obdoctor.findings import Finding, Verdict
from obdoctor.logs import is_trace_id
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Rule, RuleContext, fmt_time, search
from obdoctor.rules.services.destination import MOUNT_NEEDS
from obdoctor.rules.services.restore import restore_facts


class RestoreStuck(Rule):
    """A restore job stays RESTORING. In RESTORE_WAIT_LS: replicas stuck before log restore
    (restore_status not 0/6/8), logs not yet restored (GV$OB_LOG_STAT END_SCN <
    recovery_until_scn), replay pending (__all_virtual_replay_stat), or log stream 1 not
    recovered (sync_scn != recovery_until_scn). In another status: the new tenant's schema
    not refreshed on some servers (GV$OB_SERVER_SCHEMA_INFO, SerScheQueue lines).
    """

    id = "R2"
    name = "restore-stuck"
    needs = (Kind.RESTORE_PROGRESS, Kind.RESTORE_JOB_VALUES, Kind.LOG_STAT, Kind.REPLAY_STAT,
             Kind.TENANT_INFO, Kind.LS_RECOVERY_STAT, Kind.SCHEMA_INFO, LogFamily.OBSERVER, *MOUNT_NEEDS)

    def check(self, ctx: RuleContext) -> list[Finding]:
        progress = ctx.evidence.get(Kind.RESTORE_PROGRESS)
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
        values = [v for v in ctx.evidence.get(Kind.RESTORE_JOB_VALUES) if v.name == "status"
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
        lasted = elapsed(now, job.start)
        age = lasted.total_seconds() / 60 if lasted is not None else None
        chain.row_step(job.provenance.name,
                       f"restore job {job.job_id} of tenant {job.restore_tenant_name or tenant} is {job.status} since "
                       f"{fmt_time(job.start)}" + (f" ({age / 60:.1f} hours before collection)" if age else "")
                       + after_now(now, job.start),
                       [job], ("tenant_id", "job_id", "restore_tenant_name", "restore_tenant_id", "status", "start",
                               "restore_scn_display"))
        status = self._status(ctx, chain, job, tenant)
        if status in RESTORE_PROGRESS_FINISHED:  # ended, not yet moved to the history: R3 reads failures
            ctx.observe(f"Restore job {job.job_id} of tenant {tenant} has ended: {status}.", [job.provenance])
            return None
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
        meta = [r for r in ctx.evidence.get(Kind.LS_META) if r.tenant_id == tenant]
        summary = f"Restore job {job.job_id} of tenant {tenant} waits in RESTORE_WAIT_LS"
        if meta:
            early = [r for r in meta if r.restore_status not in (0, *log_states, None)]
            chain.row_step("__all_virtual_ls_meta_table", "restore_status per replica: " + ", ".join(
                f"ls {r.ls_id}@{r.svr_ip}={r.restore_status}" for r in meta), meta,
                ("ls_id", "svr_ip", "svr_port", "role", "restore_status", "zone"))
            if early:
                for r in early:
                    chain.server(r.svr_ip)
                return chain.finding(RESTORE_LS_STUCK, Verdict.CONFIRMED,
                                     summary + ": " + ", ".join(f"ls {r.ls_id} on {r.svr_ip} is in restore_status {r.restore_status}"
                                                                for r in early) + ".", tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("the log streams' restore status (__all_virtual_ls_meta_table)", "no row for the tenant")
        info = next((t for t in ctx.evidence.get(Kind.TENANT_INFO) if t.tenant_id == tenant), None)
        until = info.recovery_until_scn if info else None
        if info is None:
            chain.could_not_check("recovery_until_scn (__all_virtual_tenant_info)", "no row for the tenant")
            return chain.finding(RESTORE_WAIT_LS_UNKNOWN, Verdict.UNKNOWN, summary + ".", tenant_id=tenant, time=job.start)
        chain.row_step("__all_virtual_tenant_info", f"recovery_until_scn {until} ({fmt_time(scn_time(until))} UTC)", [info],
                       ("tenant_id", "tenant_role", "recovery_until_scn"))
        stats = [s for s in ctx.evidence.get(Kind.LOG_STAT) if s.tenant_id == tenant]
        behind = [s for s in stats if s.end_scn is not None and until is not None and s.end_scn < until]
        if stats:
            chain.row_step("GV$OB_LOG_STAT where end_scn < recovery_until_scn",
                           f"{len(behind)} of {len(stats)} replica(s) below recovery_until_scn", behind or stats,
                           ("ls_id", "svr_ip", "role", "end_scn"))
            if behind:
                for s in behind:
                    chain.server(s.svr_ip)
                return chain.finding(RESTORE_WAITING_FOR_LOGS, Verdict.CONFIRMED,
                                     summary + f": {len(behind)} replica(s) have not received logs up to recovery_until_scn "
                                     f"(lowest END_SCN {fmt_time(scn_time(min(s.end_scn for s in behind)))} UTC).",
                                     tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("log restore progress (GV$OB_LOG_STAT)", "no row for the tenant")
        replay = [r for r in ctx.evidence.get(Kind.REPLAY_STAT) if r.tenant_id == tenant]
        pending = [r for r in replay if (r.pending_cnt or 0) != 0
                   or (r.unsubmitted_log_scn is not None and until is not None and r.unsubmitted_log_scn <= until)]
        if replay:
            chain.row_step("__all_virtual_replay_stat", f"{len(pending)} of {len(replay)} replica(s) still replaying",
                           pending or replay, ("ls_id", "svr_ip", "role", "pending_cnt", "unsubmitted_log_scn"))
            if pending:
                return chain.finding(RESTORE_REPLAY_PENDING, Verdict.CONFIRMED,
                                     summary + f": log replay is not finished on {len(pending)} replica(s).",
                                     tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("log replay (__all_virtual_replay_stat)", "no row for the tenant")
        recovery = [r for r in ctx.evidence.get(Kind.LS_RECOVERY_STAT) if r.tenant_id == tenant and r.ls_id == 1]
        if recovery:
            r = recovery[0]
            chain.row_step("__all_ls_recovery_stat where ls_id = 1", f"sync_scn {r.sync_scn} vs recovery_until_scn {until}",
                           [r], ("tenant_id", "ls_id", "sync_scn", "readable_scn"))
            if r.sync_scn != until:
                return chain.finding(RESTORE_LS1_NOT_RECOVERED, Verdict.CONFIRMED,
                                     summary + ": log stream 1's sync_scn is not recovery_until_scn.",
                                     tenant_id=tenant, time=job.start)
        else:
            chain.could_not_check("log stream 1's recovery (__all_ls_recovery_stat)", "no row for the tenant")
        return chain.finding(RESTORE_WAIT_LS_UNKNOWN, Verdict.UNKNOWN,
                             summary + "; logs, replay and log stream 1 look complete in the evidence.",
                             tenant_id=tenant, time=job.start)

    # Issue 3: the schema of the new tenant is not refreshed
    def _schema(self, ctx: RuleContext, chain: Chain, job: RestoreJob, tenant: int | None, status: str) -> Finding | None:
        rows = [r for r in ctx.evidence.get(Kind.SCHEMA_INFO) if r.tenant_id == tenant]
        if not rows:
            chain.could_not_check("the tenant's schema refresh (GV$OB_SERVER_SCHEMA_INFO)", "no row for the tenant")
            return chain.finding(RESTORE_WAIT_LS_UNKNOWN if "WAIT" in status else RESTORE_SCHEMA_NOT_REFRESHED,
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
        result = search(ctx, chain, servers=servers[:1], kinds=(LogFamily.OBSERVER,),
                        any_of=(restore_facts()["schema_thread"],),
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
                follow = search(ctx, chain, servers=(dst,), kinds=(LogFamily.OBSERVER,), any_of=(last.trace_id,),
                                levels=PROBLEM_LEVELS, since=job.start, until=ctx.evidence.collected_at,
                                purpose=f"trace {last.trace_id} on the failing server")
                if follow.records:
                    chain.log_step(f"observer.log* on {dst}: grep {last.trace_id}",
                                   f"{len(follow.records)} line(s); first: {follow.records[0].message[:200]}", follow.records)
        return chain.finding(RESTORE_SCHEMA_NOT_REFRESHED, Verdict.CONFIRMED,
                             f"Restore job {job.job_id} of tenant {tenant} stays in {status}: the schema is not refreshed on "
                             f"{', '.join(servers) or 'servers the rows do not name'}" + (f" (its schema refresh RPCs to {dst} fail)" if dst else "") + ".",
                             tenant_id=tenant, time=job.start)
