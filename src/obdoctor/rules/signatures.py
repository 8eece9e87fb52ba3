"""S1: commands refused before any job existed, given their meaning by the signatures.

Beyond the runbook. ALTER SYSTEM ARCHIVELOG or NOARCHIVELOG (or SET ..._DEST) that fails leaves
no job and no archive round, only an event row with the command's return code or a failed
statement in the SQL thread's log. The code is often generic (-4009, -4012, -4179); what it means
depends on the command, the destination's scheme and the version, which is what a signature
(``data/signatures/``, the user's ``$XDG_CONFIG_HOME/obdoctor/signatures/``) records. Which event
rows record a command is data too (``[[command_event]]`` in the signature files).

Looks at, in order:

1. Both event history views, for the rows a ``[[command_event]]`` declares; each tenant's latest
   attempt when it failed and no later attempt succeeded.
2. ``observer.log*`` of the servers with logs: ``fail execute sql`` lines of the statements that
   leave no event (SET ..._DEST, ADD RESTORE SOURCE, CANCEL...); BACKUP is P1's, RESTORE R1's.
3. The context a signature is selected by: the command, the scheme of the tenant's destination
   (``CDB_OB_BACKUP_PARAMETER``, ``CDB_OB_ARCHIVELOG``), the cluster's version, the tenant's and
   the archive's states.
4. The lines of the refused command around its time on the server that ran it.
5. For a ``file://`` destination (the one the refused statement names, else the tenant's), each
   server's ``/proc/mounts`` (``Kind.MOUNTS``) against OceanBase's NFS requirements and the
   others, as the destination findings do (``services/destination.check_mounts``).

Concludes the cause of the most specific signature that matches (``command_refused`` or its own
cause, likely), or ``command_refused_unexplained`` with the code's generic meaning (unknown).
A signature file that cannot be read is reported, never fatal.

Cannot tell: the meaning of a generic code no signature covers; whether a logged statement
succeeded when run again (a log line does not say).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from obdoctor.catalog.cause_ids import COMMAND_REFUSED_UNEXPLAINED
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.evidence.records import normalize_code
from obdoctor.findings import Finding, Verdict
from obdoctor.catalog import signatures
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Rule, RuleContext, code_text, fmt_time, search
from obdoctor.logs import LogRecord
from obdoctor.rules.services.destination import (
    MOUNT_NEEDS, check_mounts, cluster_servers, destination_path, remount_steps,
)
from obdoctor.rules.services.signatures import apply_signature, destination_scheme, tenant_states

_FILE_URI = re.compile(r"file://[^\s'\",)]+", re.IGNORECASE)
"""A ``file://`` destination written in a statement or a line."""
_FAILED_SQL = "fail execute sql"
"""What the SQL thread logs when a statement fails (obmp_query: sql=, ret=)."""


