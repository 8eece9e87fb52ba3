"""Run every check for every tenant, in the order docs/check.md lists them.

A check never raises for missing evidence (it is ``unknown`` with the reason); a bug in one
check becomes an ``unknown`` result naming it, so the other checks still report.
"""

from __future__ import annotations

from collections.abc import Callable

from obdoctor.evidence.kinds import Kind
from obdoctor.check.archive import check_log_archive
from obdoctor.check.backups import check_last_backup
from obdoctor.check.base import CheckContext
from obdoctor.check.destination import check_clean, check_destination, check_permission, check_space
from obdoctor.check.model import CheckOptions, CheckReport, CheckResult, Status
from obdoctor.check.running import check_running
from obdoctor.check.window import check_restore_preview, check_restore_window
from obdoctor.evidence import Evidence

CHECKS: tuple[tuple[str, Callable[[CheckContext, int], CheckResult | None]], ...] = (
    ("last_backup", check_last_backup),
    ("log_archive", check_log_archive),
    ("restore_window", check_restore_window),
    ("destination", check_destination),
    ("destination_permission", check_permission),
    ("backup_clean", check_clean),
    ("running_work", check_running),
    ("destination_space", check_space),
)
CHECK_IDS = (*(name for name, _ in CHECKS), "restore_preview")
READ_RAW = ("CDB_OB_BACKUP_DELETE_POLICY",)
"""Views checks read that the column catalogue does not list (a bundle notes them as unknown)."""


def tenants(evidence: Evidence, only: int | None) -> tuple[list[int], list[str]]:
    """User tenants to grade: DBA_OB_TENANTS' USER tenants, else every tenant a backup view names.

    The sys tenant (1) and META tenants take no backups of their own and are left out.
    """
    notes: list[str] = []
    listed = evidence.get(Kind.TENANTS)
    found: set[int] = set()
    if listed.available and listed.items:
        found = {t.tenant_id for t in listed if t.tenant_id is not None and (t.tenant_type or "USER").upper() == "USER"}
    else:
        for kind in (Kind.JOB_HISTORY, Kind.JOBS, Kind.ARCHIVELOG, Kind.BACKUP_SET_FILES, Kind.PARAMETERS,
                     Kind.DELETE_JOBS, Kind.DELETE_JOB_HISTORY):
            found |= {r.tenant_id for r in evidence.get(kind) if r.tenant_id is not None}
        found.discard(1)
        if not listed.available:
            notes.append(f"tenants taken from the backup views: {listed.reason}")
    if only is not None:
        if only not in found:
            notes.append(f"tenant {only} is not among the tenants the evidence names "
                         f"({', '.join(map(str, sorted(found))) or 'none'}); checked anyway")
        return [only], notes
    return sorted(found), notes


def run_checks(evidence: Evidence, options: CheckOptions | None = None) -> CheckReport:
    options = options or CheckOptions()
    ctx = CheckContext(evidence, options)
    ids, notes = tenants(evidence, options.tenant_id)
    results: list[CheckResult] = []
    if not ids:
        results.append(CheckResult("tenants", None, Status.UNKNOWN, "no tenant found in the evidence",
                                   reason="no user tenant in DBA_OB_TENANTS nor in any backup view",
                                   query="SELECT tenant_id, tenant_name, tenant_type FROM oceanbase.DBA_OB_TENANTS;"))
    for tenant_id in ids:
        for name, check in CHECKS:
            result = _safely(name, check, ctx, tenant_id)
            if result is not None:
                results.append(result)
        if options.restore_to is not None:
            results.append(_safely("restore_preview", lambda c, t: check_restore_preview(c, t, options.restore_to),
                                   ctx, tenant_id))
    if not options.live:
        notes.append("destination_space (free space and NFS mount options) is checked only live")
    info = evidence.info
    source = {"kind": info.kind, "location": info.location, "cluster": info.cluster, "version": info.version,
              "collected_at": info.collected_at.isoformat(sep=" ") if info.collected_at else None}
    notes += [n for n in info.notes if not any(f"{view} is not a view obdoctor knows" in n for view in READ_RAW)]
    return CheckReport(results, evidence.collected_at, source, notes)


def _safely(name: str, check, ctx: CheckContext, tenant_id: int) -> CheckResult | None:
    try:
        return check(ctx, tenant_id)
    except Exception as exc:  # one broken check must not hide the others
        return ctx.unknown(name, tenant_id, f"the check failed: {type(exc).__name__}: {exc} (a bug in obdoctor)")
