"""Durations as a DBA types them (``30m``, ``90s``, ``1h30m``) and as the watch view shows them."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)?", re.IGNORECASE)
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1, None: 1}


def parse_duration(text: str, *, unit_required: bool = False) -> float:
    """Seconds in ``text``: ``45``, ``90s``, ``30m``, ``1h30m``, ``2d``. Raises ValueError when unreadable.

    With ``unit_required`` (every option of ``obdoctor watch``) a number must say its unit
    (``0`` aside): is ``--stall-after 30`` 30 seconds or 30 minutes? A guess either way raises
    false alarms or hides a stall, so the user is asked instead."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        raise ValueError("empty duration")
    if unit_required and cleaned[-1].isdigit() and not _is_zero(cleaned):
        raise ValueError(f"a duration needs a unit: {text!r} (s, m, h or d: e.g. 90s, 30m, 1h30m)")
    total, pos = 0.0, 0
    for match in _PART.finditer(cleaned):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT[(match.group(2) or "").lower() or None]
        pos = match.end()
    if pos != len(cleaned):
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 30m, 1h30m)")
    return total


def _is_zero(text: str) -> bool:
    try:
        return float(text) == 0
    except ValueError:
        return False


def format_duration(seconds: float | None) -> str:
    """``3h05m``, ``7m12s``, ``40s``; ``-`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "-"
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def format_bytes(value: float | None) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover
