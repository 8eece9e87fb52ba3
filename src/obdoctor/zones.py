"""Time zones as servers and manifests write them, with nothing else imported.

Why a module of its own: ``evidence.clock`` puts log times on the views' clock for the whole
pipeline, and ``obdoctor logs search`` on a bundle needs the same reading of the manifest's
zones without loading the pipeline (its start-up is ~50 ms; ``obdoctor.evidence`` alone is more).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UCT", "ZULU", "UNIVERSAL", "ETC/UTC", "ETC/GMT", "+00:00", "-00:00"})
MAX_OFFSET = timedelta(hours=14)

AMBIGUOUS_ZONES = {"CST": "China, US Central or Cuba", "IST": "India, Ireland or Israel",
                   "BST": "British summer or Bangladesh", "EST": "US Eastern or Australian Eastern",
                   "AST": "Atlantic or Arabia", "PST": "US Pacific or Philippine"}
"""Abbreviations an OS prints for ``@@system_time_zone`` that name several zones: never resolved."""


def zone_of(text: object) -> tzinfo | None:
    """A zone as MySQL/OceanBase or a manifest write it: ``+08:00``, ``-05:30``, ``+0800``, ``UTC``,
    ``Z`` (fixed offsets), ``Asia/Shanghai`` (a named zone, DST included). None for ``SYSTEM``
    (the server's OS zone: ask ``@@system_time_zone``), an abbreviation (``CST`` is China, US
    Central or Cuba) and anything unknown."""
    if text is None:
        return None
    name = str(text).strip()
    if not name or name.upper() == "SYSTEM":
        return None
    if name.upper() in _UTC_NAMES:
        return timezone.utc
    m = _OFFSET.match(name)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        value = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)) * sign
        return timezone(value) if abs(value) <= MAX_OFFSET else None
    if "/" not in name:
        return None  # an abbreviation: not a zone anyone can resolve for sure
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ValueError, KeyError, OSError, ImportError):  # ZoneInfoNotFoundError is a KeyError
        return None


def offset_at(zone: tzinfo, at: datetime | None = None) -> timedelta | None:
    """``zone``'s offset from UTC in force at ``at``: an instant when ``at`` has an offset (a
    ``collected_at`` written with one), else a wall time on ``zone`` (the first of a repeated
    hour); now when None."""
    try:
        if at is None or at.tzinfo is not None:
            return (at or datetime.now(timezone.utc)).astimezone(zone).utcoffset()
        return at.replace(tzinfo=zone).utcoffset()
    except (OverflowError, ValueError):
        return None


def format_offset(offset: timedelta) -> str:
    """``+08:00`` / ``-05:30`` / ``+00:00``."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def move(when: datetime | None, source: tzinfo, target: tzinfo) -> datetime | None:
    """A wall time on ``source`` as the wall time on ``target`` at the same instant; the
    calendar's edges (``datetime.min``/``max``, open ends) stay where they are."""
    if when is None or when in (datetime.min, datetime.max):
        return when
    try:
        return when.replace(tzinfo=source).astimezone(target).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return datetime.min if when.year < 5000 else datetime.max
