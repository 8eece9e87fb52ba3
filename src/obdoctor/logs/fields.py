"""Select log records by their header fields: level, time window, tenant, thread, module.

Why here and in C: "every WDIAG and ERROR line" or "everything tenant 1002's backup thread
said" has no pattern to scan for, and parsing every line in Python costs 20x a scan. The C
scanner (``_scan_fields.h``) reads these fields straight from each record's first line;
``RecordFilter.accepts`` is the same rule on a parsed ``LogRecord`` (the reference the property
test holds the C code to, and the engine when the extension is not built).

Levels: ``WARN`` also selects ``WDIAG`` and ``ERROR`` also selects ``EDIAG`` (4.1+ prints
``LOG_WARN``/``LOG_ERROR`` as WDIAG/EDIAG; plain WARN/ERROR are the DBA-facing ones), case is
ignored, an unknown level is refused. A module matches itself and its sub-modules (``RS``:
``RS``, ``RS.LB``), case ignored. A record without a time passes a time window (grep keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LEVELS = ("ERROR", "WARN", "INFO", "EDIAG", "WDIAG", "TRACE", "DEBUG", "USER_ERR")
WIDER = {"WARN": ("WARN", "WDIAG"), "ERROR": ("ERROR", "EDIAG")}
"""What a level asked for also selects."""
RARE_LEVELS = frozenset({"ERROR", "WARN", "EDIAG", "WDIAG", "USER_ERR"})
"""Levels a few percent of records at most: worth scanning for (INFO is most of a log)."""


class FieldError(ValueError):
    """A filter value that selects nothing meaningful (an unknown level, a negative tenant)."""


def parse_levels(items) -> frozenset[str]:
    """``["wdiag,ERROR", "warn"]`` -> {WDIAG, ERROR, EDIAG, WARN}; unknown levels refused."""
    out: set[str] = set()
    for item in items or ():
        for word in str(item).split(","):
            word = word.strip().upper()
            if not word:
                continue
            if word not in LEVELS:
                raise FieldError(f"unknown level {word!r} (levels: {', '.join(LEVELS)})")
            out.update(WIDER.get(word, (word,)))
    return frozenset(out)


def parse_tenant(text: str | None) -> int | None:
    """``1002`` or ``T1002`` -> 1002."""
    if text is None:
        return None
    value = str(text).strip()
    if value[:1] in "Tt":
        value = value[1:]
    if not value.isdigit():
        raise FieldError(f"not a tenant id: {text!r} (like 1002 or T1002)")
    return int(value)


def _stamp(moment: datetime | None) -> bytes | None:
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S.%f").encode()


@dataclass(frozen=True)
class RecordFilter:
    """Which records to keep, by header field; empty keeps everything."""

    levels: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    tenant: int | None = None
    thread: str | None = None
    module: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.levels or self.since or self.until or self.tenant is not None
                    or self.thread or self.module)

    def accepts(self, record) -> bool:
        """The rule on a parsed record (``parser.parse_line``)."""
        ts = record.ts
        if ts is not None:
            if self.since is not None and ts < self.since:
                return False
            if self.until is not None and ts > self.until:
                return False
        if self.levels and record.level not in self.levels:
            return False
        if self.tenant is not None and record.tenant_id != self.tenant:
            return False
        if self.thread and record.thread != self.thread:
            return False
        if self.module:
            module = (record.module or "").upper()
            wanted = self.module.upper()
            if module != wanted and not module.startswith(wanted + "."):
                return False
        return True

    def c_spec(self) -> tuple:
        """The filter as ``_scan.Scanner(filter=...)`` takes it."""
        return (tuple(sorted(x.encode() for x in self.levels)), _stamp(self.since), _stamp(self.until),
                self.tenant, self.thread.encode() if self.thread else None,
                self.module.encode() if self.module else None)

    def literals(self) -> tuple[str, ...]:
        """Strings every selected record of a bracketed log (not alert.log) holds in its header:
        scanned for with SIMD when no pattern is given, the filter confirming each hit. Empty
        when the filter has no such string (a time window alone: every record is read)."""
        if self.thread:
            return (f"][{self.thread}][",)
        if self.levels and self.levels <= RARE_LEVELS:
            return tuple(f"] {level} " for level in sorted(self.levels))
        if self.tenant is not None:
            return (f"[T{self.tenant}][",)
        return ()  # a module alone: modules' case is ignored, a literal scan is not
