"""The contract every evidence source (bundle, live SQL + SSH) fulfils."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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


class EvidenceSource(Protocol):
    def info(self) -> SourceInfo: ...

    def read_table(self, name: str) -> TableResult:
        """``SELECT * FROM oceanbase.<name>``; never raises: unavailability is in the result."""
        ...

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        """Never raises: servers or files that could not be searched are in ``unchecked``."""
        ...
