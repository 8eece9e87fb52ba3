"""Signatures applied to a chain: the meaning a signature gives a refused command's code.

A service, not a rule, and the one place a rule matches signatures: rule S1
(``rules/signatures.py``, commands refused before any job), rule P1 (``rules/start_failed.py``,
BACKUP refused with a code beyond the runbook's checks) and rule R1 (``rules/restore_command.py``,
a RESTORE refused) all explain a code with it, with the destination scheme read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdoctor.catalog.cause_ids import COMMAND_REFUSED
from obdoctor.evidence.kinds import Kind
from obdoctor.findings import Verdict
from obdoctor.catalog import signatures, storage_errors
from obdoctor.rules.base import Chain, RuleContext
from obdoctor.rules.services.destination import nfs_requirement_steps
from obdoctor.rules.services.failure import Explanation


def tenant_states(ctx: RuleContext, tenant_id) -> dict[str, str]:
    """The states a signature may ask about (``STATE_KEYS``): the tenant's status and role, its
    archive round's status, its latest backup job's status and its latest restore's status. A rule
    that calls this declares TENANTS, ARCHIVELOG, JOBS and RESTORE_PROGRESS in its needs."""
    states: dict[str, str] = {}
    tenant = ctx.evidence.get(Kind.TENANTS).first(tenant_id=tenant_id)
    if tenant is not None and tenant.status:
        states["tenant.status"] = tenant.status
    if tenant is not None and getattr(tenant, "role", None):
        states["tenant.role"] = tenant.role
    rounds = [r for r in ctx.evidence.get(Kind.ARCHIVELOG) if r.tenant_id == tenant_id and r.status]
    if rounds:
        states["archive.status"] = rounds[-1].status
    jobs = [j for j in ctx.evidence.get(Kind.JOBS) if j.tenant_id == tenant_id and j.status]
    if jobs:
        states["job.status"] = max(jobs, key=lambda j: (j.start is not None, j.start, j.job_id or 0)).status
    restores = [r for r in ctx.evidence.get(Kind.RESTORE_PROGRESS)
                if tenant_id is not None and tenant_id in (r.restore_tenant_id, r.tenant_id) and r.status]
    if restores:
        states["restore.status"] = max(restores, key=lambda r: r.job_id or 0).status.upper()
    return states


@dataclass
class SignatureExplanation(Explanation):
    signature: signatures.Signature | None = None


def apply_signature(chain: Chain, catalogue: signatures.Catalogue, context: signatures.Context) -> SignatureExplanation | None:
    """The most specific signature for the context's code, written into the chain (its meaning as
    a step, what proves it and where it is documented as notes), or None when none matches."""
    storage_detail(chain, context.text)
    code = context.codes[0] if context.codes else None
    matched = [m for m in signatures.find(context, catalogue) if m.code == code]
    if not matched:
        return None
    sig = matched[0].signature
    chain.step(f"signature {sig.id} ({sig.origin})", f"{sig.context_text()}: {sig.meaning}")
    chain.notes += [f"What proves it: {p}" for p in sig.proof]
    chain.notes.append("Where this meaning is documented: " + "; ".join(sig.source)
                       + ". Field case: " + "; ".join(sig.field_case) + ".")
    steps = list(sig.next_steps)
    if context.scheme == "file" and "file" in sig.schemes:  # a meaning about the NFS destination itself
        chain.destination_kind = "nfs"
        steps += nfs_requirement_steps(context.version)
    verdict = Verdict.CONFIRMED if sig.verdict == "confirmed" else Verdict.LIKELY
    if sig.versions and signatures.version_in(sig.versions, context.version) is None:
        # an unknown version does not exclude the meaning, but cannot confirm one that holds on
        # some versions only (-4179 after NOARCHIVELOG means snapshots from 4.3, nothing on 4.2)
        verdict = Verdict.LIKELY
        chain.could_not_check("the cluster's version",
                              f"signature {sig.id} holds on OceanBase {sig.versions} only and the evidence names "
                              "no version: likely, not confirmed")
    return SignatureExplanation(sig.cause or COMMAND_REFUSED, verdict, _lower_first(sig.title), steps, sig)


def storage_detail(chain: Chain, text: str) -> None:
    """The object storage's own answer in the command's lines (curl code, SDK status, HTTP status,
    service error), decoded, with the host that failed: what to test from the server that ran it."""
    details = storage_errors.decode(text)
    if not details:
        return
    hosts = storage_errors.hosts_in(text)
    chain.step("the object storage detail in the command's lines",
               "; ".join(d.describe() for d in details)
               + (f"; host that failed: {', '.join(hosts)}" if hosts else "; the lines name no host"))


def explain_refusal(ctx: RuleContext, chain: Chain, code: int, statement: str, *, tenant_id: int | None = None,
                    lines=(), scheme: str | None = None) -> SignatureExplanation | None:
    """For a rule that owns a command's event (P1 reads BACKUP's, R1 RESTORE's): the meaning a
    signature gives ``code`` after ``statement`` on this cluster's version, with the destination's
    scheme (``destination_scheme``), the tenant's states and the command's log lines as context;
    None when no signature matches or none can be loaded (said in the chain)."""
    try:
        catalogue = signatures.load()
    except signatures.SignatureError as exc:
        chain.could_not_check("signatures (data/signatures/ and $XDG_CONFIG_HOME/obdoctor/signatures/)", str(exc))
        return None
    context = signatures.Context(codes=(code,), statement=statement, version=ctx.evidence.version, scheme=scheme,
                                 states=tenant_states(ctx, tenant_id), text="\n".join(r.raw for r in lines))
    return apply_signature(chain, catalogue, context)


_DEST_PARAMETER = {"archivelog": "log_archive_dest", "noarchivelog": "log_archive_dest",
                   "set_log_archive_dest": "log_archive_dest", "set_log_archive_dest_state": "log_archive_dest"}
"""The parameter that holds the destination a statement uses (data_backup_dest for the others)."""


def destination_scheme(ctx: RuleContext, chain: Chain, statement: str, tenant_id) -> str | None:
    """The scheme of the destination the statement used: the tenant's parameter
    (CDB_OB_BACKUP_PARAMETER), else its archive path (CDB_OB_ARCHIVELOG), cited in the chain;
    None (said as not checked) when neither names one."""
    wanted = _DEST_PARAMETER.get(statement, "data_backup_dest")
    params = ctx.evidence.get(Kind.PARAMETERS)
    rows = [p for p in params if p.tenant_id == tenant_id and p.name.startswith(wanted) and p.value
            and not p.name.startswith("log_archive_dest_state")]
    for p in rows:
        scheme = signatures.scheme_of(p.value)
        if scheme:
            chain.row_step(params.source, f"tenant {tenant_id}'s {p.name} is a {scheme}:// destination",
                           [p], ("tenant_id", "name", "value"))
            return scheme
    if wanted == "log_archive_dest":
        for r in ctx.evidence.get(Kind.ARCHIVELOG):
            scheme = signatures.scheme_of(getattr(r, "path", None) or "")
            if r.tenant_id == tenant_id and scheme:
                return scheme
    chain.could_not_check(f"the destination scheme of tenant {tenant_id}",
                          f"no {wanted} for it in {params.source if params.available else 'the backup parameters'}")
    return None


def _lower_first(title: str) -> str:
    """``The tenant ...`` -> ``the tenant ...``; ``ARCHIVELOG was ...`` stays."""
    return title[0].lower() + title[1:] if title[1:2].islower() else title
