"""Checks ``destination``, ``destination_permission``, ``backup_clean`` and ``destination_space``.

Where backups go, and whether they can keep going there: a destination configured for data and
for logs, the root service's own permission check of it, backup clean jobs that fail or hang
(the destination then fills up), and a delete policy once sets pile up.
"""

from __future__ import annotations

from datetime import datetime

from obdoctor.evidence.clock import after_now
from obdoctor.catalog.statuses import FAILED, SUCCEEDED
from obdoctor.evidence.kinds import Kind
from obdoctor.check.base import CheckContext, ago, settings
from obdoctor.check.model import CheckResult, Status, worst
from obdoctor.evidence.provenance import Provenance
from obdoctor.findings import LineRef
from obdoctor.catalog import errors
from obdoctor.security.redaction import redact_text
from obdoctor.rules.base import Chain, fmt_time

DESTINATION = "destination"
PERMISSION = "destination_permission"
CLEAN = "backup_clean"
SPACE = "destination_space"
_PARAM_COLUMNS = ("tenant_id", "name", "value")
_JOB_COLUMNS = ("tenant_id", "job_id", "type", "status", "result", "start", "end", "comment")


def _archive_dest_rows(ctx: CheckContext, tenant_id: int):
    table = ctx.evidence.table("CDB_OB_ARCHIVE_DEST")
    names = settings()["destination"]["log_names"]
    if not table.available:
        return None, table
    return [r for r in table.rows if r.integer("TENANT_ID") == tenant_id and (r.text("NAME") or "").lower() in names
            and r.text("VALUE")], table


def data_destination(ctx: CheckContext, tenant_id: int):
    """The tenant's data_backup_dest parameter row, or None."""
    name = settings()["destination"]["data_parameter"]
    return next((p for p in ctx.evidence.get(Kind.PARAMETERS).where(tenant_id=tenant_id, name=name) if p.value), None)


def log_destination(ctx: CheckContext, tenant_id: int) -> str | None:
    rows, _table = _archive_dest_rows(ctx, tenant_id)
    if rows:
        return rows[0].text("VALUE")
    return next((r.path for r in ctx.evidence.get(Kind.ARCHIVELOG).where(tenant_id=tenant_id) if r.path), None)


def check_destination(ctx: CheckContext, tenant_id: int) -> CheckResult:
    params = ctx.evidence.get(Kind.PARAMETERS)
    if not params.available:
        return ctx.unreadable(DESTINATION, tenant_id, params, "the backup parameters")
    chain = Chain(DESTINATION)
    data = data_destination(ctx, tenant_id)
    if data is not None:
        chain.row_step(params.source, f"data_backup_dest = {redact_text(data.value)}", [data], _PARAM_COLUMNS)
    else:
        chain.step(params.source, f"no data_backup_dest for tenant {tenant_id}")
    rows, table = _archive_dest_rows(ctx, tenant_id)
    archive = ctx.evidence.get(Kind.ARCHIVELOG)
    archive_paths = [r for r in archive.where(tenant_id=tenant_id) if r.path]
    log_path = None
    if rows:
        log_path = rows[0].text("VALUE")
        chain.step(table.name, f"log archive destination {redact_text(log_path)}", provenance=[rows[0].provenance])
    elif archive_paths:
        log_path = archive_paths[0].path
        chain.step(archive_paths[0].provenance.name, f"the archive round writes to {redact_text(log_path)}",
                   provenance=[archive_paths[0].provenance])
    elif table.available or archive.available:
        chain.step(table.name, f"no log archive destination for tenant {tenant_id}")
    else:
        return ctx.unknown(DESTINATION, tenant_id, f"the log archive destination could not be read: {table.reason}",
                           chain, short=f"{table.name} not available")
    missing = [what for what, value in (("data_backup_dest", data), ("log_archive_dest", log_path)) if not value]
    details = {"data_backup_dest": redact_text(data.value) if data else None,
               "log_archive_dest": redact_text(log_path) if log_path else None}
    if missing:
        return CheckResult(DESTINATION, tenant_id, Status.CRITICAL, " and ".join(missing) + " not set",
                           evidence=chain.steps, details=details)
    return CheckResult(DESTINATION, tenant_id, Status.OK, "data and log destinations set", evidence=chain.steps,
                       details=details)


def _last_completed(ctx: CheckContext, tenant_id: int) -> datetime | None:
    return max((j.end for j in ctx.evidence.get(Kind.JOB_HISTORY).where(tenant_id=tenant_id)
                if j.status in SUCCEEDED and j.end), default=None)


