"""C1: backup clean (delete) jobs that FAILED or do not finish.

Beyond the runbook. OceanBase records no event for backup clean (there is no ``backup_clean``
module), so the evidence is the jobs, their tasks and the clean scheduler's lines.

Looks at, in order:

1. ``CDB_OB_BACKUP_DELETE_JOBS`` and ``CDB_OB_BACKUP_DELETE_JOB_HISTORY``: each tenant's latest
   delete job (every FAILED one with ``--all-jobs``).
2. ``CDB_OB_BACKUP_DELETE_TASKS`` / ``*_TASK_HISTORY``: the job's tasks (one per backup set or
   piece) with RESULT, COMMENT and PATH.
3. The destination of a failed task, through the destination service.
4. ``rootservice.log*``: the ``ob_backup_clean`` scheduler's WARN/ERROR lines.
5. For a stuck job whose task writes to a ``file://`` destination: each server's mount of it
   (``/proc/mounts``, the destination service's mount check).

Concludes ``clean_failed`` for a FAILED job (likely, with what OceanBase's documentation says
about its code), or the destination's cause when its task failed on one; ``clean_stuck`` for a
job still running after ``[clean] stuck_minutes``, or, when a server mounts that job's ``file://``
destination against OceanBase's NFS requirements (NFS 3, soft, cached lookups),
``nfs_mount_not_as_required`` (likely; ``nfs_not_mounted_everywhere`` when a server does not
mount the share). A completed or young running job is an observation.

Cannot tell: why a clean failed when its tasks are gone from the views and no root service is
named; whether a long clean of a very large backup is slow or frozen.
"""

from __future__ import annotations

from datetime import timedelta

from obdoctor.catalog.cause_ids import CLEAN_FAILED, CLEAN_STUCK
from obdoctor.evidence import LogFamily
from obdoctor.evidence.clock import after_now, elapsed
from obdoctor.evidence.kinds import Kind
from obdoctor.addresses import server_ip
from obdoctor.catalog.statuses import FAILED, SUCCEEDED, TERMINAL
from obdoctor.evidence.records import DeleteJob, DeleteTask
from obdoctor.findings import Finding, Verdict
from obdoctor.catalog import error_docs
from obdoctor.catalog.data_files import data_toml
from obdoctor.security.redaction import redact_text
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, fmt_time, search
from obdoctor.rules.services.destination import MOUNT_NEEDS, DestinationProblem, diagnose, is_destination_code, mount_cause

_JOB_COLUMNS = ("tenant_id", "job_id", "type", "status", "result", "start", "end", "task_count", "success_task_count", "comment")
_TASK_COLUMNS = ("tenant_id", "job_id", "task_id", "task_type", "id", "status", "result", "finish_ls_count",
                 "total_ls_count", "path", "comment")
CLEAN_FRAGMENT = "ob_backup_clean"


def clean_facts() -> dict:
    return data_toml("beyond_runbook.toml")["clean"]


