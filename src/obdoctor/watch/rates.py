"""Progress rates and ETA from samples over a window (bytes/s, macro blocks/s, tablets/s).

A rate over several minutes, not between the last two polls: OceanBase updates the counters
in bursts (per finished macro block batch), so the last interval alone jumps between 0 and
a peak.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_WINDOW_S = 300.0


@dataclass
class Rate:
    bytes_per_s: float | None = None
    blocks_per_s: float | None = None
    tablets_per_s: float | None = None
    eta_s: float | None = None
    window_s: float | None = None

    def to_dict(self) -> dict:
        return {"bytes_per_s": self.bytes_per_s, "blocks_per_s": self.blocks_per_s,
                "tablets_per_s": self.tablets_per_s, "eta_s": self.eta_s, "window_s": self.window_s}


def _get(row, name):
    if isinstance(row, Mapping):
        return row.get(name)
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return getattr(row, name, None)


def _per_s(first, last, name: str, seconds: float) -> float | None:
    a, b = _get(first, name), _get(last, name)
    if a is None or b is None:
        return None
    return max(0.0, (b - a) / seconds)


def rate(rows: Sequence) -> Rate:
    """Rate between the first and last of ``rows`` (ordered by time; each has ``at_ts`` and counters)."""
    if len(rows) < 2:
        return Rate()
    first, last = rows[0], rows[-1]
    seconds = (_get(last, "at_ts") or 0) - (_get(first, "at_ts") or 0)
    if seconds <= 0:
        return Rate()
    out = Rate(window_s=seconds)
    out.bytes_per_s = _per_s(first, last, "input_bytes", seconds)
    out.blocks_per_s = _per_s(first, last, "finish_macro_block_count", seconds)
    out.tablets_per_s = _per_s(first, last, "finish_tablet_count", seconds)
    out.eta_s = eta(last, out)
    return out


def eta(last, r: Rate) -> float | None:
    """Remaining macro blocks (else tablets) at the current rate; None when nothing moves or totals are unknown."""
    total, done = _get(last, "macro_block_count"), _get(last, "finish_macro_block_count")
    if total and done is not None and r.blocks_per_s:
        return max(0.0, (total - done) / r.blocks_per_s)
    total, done = _get(last, "tablet_count"), _get(last, "finish_tablet_count")
    if total and done is not None and r.tablets_per_s:
        return max(0.0, (total - done) / r.tablets_per_s)
    return None