def check_permission(ctx: CheckContext, tenant_id: int) -> CheckResult:
    module = settings()["destination"]["permission_event_module"]
    events = ctx.evidence.get(Kind.RS_EVENTS).where(module=module)
    if not events.available:
        return ctx.unreadable(PERMISSION, tenant_id, events, "the root service events")
    chain = Chain(PERMISSION)
    failed = [e for e in events if e.tenant_id == tenant_id and e.int_value("error_code")]
    if not failed:
        chain.step(f"{events.source} where module='{module}'", f"no failed permission check of tenant {tenant_id}")
        return CheckResult(PERMISSION, tenant_id, Status.OK, "no failed destination permission check", evidence=chain.steps)
    last = max(failed, key=lambda e: e.timestamp or datetime.min)
    code = -abs(last.int_value("error_code") or 0)
    chain.row_step(f"{events.source} where module='{module}'",
                   f"the permission check failed on '{last.value('comment') or '?'}' with {errors.describe(code)} "
                   f"at {fmt_time(last.timestamp)}", [last], ("timestamp", "module", "event", "tenant_id", "rs_svr_ip"))
    recovered = _last_completed(ctx, tenant_id)
    details = {"code": code, "operation": last.value("comment"), "at": last.timestamp}
    meaning = _signature(ctx, chain, tenant_id, code, last.value("comment") or "")
    if meaning is not None:
        details["signature"] = meaning.signature.id
    if recovered and last.timestamp and recovered > last.timestamp:
        chain.step(ctx.evidence.get(Kind.JOB_HISTORY).source,
                   f"a backup job COMPLETED after it, at {fmt_time(recovered)}")
        return CheckResult(PERMISSION, tenant_id, Status.OK,
                           f"the permission check failed at {fmt_time(last.timestamp)} ({code}) but a backup completed since",
                           evidence=chain.steps, details=details)
    return CheckResult(PERMISSION, tenant_id, Status.CRITICAL,
                       f"the destination refused '{last.value('comment') or '?'}' ({errors.describe(code)}) at "
                       f"{fmt_time(last.timestamp)}" + (f": {meaning.summary}" if meaning else ""),
                       evidence=chain.steps, details=details)


def _signature(ctx: CheckContext, chain: Chain, tenant_id: int, code: int, text: str):
    """The meaning a signature gives the refused permission check's code on this destination
    (the rules' matcher, rules/services/signatures.py), or None."""
    from obdoctor.catalog import signatures
    from obdoctor.rules.services.signatures import apply_signature

    try:
        catalogue = signatures.load()
    except signatures.SignatureError:
        return None  # the rules report an unreadable signature file; a check only adds meaning
    dest = data_destination(ctx, tenant_id)
    context = signatures.Context(codes=(code,), scheme=signatures.scheme_of(dest.value) if dest else None,
                                 version=ctx.evidence.version, text=text)
    return apply_signature(chain, catalogue, context)


def check_clean(ctx: CheckContext, tenant_id: int) -> CheckResult:
    running, history = ctx.evidence.get(Kind.DELETE_JOBS), ctx.evidence.get(Kind.DELETE_JOB_HISTORY)
    if not running.available and not history.available:
        return ctx.unreadable(CLEAN, tenant_id, running, "the backup clean jobs")
    policy = settings()["destination"]
    chain = Chain(CLEAN)
    parts: list[tuple[Status, str]] = []
    stuck_after = ctx.setting("clean_stuck")
    for job in (j for j in running if j.tenant_id == tenant_id):
        age = ctx.age(job.start)
        if age is not None and age > stuck_after:
            chain.row_step(running.source, f"clean job {job.job_id} {job.status} for {ago(age)}", [job], _JOB_COLUMNS)
            parts.append((Status(policy["clean_stuck"]), f"clean job {job.job_id} running for {ago(age)}"))
        elif late := after_now(ctx.now, job.start):  # started after "now": no age
            chain.row_step(running.source, f"clean job {job.job_id} {job.status} since {fmt_time(job.start)}", [job], _JOB_COLUMNS)
            parts.append((Status.UNKNOWN, f"clean job {job.job_id} {job.status}{late}"))
    finished = sorted((j for j in history if j.tenant_id == tenant_id), key=lambda j: j.end or j.start or datetime.min)
    if finished and finished[-1].status in FAILED:
        job = finished[-1]
        chain.row_step(history.source, f"the latest clean job {job.job_id} FAILED with {errors.describe(job.result)}",
                       [job], _JOB_COLUMNS)
        parts.append((Status(policy["clean_failed"]), f"clean job {job.job_id} failed ({job.result})"))
    available = list(ctx.evidence.get(Kind.BACKUP_SET_FILES).where(tenant_id=tenant_id, file_status="AVAILABLE"))
    pile = int(ctx.setting("sets_pile_up"))
    if len(available) > pile:
        policies = ctx.evidence.table("CDB_OB_BACKUP_DELETE_POLICY")
        if not policies.available:
            parts.append((Status.UNKNOWN, f"{len(available)} sets kept; the delete policy could not be read "
                                          f"({policies.reason})"))
        else:
            mine = [r for r in policies.rows if r.integer("TENANT_ID") == tenant_id]
            if mine:
                chain.step(policies.name, f"delete policy {mine[0].text('POLICY_NAME') or '?'} "
                           f"(recovery window {mine[0].text('RECOVERY_WINDOW') or '?'})", provenance=[mine[0].provenance])
            else:
                chain.step(policies.name, f"no delete policy for tenant {tenant_id} while {len(available)} backup sets "
                           f"are AVAILABLE (more than {pile})")
                parts.append((Status(policy["no_policy"]), f"{len(available)} backup sets kept and no delete policy"))
    if not parts:
        chain.step(history.source if history.available else running.source,
                   f"no failed or stuck clean job of tenant {tenant_id}")
        return CheckResult(CLEAN, tenant_id, Status.OK, "no failed or stuck backup clean", len(available), float(pile),
                           "count", chain.steps)
    status = worst(s for s, _ in parts)
    result = CheckResult(CLEAN, tenant_id, status, "; ".join(text for _, text in parts), len(available), float(pile),
                         "count", chain.steps)
    if status is Status.UNKNOWN:
        result.reason = parts[0][1]
        result.query = settings()["queries"][CLEAN].replace("<tenant>", str(tenant_id))
    return result


