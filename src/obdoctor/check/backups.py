"""Check ``last_backup``: how old the newest successful data backup is, and what failed since.

A DBA learns that no backup succeeded for a week when they need to restore; this check says
it the day the age passes ``--max-backup-age`` (default 26 h: a daily backup, two hours late).
"""

from __future__ import annotations

from datetime import datetime

from obdoctor.evidence.clock import after_now
from obdoctor.evidence.kinds import Kind
from obdoctor.catalog.statuses import FAILED, SUCCEEDED, TERMINAL
from obdoctor.check.base import CheckContext, ago, settings
from obdoctor.check.model import CheckResult, Status
from obdoctor.evidence.records import BackupJob
from obdoctor.catalog import errors
from obdoctor.rules.base import Chain, fmt_time

CHECK = "last_backup"
_COLUMNS = ("tenant_id", "job_id", "status", "result", "start", "end")


def _when(job: BackupJob) -> datetime:
    return job.end or job.start or datetime.min


def finished_jobs(ctx: CheckContext, tenant_id: int) -> list[BackupJob]:
    """The tenant's finished jobs, history first, plus FAILED rows still in the jobs view (one per job)."""
    seen: dict[int | None, BackupJob] = {}
    for job in (*ctx.evidence.get(Kind.JOB_HISTORY), *ctx.evidence.get(Kind.JOBS)):
        if job.tenant_id == tenant_id and job.status in TERMINAL:
            seen.setdefault(job.job_id, job)
    return sorted(seen.values(), key=_when)


def check_last_backup(ctx: CheckContext, tenant_id: int) -> CheckResult:
    history = ctx.evidence.get(Kind.JOB_HISTORY)
    if not history.available:
        return ctx.unreadable(CHECK, tenant_id, history, "the job history")
    if ctx.now is None:
        return ctx.no_now(CHECK, tenant_id)
    jobs = finished_jobs(ctx, tenant_id)
    threshold = ctx.setting("max_backup_age")
    completed = [j for j in jobs if j.status in SUCCEEDED]
    last = completed[-1] if completed else None

    def after_last(job: BackupJob) -> bool:
        return last is None or _when(job) > _when(last)

    failed = [j for j in jobs if j.status in FAILED and after_last(j)]
    # the rows whose status the one cell reader did not understand (catalog.statuses), not a second reading
    not_understood = {n.row for n in ctx.evidence.table(history.source).not_understood if n.column == "STATUS"}
    unread = [j for j in history.where(tenant_id=tenant_id)
              if j.provenance is not None and j.provenance.row in not_understood and after_last(j)]
    if unread:  # COMPLETE, a newer version's word, an empty cell: any of them may be the newest success
        chain = Chain(CHECK)
        chain.row_step(history.source, f"{len(unread)} job(s) of tenant {tenant_id} with a status obdoctor does not "
                       "understand" + (f", after the newest COMPLETED job {last.job_id}" if last else ""),
                       unread[-5:], _COLUMNS)
        return CheckResult(CHECK, tenant_id, Status.UNKNOWN,
                           f"cannot tell: {len(unread)} job(s) in the history have a status obdoctor does not "
                           f"understand ({', '.join(sorted({repr(j.status) if j.status else 'empty' for j in unread}))})",
                           None, threshold, "s", chain.steps,
                           {"unread_jobs": [j.job_id for j in unread]},
                           reason="a status none of OceanBase's values: the job may be the newest success or a failure",
                           query=f"SELECT * FROM oceanbase.{history.source}")
    chain = Chain(CHECK)
    if last is None:
        chain.step(history.source, f"no COMPLETED job of tenant {tenant_id} among its {len(jobs)} finished job(s)")
        age = None
    else:
        age = ctx.age(_when(last))
        chain.row_step(history.source, f"newest COMPLETED job {last.job_id} ended {fmt_time(last.end)} "
                       f"({ago(age)} before {fmt_time(ctx.now)})", [last], _COLUMNS)
    codes = sorted({j.result for j in failed if j.result}, reverse=True)
    failed_text = ""
    if failed:
        failed_text = f"; {len(failed)} attempt(s) failed since" + (f" ({', '.join(map(str, codes))})" if codes else "")
        chain.row_step(history.source, f"{len(failed)} FAILED job(s) after it: "
                       + ", ".join(f"job {j.job_id} ({errors.describe(j.result) if j.result else 'no code'})"
                                   for j in failed[-5:]), failed[-5:], _COLUMNS)
    details: dict = {"failed_since": [{"job_id": j.job_id, "result": j.result, "end": j.end} for j in failed]}
    if last is None:
        return CheckResult(CHECK, tenant_id, Status.CRITICAL, "no successful data backup in the job history" + failed_text,
                           None, threshold, "s", chain.steps, details)
    details.update(job_id=last.job_id, backup_set_id=last.backup_set_id, ended=last.end)
    if age is None:  # the job ended after "now": the clocks disagree
        return CheckResult(CHECK, tenant_id, Status.UNKNOWN, f"last successful backup (job {last.job_id}) ended "
                           f"{fmt_time(_when(last))}{after_now(ctx.now, _when(last))}" + failed_text,
                           None, threshold, "s", chain.steps, details)
    if age > threshold:
        status = Status.CRITICAL
    elif len(failed) >= settings()["last_backup"]["failed_attempts_warning"]:
        status = Status.WARNING
    else:
        status = Status.OK
    summary = f"last successful backup (job {last.job_id}) {ago(age)} ago" + failed_text
    if age > threshold:
        summary += f"; older than {ago(threshold)}"
    return CheckResult(CHECK, tenant_id, status, summary, round(age, 3), threshold, "s", chain.steps, details)
