"""R3: the restore job FAILED.

Beyond the backup runbook, on the same path as P3.

Looks at, in order:

1. ``CDB_OB_RESTORE_HISTORY``: each restore tenant's latest job (every FAILED one with
   ``--all-jobs``); a successful one is an observation.
2. Its ``COMMENT``: ``(server)`` with address, log stream, module and trace, or
   ``(rootservice)``; before 4.2 only a message, from which the code is read.
3. ``(server)``: the trace's WARN/ERROR lines in that server's ``observer.log*``;
   ``(rootservice)``: ``ob_restore_scheduler`` WARN/ERROR lines in ``rootservice.log*``.
4. The code: -4018 against the restorable window, -9079 a recycled archive, destination codes
   through the destination service, others by OceanBase's documentation.

Concludes ``restore_failed`` (confirmed with the failing line), ``restore_point_outside_window``,
``archive_log_recycled`` or a destination cause (``dest_format_file_missing``...); unknown when
the COMMENT says nothing usable.

Cannot tell: the server of a failure whose COMMENT names no address (before 4.2); the failing
line when that server's log was not collected.
"""

from __future__ import annotations

from datetime import timedelta
from obdoctor.catalog.cause_ids import RESTORE_FAILED
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.addresses import server_ip
from obdoctor.catalog import error_docs
from obdoctor.evidence.records import RestoreJob
from obdoctor.findings import Finding
from obdoctor.logs import LogRecord, is_trace_id
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, fmt_time, search
from obdoctor.rules.services.destination import MOUNT_NEEDS
from obdoctor.rules.services.restore import ARCHIVE_RECYCLED, NO_ENOUGH_LOG, Point, explain_code, restore_facts


class RestoreFailed(Rule):
    """A restore job is FAILED in CDB_OB_RESTORE_HISTORY: its COMMENT names ``(server)`` with
    addr, log stream, module and trace (grep the trace in that server's observer.log for
    WARN/ERROR) or ``(rootservice)`` (grep ob_restore_scheduler in rootservice.log); the code
    is then explained (-4018 window, -9079 recycled archive, destination codes, documentation).
    """

    id = "R3"
    name = "restore-failed"
    needs = (Kind.RESTORE_HISTORY, Kind.BACKUP_SET_FILES, Kind.ARCHIVE_PIECES, Kind.PARAMETERS, LogFamily.OBSERVER, LogFamily.ROOTSERVICE, *MOUNT_NEEDS)
    codes = (NO_ENOUGH_LOG, ARCHIVE_RECYCLED)

    def check(self, ctx: RuleContext) -> list[Finding]:
        history = ctx.evidence.get(Kind.RESTORE_HISTORY)
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
                result = search(ctx, chain, servers=(server,), kinds=(LogFamily.OBSERVER,), any_of=(comment.trace_id,),
                                levels=PROBLEM_LEVELS, since=since, until=until, purpose=f"WARN/ERROR of trace {comment.trace_id}")
                lines = result.records
                label = f"observer.log* on {server}: grep {comment.trace_id} | grep \"WARN\\|ERROR\""
            else:
                result = search(ctx, chain, servers=(server,), kinds=(LogFamily.ROOTSERVICE,),
                                any_of=(restore_facts()["scheduler_fragment"],), levels=PROBLEM_LEVELS,
                                since=since, until=until, purpose="ob_restore_scheduler WARN/ERROR")
                lines = result.records
                label = f"rootservice.log* on {server}: grep ob_restore_scheduler | grep \"WARN\\|ERROR\""
            if lines:
                first = next((l for l in lines if code and l.ret() == code), lines[0])
                chain.log_step(label, f"{len(lines)} line(s); where it failed: {first.message[:200]}",
                               [first] + [l for l in lines if l is not first])
            elif result.searched_anything:
                chain.step(label, f"no line: {result.searched()}")
        else:
            chain.could_not_check("the server of the failure", "the COMMENT names no address (before 4.2 it is only a message)")
        point = Point(job.restore_scn, None, "RESTORE_SCN of the job") if job.restore_scn else None
        backup_tenant = None
        cause, verdict, tail, steps = explain_code(
            ctx, chain, code, tenant_id=tenant, point=point, backup_tenant=backup_tenant,
            servers=tuple(s for s in (server,) if s), lines=lines, since=since, until=until, generic=RESTORE_FAILED)
        summary = (f"Restore job {job.job_id} of tenant {job.restore_tenant_name or tenant} failed"
                   + (f" on {comment.addr}" if comment and comment.addr else "") + f" with {code_text(code)}"
                   + (f": {tail}." if tail else "."))
        return chain.finding(cause, verdict, summary, code=code, tenant_id=tenant, time=job.finish, extra_steps=steps)
