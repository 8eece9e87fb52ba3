"""P2 of the runbook (problem two): the backup job is stuck in a running stage.

Looks at, in the runbook's order:

1. ``CDB_OB_BACKUP_TASKS``: each set task in a running stage (``BACKUP_META``,
   ``BACKUP_DATA_*``, ...); stages that wait for the log archive are rule P2A's.
2. ``__all_virtual_backup_schedule_task``: the trace id and the executing server
   (``destination``) of the task; when the scheduler has no row, the running ls tasks of
   ``__all_virtual_backup_ls_task``.
3. ``observer.log`` and its rotated files on that server: the WARN/ERROR lines of the trace,
   the first and the latest shown.
4. The most frequent ``ret=<code>`` among them, handed to the code families (``rules/codes/``)
   or the error catalogue.
5. When no family names a cause and the job writes to a ``file://`` destination (its PATH, else
   ``data_backup_dest``): each server's mount of it (``/proc/mounts``), as the stuck clean does
   (``services/destination.mount_cause``).

Concludes ``stuck`` with the code it keeps hitting, or the cause a code family names
(``checkpoint_not_advancing``, ``server_not_alive``, a destination cause...), or, when a server
mounts the ``file://`` destination against OceanBase's NFS requirements or not at all,
``nfs_mount_not_as_required`` / ``nfs_not_mounted_everywhere`` (likely). A code alone stays
likely while the task runs: it may be retried away. A silent task younger than
``[stuck] quiet_minutes`` is an observation, not a finding, unless a history of polls
(``obdoctor watch``) saw its progress stop.

Cannot tell: whether a silent task is slow or frozen from one snapshot of the views (the watcher's
history can); anything when the executing server's log was not collected (it says what was
searched); a stage OceanBase added after 4.3.5 is shown as printed and treated as running.
"""

from __future__ import annotations

from collections import Counter

from obdoctor.catalog.cause_ids import ERROR_CODE, STUCK, VALIDATE_JOB_STUCK
from obdoctor.catalog.statuses import (
    ARCHIVE_WAIT_STAGES, DATA_BACKUP_JOB, KNOWN_STAGES, TERMINAL, VALIDATE_JOB, schedule_job_type,
)
from obdoctor.evidence import LogFamily
from obdoctor.evidence.clock import after_now, elapsed
from obdoctor.evidence.kinds import Kind
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records import BackupTask, ScheduleTask
from obdoctor.findings import Finding, Verdict
from obdoctor.logs import is_trace_id
from obdoctor.security.redaction import redact_text
from obdoctor.rules.base import (
    PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, facts, files_of, fmt_time, head_tail, search, window,
)
from obdoctor.rules.services.destination import MOUNT_NEEDS, destination_path, mount_cause
from obdoctor.rules.services.failure import FailurePoint, explain


