"""What every check gets: the evidence, the options, "now", and the cluster's clock offset.

"Now" is the cluster's clock (``SELECT NOW()`` live) or the bundle's ``collected_at``, both in
the cluster's local time, as the views' ``*_TIMESTAMP`` and ``*_SCN_DISPLAY`` columns are. SCN
columns are nanoseconds since the epoch (UTC); when a row has only the SCN, it is shifted by the
offset the evidence itself shows (a ``*_SCN_DISPLAY`` next to its SCN).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from obdoctor.evidence.clock import elapsed, from_scn
from obdoctor.evidence.kinds import Kind
from obdoctor.check.model import CheckOptions, CheckResult, Status
from obdoctor.evidence import Evidence, Row
from obdoctor.evidence.records import scn_time
from obdoctor.catalog.data_files import data_toml
from obdoctor.rules.archive import lag_text
from obdoctor.rules.base import Chain


def settings() -> dict:
    return data_toml("check.toml")


@dataclass
class CheckContext:
    evidence: Evidence
    options: CheckOptions = field(default_factory=CheckOptions)

    @property
    def now(self) -> datetime | None:
        return self.evidence.collected_at

    def setting(self, name: str) -> float:
        """A threshold: the option when given, else the data file's default."""
        value = getattr(self.options, name, None)
        return float(value) if value is not None else float(settings()["defaults"][name])

    def age(self, when: datetime | None) -> float | None:
        """Seconds from ``when`` to now (clock.elapsed: a few minutes after now is 0, two servers'
        clocks differ a little; further after now is None, no age: the clocks disagree)."""
        lasted = elapsed(self.now, when)
        return lasted.total_seconds() if lasted is not None else None

    # -- SCNs ---------------------------------------------------------------------------
    @cached_property
    def offset(self) -> timedelta | None:
        """The cluster's zone: a ``*_SCN_DISPLAY`` minus its SCN as UTC, to the quarter hour."""
        pairs = [(r.checkpoint_scn, r.checkpoint) for r in self.evidence.get(Kind.ARCHIVELOG)]
        pairs += [(p.checkpoint_scn, p.checkpoint) for p in self.evidence.get(Kind.ARCHIVE_PIECES)]
        pairs += [(s.min_restore_scn, s.min_restore) for s in self.evidence.get(Kind.BACKUP_SET_FILES)]
        for scn, shown in pairs:
            utc = scn_time(scn)
            if utc is not None and shown is not None:
                quarters = round((shown - utc).total_seconds() / 900)
                return timedelta(seconds=quarters * 900)
        return None

    def point(self, scn: int | None, shown: datetime | None) -> datetime | None:
        """An SCN column as the cluster's local time: its ``_DISPLAY`` twin when the row has one."""
        if shown is not None:
            return shown
        if self.offset is None:  # no *_DISPLAY beside its SCN: the cluster's zone when known, else UTC
            return from_scn(scn)
        utc = scn_time(scn)
        return utc + self.offset if utc is not None else None

    # -- raw columns typed records do not keep ------------------------------------------
    def raw(self, record) -> Row | None:
        """The view row a typed record came from (for columns the record does not carry)."""
        p = record.provenance
        rows = self.evidence.table(p.name).rows
        if p.row is None or not 0 < p.row <= len(rows):
            return None
        return rows[p.row - 1]

    # -- results --------------------------------------------------------------------------
    def unknown(self, check: str, tenant_id: int | None, reason: str, chain: Chain | None = None, *,
                short: str | None = None) -> CheckResult:
        """The check could not run: why (``short`` for the one-line summary), and the query that would answer it."""
        query = settings()["queries"].get(check, "")
        query = query.replace("<tenant>", str(tenant_id) if tenant_id is not None else "<tenant>")
        return CheckResult(check, tenant_id, Status.UNKNOWN, f"cannot tell: {short or reason}",
                           evidence=list(chain.steps) if chain else [], reason=reason, query=query or None)

    def unreadable(self, check: str, tenant_id: int | None, found, what: str) -> CheckResult:
        """Unknown because a view could not be read: the summary names it, the reason says why."""
        return self.unknown(check, tenant_id, f"{what} could not be read: {found.reason}",
                            short=f"{found.source} not available")

    def no_now(self, check: str, tenant_id: int | None) -> CheckResult:
        return self.unknown(check, tenant_id, "the evidence has no clock: the bundle's manifest has no collected_at "
                                              "(live: SELECT NOW() failed)", short="no collection time")


def status_of(name: str) -> Status:
    return Status(name)


def ago(seconds: float | None) -> str:
    """``3.0 hours``, ``12 minutes``, ``2.1 days``: an age as the archive rule says it."""
    if seconds is None:
        return "?"
    return f"{seconds:.0f} seconds" if seconds < 60 else lag_text(seconds / 60)
