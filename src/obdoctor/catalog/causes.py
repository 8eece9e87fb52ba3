"""The causes obdoctor can name (``data/causes/*.toml``, one file per family of causes)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from obdoctor.catalog.data_files import data_dir_tomls


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    explanation: str
    signatures: tuple[str, ...]
    next_steps: tuple[str, ...]


@functools.cache
def all_causes() -> dict[str, Cause]:
    causes: dict[str, Cause] = {}
    for file_name, table in data_dir_tomls("causes"):
        for key, v in table.items():
            if key in causes:
                raise ValueError(f"cause {key!r} is defined twice (again in causes/{file_name})")
            causes[key] = Cause(key, v["title"], v["explanation"], tuple(v.get("signatures", ())),
                                tuple(v.get("next_steps", ())))
    return causes


def cause(cause_id: str) -> Cause:
    causes = all_causes()
    if cause_id not in causes:
        raise KeyError(f"unknown cause id {cause_id!r}: add it to a file in data/causes/")
    return causes[cause_id]
