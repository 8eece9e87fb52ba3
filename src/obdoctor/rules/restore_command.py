"""R1: the RESTORE command fails, as OceanBase's "physical restore failures" page walks it.

Beyond the backup runbook.

Looks at, in order:

1. ``DBA_OB_ROOTSERVICE_EVENT_HISTORY`` ``physical_restore`` events with a non-zero result.
2. ``rootservice.log*`` on the root service: ``ob_restore_util`` lines with ``ret=<code>``.
3. For -4018 (no enough log for restore): the restore point against the restorable window,
   from ``CDB_OB_BACKUP_SET_FILES`` (``MIN_RESTORE_SCN``) to ``CDB_OB_ARCHIVELOG_PIECE_FILES``
   (the archive's checkpoint).
4. The signatures of the RESTORE statement (``data/signatures/``) for codes that mean something
   specific there (-4672: more replicas than the target offers).

Concludes ``restore_point_outside_window`` (confirmed when the line shows -4018 and the point is
outside, or the window cannot be read), ``restore_target_topology`` and other signature causes
(likely), ``archive_log_recycled``, or ``restore_command_failed`` with the code's generic meaning.
Shared restore logic: ``rules/services/restore.py``.

Cannot tell: the restorable window when the backup tenant's set files and pieces are not in the
evidence (it says so); the line when the event names no root service.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from obdoctor.catalog.cause_ids import RESTORE_COMMAND_FAILED
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.evidence.records import RootServiceEvent
from obdoctor.findings import Finding
from obdoctor.logs import LogRecord, is_trace_id
from obdoctor.rules.base import Chain, Rule, RuleContext, code_text, fmt_time, search
from obdoctor.rules.services.destination import MOUNT_NEEDS
from obdoctor.rules.services.restore import NO_ENOUGH_LOG, explain_code, restore_facts, restore_point_from


class RestoreCommandFailed(Rule):
    """ALTER SYSTEM RESTORE failed: a ``physical_restore`` event with a non-zero result, proved by
    ``ob_restore_util`` lines with ``ret=<code>`` in the root service's rootservice.log; -4018
    (no enough log for restore) is checked against the restorable window.
    """

    id = "R1"
    name = "restore-command-failed"
    needs = (Kind.RS_EVENTS, Kind.BACKUP_SET_FILES, Kind.ARCHIVE_PIECES, Kind.ARCHIVELOG, Kind.TENANTS, Kind.JOBS,
             Kind.RESTORE_PROGRESS, LogFamily.ROOTSERVICE, *MOUNT_NEEDS)
    codes = (NO_ENOUGH_LOG,)

    def check(self, ctx: RuleContext) -> list[Finding]:
        events = ctx.evidence.get(Kind.RS_EVENTS).where(module="physical_restore")
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
            result = search(ctx, chain, servers=(event.rs_svr_ip,), kinds=(LogFamily.ROOTSERVICE,),
                            any_of=(f"ret={code}",), all_of=(restore_facts()["util_fragment"],),
                            since=since, until=until, purpose=f"ob_restore_util lines with ret={code}")
            lines = result.records
            if lines:
                chain.trace(lines[0].trace_id if is_trace_id(lines[0].trace_id) else None)
                chain.log_step(f"rootservice.log* on {event.rs_svr_ip}: grep \"ob_restore_util\" | grep \"ret={code}\"",
                               f"{len(lines)} line(s); first: {lines[0].message[:200]}", lines)
            elif result.searched_anything:
                chain.step(f"rootservice.log* on {event.rs_svr_ip}: grep \"ob_restore_util\" | grep \"ret={code}\"",
                           f"no line: {result.searched()}")
        else:
            chain.could_not_check("rootservice.log of the restore command", "the event names no root service server")
        point = restore_point_from(event.values, lines)
        backup_tenant = event.int_value("backup_tenant_id")
        cause, verdict, tail, steps = explain_code(
            ctx, chain, code, tenant_id=event.tenant_id, point=point, backup_tenant=backup_tenant,
            servers=tuple(s for s in (event.rs_svr_ip,) if s), lines=lines, since=since, until=until,
            generic=RESTORE_COMMAND_FAILED, target_name=event.value("tenant_name") or event.value("restore_tenant_name"))
        summary = f"ALTER SYSTEM RESTORE failed at {fmt_time(event.timestamp)} with {code_text(code)}" + (f": {tail}." if tail else ".")
        return chain.finding(cause, verdict, summary, code=code, tenant_id=event.tenant_id, time=event.timestamp,
                             extra_steps=steps)
