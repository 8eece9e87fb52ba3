"""The contract every evidence source (bundle, live SQL + SSH) fulfils."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from obdoctor.evidence.logquery import LogQuery, LogSearchResult
from obdoctor.evidence.rows import TableResult


@dataclass
class SourceInfo:
    kind: str
    """``bundle`` or ``live``."""
    location: str
    cluster: str | None = None
    version: str | None = None
    collected_at: datetime | None = None
    servers: list[str] = field(default_factory=list)
    """IPs whose logs the source can search."""
    notes: list[str] = field(default_factory=list)
    dba_tenant_id: int | None = None
    """The tenant DBA_ views were read in (they have no TENANT_ID column); None if unknown."""
    time_zone: str | None = None
    """The cluster's session zone as said (``@@time_zone``, manifest ``time_zone``): views' clock."""
    system_time_zone: str | None = None
    """The servers' OS zone as said (``@@system_time_zone``): the clock of their log lines."""
    utc_offset: timedelta | None = None
    """The views' zone as an offset from UTC, when known (epoch columns are converted on it)."""
    product: str | None = None
    """``OceanBase`` or ``seekdb``, as the server or the manifest names it."""
    version_scope: str | None = None
    """For a version outside 4.x (3.x): the headline saying which, and that only part was read."""


class EvidenceSource(Protocol):
    def info(self) -> SourceInfo: ...

    def read_table(self, name: str) -> TableResult:
        """``SELECT * FROM oceanbase.<name>``; never raises: unavailability is in the result."""
        ...

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        """Never raises: servers or files that could not be searched are in ``unchecked``."""
        ...
