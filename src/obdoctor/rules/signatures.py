"""Commands refused before any job existed, given their meaning by the signatures.

ALTER SYSTEM ARCHIVELOG or NOARCHIVELOG that fails leaves no job and no archive round, only an
event row with the command's return code (``log_archive`` / ``open_archive_mode``, ``result``).
The code is often generic (-4009, -4012, -4179); what it means depends on the command, the
destination's scheme and the version, which is what a signature (``data/signatures/``, the
user's ``$XDG_CONFIG_HOME/obdoctor/signatures/``) records. Which event rows record a command is
data too (``[[command_event]]`` in the signature files).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from obdoctor.evidence.records import normalize_code
from obdoctor.findings import Finding, Verdict
from obdoctor.knowledge import signatures
from obdoctor.rules.base import Chain, Rule, RuleContext, code_text, fmt_time

_DEST_PARAMETER = {"archivelog": "log_archive_dest", "noarchivelog": "log_archive_dest",
                   "set_log_archive_dest": "log_archive_dest", "set_log_archive_dest_state": "log_archive_dest"}


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
    needs = ("rs_events", "server_events", "parameters", "archivelog", "tenants")

    def check(self, ctx: RuleContext) -> list[Finding]:
        try:
            catalogue = signatures.load()
        except signatures.SignatureError as exc:
            ctx.could_not_check("signatures (data/signatures/ and $XDG_CONFIG_HOME/obdoctor/signatures/)", str(exc))
            return []
        findings = []
        for ce in catalogue.command_events:
            found = (ctx.evidence.rs_events(ce.module, ce.event) if ce.view == "rootservice"
                     else ctx.evidence.server_events(ce.module, ce.event))
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
        if getattr(latest, "rs_svr_ip", None):
            chain.server(latest.rs_svr_ip)
        context = signatures.Context(codes=(code,), statement=ce.statement, version=ctx.evidence.version,
                                     scheme=self._scheme(ctx, chain, ce.statement, tenant_id),
                                     states=self._states(ctx, tenant_id))
        matched = [m for m in signatures.find(context, catalogue) if m.code == code]
        summary_head = f"{label} for tenant {tenant_id} was refused with {code_text(code)}"
        if not matched:
            others = signatures.for_code(code, catalogue)
            if others:
                chain.notes.append("Signatures give this code a meaning in other contexts: "
                                   + "; ".join(f"{s.id} ({s.context_text()})" for s in others[:4]) + ".")
            chain.could_not_check(f"the meaning of {code} after {label}",
                                  "no signature matches this command, destination scheme "
                                  f"({context.scheme or 'unknown'}) and version ({context.version or 'unknown'})")
            return chain.finding("command_refused_unexplained", Verdict.UNKNOWN,
                                 f"{summary_head}; no signature says what it means after this command.",
                                 code=code, tenant_id=tenant_id, time=latest.timestamp)
        sig = matched[0].signature
        chain.step(f"signature {sig.id} ({sig.origin})", f"{sig.context_text()}: {sig.meaning}")
        chain.notes += [f"What proves it: {p}" for p in sig.proof]
        chain.notes.append("Where this meaning is documented: " + "; ".join(sig.source)
                           + ". Field case: " + "; ".join(sig.field_case) + ".")
        verdict = Verdict.CONFIRMED if sig.verdict == "confirmed" else Verdict.LIKELY
        finding = chain.finding(sig.cause or "command_refused", verdict, f"{summary_head}: {sig.title[0].lower()}{sig.title[1:]}.",
                                code=code, tenant_id=tenant_id, time=latest.timestamp, extra_steps=list(sig.next_steps))
        return finding if sig.cause else replace(finding, title=sig.title)

    @staticmethod
    def _scheme(ctx: RuleContext, chain: Chain, statement: str, tenant_id) -> str | None:
        """The scheme of the destination the command used: the tenant's parameter, else its archive path."""
        wanted = _DEST_PARAMETER.get(statement, "data_backup_dest")
        params = ctx.evidence.parameters()
        rows = [p for p in params if p.tenant_id == tenant_id and p.name.startswith(wanted) and p.value
                and not p.name.startswith("log_archive_dest_state")]
        for p in rows:
            scheme = signatures.scheme_of(p.value)
            if scheme:
                chain.row_step(params.source, f"tenant {tenant_id}'s {p.name} is a {scheme}:// destination",
                               [p], ("tenant_id", "name", "value"))
                return scheme
        if wanted == "log_archive_dest":
            for r in ctx.evidence.archivelog():
                scheme = signatures.scheme_of(getattr(r, "path", None) or "")
                if r.tenant_id == tenant_id and scheme:
                    return scheme
        chain.could_not_check(f"the destination scheme of tenant {tenant_id}",
                              f"no {wanted} for it in {params.source if params.available else 'the backup parameters'}")
        return None

    @staticmethod
    def _states(ctx: RuleContext, tenant_id) -> dict[str, str]:
        states: dict[str, str] = {}
        tenant = ctx.evidence.tenant(tenant_id)
        if tenant is not None and tenant.status:
            states["tenant.status"] = tenant.status
        if tenant is not None and getattr(tenant, "role", None):
            states["tenant.role"] = tenant.role
        rounds = [r for r in ctx.evidence.archivelog() if r.tenant_id == tenant_id and r.status]
        if rounds:
            states["archive.status"] = rounds[-1].status
        return states


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _code(text: str | None) -> int | None:
    value = _int(text)
    return normalize_code(value) if value else None
