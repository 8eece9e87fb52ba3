"""Search log files for many fixed strings in one pass, returning parsed records.

The reader works on bytes (invalid UTF-8 and NUL bytes do not stop it), streams compressed
files and keeps memory bounded by reading in blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from obdoctor.logs.files import LogFile, open_bytes
from obdoctor.logs.parser import looks_like_header, parse_line
from obdoctor.logs.record import LogRecord

BLOCK = 4 << 20


@dataclass(frozen=True)
class Patterns:
    """Fixed-string patterns: a line matches if it holds any of ``any_of`` and all of ``all_of``."""

    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()

    def compiled(self) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        return (tuple(p.encode() for p in self.any_of), tuple(p.encode() for p in self.all_of))


def iter_lines(log: LogFile) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, line bytes without newline) for every line of the file."""
    with open_bytes(log) as stream:
        line_no = 0
        offset = 0
        pending = b""
        while True:
            block = stream.read(BLOCK)
            if not block:
                break
            data = pending + block
            lines = data.split(b"\n")
            pending = lines.pop()
            for line in lines:
                line_no += 1
                yield line_no, offset, line
                offset += len(line) + 1
        if pending:
            yield line_no + 1, offset, pending


def search_file(log: LogFile, patterns: Patterns) -> Iterator[LogRecord]:
    any_of, all_of = patterns.compiled()
    for line_no, offset, line in iter_lines(log):
        if any_of and not any(p in line for p in any_of):
            continue
        if all_of and not all(p in line for p in all_of):
            continue
        text = line.decode("utf-8", "replace")
        record = parse_line(text)
        record.server = log.server
        record.path = str(log.path)
        record.line_no = line_no
        record.offset = offset
        yield record


def read_records(log: LogFile) -> Iterator[LogRecord]:
    """Every record of a file, continuation lines joined to the record above."""
    current: LogRecord | None = None
    for line_no, offset, line in iter_lines(log):
        text = line.decode("utf-8", "replace")
        if current is not None and not looks_like_header(text):
            current = parse_line(current.raw + "\n" + text) | _keep(current)
            continue
        if current is not None:
            yield current
        current = parse_line(text)
        current.server, current.path, current.line_no, current.offset = log.server, str(log.path), line_no, offset
    if current is not None:
        yield current


class _keep:
    """``record | _keep(old)`` copies where-found fields from ``old``."""

    def __init__(self, old: LogRecord):
        self.old = old

    def __ror__(self, new: LogRecord) -> LogRecord:
        new.server, new.path, new.line_no, new.offset = self.old.server, self.old.path, self.old.line_no, self.old.offset
        return new
