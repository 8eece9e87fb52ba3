"""P3 of the runbook (problem three): the backup job FAILED.

Looks at, in the runbook's order:

1. ``CDB_OB_BACKUP_JOB_HISTORY`` (and the running jobs): each tenant's latest FAILED job (every
   one with ``--all-jobs``). Without a job row, log lines or task rows that prove a failure
   (``succeed deal with failed job``, a failed ls task) establish it.
2. From 4.2 the job's ``COMMENT``: ``(server)`` or ``(rootservice)``, the address, the result
   and the trace id.
3. Before 4.2 the ``deal with failed job`` event: result and trace id; then that trace's
   WARN/ERROR lines in the root service's ``rootservice.log*``, where ``ls task failed, backup
   can't not continue`` names the ls task and its ``dst``.
4. ``__all_virtual_backup_ls_task_history`` (or the line's ``dst``): the executing server and
   the task's trace id.
5. ``observer.log*`` on that server: ``ret=<code>`` in the tenant's ``T<tenant>_BACKUP``
   threads and the lines of the task's trace.
6. The code, handed to its family (``rules/codes/``) or the error catalogue.

Concludes the cause a code family names (``checkpoint_not_advancing``, ``server_not_alive``,
``result_not_reported``, the destination causes...), or ``error_code`` with what OceanBase's
documentation says about the code: confirmed when a line on the executing server shows the code,
likely when only the views do (unknown for a code that names no cause, -4016 and the like:
``backup_facts.toml`` ``[uninformative_codes]``); ``backup_failed_unknown`` when no code is
anywhere. A later job that completed is said as an observation.

Cannot tell: the failing line when the executing server's log was not collected or has rotated
away (the view's code is then only likely); the server when the COMMENT names no address, the
event is gone and the ls task history cannot be read.
"""

from __future__ import annotations

from datetime import datetime

from obdoctor.catalog.statuses import FAILED, SUCCEEDED
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.addresses import server_ip
from obdoctor.evidence.records import BackupJob, LSTask
from obdoctor.findings import Finding
from obdoctor.logs import LogRecord, find_anywhere, is_trace_id
from obdoctor.rules.base import (
    PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, fmt_time, log_provenance, search, window,
)
from obdoctor.rules.services.destination import MOUNT_NEEDS
from obdoctor.rules.services.failure import FailurePoint, explain
from obdoctor.rules.services.implied import (
    DEAL_FAILED_JOB, DO_BACKUP_FAILED, LS_TASK_FAILED, implied_failed_jobs, int_or_none, proof_lines,
)

_JOB_COLUMNS = ("tenant_id", "job_id", "backup_set_id", "status", "result", "start", "end", "comment")


