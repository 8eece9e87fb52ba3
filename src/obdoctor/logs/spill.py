"""Sort more items than memory should hold: sorted runs spilled to temporary files, merged.

Why: ``logs trace`` prints a trace's records in time order across servers, and a trace id can
be on every line of a 2 GB file. Holding every record to sort them grew with the input; here
at most ``run`` items are in memory (plus one per spilled run while merging), whatever the
input, and the disk holds what is printed anyway.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Iterator
from typing import Any

RUN = 20_000
"""Items sorted in memory before a run goes to disk (a few MB of printed records)."""


class SpillSort:
    """``add((key, value))`` any number of times, then ``sorted()`` once: values in key order."""

    def __init__(self, run: int = RUN):
        self.run = run
        self.items: list[tuple[Any, Any]] = []
        self.runs: list = []
        self.count = 0

    def add(self, key, value) -> None:
        self.items.append((key, value))
        self.count += 1
        if len(self.items) >= self.run:
            self._spill()

    def _spill(self) -> None:
        self.items.sort(key=lambda item: item[0])
        handle = tempfile.TemporaryFile(prefix="obdoctor-sort-")
        for item in self.items:  # one pickle each: a Pickler's memo would keep every item alive
            data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            handle.write(len(data).to_bytes(4, "little") + data)
        handle.seek(0)
        self.runs.append(handle)
        self.items = []

    def sorted(self) -> Iterator:
        if not self.runs:
            self.items.sort(key=lambda item: item[0])
            for _, value in self.items:
                yield value
            self.items = []
            return
        if self.items:
            self._spill()
        try:
            for _, value in heapq.merge(*(_read(handle) for handle in self.runs), key=lambda item: item[0]):
                yield value
        finally:
            for handle in self.runs:
                handle.close()
            self.runs = []


def _read(handle) -> Iterator[tuple[Any, Any]]:
    while True:
        size = handle.read(4)
        if len(size) < 4:
            return
        yield pickle.loads(handle.read(int.from_bytes(size, "little")))
