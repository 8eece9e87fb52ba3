"""Signatures applied to a chain: the meaning a signature gives a refused command's code.

A service, not a rule: rule S1 (``rules/signatures.py``, commands refused before any job) and
rule R1 (``rules/restore_command.py``, a RESTORE refused) both explain a code with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdoctor.catalog.cause_ids import COMMAND_REFUSED
from obdoctor.evidence.kinds import Kind
from obdoctor.findings import Verdict
from obdoctor.catalog import signatures, storage_errors
from obdoctor.rules.base import Chain, RuleContext
from obdoctor.rules.services.failure import Explanation


def tenant_states(ctx: RuleContext, tenant_id) -> dict[str, str]:
    """The states a signature may ask about: the tenant's status and role, its archive round's status."""
    states: dict[str, str] = {}
    tenant = ctx.evidence.get(Kind.TENANTS).first(tenant_id=tenant_id)
    if tenant is not None and tenant.status:
        states["tenant.status"] = tenant.status
    if tenant is not None and getattr(tenant, "role", None):
        states["tenant.role"] = tenant.role
    rounds = [r for r in ctx.evidence.get(Kind.ARCHIVELOG) if r.tenant_id == tenant_id and r.status]
    if rounds:
        states["archive.status"] = rounds[-1].status
    return states


@dataclass
class SignatureExplanation(Explanation):
    signature: signatures.Signature | None = None


def apply_signature(chain: Chain, catalogue: signatures.Catalogue, context: signatures.Context) -> SignatureExplanation | None:
    """The most specific signature for the context's code, written into the chain (its meaning as
    a step, what proves it and where it is documented as notes), or None when none matches."""
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
        steps += [f"NFS requirement for OceanBase {context.version or '(version unknown)'}: {t}"
                  for t in storage_errors.nfs_requirements(context.version)]
    verdict = Verdict.CONFIRMED if sig.verdict == "confirmed" else Verdict.LIKELY
    return SignatureExplanation(sig.cause or COMMAND_REFUSED, verdict, _lower_first(sig.title), steps, sig)


def explain_refusal(ctx: RuleContext, chain: Chain, code: int, statement: str, *, tenant_id: int | None = None,
                    lines=()) -> SignatureExplanation | None:
    """For a rule that owns a command's event (R1 reads RESTORE's): the meaning a signature gives
    ``code`` after ``statement`` on this cluster's version, with the tenant's states and the
    command's log lines as context; None when no signature matches or none can be loaded."""
    try:
        catalogue = signatures.load()
    except signatures.SignatureError as exc:
        chain.could_not_check("signatures (data/signatures/ and $XDG_CONFIG_HOME/obdoctor/signatures/)", str(exc))
        return None
    context = signatures.Context(codes=(code,), statement=statement, version=ctx.evidence.version,
                                 states=tenant_states(ctx, tenant_id), text="\n".join(r.raw for r in lines))
    return apply_signature(chain, catalogue, context)


def _lower_first(title: str) -> str:
    """``The tenant ...`` -> ``the tenant ...``; ``ARCHIVELOG was ...`` stays."""
    return title[0].lower() + title[1:] if title[1:2].islower() else title
