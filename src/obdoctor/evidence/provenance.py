"""Where a piece of evidence came from, so every conclusion can point at it."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Provenance:
    """A view row, a log line, a server's file, or the watcher's history: ``kind`` is ``sql``,
    ``log``, ``file`` (``/proc/mounts``) or ``history`` (what ``obdoctor watch`` saw across polls,
    e.g. when progress stopped).

    For SQL, ``name`` is the view as OceanBase spells it and ``row`` its 1-based row number;
    for logs, ``name`` is the file name, ``server`` the observer's IP and ``line`` the
    1-based line number. ``location`` is the file in the bundle (or the live query).
    """

    kind: str
    name: str
    server: str | None = None
    row: int | None = None
    line: int | None = None
    location: str | None = None

    def describe(self) -> str:
        if self.kind in ("log", "file"):
            where = f"{self.server}:" if self.server else ""
            return f"{where}{self.name}:{self.line}" if self.line else f"{where}{self.name}"
        if self.row is not None:
            return f"{self.name} row {self.row}"
        return self.name

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
