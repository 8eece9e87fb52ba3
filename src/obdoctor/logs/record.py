"""One parsed OceanBase log record, with where it was found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LogRecord:
    raw: str
    """The whole line (and continuation lines), without the trailing newline."""
    ts: datetime | None = None
    level: str | None = None
    module: str | None = None
    func: str | None = None
    src_file: str | None = None
    src_line: int | None = None
    tid: int | None = None
    thread: str | None = None
    tenant_id: int | None = None
    trace_id: str | None = None
    lt: int | None = None
    errcode: int | None = None
    body: str = ""
    format: str = "raw"
    """Which grammar parsed it: ``4.x``, ``4.0``, ``3.x``, ``trace``, ``alert`` or ``raw``."""
    # where it was found
    server: str | None = None
    path: str | None = None
    line_no: int | None = None
    offset: int | None = None
    _fields: list[tuple[str, str]] | None = field(default=None, repr=False, compare=False)
    _message: str | None = field(default=None, repr=False, compare=False)

    def _parse_body(self) -> None:
        from obdoctor.logs.kv import split_body

        self._message, self._fields = split_body(self.body)

    @property
    def message(self) -> str:
        if self._message is None:
            self._parse_body()
        return self._message or ""

    @property
    def fields(self) -> list[tuple[str, str]]:
        """Key/value pairs of the body in order; repeated keys kept (``ret=-4016, ret="..."``)."""
        if self._fields is None:
            self._parse_body()
        return self._fields or []

    def get(self, key: str) -> str | None:
        for k, v in self.fields:
            if k == key:
                return v
        return None

    def ret(self) -> int | None:
        """The ``ret=`` code of the body, else the header's non-zero ``errcode``."""
        for k, v in self.fields:
            if k == "ret":
                try:
                    return int(v)
                except ValueError:
                    continue
        if self.errcode:
            return self.errcode
        return None

    def where(self) -> str:
        name = self.path.rsplit("/", 1)[-1] if self.path else "?"
        server = f"{self.server}:" if self.server else ""
        return f"{server}{name}:{self.line_no}" if self.line_no else f"{server}{name}"
