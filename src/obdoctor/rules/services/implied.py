"""Failed jobs that no job row shows: a failure is a failure whatever proves it.

When the job history is missing (not collected, recycled, a bundle of logs only) or has no row
for a job, any of these establishes that the job FAILED (``ob_backup_messages.md`` §2, §4, §5a):

- the root service's ``deal with failed job`` event (tenant_id, job_id, result, trace_id);
- a FAILED set task (``CDB_OB_BACKUP_TASK_HISTORY`` / ``CDB_OB_BACKUP_TASKS``);
- a log stream task whose last try failed (``__all_virtual_backup_ls_task_history``);
- log lines alone, searched only when the job history could not be read: rootservice.log's
  ``ls task failed, backup can't not continue(ret=..., ls_attr={tenant_id, job_id, dst, ...})``
  and ``succeed deal with failed job, advance job status to FAILED(job_attr={...})``, and
  observer.log's ``failed to do backup(ret=...)`` on a ``T<tenant>_BACKUP`` thread.

A ``failed to do backup`` line names no job: it is one try of a task, and OceanBase retries a
task that failed. It stands for a failed job only when no job of its tenant is known otherwise:
not from a job row, not from a failed task, and not from a set or log stream task still running
(``CDB_OB_BACKUP_TASKS``, ``__all_virtual_backup_ls_task``): with the running jobs view missing,
a stuck job's retries were called a FAILED job, confirmed (tests/test_mutations.py).

Each becomes a ``BackupJob`` with status FAILED and ``established_by``/``proof`` saying what
proved it; P3 then walks the same chain as for a job row.
"""

from __future__ import annotations

import re

from obdoctor.catalog.statuses import FAILED
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.evidence.records import BackupJob
from obdoctor.logs import LogRecord, find_anywhere
from obdoctor.rules.base import Chain, RuleContext, log_provenance, search

LS_TASK_FAILED = "ls task failed, backup can't not continue"
DEAL_FAILED_JOB = "succeed deal with failed job, advance job status to FAILED"
DO_BACKUP_FAILED = "failed to do backup(ret="
_BACKUP_THREAD = re.compile(r"^T(?P<tenant>\d+)_BACKUP$")
_CLEAN_SOURCE = "ob_backup_clean_scheduler.cpp"
"""Delete jobs log the same 'succeed deal with failed job' line (from this file), without an event."""


def implied_failed_jobs(ctx: RuleContext, jobs: list[BackupJob], history_available: bool) -> list[BackupJob]:
    """Failed jobs proved by events, task rows or log lines, for (tenant, job) keys no job row has."""
    known = {(j.tenant_id, j.job_id) for j in jobs}
    found: dict[tuple, BackupJob] = {}

    def add(job: BackupJob) -> None:
        key = (job.tenant_id, job.job_id)
        if key in known or job.tenant_id is None:
            return
        if key in found:
            found[key].proof.extend(p for p in job.proof if p not in found[key].proof)
            found[key].result = found[key].result or job.result
            found[key].comment = found[key].comment or job.comment
            return
        found[key] = job

    for job in _from_events(ctx):
        add(job)
    for job in _from_set_tasks(ctx):
        add(job)
    for job in _from_ls_tasks(ctx):
        add(job)
    if not history_available:
        running: set[int] | None = None
        for job in _from_logs(ctx):
            if job.job_id is None:
                if any(t == job.tenant_id for t, _ in (*known, *found)):
                    continue  # a task's error while the tenant's job is known otherwise: not a job of its own
                running = _tenants_running(ctx) if running is None else running
                if job.tenant_id in running:
                    continue  # a try of a task still running: the job goes on
            add(job)
    return list(found.values())


def _tenants_running(ctx: RuleContext) -> set[int]:
    """Tenants with a set task or log stream task still running: their job is running, whatever
    its tries logged. A rule calling ``implied_failed_jobs`` declares TASKS and LS_TASKS."""
    tasks = [t for t in ctx.evidence.get(Kind.TASKS) if t.status not in FAILED]
    return {t.tenant_id for t in (*tasks, *ctx.evidence.get(Kind.LS_TASKS)) if t.tenant_id is not None}