class BackupClean(Rule):
    """The latest delete job of each tenant FAILED (its failed task, code and destination are
    followed), or a running delete job has not finished for hours (its unfinished tasks and the
    root service's WARN lines are shown).
    """

    id = "C1"
    name = "backup-clean"
    needs = (Kind.DELETE_JOBS, Kind.DELETE_JOB_HISTORY, Kind.DELETE_TASKS, Kind.DELETE_TASK_HISTORY,
             Kind.RS_EVENTS, Kind.PARAMETERS, LogFamily.ROOTSERVICE, LogFamily.OBSERVER, *MOUNT_NEEDS)
    codes = (-9044, -9045, -9052, -9054, -9069)

    def check(self, ctx: RuleContext) -> list[Finding]:
        jobs = [*ctx.evidence.get(Kind.DELETE_JOB_HISTORY), *ctx.evidence.get(Kind.DELETE_JOBS)]
        jobs = [j for j in jobs if ctx.options.wants(j.tenant_id, j.job_id) and ctx.options.in_window(j.end or j.start)]
        latest: dict[int | None, DeleteJob] = {}
        for j in jobs:
            if j.tenant_id not in latest or (j.job_id or 0) >= (latest[j.tenant_id].job_id or 0):
                latest[j.tenant_id] = j
        chosen = [j for j in jobs if j.status in FAILED] if ctx.options.all_jobs else list(latest.values())
        findings = []
        facts = clean_facts()
        for job in sorted(chosen, key=lambda j: (j.tenant_id or 0, j.job_id or 0)):
            if job.status in FAILED:
                findings.append(self._failed(ctx, job))
            elif job.status in facts["running_states"]:
                finding = self._running(ctx, job, facts)
                if finding:
                    findings.append(finding)
            elif job.status in SUCCEEDED:
                ctx.observe(f"Tenant {job.tenant_id}: latest backup clean job {job.job_id} ({job.type}) COMPLETED at "
                            f"{fmt_time(job.end)}.", [job.provenance])
        return findings

    def _tasks(self, ctx: RuleContext, job: DeleteJob) -> list[DeleteTask]:
        return [t for t in (*ctx.evidence.get(Kind.DELETE_TASK_HISTORY), *ctx.evidence.get(Kind.DELETE_TASKS))
                if t.tenant_id == job.tenant_id and t.job_id == job.job_id]

    def _rs_lines(self, ctx: RuleContext, chain: Chain, job: DeleteJob, since, until) -> list:
        rs = None
        comment = job.structured_comment
        if comment and comment.origin == "rootservice" and comment.addr:
            rs = server_ip(comment.addr, strict=False)
        if rs is None:
            ips = [e.rs_svr_ip for e in ctx.evidence.get(Kind.RS_EVENTS) if e.rs_svr_ip]
            rs = ips[-1] if ips else None
        if rs is None:
            chain.could_not_check("the root service's clean scheduler lines", "no root service server named by the evidence")
            return []
        result = search(ctx, chain, servers=(rs,), kinds=(LogFamily.ROOTSERVICE,), any_of=(CLEAN_FRAGMENT,),
                        levels=PROBLEM_LEVELS, since=since, until=until, purpose="backup clean scheduler WARN/ERROR")
        chain.server(rs)
        if result.records:
            chain.log_step(f"rootservice.log* on {rs}: grep {CLEAN_FRAGMENT} | grep \"WARN\\|ERROR\"",
                           f"{result.total_matches} line(s); last: {result.records[-1].message[:200]}", result.records[-10:])
        elif result.searched_anything:
            chain.step(f"rootservice.log* on {rs}: grep {CLEAN_FRAGMENT}", f"no WARN/ERROR line: {result.searched()}")
        return result.records

    def _failed(self, ctx: RuleContext, job: DeleteJob) -> Finding:
        chain = Chain(self.id)
        chain.row_step(job.provenance.name, f"clean job {job.job_id} ({job.type}) of tenant {job.tenant_id} FAILED at "
                       f"{fmt_time(job.end)} with {code_text(job.result)}", [job], _JOB_COLUMNS)
        tasks = self._tasks(ctx, job)
        failed = [t for t in tasks if t.result or t.status in FAILED]
        code = job.result
        task = failed[0] if failed else None
        if task is not None:
            chain.row_step(task.provenance.name, f"{task.task_type} {task.id} failed with {code_text(task.result)}"
                           + (f"; COMMENT: {task.comment}" if task.comment else ""), failed, _TASK_COLUMNS)
            code = task.result or code
        elif tasks:
            chain.step("the clean job's tasks", "no task with a result: the job failed before or between tasks")
        else:
            chain.could_not_check("the clean job's tasks (CDB_OB_BACKUP_DELETE_TASK_HISTORY)", "no task row for the job")
        since = job.start - timedelta(minutes=5) if job.start else None
        until = job.end + timedelta(minutes=5) if job.end else ctx.evidence.collected_at
        lines = self._rs_lines(ctx, chain, job, since, until)
        comment = (task.structured_comment if task else None) or job.structured_comment
        servers = tuple(s for s in (server_ip(comment.addr or "", strict=False) if comment else "",) if s)
        if comment and comment.origin == "server" and servers:
            chain.servers = list(servers)  # the server that failed, not the root service that logged it
        for s in servers:
            chain.server(s)
        if comment and comment.trace_id:
            chain.trace(comment.trace_id)
        if is_destination_code(code):
            e = diagnose(ctx, chain, DestinationProblem(code, job.tenant_id, servers=servers, since=since, until=until,
                                                        lines=tuple(lines), path=task.path if task else None,
                                                        purpose="clean", path_record=task))
            return chain.finding(e.cause, e.verdict, f"Backup clean job {job.job_id} of tenant {job.tenant_id} failed with "
                                 f"{code_text(code)}: {e.summary}.", code=code, tenant_id=job.tenant_id, job_id=job.job_id,
                                 time=job.end, extra_steps=e.next_steps)
        doc = error_docs.doc(code) if code else None
        tail = (": documented cause: " + " ".join(doc.cause).rstrip(".")) if doc and doc.cause else ""
        steps = [f"Documented solution: {s}" for s in doc.solution] if doc else []
        proof = any(code and (l.ret() == code or f"ret={code}" in l.raw) for l in lines)
        verdict = Verdict.CONFIRMED if proof or task is not None else (Verdict.LIKELY if code else Verdict.UNKNOWN)
        what = f" ({task.task_type} {task.id})" if task else ""
        return chain.finding(CLEAN_FAILED, verdict,
                             f"Backup clean job {job.job_id} of tenant {job.tenant_id}{what} failed with {code_text(code)}{tail}.",
                             code=code, tenant_id=job.tenant_id, job_id=job.job_id, time=job.end, extra_steps=steps)

    def _running(self, ctx: RuleContext, job: DeleteJob, facts: dict) -> Finding | None:
        now = ctx.evidence.collected_at
        if now is None or job.start is None:
            return None
        age = elapsed(now, job.start)
        if age is None:  # the cluster's clock behind the row: no age, neither young nor stuck
            ctx.observe(f"Tenant {job.tenant_id}: backup clean job {job.job_id} is {job.status} since "
                        f"{fmt_time(job.start)}{after_now(now, job.start)}.", [job.provenance])
            return None
        minutes = age.total_seconds() / 60
        if minutes < facts["stuck_minutes"]:
            ctx.observe(f"Tenant {job.tenant_id}: backup clean job {job.job_id} is {job.status} for {minutes:.0f} minutes.",
                        [job.provenance])
            return None
        chain = Chain(self.id)
        chain.row_step(job.provenance.name, f"clean job {job.job_id} ({job.type}) of tenant {job.tenant_id} is {job.status} "
                       f"since {fmt_time(job.start)} ({minutes / 60:.1f} hours before collection)", [job], _JOB_COLUMNS)
        tasks = self._tasks(ctx, job)
        open_tasks = [t for t in tasks if t.status not in TERMINAL]
        if open_tasks:
            chain.row_step(open_tasks[0].provenance.name, f"{len(open_tasks)} of {len(tasks)} task(s) unfinished", open_tasks,
                           _TASK_COLUMNS)
        lines = self._rs_lines(ctx, chain, job, now - timedelta(hours=2), now)
        codes = [l.ret() for l in lines if l.ret()]
        code = codes[-1] if codes else None
        if is_destination_code(code):
            e = diagnose(ctx, chain, DestinationProblem(code, job.tenant_id, since=now - timedelta(hours=2), until=now,
                                                        lines=tuple(lines), path=open_tasks[0].path if open_tasks else None,
                                                        purpose="clean", path_record=open_tasks[0] if open_tasks else None))
            return chain.finding(e.cause, e.verdict, f"Backup clean job {job.job_id} of tenant {job.tenant_id} is stuck: "
                                 f"{e.summary}.", code=code, tenant_id=job.tenant_id, job_id=job.job_id,
                                 time=job.start, extra_steps=e.next_steps)
        mounted = self._mount_cause(ctx, chain, job, open_tasks, minutes, code)
        if mounted:
            return mounted
        return chain.finding(CLEAN_STUCK, Verdict.CONFIRMED if lines else Verdict.LIKELY,
                             f"Backup clean job {job.job_id} of tenant {job.tenant_id} has been {job.status} for "
                             f"{minutes / 60:.1f} hours" + (f"; the root service keeps logging {code_text(code)}" if code else "") + ".",
                             code=code, tenant_id=job.tenant_id, job_id=job.job_id, time=job.start)

    def _mount_cause(self, ctx: RuleContext, chain: Chain, job: DeleteJob, open_tasks: list[DeleteTask],
                     minutes: float, code: int | None) -> Finding | None:
        """A stuck clean on a ``file://`` destination that some server mounts against OceanBase's
        NFS requirements (NFS 3, soft, no lookupcache=positive) or not at all: that mount is the
        likely cause (the 51cto 807526 field case: a clean DOING for days on NFS 3, -4018 logged).
        None when the mounts are fine, unread, or the destination is not ``file://``."""
        path = next((t.path for t in open_tasks if t.path), None)
        found = mount_cause(ctx, chain, path, job.tenant_id, tuple(chain.servers))
        if found is None:
            return None
        chain.servers = found.servers
        logged = f"; the root service keeps logging {code_text(code)}" if code else ""
        return chain.finding(found.cause, Verdict.LIKELY,
                             f"Backup clean job {job.job_id} of tenant {job.tenant_id} has been {job.status} for "
                             f"{minutes / 60:.1f} hours on {redact_text(path or '')}{logged}; {found.told}.",
                             code=code, tenant_id=job.tenant_id, job_id=job.job_id, time=job.start,
                             extra_steps=found.next_steps)
