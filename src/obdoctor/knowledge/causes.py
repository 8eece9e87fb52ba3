"""The causes obdoctor can name (``data/causes.toml``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from obdoctor.knowledge.data_files import data_toml


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    explanation: str
    signatures: tuple[str, ...]
    next_steps: tuple[str, ...]


@functools.cache
def all_causes() -> dict[str, Cause]:
    table = data_toml("causes.toml")
    return {
        key: Cause(key, v["title"], v["explanation"], tuple(v.get("signatures", ())), tuple(v.get("next_steps", ())))
        for key, v in table.items()
    }


def cause(cause_id: str) -> Cause:
    causes = all_causes()
    if cause_id not in causes:
        raise KeyError(f"unknown cause id {cause_id!r}: add it to data/causes.toml")
    return causes[cause_id]