class StuckTask(Rule):
    """A backup set task stays in a running stage (BACKUP_META, BACKUP_DATA_*, ...).

    Takes the task from CDB_OB_BACKUP_TASKS, the trace id and executing server from
    ``__all_virtual_backup_schedule_task`` (or the running ls tasks), then the WARN/ERROR lines of
    that trace in the server's observer.log and rotated files. Stages that wait for the log
    archive are left to rule P2A. The scheduler's queue also holds validate jobs (type
    VALIDATE_JOB): they are never taken for a data backup's task, and one that has not left the
    queue for longer than the stuck threshold is reported as a validate job (no 4.x version has a
    view of validate jobs; the queue is the only evidence of them).
    """

    id = "P2"
    name = "job-stuck"
    needs = (Kind.TASKS, Kind.JOBS, Kind.SCHEDULE_TASKS, Kind.LS_TASKS, Kind.TENANTS, Kind.JOB_HISTORY,
             Kind.PARAMETERS, LogFamily.OBSERVER, *MOUNT_NEEDS)

    def check(self, ctx: RuleContext) -> list[Finding]:
        tasks = ctx.evidence.get(Kind.TASKS)
        if not tasks.available:
            ctx.could_not_check("running backup tasks (CDB_OB_BACKUP_TASKS)", tasks.reason or "view not available")
            return self._validate_jobs(ctx)
        terminal, archive_wait = set(TERMINAL), set(ARCHIVE_WAIT_STAGES)
        findings = []
        for task in tasks:
            if task.status in terminal or task.status in archive_wait:
                continue
            if not ctx.options.wants(task.tenant_id, task.job_id):
                continue
            finding = self._diagnose(ctx, task)
            if finding:
                findings.append(finding)
        return findings + self._validate_jobs(ctx)

    def _validate_jobs(self, ctx: RuleContext) -> list[Finding]:
        """VALIDATE_JOB rows of the scheduler's queue, per tenant and job: observed while young,
        a finding once the oldest has waited longer than the stuck threshold."""
        queue = ctx.evidence.get(Kind.SCHEDULE_TASKS)
        jobs: dict[tuple, list[ScheduleTask]] = {}
        for row in queue:
            if schedule_job_type(row.type) == VALIDATE_JOB and ctx.options.wants(row.tenant_id, row.job_id):
                jobs.setdefault((row.tenant_id, row.job_id), []).append(row)
        now = ctx.evidence.collected_at
        quiet = facts()["stuck"]["quiet_minutes"]
        findings = []
        for (tenant_id, job_id), rows in jobs.items():
            born = min((r.generate_ts for r in rows if r.generate_ts), default=None)
            age = elapsed(now, born)
            where = "; ".join(f"ls {r.ls_id} " + (f"on {r.destination} since {fmt_time(r.executor_ts or r.schedule_ts)}"
                                                   if r.is_schedule and r.destination else "not scheduled on any server")
                              for r in rows[:5])
            head = (f"Validate job {job_id} of tenant {tenant_id} is in the backup scheduler's queue"
                    + (f" since {fmt_time(born)} ({_duration(age)} before collection)" if age is not None else ""))
            if age is None or age.total_seconds() < quiet * 60:
                ctx.observe(f"{head}: {where}. A validate job, not a data backup.", [r.provenance for r in rows])
                continue
            chain = Chain(self.id)
            chain.row_step("__all_virtual_backup_schedule_task", f"{len(rows)} VALIDATE_JOB task(s) (type 1); {where}",
                           rows, ("tenant_id", "job_id", "task_id", "ls_id", "type", "trace_id", "destination",
                                  "is_schedule", "generate_ts", "executor_ts"))
            for r in rows:
                if r.is_schedule and r.server:
                    chain.server(r.server)
                if is_trace_id(r.trace_id):
                    chain.trace(r.trace_id)
            chain.notes.append("No OceanBase 4.x version has a view of validate jobs: this queue row is the only "
                               "evidence, and it says neither why the job waits nor whether it failed.")
            findings.append(chain.finding(VALIDATE_JOB_STUCK, Verdict.LIKELY,
                                          f"{head}, longer than {quiet} minutes: {where}. A validate job, not a data backup.",
                                          tenant_id=tenant_id, job_id=job_id, time=born))
        return findings

    def _diagnose(self, ctx: RuleContext, task: BackupTask) -> Finding | None:
        chain = Chain(self.id)
        now = ctx.evidence.collected_at
        running_for = elapsed(now, task.start)
        chain.row_step(
            task.provenance.name,
            f"task {task.task_id} of job {task.job_id}, tenant {task.tenant_id}, is in {task.status} since "
            f"{fmt_time(task.start)}" + (f" ({_duration(running_for)} before collection)" if running_for else "")
            + after_now(now, task.start),
            [task], ("tenant_id", "job_id", "task_id", "status", "start", "input_bytes", "finish_tablet_count", "tablet_count"),
        )
        frozen = ctx.options.no_progress_since
        if frozen is not None:  # a history of polls saw the progress stop (the watcher's stall)
            chain.step(ctx.options.progress_source,
                       f"no progress of {ctx.options.no_progress_of or f'job {task.job_id}'} since {fmt_time(frozen)}"
                       + (f" ({_duration(now - frozen)})" if now and now >= frozen else ""),
                       provenance=[Provenance("history", ctx.options.progress_source)])
        if task.status not in KNOWN_STAGES:
            chain.notes.append(f"Stage {task.status!r} is not one obdoctor knows (OceanBase 4.0 to 4.3.5); "
                               "it is shown as OceanBase printed it and treated as still running.")
        since, until = window(task.start, now)
        failure = FailurePoint(task.tenant_id, task.job_id, None, time=task.start, since=since, until=until, stuck=True)
        targets = self._targets(ctx, chain, task)
        lines = []
        for server, trace in targets:
            chain.server(server)
            chain.trace(trace)
            result = search(ctx, chain, servers=(server,), kinds=(LogFamily.OBSERVER,), any_of=(trace,),
                            since=since, until=until, purpose=f"lines of trace {trace}")
            problems = [r for r in result.records if r.level in PROBLEM_LEVELS]
            if problems:
                shown = head_tail(problems)
                chain.log_step(f"observer.log* on {server}: grep {trace}",
                               f"{result.total_matches} line(s) of the trace, {len(problems)} WARN/ERROR, in "
                               + ", ".join(files_of(problems))
                               + (f" (first {5} and last {len(shown) - 5} shown)" if len(shown) < len(problems) else ""),
                               shown, limit=len(shown))
            elif result.searched_anything:
                chain.step(f"observer.log* on {server}: grep {trace}",
                           f"{result.total_matches} line(s) of the trace, none WARN/ERROR; {result.searched()}")
            failure.logs_searched |= result.searched_anything
            failure.searched.append(result.searched())
            lines.extend(problems)
        failure.lines = lines
        if targets:
            failure.exec_server = targets[0][0]
            failure.exec_traces = [t for _, t in targets]
        codes = Counter(r.ret() for r in lines if r.ret())
        if codes:
            failure.code = codes.most_common(1)[0][0]
            failure.proof = next(r for r in lines if r.ret() == failure.code)
        quiet = facts()["stuck"]["quiet_minutes"]
        if not lines and frozen is None and running_for is not None and running_for.total_seconds() < quiet * 60:
            # young and silent: normal. Errors in the trace are reported at any age (the watcher
            # asks as soon as progress freezes); the verdict stays "likely" while it runs.
            ctx.observe(f"Tenant {task.tenant_id}: backup job {task.job_id} is running ({task.status}, "
                        f"{_duration(running_for)}); no warning in its trace.", [task.provenance])
            return None
        explanation = explain(ctx, chain, failure)
        verdict = explanation.verdict
        if explanation.cause == ERROR_CODE:
            verdict = Verdict.LIKELY  # the task still runs: the error may be retried away
        ageless = running_for is None and not lines and frozen is None
        if ageless:  # no collection time: a silent task may be minutes old, not stuck
            chain.could_not_check(f"how long job {task.job_id} has run",
                                  "the evidence says no collection time (manifest collected_at)")
            verdict = Verdict.UNKNOWN
        head = (f"Backup job {task.job_id} of tenant {task.tenant_id} is {'in' if ageless else 'stuck in'} {task.status}"
                + (f" on {failure.exec_server}" if failure.exec_server else "")
                + (f" since {fmt_time(task.start)} (how long before collection is unknown)" if ageless else "")
                + (f", hitting {code_text(failure.code)}" if failure.code else ""))
        if explanation.cause in (ERROR_CODE, STUCK) and not ageless:
            path, _ = self._destination(ctx, task)
            mounted = mount_cause(ctx, chain, path, task.tenant_id, tuple(chain.servers))
            if mounted is not None:  # the job hangs on a share some server mounts wrongly or not at all
                chain.servers = mounted.servers
                return chain.finding(mounted.cause, Verdict.LIKELY, f"{head}, writing to {redact_text(path or '')}; {mounted.told}.",
                                     code=failure.code, tenant_id=task.tenant_id, job_id=task.job_id, time=task.start,
                                     extra_steps=mounted.next_steps)
        summary = head + (f": {explanation.summary}." if explanation.summary else ".")
        cause = STUCK if explanation.cause == ERROR_CODE else explanation.cause
        return chain.finding(cause, verdict, summary, code=failure.code, tenant_id=task.tenant_id,
                             job_id=task.job_id, time=task.start, extra_steps=explanation.next_steps)

    @staticmethod
    def _destination(ctx: RuleContext, task: BackupTask) -> tuple[str | None, object | None]:
        """Where the job writes: its PATH in CDB_OB_BACKUP_JOBS, else the tenant's data_backup_dest."""
        for job in ctx.evidence.get(Kind.JOBS):
            if job.tenant_id == task.tenant_id and job.job_id == task.job_id and job.path:
                return job.path, job
        return destination_path(ctx, task.tenant_id, "backup")

    def _targets(self, ctx: RuleContext, chain: Chain, task: BackupTask) -> list[tuple[str, str]]:
        """(server, trace id) pairs executing the task: scheduler first, running ls tasks second."""
        schedule = ctx.evidence.get(Kind.SCHEDULE_TASKS)
        mine = [s for s in schedule if s.tenant_id == task.tenant_id and (s.job_id in (task.job_id, None))]
        rows: list[ScheduleTask] = [s for s in mine if schedule_job_type(s.type) in (None, DATA_BACKUP_JOB)]
        others = [s for s in mine if s not in rows]
        if others:  # the queue holds every job type; only data backup rows are this task's
            chain.notes.append(f"{len(others)} row(s) of __all_virtual_backup_schedule_task for tenant {task.tenant_id} "
                               "belong to another job type (" + ", ".join(sorted({schedule_job_type(s.type) for s in others}))
                               + "): not read as this data backup's tasks.")
        targets = [(s.server, s.trace_id) for s in rows if s.server and is_trace_id(s.trace_id)]
        if rows:
            chain.row_step(
                "__all_virtual_backup_schedule_task",
                f"{len(rows)} scheduled task(s); " + ", ".join(f"ls {s.ls_id} on {s.destination or '(not scheduled)'} trace {s.trace_id}" for s in rows[:5]),
                rows, ("tenant_id", "job_id", "task_id", "ls_id", "type", "trace_id", "destination", "is_schedule"),
            )
        elif schedule.available:
            chain.step("__all_virtual_backup_schedule_task", f"no row for tenant {task.tenant_id}")
        else:
            chain.could_not_check("the backup scheduler queue (__all_virtual_backup_schedule_task)", schedule.reason or "")
        if targets:
            return _unique(targets)
        ls_tasks = ctx.evidence.get(Kind.LS_TASKS)
        running = [t for t in ls_tasks if t.tenant_id == task.tenant_id and t.job_id in (task.job_id, None)
                   and t.status != "FINISH" and t.svr_ip and is_trace_id(t.task_trace_id)]
        if running:
            chain.row_step("__all_virtual_backup_ls_task", f"{len(running)} running ls task(s)", running,
                           ("tenant_id", "task_id", "ls_id", "status", "svr_ip", "task_trace_id", "retry_id", "result"))
        return _unique([(t.svr_ip, t.task_trace_id) for t in running])


def _unique(pairs):
    out = []
    for p in pairs:
        if p not in out:
            out.append(p)
    return out


def _duration(delta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "?"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"