class CommandRefused(Rule):
    """A backup, archive or restore command was refused before any job existed.

    Reads the event rows that record a command and its return code (both event history views; the
    list is ``[[command_event]]`` in the signature files), takes each tenant's latest attempt when
    it failed and no later attempt succeeded, and builds the context a signature is selected by:
    the command, the scheme of the tenant's destination (CDB_OB_BACKUP_PARAMETER, CDB_OB_ARCHIVELOG),
    the cluster's version and the tenant's and archive's states. The most specific signature names
    the cause, what proves it and the next steps; without one the code's generic meaning is said.
    """

    id = "S1"
    name = "command-refused"
    needs = (Kind.RS_EVENTS, Kind.SERVER_EVENTS, Kind.PARAMETERS, Kind.ARCHIVELOG, Kind.TENANTS,
             Kind.JOBS, Kind.RESTORE_PROGRESS, LogFamily.ROOTSERVICE, LogFamily.OBSERVER, *MOUNT_NEEDS)

    def check(self, ctx: RuleContext) -> list[Finding]:
        try:
            catalogue = signatures.load()
        except signatures.SignatureError as exc:
            ctx.could_not_check("signatures (data/signatures/ and $XDG_CONFIG_HOME/obdoctor/signatures/)", str(exc))
            return []
        findings = []
        for ce in catalogue.command_events:
            kind = Kind.RS_EVENTS if ce.view == "rootservice" else Kind.SERVER_EVENTS
            found = ctx.evidence.get(kind).where(module=ce.module, event=ce.event)
            if not found.available:
                ctx.could_not_check("commands refused before any job existed (their event rows)",
                                    found.reason or "view not available")
                continue
            by_tenant: dict[int | None, list] = {}
            for event in found:
                tenant_id = _int(event.value("tenant_id"))
                if ctx.options.wants(tenant_id) and ctx.options.in_window(event.timestamp):
                    by_tenant.setdefault(tenant_id, []).append(event)
            for tenant_id, events in by_tenant.items():
                events.sort(key=lambda e: e.timestamp or datetime.min)
                code = _code(events[-1].value(ce.code_field))
                if not code:
                    continue  # the latest attempt succeeded
                run = [e for e in events if _code(e.value(ce.code_field)) == code]
                findings.append(self._diagnose(ctx, catalogue, ce, tenant_id, code, run, found.source))
        return findings + self._failed_sql(ctx, catalogue)

    # -- statements that leave no event: the SQL thread's 'fail execute sql' line ----------------
    def _failed_sql(self, ctx: RuleContext, catalogue) -> list[Finding]:
        """ALTER SYSTEM SET ..._DEST, ADD RESTORE SOURCE, CANCEL... leave no event row when they fail;
        the server that ran them logs ``fail execute sql(sql=..., ret=<code>)`` on the SQL thread.
        Statements whose events other rules or the command events read (BACKUP: P1, RESTORE: R1,
        ARCHIVELOG) are left to them. The scan is opportunistic: it reads the logs the evidence has
        (the servers with logs in a bundle, the reachable ones live) and says nothing when there are
        none, as no failure points at a server to look at."""
        with_logs = set(ctx.evidence.log_servers)
        servers = tuple(s for s in cluster_servers(ctx) if s in with_logs)
        if not servers:
            return []
        until = ctx.options.until or ctx.evidence.collected_at
        since = ctx.options.since or (until - timedelta(days=1) if until else None)
        probe = Chain(self.id)
        result = search(ctx, probe, servers=servers, kinds=(LogFamily.OBSERVER,),
                        any_of=(_FAILED_SQL,), levels=PROBLEM_LEVELS,
                        since=since, until=until, purpose="failed backup, archive and restore statements")
        for u in probe.unchecked:
            ctx.could_not_check(u.what, u.why)
        owned = {ce.statement for ce in catalogue.command_events} | {"backup", "restore"}
        latest: dict[tuple[str, int, int | None], list[LogRecord]] = {}
        for record in result.records:
            kind, code = signatures.statement_of(record.raw, catalogue), record.ret()
            if kind and kind not in owned and code and ctx.options.wants(record.tenant_id):
                latest.setdefault((kind, code, record.tenant_id), []).append(record)
        labels = {s.kind: s.label for s in catalogue.statements}
        findings = []
        for (kind, code, tenant_id), records in latest.items():
            records.sort(key=lambda r: r.ts or datetime.min)
            last = records[-1]
            chain = Chain(self.id)
            label = labels.get(kind, kind)
            chain.log_step(f"observer.log* on {', '.join(servers)}: grep '{_FAILED_SQL}' | grep -i '{label.split(' ', 2)[-1]}'",
                           f"{label} failed {len(records)} time(s) with {code_text(code)} on {last.server or '?'}, "
                           f"last at {fmt_time(last.ts)}", records[-5:])
            chain.server(last.server)
            extra = _same_request(ctx, chain, last.server, [last], last.ts, label, ("observer",)) if last.server else []
            context = signatures.Context(codes=(code,), statement=kind, scheme=signatures.scheme_of(last.raw),
                                         version=ctx.evidence.version, states=tenant_states(ctx, tenant_id),
                                         text="\n".join(r.raw for r in [last, *extra]))
            head = f"{label} failed with {code_text(code)} on {last.server or '?'}"
            explanation = apply_signature(chain, catalogue, context)
            # the session's tenant is not the target's (SET ... TENANT=t runs in sys): every server is involved
            remount = _nfs_mounts(ctx, chain, context, None, last.server)
            if explanation is None:
                chain.could_not_check(f"the meaning of {code} after {label}",
                                      f"no signature matches this statement, destination scheme ({context.scheme or 'unknown'}) "
                                      f"and version ({context.version or 'unknown'})")
                findings.append(chain.finding(COMMAND_REFUSED_UNEXPLAINED, Verdict.UNKNOWN,
                                              f"{head}; no signature says what it means after this statement.",
                                              code=code, tenant_id=tenant_id, time=last.ts, extra_steps=remount))
                continue
            chain.notes.append("A log line does not say whether the statement succeeded when run again: "
                               "check today's setting (CDB_OB_BACKUP_PARAMETER, CDB_OB_ARCHIVELOG).")
            finding = chain.finding(explanation.cause, explanation.verdict, f"{head}: {explanation.summary}.",
                                    code=code, tenant_id=tenant_id, time=last.ts,
                                    extra_steps=[*explanation.next_steps, *remount])
            findings.append(finding if explanation.signature.cause else replace(finding, title=explanation.signature.title))
        return findings

    def _diagnose(self, ctx: RuleContext, catalogue, ce, tenant_id, code: int, events, view: str) -> Finding:
        chain = Chain(self.id)
        label = {s.kind: s.label for s in catalogue.statements}.get(ce.statement, ce.statement)
        latest = events[-1]
        chain.row_step(
            f"{view} where module='{ce.module}' and event='{ce.event}'",
            f"{label} for tenant {tenant_id} returned {code_text(code)}"
            + (f" ({len(events)} attempts)" if len(events) > 1 else "") + f", last at {fmt_time(latest.timestamp)}",
            events[-5:], ("timestamp", "module", "event", "values"),
        )
        chain.server(chain_server(latest))
        lines = self._lines(ctx, chain, latest, code, label)
        context = signatures.Context(codes=(code,), statement=ce.statement, version=ctx.evidence.version,
                                     scheme=destination_scheme(ctx, chain, ce.statement, tenant_id),
                                     states=tenant_states(ctx, tenant_id), text="\n".join(r.raw for r in lines))
        tenant = ctx.evidence.get(Kind.TENANTS).first(tenant_id=tenant_id)
        if tenant is not None and tenant.status and tenant.status != "NORMAL":
            chain.row_step(ctx.evidence.get(Kind.TENANTS).source, f"tenant {tenant_id} is {tenant.status}", [tenant],
                           ("tenant_id", "name", "status", "role"))
        summary_head = f"{label} for tenant {tenant_id} was refused with {code_text(code)}"
        explanation = apply_signature(chain, catalogue, context)
        remount = _nfs_mounts(ctx, chain, context, tenant_id, chain_server(latest))
        if explanation is None:
            others = signatures.for_code(code, catalogue)
            if others:
                chain.notes.append("Signatures give this code a meaning in other contexts: "
                                   + "; ".join(f"{s.id} ({s.context_text()})" for s in others[:4]) + ".")
            chain.could_not_check(f"the meaning of {code} after {label}",
                                  "no signature matches this command, destination scheme "
                                  f"({context.scheme or 'unknown'}) and version ({context.version or 'unknown'})")
            return chain.finding(COMMAND_REFUSED_UNEXPLAINED, Verdict.UNKNOWN,
                                 f"{summary_head}; no signature says what it means after this command.",
                                 code=code, tenant_id=tenant_id, time=latest.timestamp, extra_steps=remount)
        finding = chain.finding(explanation.cause, explanation.verdict, f"{summary_head}: {explanation.summary}.",
                                code=code, tenant_id=tenant_id, time=latest.timestamp,
                                extra_steps=[*explanation.next_steps, *remount])
        sig = explanation.signature
        return finding if sig.cause else replace(finding, title=sig.title)

    @staticmethod
    def _lines(ctx: RuleContext, chain: Chain, event, code: int, label: str) -> list:
        """The refusing check's own lines: ``ret=<code>`` in the root service's logs at the event's time."""
        server = getattr(event, "rs_svr_ip", None) or getattr(event, "svr_ip", None)
        if not server or event.timestamp is None:
            chain.could_not_check(f"the log lines of the refused {label}", "the event names no server or time")
            return []
        margin = timedelta(minutes=2)
        result = search(ctx, chain, servers=(server,), kinds=(LogFamily.ROOTSERVICE, LogFamily.OBSERVER),
                        any_of=(f"ret={code}",),
                        levels=PROBLEM_LEVELS, since=event.timestamp - margin, until=event.timestamp + margin,
                        purpose=f"ret={code} of the refused {label}")
        lines = [r for r in result.records if r.ret() == code][:10]
        if not lines:
            if result.searched_anything:
                chain.step(f"rootservice.log*/observer.log* on {server}: grep 'ret={code}'",
                           f"no line: {result.searched()}")
            return []
        chain.log_step(f"rootservice.log*/observer.log* on {server}: grep 'ret={code}' around {fmt_time(event.timestamp)}",
                       f"{len(lines)} line(s) of the refusing check: {lines[0].message[:160]}", lines)
        return lines + _same_request(ctx, chain, server, lines, lines[0].ts or event.timestamp, label,
                                     (LogFamily.ROOTSERVICE, LogFamily.OBSERVER))


