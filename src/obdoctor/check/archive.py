"""Check ``log_archive``: the archive round's status and how far its checkpoint is behind now.

The archive is what a restore replays and what a data backup waits for; INTERRUPTED or STOP is
found out at restore time unless someone looks. Status policy and thresholds: check.toml
``[log_archive]``. The lag threshold is ``--max-archive-lag``, else the destination's own
``lag_target`` (CDB_OB_ARCHIVE_DEST), else 10 minutes.
"""

from __future__ import annotations

import re
from datetime import datetime

from obdoctor.evidence.clock import after_now
from obdoctor.evidence.kinds import Kind
from obdoctor.check.base import CheckContext, ago, settings
from obdoctor.check.model import CheckResult, Status, worst
from obdoctor.evidence.records import ArchiveStatus
from obdoctor.security.redaction import redact_text
from obdoctor.rules.base import Chain, fmt_time

CHECK = "log_archive"
_COLUMNS = ("tenant_id", "dest_no", "round_id", "status", "checkpoint", "comment")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}


def lag_target_seconds(text: str | None) -> float | None:
    """A ``lag_target`` value: ``120s``, ``2m``, ``1h``; a bare number is microseconds, as the
    archive views print their intervals (PIECE_SWITCH_INTERVAL 86400000000 = one day)."""
    m = _DURATION.match(text or "")
    if not m:
        return None
    unit = (m.group(2) or "us").lower()
    return float(m.group(1)) * _UNIT_SECONDS[unit]


def _lag_target(ctx: CheckContext, tenant_id: int, dest_no: int | None):
    """(seconds, the row) of the destination's lag_target, when CDB_OB_ARCHIVE_DEST has it."""
    table = ctx.evidence.table("CDB_OB_ARCHIVE_DEST")
    for row in table.rows if table.available else ():
        if (row.integer("TENANT_ID") == tenant_id and (row.text("NAME") or "").lower() == "lag_target"
                and (dest_no is None or row.integer("DEST_NO") in (None, dest_no))):
            seconds = lag_target_seconds(row.text("VALUE"))
            if seconds:
                return seconds, row
    return None, None


def _entered(ctx: CheckContext, r: ArchiveStatus) -> datetime | None:
    """When the round entered its status (the latest ``log_archive``/``change_status`` to it)."""
    changes = [e for e in ctx.evidence.get(Kind.RS_EVENTS).where(module="log_archive", event="change_status")
               if e.tenant_id == r.tenant_id and (e.value("new_status") or "").upper() == r.status
               and e.int_value("dest_no") in (None, r.dest_no)]
    return max((e.timestamp for e in changes if e.timestamp), default=None)


def check_log_archive(ctx: CheckContext, tenant_id: int) -> CheckResult:
    archive = ctx.evidence.get(Kind.ARCHIVELOG)
    if not archive.available:
        return ctx.unreadable(CHECK, tenant_id, archive, "the archive status")
    policy = settings()["log_archive"]
    rounds = sorted((r for r in archive if r.tenant_id == tenant_id), key=lambda r: r.dest_no or 0)
    chain = Chain(CHECK)
    if not rounds:
        chain.step(archive.source, f"no archive round of tenant {tenant_id}")
        return CheckResult(CHECK, tenant_id, Status(policy["no_round"]),
                           "no log archive round: archive log mode is not enabled (a data backup cannot start: -9040)",
                           evidence=chain.steps)
    if ctx.now is None:
        return ctx.no_now(CHECK, tenant_id)
    results = [_one_round(ctx, r, policy) for r in rounds]
    main = max(results, key=lambda x: x.status.rank)  # the worst destination speaks for the tenant
    main.status = worst(x.status for x in results)
    for other in results:
        if other is not main:
            main.evidence += other.evidence
    return main


def _one_round(ctx: CheckContext, r: ArchiveStatus, policy: dict) -> CheckResult:
    chain = Chain(CHECK)
    checkpoint = ctx.point(r.checkpoint_scn, r.checkpoint)
    lag = ctx.age(checkpoint)
    threshold = ctx.options.max_archive_lag
    threshold_from = "--max-archive-lag"
    if threshold is None:
        threshold, row = _lag_target(ctx, r.tenant_id, r.dest_no)
        threshold_from = f"lag_target ({row.provenance.describe()})" if row is not None else None
    if threshold is None:
        threshold, threshold_from = ctx.setting("max_archive_lag"), "default"
    chain.row_step(r.provenance.name, f"dest_no {r.dest_no}, round {r.round_id}: {r.status or '?'}, checkpoint "
                   f"{fmt_time(checkpoint)} ({ago(lag)} behind {fmt_time(ctx.now)})"
                   + (f"; comment: {r.comment}" if r.comment else ""), [r], _COLUMNS)
    state = r.status or "?"
    status = Status(policy["status"].get(state, policy["unknown_status"]))
    summary = f"archive {state}, checkpoint {ago(lag)} behind"
    details = {"dest_no": r.dest_no, "round_id": r.round_id, "archive_status": state, "checkpoint": checkpoint,
               "comment": redact_text(r.comment) if r.comment else None, "threshold_from": threshold_from}
    if state in policy["transition_states"]:
        since = _entered(ctx, r)
        held = ctx.age(since or checkpoint)
        details["in_status_since"] = since
        if held is not None and held > policy["transition_seconds"]:
            status = Status(policy["stuck_transition"])
            summary = f"archive {state} for {ago(held)}" + ("" if since else " at least (since its checkpoint)")
    elif state == "DOING" and (late := after_now(ctx.now, checkpoint)):
        status = Status.UNKNOWN  # the checkpoint after "now": the lag cannot be told
        summary = f"archive {state}, checkpoint {fmt_time(checkpoint)}{late}"
    elif state == "DOING" and lag is not None and lag > threshold:
        status = Status.CRITICAL if lag > threshold * policy["critical_factor"] else Status.WARNING
        summary += f" (more than {ago(threshold)})"
    if r.comment:
        summary += f"; comment: {redact_text(r.comment)}"
    return CheckResult(CHECK, r.tenant_id, status, summary, None if lag is None else round(lag, 3), threshold, "s",
                       chain.steps, details)
