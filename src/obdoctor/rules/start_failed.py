"""P1 of the runbook (problem one): the backup job never started.

Looks at, in the runbook's order:

1. ``DBA_OB_ROOTSERVICE_EVENT_HISTORY`` rows ``backup_data`` / ``start_backup_data`` whose
   ``result`` is not 0: per tenant, the last run of refusals with the same code, unless a job
   started after it.
2. ``rootservice.log*`` on every root service those rows name (``RS_SVR_IP``; it may have
   moved): ``ret=<code>`` lines of ``ob_backup_data_scheduler`` for this tenant's requests.
3. The WARN/ERROR lines of the refused request's trace on that server: the refusing check
   often logs its reason without ``ret=``.
4. Today's state of each start condition: ``data_backup_dest`` in the backup parameters, the
   tenant's archive, running jobs, the tenant's status.

Concludes which check refused the request: ``backup_dest_not_set``, ``archive_not_doing``,
``backup_in_progress``, ``tenant_not_normal``, ``cluster_upgrading``,
``incompatible_incremental``, ``no_tenant_eligible``. Confirmed when a log line names the check
(or the code is -9036, which says it); likely when only today's state shows a failing condition;
``unknown_start_failure`` when neither does. When the log and today's state disagree it says so
in a note (the condition may have been fixed since).

Cannot tell: why a refusal was made when the root service's log of that time is gone (only
today's state is left, and it may have changed); for a cluster-level backup started from the
sys tenant (tenant 1), which user tenant failed its check: the per-tenant state is not judged.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from obdoctor.catalog.cause_ids import (
    ARCHIVE_NOT_DOING, BACKUP_DEST_NOT_SET, BACKUP_IN_PROGRESS, CLUSTER_UPGRADING, INCOMPATIBLE_INCREMENTAL,
    NO_TENANT_ELIGIBLE, TENANT_NOT_NORMAL, UNKNOWN_START_FAILURE,
)
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.catalog.statuses import TERMINAL
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records import RootServiceEvent
from obdoctor.findings import Finding, Verdict
from obdoctor.catalog.causes import all_causes
from obdoctor.logs import is_trace_id
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, first_matching, fmt_time, search
from obdoctor.rules.services.signatures import destination_scheme, explain_refusal

START_CAUSES = (BACKUP_IN_PROGRESS, BACKUP_DEST_NOT_SET, ARCHIVE_NOT_DOING, TENANT_NOT_NORMAL,
                CLUSTER_UPGRADING, INCOMPATIBLE_INCREMENTAL, NO_TENANT_ELIGIBLE)


def own_codes() -> frozenset[int]:
    """The codes the runbook's start checks return (their causes' ``codes`` in data/causes/):
    -9040 and -9036. Any other code is beyond P1's own knowledge and goes to the signatures."""
    causes = all_causes()
    return frozenset(c for cid in START_CAUSES for c in causes[cid].codes)


