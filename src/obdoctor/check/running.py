"""Check ``running_work``: a running backup that stopped moving, or runs longer than ever before.

With ``obdoctor watch``'s history, "no progress" is what the watcher saw across polls (the
signature of the job or an ls task unchanged for ``--stall-after``): critical. Without it, one
snapshot only shows when each ls task row last changed (``gmt_modified``): quiet for longer
than ``snapshot_quiet`` is a warning, since slow and frozen look alike in one snapshot. A job
running longer than the tenant's longest successful one is a warning too.
"""

from __future__ import annotations

from obdoctor.evidence.kinds import Kind
from obdoctor.catalog.statuses import SUCCEEDED, TERMINAL
from obdoctor.check.base import CheckContext, ago
from obdoctor.check.model import CheckResult, Status, worst
from obdoctor.evidence.records import BackupJob
from obdoctor.rules.base import Chain, fmt_time

CHECK = "running_work"
_JOB_COLUMNS = ("tenant_id", "job_id", "status", "start")
_LS_COLUMNS = ("tenant_id", "job_id", "ls_id", "status", "svr_ip", "modified")


def _longest_success(ctx: CheckContext, tenant_id: int) -> tuple[float, BackupJob] | None:
    best = None
    for j in ctx.evidence.get(Kind.JOB_HISTORY):
        if j.tenant_id == tenant_id and j.status in SUCCEEDED and j.start and j.end:
            seconds = (j.end - j.start).total_seconds()
            if best is None or seconds > best[0]:
                best = (seconds, j)
    return best


def check_running(ctx: CheckContext, tenant_id: int) -> CheckResult:
    jobs = ctx.evidence.get(Kind.JOBS)
    if not jobs.available:
        return ctx.unreadable(CHECK, tenant_id, jobs, "the running jobs")
    terminal = TERMINAL
    running = [j for j in jobs if j.tenant_id == tenant_id and j.status not in terminal]
    chain = Chain(CHECK)
    stall_after = ctx.setting("stall_after")
    if not running:
        chain.step(jobs.source, f"no running backup job of tenant {tenant_id}")
        return CheckResult(CHECK, tenant_id, Status.OK, "no backup job running", None, stall_after, "s", chain.steps)
    if ctx.now is None:
        return ctx.no_now(CHECK, tenant_id)
    parts: list[tuple[Status, str]] = []
    quiet_max: float | None = None
    longest = _longest_success(ctx, tenant_id)
    for job in running:
        age = ctx.age(job.start)
        chain.row_step(jobs.source, f"job {job.job_id} {job.status} since {fmt_time(job.start)} ({ago(age)})",
                       [job], _JOB_COLUMNS)
        marks = [m for m in ctx.options.progress if m.tenant_id == tenant_id and m.job_id == job.job_id]
        if marks:
            mark = max(marks, key=lambda m: m.quiet_seconds)
            what = f"ls {mark.ls_id}" if mark.ls_id is not None else f"job {job.job_id}"
            chain.step(f"obdoctor watch history {mark.source}",
                       f"{what} unchanged for {ago(mark.quiet_seconds)} as of the last poll {fmt_time(mark.last_seen)}")
            quiet_max = max(quiet_max or 0.0, mark.quiet_seconds)
            if mark.quiet_seconds >= stall_after:
                parts.append((Status.CRITICAL, f"job {job.job_id}: {what} without progress for {ago(mark.quiet_seconds)}"))
        else:
            quiet = _snapshot_quiet(ctx, chain, job)
            if quiet is not None:
                quiet_max = max(quiet_max or 0.0, quiet)
                if quiet >= ctx.setting("snapshot_quiet"):
                    parts.append((Status.WARNING, f"job {job.job_id}: no ls task row changed for {ago(quiet)} "
                                                  "(one snapshot: slow or frozen)"))
        if longest and age is not None and age > longest[0]:
            seconds, best = longest
            chain.row_step(ctx.evidence.get(Kind.JOB_HISTORY).source, f"the longest successful job of tenant {tenant_id} "
                           f"took {ago(seconds)} (job {best.job_id})", [best], ("tenant_id", "job_id", "status", "start", "end"))
            parts.append((Status.WARNING, f"job {job.job_id} running for {ago(age)}, longer than the longest "
                                          f"successful one ({ago(seconds)})"))
    details = {"running_jobs": [j.job_id for j in running], "history": bool(ctx.options.progress)}
    if ctx.options.progress_problem:
        chain.could_not_check("obdoctor watch history", ctx.options.progress_problem)
        details["history_problem"] = ctx.options.progress_problem
    value = None if quiet_max is None else round(quiet_max, 3)
    if not parts:
        return CheckResult(CHECK, tenant_id, Status.OK, f"{len(running)} job(s) running and moving", value, stall_after,
                           "s", chain.steps, details)
    return CheckResult(CHECK, tenant_id, worst(s for s, _ in parts), "; ".join(t for _, t in parts), value, stall_after,
                       "s", chain.steps, details)


def _snapshot_quiet(ctx: CheckContext, chain: Chain, job: BackupJob) -> float | None:
    """Seconds since any running ls task row of the job last changed; None when unknown."""
    ls = ctx.evidence.get(Kind.LS_TASKS)
    if not ls.available:
        chain.could_not_check("ls task progress", f"{ls.source}: {ls.reason}")
        return None
    mine = [t for t in ls if t.tenant_id == job.tenant_id and t.job_id == job.job_id and t.status not in ("FINISH",)]
    changed = [t for t in mine if t.modified is not None]
    if not changed:
        return None
    latest = max(changed, key=lambda t: t.modified)
    quiet = ctx.age(latest.modified)
    chain.row_step(ls.source, f"{len(mine)} unfinished ls task(s); the latest change at {fmt_time(latest.modified)} "
                   f"({ago(quiet)} ago)", mine[:5], _LS_COLUMNS)
    return quiet

