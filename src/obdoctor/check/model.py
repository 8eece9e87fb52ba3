"""What a health check returns: a status per check and tenant, its number and its evidence.

One dataclass for every check (as ``Finding`` is for every rule), so the text, JSON, Nagios and
Prometheus formatters read the same object. Statuses follow Nagios' order: the worst wins.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from obdoctor.findings import EvidenceStep, _jsonable


class Status(str, enum.Enum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"

    @property
    def severity(self) -> int:
        """Nagios' exit code for this status (also the order the worst is picked in)."""
        return _SEVERITY[self]

    @property
    def rank(self) -> int:
        """How bad, for picking the worst: critical > warning > unknown > ok, the order of the
        monitoring plugins' ``max_state_alt`` (a known problem outranks a check that could not run)."""
        return _RANK[self]


_SEVERITY = {Status.OK: 0, Status.WARNING: 1, Status.CRITICAL: 2, Status.UNKNOWN: 3}
_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.WARNING: 2, Status.CRITICAL: 3}


def worst(statuses) -> Status:
    statuses = list(statuses)
    return max(statuses, key=lambda s: s.rank) if statuses else Status.UNKNOWN


@dataclass
class ProgressMark:
    """What ``obdoctor watch`` recorded about one running job or ls task (its history file):
    how long its progress signature stayed unchanged, as of the watcher's last poll."""

    tenant_id: int | None
    job_id: int | None
    ls_id: int | None
    quiet_seconds: float
    last_seen: datetime
    source: str
    """The history file, named in the evidence."""


@dataclass
class SpaceProbe:
    """What one server shows of a ``file://`` destination: ``df -P -k`` and its /proc/mounts line."""

    server: str
    path: str
    size_kb: int | None = None
    avail_kb: int | None = None
    mount_point: str | None = None
    device: str | None = None
    fstype: str | None = None
    options: str | None = None
    df_line: str | None = None
    mount_line: str | None = None
    error: str | None = None
    """Why this server could not be read (SSH refused, path missing...)."""

    @property
    def free_percent(self) -> float | None:
        if not self.size_kb or self.avail_kb is None:
            return None
        return 100.0 * self.avail_kb / self.size_kb


@dataclass
class CheckOptions:
    tenant_id: int | None = None
    max_backup_age: float | None = None
    """Seconds; None = the data file's default (26 h)."""
    max_archive_lag: float | None = None
    """Seconds; None = the tenant's lag_target when known, else the default (10 min)."""
    stall_after: float | None = None
    restore_to: datetime | None = None
    live: bool = False
    """Checks that need the servers themselves (free space over SSH) run only live."""
    progress: list[ProgressMark] = field(default_factory=list)
    progress_problem: str | None = None
    """Why the watch history could not be read (it is then not used, and said so)."""
    space: dict[str, list[SpaceProbe]] | None = None
    """Live: ``file://`` destination path -> what each server showed; None when not probed."""
    space_problem: str | None = None
    """Why the destinations' space was not probed (no server configured...)."""


@dataclass
class CheckResult:
    check: str
    """A stable id (docs/check.md): ``last_backup``, ``log_archive``, ``restore_window``..."""
    tenant_id: int | None
    status: Status
    summary: str
    value: float | None = None
    threshold: float | None = None
    unit: str | None = None
    """``s`` (seconds) or ``count``; the unit of ``value`` and ``threshold``."""
    evidence: list[EvidenceStep] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    """Check-specific facts (window bounds, gaps, the preview's set and pieces...)."""
    reason: str | None = None
    """For ``unknown``: what evidence is missing, and why."""
    query: str | None = None
    """For ``unknown``: the query (or command) that would answer the check."""

    def to_dict(self) -> dict:
        data: dict[str, Any] = {
            "check": self.check, "tenant_id": self.tenant_id, "status": self.status.value, "summary": self.summary,
            "value": self.value, "threshold": self.threshold, "unit": self.unit,
            "evidence": [s.to_dict() for s in self.evidence],
        }
        if self.details:
            data["details"] = {k: _plain(v) for k, v in self.details.items()}
        if self.reason is not None:
            data["reason"] = self.reason
        if self.query is not None:
            data["query"] = self.query
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return _jsonable(value)


@dataclass
class CheckReport:
    results: list[CheckResult]
    now: datetime | None
    """The cluster's clock (live) or the bundle's collected_at: every age is measured from it."""
    source: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst(r.status for r in self.results)

    def to_dict(self) -> dict:
        return {
            "status": self.status.value,
            "now": self.now.isoformat(sep=" ") if self.now else None,
            "source": self.source,
            "checks": [r.to_dict() for r in self.results],
            "notes": list(self.notes),
        }
