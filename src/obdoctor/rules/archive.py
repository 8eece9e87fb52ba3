"""A1: the log archive of each tenant: INTERRUPTED, stuck in a transition, or lagging.

Beyond the runbook. A data backup depends on the archive twice: it cannot start unless the
archive is DOING (-9040), and PLUS ARCHIVELOG waits in BACKUP_LOG until the archive passes its
end SCN; a restore can only reach what was archived. So every diagnosis states each involved
tenant's archive status (an observation), and a broken archive is a finding of its own.

Looks at, in order:

1. ``CDB_OB_ARCHIVELOG``: each round of every tenant with archive rounds or backup jobs, its
   status and checkpoint; a backup tenant without a round is said.
2. The ``log_archive`` events of the root service (``change_status``: DOING -> INTERRUPTED...;
   the last event of a stopped archive).
3. ``observer.log*`` on the cluster's servers (``DBA_OB_SERVERS``): ``archive continuous
   encounter error``, ``mark_fatal_error``, ``ret_code=`` lines around the interruption.
4. ``CDB_OB_LS_LOG_ARCHIVE_PROGRESS``: which log stream holds a lagging archive back.

Concludes: an INTERRUPTED archive explained by its code: a destination code goes to the
destination diagnosis (``dest_out_of_space``...), -9087 is ``clog_recycled_before_archive``,
-9079 ``archive_log_recycled``, otherwise ``archive_interrupted`` (likely without a line);
``archive_stuck_transition`` for PREPARE/BEGINNING/SUSPENDING/STOPPING held longer than
``[archive] transition_minutes``; ``archive_lagging`` for a DOING archive whose checkpoint is
more than ``[archive] lag_minutes`` behind the collection time.

Cannot tell: why an archive stopped when neither an event nor a line says it; a lag against the
present when the bundle's collection time is unknown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from obdoctor.catalog.cause_ids import (
    ARCHIVE_INTERRUPTED, ARCHIVE_LAGGING, ARCHIVE_LOG_RECYCLED, ARCHIVE_STUCK_TRANSITION,
    CLOG_RECYCLED_BEFORE_ARCHIVE,
)
from obdoctor.evidence import LogFamily
from obdoctor.evidence.clock import zone_label
from obdoctor.evidence.kinds import Kind
from obdoctor.evidence.records import ArchiveStatus, RootServiceEvent
from obdoctor.findings import Finding, Verdict
from obdoctor.catalog.data_files import data_toml
from obdoctor.logs import LogRecord
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, fmt_time, search
from obdoctor.rules.services.destination import MOUNT_NEEDS, DestinationProblem, cluster_servers, diagnose, is_destination_code

_ROUND_COLUMNS = ("tenant_id", "dest_no", "round_id", "status", "checkpoint", "comment")


def archive_facts() -> dict:
    return data_toml("beyond_runbook.toml")["archive"]


def lag_text(minutes: float) -> str:
    if minutes >= 2 * 24 * 60:
        return f"{minutes / 1440:.1f} days"
    if minutes >= 120:
        return f"{minutes / 60:.1f} hours"
    return "1 minute" if round(minutes) == 1 else f"{minutes:.0f} minutes"


class LogArchive(Rule):
    """Reads CDB_OB_ARCHIVELOG per tenant and destination, the ``log_archive`` events
    (``change_status``: DOING -> INTERRUPTED...) and the observers' archive error lines
    (``archive continuous encounter error``, ``mark_fatal_error``, -9087 clog recycled before
    archive). An INTERRUPTED archive is explained by its code (destination codes go to the
    destination diagnosis); PREPARE/BEGINNING/SUSPENDING/STOPPING held too long is stuck; a
    DOING archive far behind the collection time is lagging.
    """

    id = "A1"
    name = "log-archive"
    needs = (Kind.ARCHIVELOG, Kind.LS_ARCHIVE_PROGRESS, Kind.RS_EVENTS, Kind.SERVER_EVENTS, Kind.JOB_HISTORY,
             Kind.JOBS, Kind.TASKS, Kind.PARAMETERS, LogFamily.OBSERVER, *MOUNT_NEEDS)
    codes = (-9027, -9087, -9079, -9029)

    def check(self, ctx: RuleContext) -> list[Finding]:
        archive = ctx.evidence.get(Kind.ARCHIVELOG)
        involved = self._involved_tenants(ctx)
        if not archive.available:
            if involved:
                ctx.could_not_check("the log archive of tenants " + ", ".join(map(str, sorted(involved))),
                                    archive.reason or "CDB_OB_ARCHIVELOG not available")
            return []
        facts = archive_facts()
        events = [e for e in ctx.evidence.get(Kind.RS_EVENTS).where(module="log_archive")]
        findings: list[Finding] = []
        tenants = sorted({r.tenant_id for r in archive if r.tenant_id is not None} | involved)
        for tenant_id in tenants:
            if not ctx.options.wants(tenant_id):
                continue
            rounds = [r for r in archive if r.tenant_id == tenant_id]
            if not rounds:
                ctx.observe(f"Tenant {tenant_id}: no log archive round in {archive.source} (archive mode not enabled): "
                            "a data backup cannot start (-9040).")
                continue
            for r in rounds:
                text, provenance = self._status_text(ctx, r), [r.provenance]
                if r.status in facts["stopped_states"]:
                    last = self._last_event(events, tenant_id, r.dest_no)
                    if last is not None:
                        text += (f" Last archive event: {last.event}"
                                 + (f" ({last.value('old_status')} -> {last.value('new_status')})" if last.event == "change_status" else "")
                                 + f" at {fmt_time(last.timestamp)}.")
                        provenance.append(last.provenance)
                ctx.observe(text, provenance)
                changes = [e for e in events if e.tenant_id == tenant_id and e.event == "change_status"
                           and (e.int_value("dest_no") in (None, r.dest_no))]
                if r.status == "INTERRUPTED":
                    findings.append(self._interrupted(ctx, r, changes))
                elif r.status in facts["transition_states"]:
                    finding = self._transition(ctx, r, changes, facts)
                    if finding:
                        findings.append(finding)
                elif r.status == "DOING":
                    finding = self._lagging(ctx, r, facts)
                    if finding:
                        findings.append(finding)
        return findings

    # -- who is involved ---------------------------------------------------------------
    @staticmethod
    def _involved_tenants(ctx: RuleContext) -> set[int]:
        out: set[int] = set()
        for found in (ctx.evidence.get(Kind.JOBS), ctx.evidence.get(Kind.JOB_HISTORY), ctx.evidence.get(Kind.TASKS)):
            out |= {j.tenant_id for j in found if j.tenant_id is not None and j.tenant_id != 1}
        for e in ctx.evidence.get(Kind.RS_EVENTS).where(module="backup_data", event="start_backup_data"):
            if e.tenant_id not in (None, 1):
                out.add(e.tenant_id)
        return {t for t in out if ctx.options.wants(t)}

    @staticmethod
    def _last_event(events: list[RootServiceEvent], tenant_id: int | None, dest_no: int | None) -> RootServiceEvent | None:
        mine = [e for e in events if e.tenant_id == tenant_id and e.int_value("dest_no") in (None, dest_no)]
        return max(mine, key=lambda e: e.timestamp or datetime.min) if mine else None

    @staticmethod
    def _lag_minutes(ctx: RuleContext, r: ArchiveStatus) -> float | None:
        now = ctx.evidence.collected_at
        if now is None or r.checkpoint is None:
            return None
        return max((now - r.checkpoint).total_seconds() / 60, 0.0)

    def _status_text(self, ctx: RuleContext, r: ArchiveStatus) -> str:
        lag = self._lag_minutes(ctx, r)
        text = (f"Tenant {r.tenant_id}: log archive (dest_no {r.dest_no}, round {r.round_id}) is {r.status or '?'}, "
                f"checkpoint {fmt_time(r.checkpoint)}")
        if lag is not None:
            text += f" ({lag_text(lag)} before collection)"
        if r.comment:
            text += f"; comment: {r.comment}"
        return text + "."

    @staticmethod
    def _slowest_ls(ctx: RuleContext, chain: Chain, r: ArchiveStatus) -> None:
        """Which log stream holds the tenant's checkpoint back (CDB_OB_LS_LOG_ARCHIVE_PROGRESS, 4.1+)."""
        progress = [p for p in ctx.evidence.get(Kind.LS_ARCHIVE_PROGRESS)
                    if p.tenant_id == r.tenant_id and (r.round_id is None or p.round_id in (None, r.round_id))]
        progress = [p for p in progress if p.checkpoint_scn]
        if not progress:
            return
        latest: dict[int | None, object] = {}
        for p in progress:  # one row per log stream and piece: keep each stream's furthest
            if p.ls_id not in latest or p.checkpoint_scn > latest[p.ls_id].checkpoint_scn:
                latest[p.ls_id] = p
        rows = sorted(latest.values(), key=lambda p: p.checkpoint_scn)
        slowest, fastest = rows[0], rows[-1]
        zone = zone_label()  # the SCN's instant on the views' clock (evidence.clock.from_scn), said
        chain.row_step(slowest.provenance.name,
                       f"log stream {slowest.ls_id} is archived only to {fmt_time(slowest.checkpoint)} ({zone}) "
                       f"({slowest.status or '?'})"
                       + (f"; the others reach {fmt_time(fastest.checkpoint)} ({zone})" if len(rows) > 1 else ""),
                       rows[:5], ("tenant_id", "ls_id", "round_id", "piece_id", "status", "checkpoint"))

    # -- INTERRUPTED -----------------------------------------------------------------------
    def _interrupted(self, ctx: RuleContext, r: ArchiveStatus, changes: list[RootServiceEvent]) -> Finding:
        chain = Chain(self.id)
        chain.row_step(r.provenance.name, f"the archive of tenant {r.tenant_id} is INTERRUPTED at checkpoint "
                       f"{fmt_time(r.checkpoint)}" + (f"; comment: {r.comment}" if r.comment else ""),
                       [r], _ROUND_COLUMNS)
        change = self._change_to(chain, changes, "INTERRUPTED")
        self._slowest_ls(ctx, chain, r)
        when = change.timestamp if change else r.checkpoint
        since = when - timedelta(minutes=30) if when else None
        until = when + timedelta(minutes=10) if change and when else ctx.evidence.collected_at
        code, lines, servers = self._archive_errors(ctx, chain, r, since, until)
        if code is None and r.comment:
            from obdoctor.catalog.error_docs import parse_code_text

            parsed = parse_code_text(r.comment)
            code = parsed.value if parsed and parsed.kind == "code" and parsed.value else None
        summary = f"The log archive of tenant {r.tenant_id} is INTERRUPTED since {fmt_time(when)}"
        facts = archive_facts()
        if code in facts["recycled_codes"]:
            return chain.finding(CLOG_RECYCLED_BEFORE_ARCHIVE, Verdict.CONFIRMED if lines else Verdict.LIKELY,
                                 summary + f": {code_text(code)}.", code=code, tenant_id=r.tenant_id, time=when)
        if code in facts["archive_recycled_codes"]:
            return chain.finding(ARCHIVE_LOG_RECYCLED, Verdict.CONFIRMED if lines else Verdict.LIKELY,
                                 summary + f": {code_text(code)}.", code=code, tenant_id=r.tenant_id, time=when)
        if is_destination_code(code):
            explanation = diagnose(ctx, chain, DestinationProblem(
                code, r.tenant_id, servers=tuple(servers), since=since, until=until, lines=tuple(lines),
                path=r.path, purpose="archive", path_record=r))
            return chain.finding(explanation.cause, explanation.verdict,
                                 summary + f" with {code_text(code)}: {explanation.summary}.", code=code,
                                 tenant_id=r.tenant_id, time=when, extra_steps=explanation.next_steps)
        verdict = Verdict.CONFIRMED if lines else Verdict.LIKELY
        detail = f" with {code_text(code)}" if code else ""
        return chain.finding(ARCHIVE_INTERRUPTED, verdict, summary + detail + ".", code=code,
                             tenant_id=r.tenant_id, time=when)

    @staticmethod
    def _change_to(chain: Chain, changes: list[RootServiceEvent], status: str) -> RootServiceEvent | None:
        matching = [e for e in changes if (e.value("new_status") or "").upper() == status]
        if not matching:
            if changes:
                chain.step("DBA_OB_ROOTSERVICE_EVENT_HISTORY where module='log_archive' and event='change_status'",
                           f"no change to {status} recorded (events are recycled after ob_event_history_recycle_interval)")
            return None
        event = max(matching, key=lambda e: e.timestamp or datetime.min)
        chain.row_step("DBA_OB_ROOTSERVICE_EVENT_HISTORY where module='log_archive' and event='change_status'",
                       f"{event.value('old_status') or '?'} -> {event.value('new_status')} at {fmt_time(event.timestamp)}",
                       [event], ("timestamp", "tenant_id", "rs_svr_ip"))
        chain.server(event.rs_svr_ip)
        return event

    def _archive_errors(self, ctx: RuleContext, chain: Chain, r: ArchiveStatus, since, until
                        ) -> tuple[int | None, list[LogRecord], list[str]]:
        """The archive's error code, the lines proving it and the servers they are on."""
        facts = archive_facts()
        code: int | None = None
        fatal = [e for e in ctx.evidence.get(Kind.SERVER_EVENTS).where(module="log_archive", event="mark_fatal_error")
                 if (since is None or e.timestamp is None or e.timestamp >= since)]
        if fatal:
            event = fatal[-1]
            try:
                code = int(event.value("ret_code") or "") or None
            except ValueError:
                code = None
            chain.row_step("DBA_OB_SERVER_EVENT_HISTORY where module='log_archive' and event='mark_fatal_error'",
                           f"{event.svr_ip} marked the archive of ls {event.value('id') or '?'} fatal: "
                           f"{event.value('reason') or '?'} ({code_text(code)})",
                           [event], ("timestamp", "svr_ip", "event"))
        patterns = (*facts["error_signatures"], *(f"ret={c}" for c in (*facts["recycled_codes"], *facts["archive_recycled_codes"])))
        servers = cluster_servers(ctx, tuple(e.svr_ip for e in fatal if e.svr_ip))
        if not servers:
            chain.could_not_check("archive error lines in observer.log", "no server named (DBA_OB_SERVERS not available)")
            return code, [], []
        result = search(ctx, chain, servers=servers, kinds=(LogFamily.OBSERVER,),
                        any_of=patterns, levels=PROBLEM_LEVELS,
                        since=since, until=until, purpose="archive error lines")
        tenant_tag = f"T{r.tenant_id}_"
        lines = [x for x in result.records if x.tenant_id in (None, r.tenant_id) or (x.thread or "").startswith(tenant_tag)
                 or f"tenant_id={r.tenant_id}" in x.raw]
        where = sorted({x.server for x in lines if x.server})
        if lines:
            codes = [c for c in (x.ret() or _ret_code(x) for x in lines) if c]
            code = code or (codes[-1] if codes else None)
            chain.log_step(f"observer.log* on {', '.join(servers)}: grep 'archive continuous encounter error\\|mark_fatal_error'",
                           f"{len(lines)} line(s) on {', '.join(where) or '?'}"
                           + (f"; code {code_text(code)}" if code else ""), lines[-10:])
            for s in where:
                chain.server(s)
        elif result.searched_anything:
            chain.step(f"observer.log* on {', '.join(servers)}: archive error lines",
                       f"none: {result.searched()}")
        return code, lines, where

    # -- stuck in a transition ------------------------------------------------------------
    def _transition(self, ctx: RuleContext, r: ArchiveStatus, changes: list[RootServiceEvent], facts: dict) -> Finding | None:
        now = ctx.evidence.collected_at
        chain = Chain(self.id)
        chain.row_step(r.provenance.name, f"the archive of tenant {r.tenant_id} is {r.status}", [r], _ROUND_COLUMNS)
        change = self._change_to(chain, changes, r.status or "")
        since = change.timestamp if change else r.checkpoint
        if now is None or since is None:
            return None
        minutes = (now - since).total_seconds() / 60
        if minutes < facts["transition_minutes"]:
            return None
        code, lines, _servers = self._archive_errors(ctx, chain, r, since - timedelta(minutes=10), now)
        verdict = Verdict.CONFIRMED if change else Verdict.LIKELY
        if code:  # a failing medium keeps a round from finishing DEFER/NOARCHIVELOG (oceanbase#1496)
            chain.notes.append(f"The archive kept failing with {code_text(code)} while {r.status}: a destination "
                               "that fails can hold the round in its transition; fix the destination first.")
        return chain.finding(
            ARCHIVE_STUCK_TRANSITION, verdict,
            f"The log archive of tenant {r.tenant_id} has been {r.status} for {lag_text(minutes)}"
            + ("" if change else " at least (since its checkpoint)")
            + (f", its log streams failing with {code_text(code)}" if code else "") + ".",
            code=code, tenant_id=r.tenant_id, time=since)

    # -- lagging ------------------------------------------------------------------------------
    def _lagging(self, ctx: RuleContext, r: ArchiveStatus, facts: dict) -> Finding | None:
        lag = self._lag_minutes(ctx, r)
        if lag is None or lag < facts["lag_minutes"]:
            return None
        chain = Chain(self.id)
        chain.row_step(r.provenance.name,
                       f"the archive of tenant {r.tenant_id} is DOING but its checkpoint {fmt_time(r.checkpoint)} is "
                       f"{lag_text(lag)} behind the collection time {fmt_time(ctx.evidence.collected_at)}",
                       [r], _ROUND_COLUMNS)
        self._slowest_ls(ctx, chain, r)
        code, lines, _servers = self._archive_errors(ctx, chain, r, r.checkpoint, ctx.evidence.collected_at)
        if is_destination_code(code):
            explanation = diagnose(ctx, chain, DestinationProblem(
                code, r.tenant_id, servers=tuple(_servers), since=r.checkpoint, until=ctx.evidence.collected_at,
                lines=tuple(lines), path=r.path, purpose="archive", path_record=r))
            return chain.finding(explanation.cause, explanation.verdict,
                                 f"The log archive of tenant {r.tenant_id} is {lag_text(lag)} behind: {explanation.summary}.",
                                 code=code, tenant_id=r.tenant_id, time=r.checkpoint, extra_steps=explanation.next_steps)
        return chain.finding(ARCHIVE_LAGGING, Verdict.CONFIRMED,
                             f"The log archive of tenant {r.tenant_id} is {lag_text(lag)} behind"
                             + (f" ({code_text(code)} in its error lines)" if code else "") + ".",
                             code=code, tenant_id=r.tenant_id, time=r.checkpoint)


def _ret_code(record: LogRecord) -> int | None:
    """``ret_code=<code>`` of an archive error line whose header errcode is 0 (issue 15.3)."""
    try:
        return int(record.get("ret_code") or "") or None
    except ValueError:
        return None
