"""P2A: a backup job waits in BACKUP_LOG because the log archive does not catch up.

The runbook's problem two, for the stages that wait for the archive: a set task in
``BACKUP_LOG`` (or a stage before it) waits until the tenant's archive checkpoint passes the
backup's end SCN.

Looks at, in order:

1. ``CDB_OB_BACKUP_TASKS``: each task in a stage that waits for the archive.
2. ``CDB_OB_ARCHIVELOG``: the tenant's archive rounds, their status and checkpoint.
3. ``rootservice.log*`` on the root service named by the ``backup_data`` events: ``log archive
   checkpoint is less than task's end scn, try later`` for this tenant.

Concludes ``waiting_for_archive``: confirmed when the archive is not DOING (INTERRUPTED,
STOPPING, SUSPEND...) or there is no round at all, which keeps the task waiting forever; likely
when the archive is DOING but the root service keeps logging the wait; unknown otherwise. A short
wait, or a DOING archive the root service does not complain about, is an observation. Why the
archive itself stopped is rule A1's finding.

Cannot tell: how long the wait will still last when the archive is DOING but behind; the wait
lines when no ``backup_data`` event names the root service.
"""

from __future__ import annotations

import re

from obdoctor.catalog.cause_ids import WAITING_FOR_ARCHIVE
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.catalog.statuses import ARCHIVE_WAIT_STAGES
from obdoctor.findings import Finding, Verdict
from obdoctor.catalog.causes import cause
from obdoctor.rules.base import Chain, Rule, RuleContext, facts, fmt_time, search, window


class WaitingForArchive(Rule):
    """A set task in BACKUP_LOG (or the stages before it) waits until the tenant's archive
    checkpoint passes the backup's end SCN. An archive that is not DOING (INTERRUPTED,
    STOPPING, SUSPEND...) keeps it waiting forever; the root service logs ``log archive
    checkpoint is less than task's end scn, try later`` meanwhile.
    """

    id = "P2A"
    name = "waiting-for-archive"
    needs = (Kind.TASKS, Kind.ARCHIVELOG, Kind.RS_EVENTS, LogFamily.ROOTSERVICE)

    def check(self, ctx: RuleContext) -> list[Finding]:
        tasks = ctx.evidence.get(Kind.TASKS)
        stages = set(ARCHIVE_WAIT_STAGES)
        findings = []
        for task in tasks:
            if task.status not in stages or not ctx.options.wants(task.tenant_id, task.job_id):
                continue
            chain = Chain(self.id)
            chain.row_step(task.provenance.name,
                           f"task {task.task_id} of job {task.job_id}, tenant {task.tenant_id}, is in {task.status} "
                           f"since {fmt_time(task.start)}: it waits for the log archive",
                           [task], ("tenant_id", "job_id", "task_id", "status", "start"))
            archive = ctx.evidence.get(Kind.ARCHIVELOG)
            rounds = [r for r in archive if r.tenant_id == task.tenant_id]
            bad = [r for r in rounds if r.status != "DOING"]
            if not archive.available:
                chain.could_not_check("the tenant's log archive (CDB_OB_ARCHIVELOG)", archive.reason or "")
            elif rounds:
                chain.row_step(archive.source,
                               f"archive of tenant {task.tenant_id}: " + ", ".join(f"{r.status} (checkpoint {fmt_time(r.checkpoint)})" for r in rounds)
                               + (f"; comment: {rounds[0].comment}" if rounds[0].comment else ""),
                               rounds, ("tenant_id", "dest_no", "round_id", "status", "checkpoint", "comment"))
            else:
                chain.step(archive.source, f"no archive round for tenant {task.tenant_id}")
            rs = [e.rs_svr_ip for e in ctx.evidence.get(Kind.RS_EVENTS).where(module="backup_data") if e.rs_svr_ip]
            signature = cause(WAITING_FOR_ARCHIVE).signatures
            hits = []
            if rs:
                since, until = window(task.start, ctx.evidence.collected_at)
                result = search(ctx, chain, servers=(rs[-1],), kinds=(LogFamily.ROOTSERVICE,), any_of=signature,
                                since=since, until=until, purpose="archive wait lines")
                hits = [r for r in result.records if _for_tenant(r.raw, task.tenant_id)]
                if hits:
                    chain.server(rs[-1])
                    chain.trace(hits[-1].trace_id)
                    chain.log_step(f"rootservice.log* on {rs[-1]}: grep '{signature[0]}'",
                                   f"{result.total_matches} line(s): the root service keeps waiting", hits[-5:])
            stopped = bool(bad) or (not rounds and archive.available)
            now = ctx.evidence.collected_at
            waited = (now - task.start) if now and task.start else None
            young = waited is not None and waited.total_seconds() < facts()["stuck"]["quiet_minutes"] * 60
            if not stopped and (young or (rounds and not hits)):
                # a DOING archive the root service does not complain about, or a short wait: normal
                ctx.observe(f"Tenant {task.tenant_id}: backup job {task.job_id} is in {task.status}"
                            + (f" for {int(waited.total_seconds() // 60)} min" if waited else "")
                            + (", its archive is DOING" if rounds else "")
                            + ("; the root service waits for the archive checkpoint" if hits else "") + ".",
                            [task.provenance, *(r.provenance for r in rounds)])
                continue
            verdict = Verdict.CONFIRMED if stopped else (Verdict.LIKELY if hits else Verdict.UNKNOWN)
            state = ", ".join(r.status or "?" for r in bad) if bad else ("no archive" if not rounds else "DOING but behind")
            findings.append(chain.finding(
                WAITING_FOR_ARCHIVE, verdict,
                f"Backup job {task.job_id} of tenant {task.tenant_id} waits in {task.status} for the log archive ({state}).",
                tenant_id=task.tenant_id, job_id=task.job_id, time=task.start,
            ))
        return findings


def _for_tenant(text: str, tenant_id) -> bool:
    """A wait line names the tenant it waits for; one naming only another tenant is not ours."""
    named = {int(m) for m in re.findall(r"\btenant_id[=:]\s*(\d+)", text)}
    return not named or tenant_id in named