class FailedJob(Rule):
    """A backup job ended FAILED.

    Follows both documented chains to the server and log line where it failed: from 4.2 the
    job's COMMENT names ``(server|rootservice)``, addr, result and trace_id; before, the
    ``deal with failed job`` event gives result and trace_id, the root service's log shows
    ``ls task failed, backup can't not continue``, ``__all_virtual_backup_ls_task_history``
    (or the line's ``dst``) names the server, and its observer.log shows ``ret=<code>``.
    The code is then explained by its family (``rules/codes``) or the error catalogue.
    """

    id = "P3"
    name = "job-failed"
    needs = (Kind.JOB_HISTORY, Kind.JOBS, Kind.RS_EVENTS, Kind.LS_TASK_HISTORY, Kind.TENANTS, Kind.PARAMETERS, Kind.TASKS, Kind.TASK_HISTORY, Kind.LS_TASKS, LogFamily.ROOTSERVICE, LogFamily.OBSERVER, *MOUNT_NEEDS)

    def check(self, ctx: RuleContext) -> list[Finding]:
        history = ctx.evidence.get(Kind.JOB_HISTORY)
        if not history.available:
            ctx.could_not_check("finished backup jobs (job history)", history.reason or "view not available")
        jobs = [*history, *ctx.evidence.get(Kind.JOBS)]
        jobs += implied_failed_jobs(ctx, jobs, history.available)
        jobs = [j for j in jobs if ctx.options.wants(j.tenant_id, j.job_id)]
        failed = [j for j in jobs if j.status in FAILED and ctx.options.in_window(j.end or j.start)]
        if ctx.options.job_id is None and not ctx.options.all_jobs:
            failed = [j for j in failed if self._is_latest(j, jobs, ctx)]
        seen: set[tuple] = set()
        findings = []
        for job in sorted(failed, key=lambda j: (j.tenant_id or 0, j.job_id or 0)):
            key = (job.tenant_id, job.job_id)
            if key in seen:
                continue
            seen.add(key)
            findings.append(self._diagnose(ctx, job))
        self._observe_completed(ctx, jobs)
        return findings

    @staticmethod
    def _is_latest(job: BackupJob, jobs: list[BackupJob], ctx: RuleContext) -> bool:
        later = [j for j in jobs if j.tenant_id == job.tenant_id and (j.job_id or 0) > (job.job_id or 0)]
        newest = max(later, key=lambda j: j.job_id or 0) if later else None
        if newest is not None and newest.status not in FAILED:  # a later FAILED job is diagnosed itself
            since = (f"completed since, at {fmt_time(newest.end)}" if newest.status in SUCCEEDED
                     else f"is {newest.status} since {fmt_time(newest.start)}")
            ctx.observe(
                f"Tenant {job.tenant_id}: job {job.job_id} FAILED ({code_text(job.result)}) but job {newest.job_id} "
                f"{since} (use --all-jobs or --job {job.job_id} to diagnose it).",
                [job.provenance, newest.provenance],
            )
        return not later

    @staticmethod
    def _observe_completed(ctx: RuleContext, jobs: list[BackupJob]) -> None:
        latest: dict[int | None, BackupJob] = {}
        for j in jobs:
            if j.tenant_id not in latest or (j.job_id or 0) > (latest[j.tenant_id].job_id or 0):
                latest[j.tenant_id] = j
        for tenant_id, j in sorted(latest.items(), key=lambda kv: kv[0] or 0):
            if j.status in SUCCEEDED:
                ctx.observe(f"Tenant {tenant_id}: latest backup job {j.job_id} COMPLETED at {fmt_time(j.end)}.",
                            [j.provenance])

    def _diagnose(self, ctx: RuleContext, job: BackupJob) -> Finding:
        chain = Chain(self.id)
        since, until = window(job.start, job.end or ctx.evidence.collected_at)
        failure = FailurePoint(job.tenant_id, job.job_id, job.result or None, time=job.end, since=since, until=until)
        if job.established_by:
            self._established(ctx, chain, job)
        else:
            chain.row_step(
                job.provenance.name,
                f"job {job.job_id} of tenant {job.tenant_id} FAILED at {fmt_time(job.end)} with result "
                f"{code_text(job.result)}" + (f"; COMMENT: {job.comment}" if job.comment else ""),
                [job], _JOB_COLUMNS,
            )
        comment = job.structured_comment
        exec_lines = proof_lines(job, DO_BACKUP_FAILED)
        if comment and (comment.addr or comment.trace_id):
            self._comment_chain(ctx, chain, job, comment, failure)
        elif exec_lines and not proof_lines(job, LS_TASK_FAILED):
            self._exec_line_chain(ctx, chain, failure, exec_lines)
        else:
            self._event_chain(ctx, chain, job, failure)
        explanation = explain(ctx, chain, failure)
        where = f" on {failure.exec_addr or failure.exec_server}" if (failure.exec_addr or failure.exec_server) else ""
        which = f"Backup job {job.job_id}" if job.job_id is not None else "A backup job"
        summary = (f"{which} of tenant {job.tenant_id} failed{where} with "
                   f"{code_text(failure.code)}" + (f": {explanation.summary}." if explanation.summary else "."))
        return chain.finding(explanation.cause, explanation.verdict, summary, code=failure.code,
                             tenant_id=job.tenant_id, job_id=job.job_id, time=job.end,
                             extra_steps=explanation.next_steps)

    # -- no job row: what established the failure ------------------------------------
    def _established(self, ctx, chain: Chain, job: BackupJob) -> None:
        history = ctx.evidence.get(Kind.JOB_HISTORY)
        why = ("the job history could not be read" if not history.available
               else f"{history.source} has no row for job {job.job_id} of tenant {job.tenant_id}")
        which = f"job {job.job_id}" if job.job_id is not None else "a backup job (its id is not in the lines)"
        showed = (f"{why}; {which} of tenant {job.tenant_id} FAILED"
                  + (f" with {code_text(job.result)}" if job.result else "") + f", as {job.established_by} shows")
        lines = [p for p in job.proof if isinstance(p, LogRecord)]
        records = [p for p in job.proof if not isinstance(p, LogRecord)]
        if lines:
            chain.log_step(f"{job.established_by} (no job row)", showed, lines)
        else:
            columns = tuple(c for c in ("timestamp", "tenant_id", "job_id", "task_id", "ls_id", "status", "result",
                                        "svr_ip", "svr_port", "task_trace_id", "rs_svr_ip", "comment")
                            if any(hasattr(r, c) for r in records))
            chain.row_step(f"{job.provenance.name} (no job row)", showed, records, columns)

    def _exec_line_chain(self, ctx, chain: Chain, failure: FailurePoint, lines: list[LogRecord]) -> None:
        """Only the executing server's own ``failed to do backup(ret=...)``: it is the failing server."""
        first = lines[0]
        failure.exec_server = first.server
        failure.exec_addr = first.server
        failure.code = failure.code or first.ret()
        if first.trace_id and is_trace_id(first.trace_id):
            failure.exec_traces.append(first.trace_id)
            chain.trace(first.trace_id)
        chain.server(first.server)
        self._observer_code_lines(ctx, chain, failure)
        if failure.proof is None:
            failure.proof = first
            failure.lines = failure.lines or lines

    # -- 4.2+: the COMMENT names the place --------------------------------------------
    def _comment_chain(self, ctx, chain: Chain, job: BackupJob, comment, failure: FailurePoint) -> None:
        failure.code = comment.result or failure.code
        failure.exec_addr = comment.addr
        failure.exec_server = server_ip(comment.addr)
        failure.ls_id = comment.ls_id
        if comment.trace_id and is_trace_id(comment.trace_id):
            failure.exec_traces.append(comment.trace_id)
        chain.server(failure.exec_server)
        chain.trace(comment.trace_id)
        chain.step(
            "the job's COMMENT (4.2+ format)",
            f"executed by the {comment.origin} at {comment.addr or '?'}"
            + (f", ls {comment.ls_id}" if comment.ls_id is not None else "")
            + f", result {code_text(comment.result)}, trace {comment.trace_id or '?'}",
            provenance=[job.provenance],
        )
        kind = LogFamily.OBSERVER if comment.origin == "server" else LogFamily.ROOTSERVICE
        if comment.origin == "rootservice":
            failure.rs_server = failure.exec_server
        self._trace_lines(ctx, chain, failure, kind)

    # -- 4.1: event -> rootservice.log -> ls task -> observer.log ----------------------
    def _event_chain(self, ctx, chain: Chain, job: BackupJob, failure: FailurePoint) -> None:
        events = ctx.evidence.get(Kind.RS_EVENTS).where(module="backup_data", event="deal with failed job")
        if not events.available:
            chain.could_not_check("the 'deal with failed job' event", events.reason or "view not available")
        matching = [e for e in events if e.tenant_id == job.tenant_id and e.int_value("job_id") == job.job_id]
        rs_trace = None
        if matching:
            event = max(matching, key=lambda e: (e.timestamp is not None, e.timestamp or datetime.min))
            failure.code = event.result or failure.code
            failure.rs_server = event.rs_svr_ip  # it logged the failure; the failing server comes next
            rs_trace = event.value("trace_id")
            chain.trace(rs_trace)
            chain.row_step(
                "DBA_OB_ROOTSERVICE_EVENT_HISTORY where event='deal with failed job'",
                f"result {code_text(event.result)}, trace {rs_trace or '?'}, root service on {event.rs_svr_ip or '?'}",
                [event], ("timestamp", "tenant_id", "result", "rs_svr_ip", "rs_svr_port"), extra={"trace_id": rs_trace},
            )
        elif events.available:
            chain.step("DBA_OB_ROOTSERVICE_EVENT_HISTORY where event='deal with failed job'",
                       f"no event for job {job.job_id} (events are recycled after ob_event_history_recycle_interval)")
        deal_lines = proof_lines(job, DEAL_FAILED_JOB)
        if not matching and deal_lines:  # the root service's own line names the server and the trace
            failure.rs_server, rs_trace = deal_lines[0].server, deal_lines[0].trace_id
            chain.trace(rs_trace)
        ls_line = next(iter(proof_lines(job, LS_TASK_FAILED)), None)
        if ls_line is not None:
            failure.rs_server = failure.rs_server or ls_line.server
        elif failure.rs_server and rs_trace and is_trace_id(rs_trace):
            result = search(
                ctx, chain, servers=(failure.rs_server,), kinds=(LogFamily.ROOTSERVICE,), any_of=(rs_trace,),
                levels=PROBLEM_LEVELS, since=failure.since, until=failure.until,
                purpose=f"WARN/ERROR lines of trace {rs_trace}",
            )
            ls_lines = [r for r in result.records if LS_TASK_FAILED in r.raw]
            if result.records:
                ls_line = ls_lines[0] if ls_lines else None
                first = ls_line or result.records[0]
                showed = (f"{result.total_matches} WARN/ERROR line(s); the first error: "
                          + ("'ls task failed, backup can't not continue': an observer failed the backup"
                             if ls_line else first.message[:200]))
                chain.log_step(f"rootservice.log* on {failure.rs_server}: grep {rs_trace} | grep 'WARN\\|ERROR'",
                               showed, [first] + [r for r in result.records if r is not first][:5])
                if not ls_line and failure.code is None:
                    failure.code = first.ret()
            elif result.searched_anything:
                chain.step(f"rootservice.log* on {failure.rs_server}: grep {rs_trace}",
                           f"no WARN/ERROR line: {result.searched()}")
        elif not failure.rs_server:
            chain.could_not_check("rootservice.log of the failure", "the root service server is not known")
        self._ls_task(ctx, chain, job, failure, ls_line)

    def _ls_task(self, ctx, chain: Chain, job: BackupJob, failure: FailurePoint, ls_line: LogRecord | None) -> None:
        task_id = ls_id = dst = task_trace = None
        if ls_line is not None:
            attr = ls_line.get("ls_attr") or ls_line.body
            task_id = int_or_none(find_anywhere(attr, "task_id"))
            ls_id = int_or_none(find_anywhere(find_anywhere(attr, "ls_id") or "", "id") or find_anywhere(attr, "ls_id"))
            dst = find_anywhere(attr, "dst")
            task_trace = find_anywhere(attr, "task_trace_id")
            code = ls_line.ret()
            if code:
                failure.code = code
        history = ctx.evidence.get(Kind.LS_TASK_HISTORY)
        task: LSTask | None = None
        if history.available:
            candidates = [t for t in history if t.tenant_id == job.tenant_id and t.result
                          and (t.task_id == task_id if task_id is not None else t.job_id == job.job_id)]
            if ls_id is not None:
                candidates = [t for t in candidates if t.ls_id == ls_id] or candidates
            if candidates:
                task = max(candidates, key=lambda t: (t.retry_id or 0, t.turn_id or 0))
                chain.row_step(
                    "__all_virtual_backup_ls_task_history where result != 0",
                    f"ls {task.ls_id} (task {task.task_id}, {task.task_type}) failed on {task.svr_ip}:{task.svr_port} "
                    f"with {code_text(task.result)}, trace {task.task_trace_id}",
                    [task], ("tenant_id", "task_id", "ls_id", "task_type", "svr_ip", "svr_port", "task_trace_id",
                             "result", "retry_id", "black_list"),
                )
            else:
                chain.step("__all_virtual_backup_ls_task_history where result != 0",
                           f"no failed ls task of job {job.job_id}" + (f" (task {task_id})" if task_id else ""))
        else:
            chain.could_not_check("the failed ls task (__all_virtual_backup_ls_task_history)",
                                  history.reason or "view not available")
        if task is not None:
            failure.exec_server = task.svr_ip
            failure.exec_addr = f"{task.svr_ip}:{task.svr_port}" if task.svr_port else task.svr_ip
            failure.ls_id = task.ls_id
            failure.code = task.result or failure.code
            trace = task.task_trace_id
        elif dst:
            failure.exec_addr = dst
            failure.exec_server = server_ip(dst)
            failure.ls_id = ls_id
            trace = task_trace
            looked_at = "the 'ls task failed' line (no ls task history row): its dst and task_trace_id"
            showed = f"dst {dst}, task trace {task_trace or '?'}"
            if any(log_provenance(ls_line) in step.all_provenance() for step in chain.steps):
                chain.step(looked_at, showed + " (the line above)")
            else:
                chain.log_step(looked_at, showed, [ls_line])
        else:
            trace = None
        if trace and is_trace_id(trace):
            failure.exec_traces.append(trace)
            chain.trace(trace)
        chain.server(failure.exec_server)
        if failure.exec_server:
            self._observer_code_lines(ctx, chain, failure)

    def _observer_code_lines(self, ctx, chain: Chain, failure: FailurePoint) -> None:
        """``grep "ret=<code>" observer.log | grep "T<tenant>_BACKUP"``, plus the task trace's lines."""
        patterns = tuple(failure.exec_traces)
        if failure.code:
            patterns += (f"ret={failure.code}",)
        if not patterns:
            return
        result = search(
            ctx, chain, servers=(failure.exec_server,), kinds=(LogFamily.OBSERVER,), any_of=patterns,
            since=failure.since, until=failure.until, purpose="the failing task's lines",
        )
        tenant_thread = f"T{failure.tenant_id}_"
        by_code = [r for r in result.records if failure.code and f"ret={failure.code}" in r.raw
                   and ((r.thread or "").startswith(tenant_thread) or r.tenant_id == failure.tenant_id
                        or any(t in r.raw for t in failure.exec_traces))]
        by_trace = [r for r in result.records if any(t in r.raw for t in failure.exec_traces)
                    and r.level in PROBLEM_LEVELS and r not in by_code]
        lines = by_code + by_trace
        lines.sort(key=lambda r: (r.ts is None, r.ts))
        failure.lines = lines
        if by_code:
            failure.proof = by_code[0]
        if lines:
            chain.log_step(
                f"observer.log* on {failure.exec_server}: grep 'ret={failure.code}' | grep '{tenant_thread}BACKUP'"
                + (f", and trace {failure.exec_traces[0]}" if failure.exec_traces else ""),
                f"{len(lines)} line(s); first: {lines[0].message[:200]}", lines,
            )
        elif result.searched_anything:
            chain.step(f"observer.log* on {failure.exec_server}: grep 'ret={failure.code}' / the task trace",
                       f"{result.total_matches} line(s) of the task trace in {len(result.files_searched)} file(s), "
                       f"none WARN/ERROR and none with ret={failure.code} in a T{failure.tenant_id}_ thread"
                       if result.total_matches else f"no line: {result.searched()}")

    def _trace_lines(self, ctx, chain: Chain, failure: FailurePoint, kind: LogFamily) -> None:
        if not failure.exec_server:
            chain.could_not_check("the executing server's log", "the COMMENT names no address")
            return
        if not failure.exec_traces:
            self._observer_code_lines(ctx, chain, failure)
            return
        trace = failure.exec_traces[0]
        result = search(
            ctx, chain, servers=(failure.exec_server,), kinds=(kind,), any_of=(trace,),
            since=failure.since, until=failure.until, purpose=f"lines of trace {trace}",
        )
        problems = [r for r in result.records if r.level in PROBLEM_LEVELS]
        if not problems and kind == "observer" and failure.code:
            # the trace is silent (rotated away, or another retry's trace): grep the code the 4.1 way
            self._observer_code_lines(ctx, chain, failure)
            return
        failure.lines = problems
        with_code = [r for r in problems if failure.code and r.ret() == failure.code]
        if with_code:
            failure.proof = with_code[0]
        if problems:
            first = with_code[0] if with_code else problems[0]
            chain.log_step(
                f"{kind}.log* on {failure.exec_server}: grep {trace}",
                f"{result.total_matches} line(s) of the trace, {len(problems)} WARN/ERROR; where it failed: {first.message[:200]}",
                [first] + [r for r in problems if r is not first],
            )
        elif result.searched_anything:
            chain.step(f"{kind}.log* on {failure.exec_server}: grep {trace}",
                       f"{result.total_matches} line(s) of the trace, none WARN/ERROR")
