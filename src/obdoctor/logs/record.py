"""One parsed OceanBase log record, with where it was found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LogRecord:
    # field order matters: parser._parse_header builds records positionally (hot path)
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
    cluster_id: int | None = None
    """``[C<id>]``: only on arbitration servers."""
    event: str | None = None
    """alert.log: the DBA event name."""
    backtrace: str | None = None
    """EDIAG tail after ``BACKTRACE:`` (hex addresses), cut off the body."""
    rate_limited: str | None = None
    """``bandwidth``/``frequency`` when the limiter replaced the body (REACH SYSLOG RATE LIMIT)."""
    # where it was found
    server: str | None = None
    path: str | None = None
    line_no: int | None = None
    offset: int | None = None
    origin: str | None = None
    """The file's name on its server when the line was collected into a bundle under another
    name (``observer.log.<stamp>.gz`` stored decompressed, only matching lines kept):
    ``line_no`` and ``offset`` are then where the line was in that file."""
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
        """First value of ``key`` (``K(*ptr)`` prints ``*key=``: found as ``key`` too)."""
        for k, v in self.fields:
            if k == key:
                return v
        for k, v in self.fields:
            if k.lstrip("*&") == key:
                return v
        return None

    def get_all(self, key: str) -> list[str]:
        """Every value of a repeated key (``ret=-4016, ret="OB_ERR_UNEXPECTED"``)."""
        return [v for k, v in self.fields if k == key or k.lstrip("*&") == key]

    def ret(self) -> int | None:
        """The ``ret=`` code of the body, else the header's non-zero ``errcode``."""
        for k, v in self.fields:
            if k == "ret":
                try:
                    return int(v)
                except ValueError:
                    head = v.split(None, 1)[0] if v.strip() else ""
                    if head.lstrip("-").isdigit():
                        return int(head)
                    continue
        if self.errcode:
            return self.errcode
        return None

    @property
    def file_name(self) -> str:
        """The name a DBA finds the line under on the server (``origin`` when collected)."""
        if self.origin:
            return self.origin
        return self.path.rsplit("/", 1)[-1] if self.path else "?"

    def where(self) -> str:
        name = self.file_name
        server = f"{self.server}:" if self.server else ""
        return f"{server}{name}:{self.line_no}" if self.line_no else f"{server}{name}"