def check_space(ctx: CheckContext, tenant_id: int) -> CheckResult | None:
    """Free space and mount of each ``file://`` destination on each server: live only.

    The CLI probes the servers over SSH (``df -P -k``, ``/proc/mounts``) and hands the results in
    ``options.space``; object storage destinations have no such check (no result).
    """
    data = data_destination(ctx, tenant_id)
    uris = [p for p in (data.value if data else None, log_destination(ctx, tenant_id))
            if p and p.lower().startswith("file://")]
    if not uris or not ctx.options.live:
        return None
    if ctx.options.space is None:
        return ctx.unknown(SPACE, tenant_id, ctx.options.space_problem or "the servers were not probed",
                           short="the servers could not be probed")
    policy = settings()["destination_space"]
    chain = Chain(SPACE)
    parts: list[tuple[Status, str]] = []
    details: list[dict] = []
    lowest: float | None = None
    for uri in dict.fromkeys(uris):
        probes = ctx.options.space.get(uri, [])
        if not probes:
            parts.append((Status.UNKNOWN, f"{redact_text(uri)}: no server probed (not a plain absolute path?)"))
            continue
        shares = {p.device for p in probes if p.error is None and (p.fstype or "") in policy["nfs_fstypes"]}
        for p in probes:
            details.append({"server": p.server, "path": p.path, "free_percent": p.free_percent, "avail_kb": p.avail_kb,
                            "fstype": p.fstype, "device": p.device, "options": p.options, "error": p.error})
            if p.error:
                chain.could_not_check(f"{p.path} on {p.server}", p.error)
                parts.append((Status.UNKNOWN, f"{p.server}: {p.error}"))
                continue
            free = p.free_percent
            lowest = free if lowest is None or (free is not None and free < lowest) else lowest
            chain.step(f"{p.server}: df -P -k -- {p.path}; /proc/mounts",
                       f"{free:.1f}% free ({(p.avail_kb or 0) / 1048576:.1f} GiB) on {p.mount_point} "
                       f"({p.fstype or '?'} {p.device or '?'}, {p.options or '?'})",
                       provenance=[Provenance("command", f"df -P -k -- {p.path}", server=p.server)],
                       lines=[LineRef(line) for line in (p.df_line, p.mount_line) if line])
            if free is not None and free < policy["critical_free_percent"]:
                parts.append((Status.CRITICAL, f"{p.server}: {free:.1f}% free on {p.path}"))
            elif free is not None and free < policy["warning_free_percent"]:
                parts.append((Status.WARNING, f"{p.server}: {free:.1f}% free on {p.path}"))
            if (p.fstype or "") not in policy["nfs_fstypes"]:
                parts.append((Status(policy["not_nfs"]), f"{p.server}: {p.path} is on {p.fstype or '?'} "
                                                          f"({p.mount_point}), not an NFS share the servers have in common"))
        if len(shares) > 1:
            parts.append((Status(policy["different_shares"]), f"{redact_text(uri)}: servers mount different shares "
                                                               f"({', '.join(sorted(shares))})"))
    threshold = float(policy["warning_free_percent"])
    value = None if lowest is None else round(lowest, 3)
    if not parts:
        return CheckResult(SPACE, tenant_id, Status.OK, f"lowest free space {lowest:.1f}%, one NFS share on every server",
                           value, threshold, "%", chain.steps, {"servers": details})
    status = worst(s for s, _ in parts)
    summary = "; ".join(dict.fromkeys(text for _, text in parts))
    result = CheckResult(SPACE, tenant_id, status, summary, value, threshold, "%", chain.steps, {"servers": details})
    if status is Status.UNKNOWN:
        result.reason = summary
        result.query = settings()["queries"][SPACE]
    return result
