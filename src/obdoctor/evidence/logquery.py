"""A log search as rules ask for it, and what came back.

Rules describe *what* to find; the source decides how (local files, or a grep pipeline
pushed to the server over SSH). Patterns are fixed strings, like ``grep -F``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from obdoctor.logs import LogRecord


class LogFamily(enum.StrEnum):
    """A family of observer log files (``logs.files.FAMILIES``), rotated and compressed ones
    included: what a rule declares in ``needs`` and searches. A StrEnum, so a member is the
    family's name wherever a string is formatted (a file glob, a step's text)."""

    OBSERVER = "observer"
    ROOTSERVICE = "rootservice"
    ELECTION = "election"
    TRACE = "trace"
    ALERT = "alert"


@dataclass(frozen=True)
class LogQuery:
    servers: tuple[str, ...]
    """IPs whose logs to search; empty means every server the source knows."""
    kinds: tuple[str, ...] = (LogFamily.OBSERVER,)
    """File families (:class:`LogFamily`; a source given a plain name reads it the same way)."""
    any_of: tuple[str, ...] = ()
    """A line matches when it contains at least one of these."""
    all_of: tuple[str, ...] = ()
    """...and all of these."""
    levels: tuple[str, ...] = ()
    """Keep only these levels (empty = any)."""
    since: datetime | None = None
    until: datetime | None = None
    purpose: str = ""
    """Why the rule searches, shown in the evidence chain."""
    limit: int = 2000
    """Most records kept per query; the count of all matches is still reported."""

    def keeps(self, record: LogRecord) -> bool:
        """Whether a matching record passes the level and time filters (records without a
        time are kept: a continuation or raw line must not vanish)."""
        if self.levels and record.level not in self.levels:
            return False
        if record.ts is not None and ((self.since and record.ts < self.since) or (self.until and record.ts > self.until)):
            return False
        return True

    def matches_text(self, line: str) -> bool:
        if self.any_of and not any(p in line for p in self.any_of):
            return False
        return all(p in line for p in self.all_of)


@dataclass
class LogSearchResult:
    query: LogQuery
    records: list[LogRecord] = field(default_factory=list)
    total_matches: int = 0
    files_searched: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    """Reasons some of the asked-for logs could not be searched (missing server, unreadable file...)."""
    window: str = ""
    """The time window searched, on the views' clock and, when it differs, the servers'."""

    @property
    def searched_anything(self) -> bool:
        return bool(self.files_searched)

    def searched(self) -> str:
        """What a search that found nothing covered: its files and window (never "no error
        logged" when nothing was searched)."""
        if not self.files_searched:
            why = "; ".join(self.unchecked) or "no log file of the asked servers"
            return f"no log searched ({why})"
        files = ", ".join(self.files_searched[:6]) + (f" and {len(self.files_searched) - 6} more"
                                                       if len(self.files_searched) > 6 else "")
        window = self.window or _window(self.query)
        return f"{len(self.files_searched)} file(s) searched ({files}), window {window}"


def _window(query: LogQuery) -> str:
    if query.since is None and query.until is None:
        return "any time"
    return f"{query.since or '…'} .. {query.until or '…'}"
