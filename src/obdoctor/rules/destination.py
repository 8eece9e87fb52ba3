"""D1: the root service's destination permission check failed.

Beyond the runbook. When a destination is set, or a backup or an archive starts, the root service
checks it can write, read, delete and list there and records ``connectivity_check`` /
``permission check`` events with an ``error_code``.

Looks at, in order:

1. ``DBA_OB_ROOTSERVICE_EVENT_HISTORY`` ``connectivity_check`` rows with a non-zero
   ``error_code``: each tenant's latest.
2. The failed backup jobs: a job that failed with the same code after the check is P3's finding
   (this rule then only observes the check).
3. The tenant's destination (``CDB_OB_BACKUP_PARAMETER``, the archive's path) and the storage
   error lines of ``rootservice.log*`` and ``observer.log*`` around the check, through the
   destination service (``rules/services/destination.py``).

Concludes the destination cause the code and the storage lines name (``dest_permission_denied``
for -9071, ``object_storage_access_denied``...), likely: the check is one operation at one time.

Cannot tell: whether the destination is still refusing now; which operation failed when the
event's ``comment`` is empty.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from obdoctor.catalog.statuses import FAILED
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.findings import Finding
from obdoctor.rules.base import Chain, Rule, RuleContext, code_text, fmt_time
from obdoctor.rules.services.destination import MOUNT_NEEDS, DestinationProblem, diagnose


class ConnectivityCheck(Rule):
    """The root service's destination permission check failed (event ``connectivity_check`` /
    ``permission check``): the destination refuses an operation (write, read, delete, list,
    multipart upload) with -9071. Seen when a destination is set or a backup/archive starts.
    """

    id = "D1"
    name = "destination-permission-check"
    needs = (Kind.RS_EVENTS, Kind.PARAMETERS, Kind.ARCHIVELOG, Kind.JOB_HISTORY, Kind.JOBS,
             LogFamily.ROOTSERVICE, LogFamily.OBSERVER, *MOUNT_NEEDS)
    codes = (-9071,)

    def check(self, ctx: RuleContext) -> list[Finding]:
        events = ctx.evidence.get(Kind.RS_EVENTS).where(module="connectivity_check")
        latest: dict[int | None, object] = {}
        for e in events:
            code = e.int_value("error_code")
            if not code or not ctx.options.wants(e.tenant_id) or not ctx.options.in_window(e.timestamp):
                continue
            if e.tenant_id not in latest or (e.timestamp or datetime.min) >= (latest[e.tenant_id].timestamp or datetime.min):
                latest[e.tenant_id] = e
        findings = []
        failed_jobs = [j for j in (*ctx.evidence.get(Kind.JOB_HISTORY), *ctx.evidence.get(Kind.JOBS))
                       if j.status in FAILED]
        for tenant_id, event in sorted(latest.items(), key=lambda kv: kv[0] or 0):
            code = -abs(event.int_value("error_code"))
            explained = [j for j in failed_jobs if j.tenant_id == tenant_id and j.result == code
                         and (j.end is None or event.timestamp is None or j.end >= event.timestamp)]
            if explained:  # P3 diagnoses the job that failed on the same check
                ctx.observe(f"Tenant {tenant_id}: the destination permission check failed with {code_text(code)} on "
                            f"'{event.value('comment') or '?'}' at {fmt_time(event.timestamp)}; backup job "
                            f"{explained[-1].job_id} failed with the same code (see its finding).",
                            [event.provenance, explained[-1].provenance])
                continue
            chain = Chain(self.id)
            operation = event.value("comment") or "?"
            chain.row_step("DBA_OB_ROOTSERVICE_EVENT_HISTORY where module='connectivity_check'",
                           f"the permission check of tenant {tenant_id} failed at {fmt_time(event.timestamp)} on "
                           f"'{operation}' with {code_text(code)}",
                           [event], ("timestamp", "module", "event", "tenant_id", "rs_svr_ip"))
            chain.server(event.rs_svr_ip)
            explanation = diagnose(ctx, chain, DestinationProblem(
                code, tenant_id, servers=tuple(s for s in (event.rs_svr_ip,) if s),
                since=event.timestamp - timedelta(minutes=2) if event.timestamp else None,
                until=event.timestamp + timedelta(minutes=2) if event.timestamp else None,
                kinds=(LogFamily.ROOTSERVICE, LogFamily.OBSERVER)))
            findings.append(chain.finding(
                explanation.cause, explanation.verdict,
                f"Tenant {tenant_id}: the destination refused '{operation}': {explanation.summary}.",
                code=code, tenant_id=tenant_id, time=event.timestamp, extra_steps=explanation.next_steps))
        return findings
