"""Rule D1: the root service's destination permission check failed.

The destination logic it shares with the other rules (which destination, the decoded storage
error, which servers see it) is the service ``rules/services/destination.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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
    needs = ("rs_events", "parameters", "archivelog", "job_history", "jobs", "logs:rootservice", "logs:observer", *MOUNT_NEEDS)
    codes = (-9071,)

    def check(self, ctx: RuleContext) -> list[Finding]:
        events = ctx.evidence.rs_events("connectivity_check")
        latest: dict[int | None, object] = {}
        for e in events:
            code = e.int_value("error_code")
            if not code or not ctx.options.wants(e.tenant_id) or not ctx.options.in_window(e.timestamp):
                continue
            if e.tenant_id not in latest or (e.timestamp or datetime.min) >= (latest[e.tenant_id].timestamp or datetime.min):
                latest[e.tenant_id] = e
        findings = []
        failed_jobs = [j for j in (*ctx.evidence.job_history(), *ctx.evidence.jobs()) if j.status == "FAILED"]
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
                kinds=("rootservice", "observer")))
            findings.append(chain.finding(
                explanation.cause, explanation.verdict,
                f"Tenant {tenant_id}: the destination refused '{operation}': {explanation.summary}.",
                code=code, tenant_id=tenant_id, time=event.timestamp, extra_steps=explanation.next_steps))
        return findings