def _same_request(ctx: RuleContext, chain: Chain, server: str, lines: list, anchor, label: str,
                  kinds: tuple[LogFamily, ...]) -> list:
    """The other WARN/ERROR lines of the refused request's trace on ``server`` (5 s around
    ``anchor``): the refusing check often says why without ``ret=``, and an object storage
    names its curl/HTTP code and host there."""
    trace = next((r.trace_id for r in lines if r.trace_id and not r.trace_id.startswith("Y0-")), None)
    if trace is None or anchor is None:
        return []
    chain.trace(trace)
    around = search(ctx, chain, servers=(server,), kinds=kinds, any_of=(trace,), levels=PROBLEM_LEVELS,
                    since=anchor - timedelta(seconds=5), until=anchor + timedelta(seconds=5),
                    purpose=f"the refused {label}'s trace {trace}")
    seen = {(r.path, r.line_no) for r in lines}
    extra = [r for r in around.records if (r.path, r.line_no) not in seen][:10]
    if extra:
        chain.log_step(f"{'/'.join(k + '.log*' for k in kinds)} on {server}: grep {trace}",
                       f"{len(extra)} more WARN/ERROR line(s) of the same request, without ret=: "
                       + "; ".join(r.message[:100] for r in extra[:3]), extra)
    return extra


def chain_server(event) -> str | None:
    """The server an event row names (the root service's for its view, the server's for the other)."""
    return getattr(event, "rs_svr_ip", None) or getattr(event, "svr_ip", None)


def _nfs_mounts(ctx: RuleContext, chain: Chain, context: signatures.Context, tenant_id: int | None,
                server: str | None) -> list[str]:
    """For a command whose destination is ``file://``: how every involved server mounts it (a step,
    or what could not be checked), and the mount command to consider where one differs. The
    destination is the one the refused statement names, else the tenant's (parameter, archive)."""
    if context.scheme != "file":
        return []
    named = _FILE_URI.search(context.text)
    uri = named.group(0) if named else destination_path(
        ctx, tenant_id, "archive" if "archive" in (context.statement or "") else "backup")[0]
    if uri is None:
        chain.could_not_check("how the servers mount the file:// destination", "the destination's path is not in the evidence")
        return []
    return remount_steps(check_mounts(ctx, chain, uri, tenant_id, (server,) if server else ()))


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _code(text: str | None) -> int | None:
    value = _int(text)
    return normalize_code(value) if value else None
