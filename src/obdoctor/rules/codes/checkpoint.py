"""-4012 / -9086: the clog checkpoint does not advance past the backup's start SCN.

The runbook's common codes. Asked by P2 and P3 for these codes.

Looks at: ``observer.log*`` on the executing server for ``clog checkpoint scn has not passed
start scn`` (repeated) or ``backup advance checkpoint by flush timeout`` of this tenant; the
tenant's role (``DBA_OB_TENANTS``).

Concludes ``checkpoint_not_advancing`` (confirmed with the lines, likely without), or
``standby_log_sync_stopped`` on a STANDBY tenant, whose checkpoint only moves with log sync.

Cannot tell: why the checkpoint does not advance on a primary (a slow flush, a stuck log
stream); anything when the executing server is not known.
"""

from __future__ import annotations

from obdoctor.catalog.cause_ids import CHECKPOINT_NOT_ADVANCING, STANDBY_LOG_SYNC_STOPPED
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.findings import Verdict
from obdoctor.catalog.causes import cause
from obdoctor.logs import LogRecord
from obdoctor.rules.base import Chain, RuleContext, search
from obdoctor.rules.services.failure import CodeFamily, Explanation, FailurePoint


class CheckpointNotAdvancing(CodeFamily):
    """Backup flushes and waits until each log stream's clog checkpoint passes its start SCN.

    Proof: ``clog checkpoint scn has not passed start scn`` (repeated) or ``backup advance
    checkpoint by flush timeout`` in the executing server's observer.log. On a STANDBY tenant
    the checkpoint only moves with log sync, so a stopped sync is the likelier cause.
    """

    codes = (-4012, -9086)
    order = 10

    def matches_lines(self, lines: list[LogRecord]) -> bool:
        signatures = cause(CHECKPOINT_NOT_ADVANCING).signatures
        return any(s in line.raw for line in lines for s in signatures)

    def explain(self, ctx: RuleContext, chain: Chain, failure: FailurePoint) -> Explanation | None:
        signatures = cause(CHECKPOINT_NOT_ADVANCING).signatures
        hits = [line for line in failure.lines if any(s in line.raw for s in signatures)]
        if not hits and failure.exec_server:
            result = search(
                ctx, chain, servers=(failure.exec_server,), kinds=(LogFamily.OBSERVER,), any_of=signatures,
                since=failure.since, until=failure.until, purpose="checkpoint wait lines",
            )
            tenant_tag = f"tenant_id={failure.tenant_id}"
            hits = [r for r in result.records if failure.tenant_id is None or tenant_tag in r.raw
                    or r.tenant_id == failure.tenant_id]
            if hits:
                chain.log_step(
                    f"observer.log* on {failure.exec_server}: grep '{signatures[0]}'",
                    f"{len(hits)} line(s): the checkpoint did not pass the backup's start SCN", hits[:10],
                )
            elif result.searched_anything:
                chain.step(f"observer.log* on {failure.exec_server}: grep '{signatures[0]}'", "no such line")
        elif not failure.exec_server:
            chain.could_not_check("checkpoint wait lines", "the executing server is not known")
        tenant = ctx.evidence.get(Kind.TENANTS).first(tenant_id=failure.tenant_id)
        standby = tenant is not None and tenant.role == "STANDBY"
        if tenant is not None:
            chain.row_step("DBA_OB_TENANTS", f"tenant {failure.tenant_id} role is {tenant.role or '?'}",
                           [tenant], ("tenant_id", "name", "status", "role"))
        verdict = Verdict.CONFIRMED if hits else Verdict.LIKELY
        if standby:
            return Explanation(STANDBY_LOG_SYNC_STOPPED, verdict,
                               "the clog checkpoint stopped advancing on a standby tenant")
        return Explanation(CHECKPOINT_NOT_ADVANCING, verdict, "the clog checkpoint did not pass the start SCN")