class StartFailed(Rule):
    """A BACKUP DATABASE request was refused.

    Looks at ``start_backup_data`` events with a non-zero result (the last run of refusals, unless
    a job started since), then at the ``rootservice.log*`` of every root service they name for
    ``ret=<code>`` in ``ob_backup_data_scheduler`` (only this tenant's requests), then at the
    WARN lines of the refused request's trace (the refusing check often logs its reason without
    ``ret=``), and names the check that refused it: no destination, archive not DOING, a backup
    already running, tenant not NORMAL, cluster upgrading. Today's state (parameters, archive,
    jobs, tenants) is checked against the log and disagreements are said.
    """

    id = "P1"
    name = "start-failed"
    needs = (Kind.RS_EVENTS, Kind.PARAMETERS, Kind.ARCHIVELOG, Kind.JOBS, Kind.TENANTS, Kind.JOB_HISTORY,
             Kind.RESTORE_PROGRESS, LogFamily.ROOTSERVICE)

    def check(self, ctx: RuleContext) -> list[Finding]:
        events = ctx.evidence.get(Kind.RS_EVENTS).where(module="backup_data", event="start_backup_data")
        if not events.available:
            ctx.could_not_check("backup start attempts (start_backup_data events)", events.reason or "view not available")
            return []
        by_tenant: dict[int | None, list[RootServiceEvent]] = {}
        for event in events:
            if ctx.options.wants(event.tenant_id) and ctx.options.in_window(event.timestamp):
                by_tenant.setdefault(event.tenant_id, []).append(event)
        findings = []
        for tenant_id, tenant_events in by_tenant.items():
            tenant_events.sort(key=lambda e: (e.timestamp is None, e.timestamp))
            latest = tenant_events[-1]
            if not latest.result:
                continue  # the last attempt started fine
            failures = []  # the run of refusals since the last successful start, same code
            for event in reversed(tenant_events):
                if event.result != latest.result:
                    break
                failures.insert(0, event)
            if self._started_later(ctx, tenant_id, latest):
                continue
            findings.append(self._diagnose(ctx, tenant_id, failures))
        return findings

    def _started_later(self, ctx: RuleContext, tenant_id, event: RootServiceEvent) -> bool:
        if event.timestamp is None:
            return False
        for source in (ctx.evidence.get(Kind.JOBS), ctx.evidence.get(Kind.JOB_HISTORY)):
            for job in source:
                if job.tenant_id == tenant_id and job.start and job.start > event.timestamp:
                    return True
        return False

    def _diagnose(self, ctx: RuleContext, tenant_id, failures: list[RootServiceEvent]) -> Finding:
        latest = failures[-1]
        code = latest.result
        chain = Chain(self.id)
        chain.row_step(
            "DBA_OB_ROOTSERVICE_EVENT_HISTORY where module='backup_data' and event='start_backup_data'",
            f"{len(failures)} attempt(s) to back up tenant {tenant_id} refused with result {code_text(code)}, "
            f"last at {fmt_time(latest.timestamp)}; root service on {latest.rs_svr_ip or '?'}",
            failures[-5:], ("timestamp", "tenant_id", "result", "rs_svr_ip", "rs_svr_port"),
        )
        rs_ips = list(dict.fromkeys(e.rs_svr_ip for e in failures if e.rs_svr_ip))  # the RS may have moved
        for ip in rs_ips:
            chain.server(ip)
        where = ", ".join(rs_ips)
        cause_id, line_record = None, None
        lines: list = []  # the refused request's lines, the context a signature is matched in
        if rs_ips:
            first = failures[0].timestamp
            result = search(
                ctx, chain, servers=tuple(rs_ips), kinds=(LogFamily.ROOTSERVICE,),
                any_of=(f"ret={code}",), all_of=("ob_backup_data_scheduler",),
                since=first - timedelta(minutes=2) if first else None,
                until=latest.timestamp + timedelta(minutes=2) if latest.timestamp else None,
                purpose=f"ret={code} in ob_backup_data_scheduler",
            )
            records = _for_tenant(result.records, tenant_id)
            lines += records
            if records:
                causes = all_causes()
                for cid in START_CAUSES:
                    hit = first_matching(records, causes[cid].signatures)
                    if hit:
                        cause_id, line_record = cid, hit[0]
                        break
                shown = [line_record] if line_record else records
                chain.log_step(
                    f"rootservice.log* on {where}: grep 'ret={code}' | grep ob_backup_data_scheduler",
                    f"{len(records)} line(s)" + (f" of tenant {tenant_id}'s requests" if len(records) < result.total_matches else "")
                    + "; " + (f"the refusing check says: {line_record.message}" if line_record else "no known cause among them"),
                    shown + [r for r in records if r is not line_record][:4],
                )
                cause_id, line_record, traced = self._request_trace(ctx, chain, line_record or records[-1],
                                                                    records, cause_id, line_record)
                lines += traced
            elif result.searched_anything:
                chain.step(f"rootservice.log* on {where}: grep 'ret={code}' | grep ob_backup_data_scheduler",
                           f"no line for tenant {tenant_id}: {result.searched()}")
        else:
            chain.could_not_check("rootservice.log of the root service", "the event has no RS_SVR_IP")
        if cause_id is None and code == -9036:
            cause_id = BACKUP_IN_PROGRESS
        foreign = code not in own_codes()
        signature = None
        if cause_id is None and foreign:
            scheme = destination_scheme(ctx, chain, "backup", tenant_id) if tenant_id != 1 else None
            signature = explain_refusal(ctx, chain, code, "backup", tenant_id=tenant_id, lines=lines, scheme=scheme)
            if signature is None:
                chain.could_not_check(f"the meaning of {code} after ALTER SYSTEM BACKUP",
                                      f"the runbook's start checks do not return it and no signature matches "
                                      f"this statement, destination scheme ({scheme or 'unknown'}) and version "
                                      f"({ctx.evidence.version or 'unknown'})")
            else:
                cause_id = signature.cause
        if tenant_id == 1:
            # a cluster-level backup from sys: the start checks ran per user tenant, the sys
            # tenant's own destination or archive say nothing
            state_cause = None
            chain.could_not_check("today's state of the tenants (cluster-level backup)",
                                  "the refusal was for the whole cluster; see each tenant's status, archive and destination")
        else:
            state_cause = self._check_state(ctx, chain, tenant_id, cause_id)
        verdict = Verdict.CONFIRMED if line_record else Verdict.LIKELY
        if signature is not None:
            summary = f"Backup of tenant {tenant_id} could not start ({code_text(code)}): {signature.summary}."
            finding = chain.finding(signature.cause, signature.verdict, summary, code=code, tenant_id=tenant_id,
                                    time=latest.timestamp, extra_steps=signature.next_steps)
            sig = signature.signature
            return finding if sig.cause else replace(finding, title=sig.title)
        if cause_id is None and state_cause and foreign:
            refuses = " or ".join(code_text(c) for c in all_causes()[state_cause].codes)
            chain.notes.append(f"Today: {all_causes()[state_cause].title.lower()}; but that start check refuses "
                               f"with {refuses}, not {code}: it is not taken for the cause of this refusal.")
        elif cause_id is None and state_cause:
            cause_id = state_cause
        if cause_id is None:
            cause_id, verdict = UNKNOWN_START_FAILURE, Verdict.UNKNOWN
        if cause_id == BACKUP_IN_PROGRESS and not line_record and code == -9036:
            verdict = Verdict.CONFIRMED  # the code itself says it
        summary = (f"Backup of tenant {tenant_id} could not start ({code_text(code)}): "
                   f"{all_causes()[cause_id].title.lower()}.")
        return chain.finding(cause_id, verdict, summary, code=code, tenant_id=tenant_id, time=latest.timestamp)

    def _request_trace(self, ctx: RuleContext, chain: Chain, anchor, ret_lines, cause_id, line_record):
        """Follow the refused request's trace: the check that refused often logs its reason without
        ``ret=`` (``tenant is doing restore``, the user message), one line before the ``ret=`` line.
        Returns the cause and line found, and the trace's lines that were not ``ret=`` lines."""
        trace = anchor.trace_id
        if not is_trace_id(trace) or trace.startswith("Y0-"):
            return cause_id, line_record, []
        chain.trace(trace)
        margin = timedelta(seconds=5)
        rs_ip = anchor.server
        result = search(ctx, chain, servers=(rs_ip,), kinds=(LogFamily.ROOTSERVICE,),
                        any_of=(trace,), levels=PROBLEM_LEVELS,
                        since=anchor.ts - margin if anchor.ts else None, until=anchor.ts + margin if anchor.ts else None,
                        purpose=f"the refused request's trace {trace}")
        seen = {(r.path, r.line_no) for r in ret_lines}
        extra = [r for r in result.records if (r.path, r.line_no) not in seen]
        if cause_id is None:
            causes = all_causes()
            for cid in START_CAUSES:
                hit = first_matching(result.records, causes[cid].signatures)
                if hit:
                    cause_id, line_record = cid, hit[0]
                    break
        if extra:
            chain.log_step(f"rootservice.log* on {rs_ip}: grep {trace} | grep 'WARN\\|ERROR'",
                           f"{len(result.records)} WARN/ERROR line(s) of the refused request, "
                           f"{len(extra)} without ret=: " + "; ".join(r.message[:120] for r in extra[:3]),
                           result.records)
        return cause_id, line_record, extra

    def _check_state(self, ctx: RuleContext, chain: Chain, tenant_id, log_cause: str | None) -> str | None:
        """Check today's state for each start condition; return the first one that fails.

        When the log named a cause, a state that disagrees is noted (it may have been fixed since).
        """
        ev = ctx.evidence
        failing: list[str] = []
        checks = (
            (BACKUP_DEST_NOT_SET, ev.get(Kind.PARAMETERS), self._dest),
            (ARCHIVE_NOT_DOING, ev.get(Kind.ARCHIVELOG), self._archive),
            (BACKUP_IN_PROGRESS, ev.get(Kind.JOBS), self._running),
            (TENANT_NOT_NORMAL, ev.get(Kind.TENANTS), self._tenant),
        )
        for cause_id, found, judge in checks:
            if not found.available:
                chain.could_not_check(f"{cause_id.replace('_', ' ')} (state)", found.reason or f"{found.source} not available")
                continue
            outcome = judge(list(found), tenant_id)
            if outcome is None:
                continue
            bad, records, text = outcome
            if bad:
                failing.append(cause_id)
            if bad or cause_id == log_cause:
                if records:
                    chain.row_step(found.source, text, records, _COLUMNS[cause_id])
                else:  # the proof is the absence of a row: cite the view that was read
                    chain.step(found.source, text, provenance=[Provenance("sql", found.source)])
            if cause_id == log_cause and not bad:
                chain.notes.append(f"The log says '{all_causes()[cause_id].title.lower()}', but today's "
                                   f"{found.source} disagrees ({text}): it may have been fixed since the failure.")
            elif bad and log_cause and cause_id != log_cause:
                chain.notes.append(f"Also, today: {text}.")
        return failing[0] if failing else None

    @staticmethod
    def _dest(params, tenant_id):
        rows = [p for p in params if p.tenant_id == tenant_id and p.name == "data_backup_dest"]
        if not rows or not rows[0].value:
            return True, rows, f"tenant {tenant_id} has no data_backup_dest"
        return False, rows, f"tenant {tenant_id} has data_backup_dest set"

    @staticmethod
    def _archive(rounds, tenant_id):
        rows = [r for r in rounds if r.tenant_id == tenant_id]
        if not rows:
            return True, rows, f"tenant {tenant_id} has no archive round (archive not DOING)"
        doing = [r for r in rows if r.status == "DOING"]
        if doing:
            return False, doing, f"tenant {tenant_id}'s archive is DOING"
        return True, rows, f"tenant {tenant_id}'s archive is {', '.join(r.status or '?' for r in rows)}"

    @staticmethod
    def _running(jobs, tenant_id):
        rows = [j for j in jobs if j.tenant_id == tenant_id and j.status not in TERMINAL]
        if rows:
            return True, rows, f"tenant {tenant_id} has backup job {rows[0].job_id} in {rows[0].status}"
        return None

    @staticmethod
    def _tenant(tenants, tenant_id):
        rows = [t for t in tenants if t.tenant_id == tenant_id]
        if not rows:
            return None
        if rows[0].status != "NORMAL":
            return True, rows, f"tenant {tenant_id} is {rows[0].status}"
        return False, rows, f"tenant {tenant_id} is NORMAL"


def _mentions(text: str) -> set[int]:
    return {int(m) for m in re.findall(r"\btenant_id[=:]\s*(\d+)", text)} if text else set()


def _for_tenant(records, tenant_id):
    """The lines of requests for this tenant: a refused request's lines share its trace, and a
    trace naming only other tenants' ids belongs to them (several tenants may be refused at once)."""
    if tenant_id is None:
        return list(records)
    named: dict[str | None, set[int]] = {}
    for r in records:
        named.setdefault(r.trace_id, set()).update(_mentions(r.raw))
    return [r for r in records if not named.get(r.trace_id) or tenant_id in named[r.trace_id]]


_COLUMNS = {
    BACKUP_DEST_NOT_SET: ("tenant_id", "name", "value"),
    ARCHIVE_NOT_DOING: ("tenant_id", "dest_no", "round_id", "status", "checkpoint", "comment"),
    BACKUP_IN_PROGRESS: ("tenant_id", "job_id", "status", "start"),
    TENANT_NOT_NORMAL: ("tenant_id", "name", "status", "role"),
}