def _implied(tenant_id, job_id, result, established_by: str, proof: list, provenance, *, when=None,
             comment=None, start=None) -> BackupJob:
    return BackupJob(tenant_id=tenant_id, job_id=job_id, backup_set_id=None, status="FAILED", result=result,
                     comment=comment, start=start, end=when, plus_archivelog=False, job_level=None, backup_type=None,
                     path=None, provenance=provenance, established_by=established_by, proof=list(proof))


def _from_events(ctx: RuleContext) -> list[BackupJob]:
    out = []
    for event in ctx.evidence.get(Kind.RS_EVENTS).where(module="backup_data", event="deal with failed job"):
        if event.tenant_id is None:
            continue
        out.append(_implied(event.tenant_id, event.int_value("job_id"), event.result,
                            "the root service's 'deal with failed job' event", [event], event.provenance,
                            when=event.timestamp))
    return out


def _from_set_tasks(ctx: RuleContext) -> list[BackupJob]:
    out = []
    for found in (ctx.evidence.get(Kind.TASK_HISTORY), ctx.evidence.get(Kind.TASKS)):
        for task in found:
            if task.status in FAILED:
                out.append(_implied(task.tenant_id, task.job_id, task.result,
                                    f"a FAILED backup task in {found.source}", [task], task.provenance,
                                    when=task.end, comment=task.comment, start=task.start))
    return out


def _from_ls_tasks(ctx: RuleContext) -> list[BackupJob]:
    """A log stream whose latest try (turn, retry) failed: the job could not continue."""
    found = ctx.evidence.get(Kind.LS_TASK_HISTORY)
    latest: dict[tuple, object] = {}
    for task in found:
        key = (task.tenant_id, task.job_id, task.ls_id)
        if key not in latest or (task.turn_id or 0, task.retry_id or 0) >= (latest[key].turn_id or 0, latest[key].retry_id or 0):
            latest[key] = task
    out = []
    for task in latest.values():
        if task.result:
            out.append(_implied(task.tenant_id, task.job_id, task.result,
                                f"a failed log stream task in {found.source}", [task], task.provenance,
                                when=task.modified, comment=task.comment))
    return out


def _from_logs(ctx: RuleContext) -> list[BackupJob]:
    chain = Chain("P3")
    rs = search(ctx, chain, servers=(), kinds=(LogFamily.ROOTSERVICE,), any_of=(LS_TASK_FAILED, DEAL_FAILED_JOB),
                purpose="failed backup jobs in the root service's log (no job history)")
    obs = search(ctx, chain, servers=(), kinds=(LogFamily.OBSERVER,), any_of=(DO_BACKUP_FAILED,),
                 purpose="failed backup tasks in observer.log (no job history)")
    for u in chain.unchecked:  # rootservice.log lives on root service servers only: its absence elsewhere is no gap
        if "no rootservice log of server" not in u.why:
            ctx.could_not_check(u.what, u.why)
    out = []
    for line in rs.records:
        if LS_TASK_FAILED in line.raw:
            attr = line.get("ls_attr") or line.body
            out.append(_implied(int_or_none(find_anywhere(attr, "tenant_id")), int_or_none(find_anywhere(attr, "job_id")),
                                line.ret(), "the root service's 'ls task failed, backup can't not continue' line",
                                [line], log_provenance(line), when=line.ts))
        elif DEAL_FAILED_JOB in line.raw and (line.src_file or "") != _CLEAN_SOURCE:
            attr = line.get("job_attr") or line.body
            result = int_or_none(find_anywhere(attr, "result"))
            out.append(_implied(int_or_none(find_anywhere(attr, "tenant_id")), int_or_none(find_anywhere(attr, "job_id")),
                                -abs(result) if result else None,
                                "the root service's 'succeed deal with failed job' line", [line],
                                log_provenance(line), when=line.ts))
    for line in obs.records:
        m = _BACKUP_THREAD.match(line.thread or "")
        if m and line.ret():
            out.append(_implied(int(m["tenant"]), None, line.ret(),
                                f"observer.log's 'failed to do backup' on {line.thread}", [line],
                                log_provenance(line), when=line.ts))
    return out


def proof_lines(job: BackupJob, fragment: str) -> list[LogRecord]:
    return [p for p in job.proof if isinstance(p, LogRecord) and fragment in p.raw]


def int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
