"""The grep-style printer: a sink that prints matching records as ``grep`` would, or as JSON lines.

Why it is a sink of the engine and not part of the CLI: how records are printed decides which
kernel path is fast. With nothing to do in Python (no colour, no redaction) the C scanner
formats the records itself, a block of a few MB at a time, and a million matching lines cost no
Python object each; ``-c`` counts inside the workers; ``-l`` only needs to know which files had
a batch. The CLI only turns options into a ``Printer``; what it prints is decided here.

grep's habits kept: ``server:file:line:`` before each record when several files are searched
(``line:`` with ``-n`` on one), ``-`` instead of ``:`` for context records and ``--`` between
groups, ``(standard input)`` for a pipe, the line printed as the file holds it (bytes, invalid
UTF-8 and all). Up to ``SORT_BUFFER`` records are printed in file and line order; past that
they stream as found. Redaction is a function the caller passes (``obdoctor.logs`` knows no
secrets rules): applied to the record's text, or to its JSON object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from obdoctor.logs.files import LogFile
from obdoctor.logs.patterns import Patterns, compile_regex
from obdoctor.logs.record import LogRecord
from obdoctor.logs.search import Scan, _record
from obdoctor.logs.traceid import decode_addr

SORT_BUFFER = 10000
"""Up to this many records are printed in file/line order; past it they stream as found."""

STDIN = "(standard input)"
"""How grep names standard input (``-l``)."""

TYPE_CHECKING = False  # no ``typing`` import on the search path (~2 ms of start-up)
if TYPE_CHECKING:
    from typing import Any, TextIO

    Redact = Callable[[Any], Any]  # masks secrets in a string, or in every string of a JSON-ready object


class Printer:
    """A sink printing matching records to ``out`` (a text stream; its ``buffer``, when it has
    one, takes the bytes as they are); ``run`` returns how many records matched.

    ``json``: one parsed record per line as JSON; ``count``: only that number (``-c``);
    ``files_with_matches``: only the names of files with a match (``-l``); ``line_number``:
    ``line:`` before each record of a single file (``-n``); ``color``: matches highlighted;
    ``before``/``after``: context records (``-B``/``-A``); ``invert``: records holding none of
    the patterns (``-v``); ``redact``: applied to what is printed."""

    def __init__(self, out: TextIO, *, json: bool = False, count: bool = False, files_with_matches: bool = False,
                 line_number: bool = False, color: bool = False, before: int = 0, after: int = 0,
                 invert: bool = False, redact: Redact | None = None):
        self.out = out
        self.json, self.count, self.files_with_matches = json, count, files_with_matches
        self.line_number, self.color = line_number, color
        self.before, self.after, self.invert = before, after, invert
        self.redact = redact

    def run(self, scan: Scan) -> int:
        if self.invert or self.before or self.after:
            return self._each_record(scan)
        if self.count and not self.json:  # counted where they are found: no hit crosses a process
            count = scan.count()
            self.out.write(f"{count}\n")
            return count
        if self.json:
            return self._json(scan)
        layout = _Layout(self, scan.files, scan.patterns)
        if self.files_with_matches:
            return _print_files(scan.batches(), scan.files, self.out)
        if layout.paint is None and layout.redact is None and scan.prints_in_c():  # formatted in C, a block at a time
            heads = {str(f.path): layout.head(f) for f in scan.files}
            return _print_text(scan.blocks(heads, layout.numbers), scan.files, self.out)
        return _print_hits(scan.batches(), scan.files, layout, self.out)

    def _json(self, scan: Scan) -> int:
        order = {str(f.path): i for i, f in enumerate(scan.files)}
        count = 0
        buffered: list = []
        streaming = False
        for record in scan.records():
            count += 1
            if self.count:
                continue
            if streaming:
                self.out.write(record_text(record, json=True, redact=self.redact))
                continue
            buffered.append(record)
            if len(buffered) >= SORT_BUFFER:
                _flush(buffered, order, self.out, self.redact)
                streaming = True
        if self.count:
            self.out.write(f"{count}\n")
        else:
            _flush(buffered, order, self.out, self.redact)
        return count

    def _each_record(self, scan: Scan) -> int:
        """``-v`` and ``-A/-B/-C``: every record of each file, in file order, tested here (the
        patterns by ``re``, the field filter by the engine, or, with context, on the parsed
        record: context records are the file's neighbours whatever their fields)."""
        from collections import deque

        from obdoctor.logs.parser import parse_line

        engine = scan.patterns
        before, after = self.before, self.after
        rx = compile_regex(engine)
        flt = engine.filter
        context = bool(before or after)
        every = Patterns(fields=None if context else flt)  # with context, neighbours of any field
        files = scan.files
        layout = _Layout(self, files, Patterns() if self.invert else engine)
        sink = _ByteSink(self.out)
        quiet = self.count or self.files_with_matches
        count = 0
        matched_files: list[str] = []
        last = {"file": None, "end": 0}  # the last record printed: its file and last line number

        def emit(log, hit, sep: bytes) -> None:
            n, _, data = hit
            if context and last["end"] and (last["file"] is not log or n > last["end"] + 1):
                sink.write_all([b"--\n"])  # a gap, as grep marks it
            last["file"], last["end"] = log, n + data.count(b"\n")
            sink.write_all(line for _, line in layout.lines(log, [hit], sep))

        current = None
        pending: deque = deque(maxlen=before or 1)
        tail = 0
        for log, batch in scan.narrowed(every, workers=1).batches():
            if log is not current:
                current, tail = log, 0
                pending.clear()
            for hit in batch:
                data = hit[2]
                selected = (rx is None or (rx.search(data) is not None) != self.invert) and (
                    not context or flt is None or flt.accepts(parse_line(data)))
                if selected:
                    count += 1
                    if not matched_files or matched_files[-1] != str(log.path):
                        matched_files.append(str(log.path))
                    if quiet:
                        continue
                    if self.json:
                        self.out.write(record_text(_record(log, *hit), json=True, redact=self.redact))
                        continue
                    while pending:
                        emit(log, pending.popleft(), b"-")
                    emit(log, hit, b":")
                    tail = after
                elif quiet:
                    continue
                elif tail:
                    emit(log, hit, b"-")
                    tail -= 1
                elif before:
                    pending.append(hit)
        if self.count:
            sink.write_all([f"{count}\n".encode()])
        elif self.files_with_matches:
            sink.write_all([shown_name(name).encode() + b"\n" for name in matched_files])
        sink.flush()
        return count


def record_json(record: LogRecord) -> dict:
    """A parsed record as a JSON-ready object (``--json``)."""
    return {
        "server": record.server, "path": record.path, "line": record.line_no, "offset": record.offset,
        "origin": record.origin,
        "ts": record.ts.isoformat(sep=" ") if record.ts else None, "level": record.level,
        "module": record.module, "func": record.func, "src": f"{record.src_file}:{record.src_line}" if record.src_file else None,
        "tid": record.tid, "thread": record.thread, "tenant_id": record.tenant_id, "trace_id": record.trace_id,
        "trace_origin": decode_addr(record.trace_id) if record.trace_id else None,
        "lt": record.lt, "errcode": record.errcode, "format": record.format, "message": record.message,
        "fields": [[k, v] for k, v in record.fields], "backtrace": record.backtrace,
        "rate_limited": record.rate_limited, "raw": record.raw,
    }


def record_text(record: LogRecord, *, json: bool = False, redact: Redact | None = None, prefix: bool = True) -> str:
    """A record as printed: JSON, or its text after ``server:file:line:``; passed through
    ``redact`` when given (otherwise as the file holds it, like grep)."""
    if redact is None:
        def redact(value):
            return value
    if json:
        import json as _json

        return _json.dumps(redact(record_json(record)), ensure_ascii=False) + "\n"
    if prefix:
        name = record.path.rsplit("/", 1)[-1] if record.path else "?"
        server = f"{record.server}:" if record.server else ""
        return f"{server}{name}:{record.line_no}:{redact(record.raw)}\n"
    return redact(record.raw) + "\n"


def shown_name(path: str) -> str:
    """A file name as grep shows it: ``(standard input)`` for a pipe."""
    return STDIN if path.startswith("/dev/fd/") or path == "/dev/stdin" else path


def _flush(buffered: list, order: dict, out: TextIO, redact: Redact | None) -> None:
    buffered.sort(key=lambda r: (order.get(r.path, 0), r.line_no or 0))
    for record in buffered:
        out.write(record_text(record, json=True, redact=redact))
    buffered.clear()


class _Layout:
    """How a record is printed: grep's prefixes (``server:file:line:`` when several files;
    ``line:`` with -n on one file; ``-`` instead of ``:`` for context records) and colour."""

    def __init__(self, printer: Printer, files: list[LogFile], engine: Patterns):
        self.several = len(files) > 1
        self.numbers = self.several or printer.line_number
        self.paint = None
        self.redact = printer.redact
        if printer.color and any(engine.any_of):
            rx = compile_regex(engine)
            self.paint = lambda data: rx.sub(lambda m: b"\x1b[01;31m\x1b[K" + m.group(0) + b"\x1b[m\x1b[K"
                                             if m.group(0) else b"", data)

    def head(self, log, sep: bytes = b":") -> bytes:
        if not self.several:
            return b""
        server = f"{log.server}:" if log.server else ""
        return f"{server}{log.path.name}".encode() + sep

    def lines(self, log, batch, sep: bytes = b":") -> list[tuple[int, bytes]]:
        head = self.head(log, sep)
        paint = self.paint
        if self.redact is not None:
            batch = [(n, x, self.redact(data.decode("utf-8", "replace")).encode()) for n, x, data in batch]
        if self.numbers:
            out = [(n, head + b"%d" % n + sep + data.rstrip(b"\r\n") + b"\n") for n, _, data in batch]
        else:
            out = [(n, head + data.rstrip(b"\r\n") + b"\n") for n, _, data in batch]
        if paint is not None:
            out = [(n, paint(line)) for n, line in out]
        return out


def _print_files(batches, files, out: TextIO) -> int:
    """``-l``: each file with a selected record, once, in the order the files were given."""
    seen: set[str] = set()
    for log, batch in batches:
        if batch:
            seen.add(str(log.path))
    names = [str(f.path) for f in files if str(f.path) in seen]
    for name in names:
        out.write(shown_name(name) + "\n")
    return len(names)


class _ByteSink:
    """Output lines as bytes, written in large pieces: a log line is printed as it is in the
    file (like grep), and a million matching lines cost one write per 256 KiB, not one each.
    A text-only stream (tests' StringIO) gets them decoded, invalid UTF-8 replaced."""

    def __init__(self, stream):
        self.stream = stream
        self.binary = getattr(stream, "buffer", None)
        self.parts: list[bytes] = []
        self.size = 0

    def write_all(self, lines) -> None:
        for line in lines:
            if len(line) >= 1 << 18:  # a block printed in C: written as it is, not copied again
                self.flush()
                self._write(line)
                continue
            self.parts.append(line)
            self.size += len(line)
            if self.size >= 1 << 18:
                self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        self._write(data)

    def _write(self, data: bytes) -> None:
        if self.binary is not None:
            self.stream.flush()
            self.binary.write(data)
            self.binary.flush()
        else:
            self.stream.write(data.decode("utf-8", "replace"))


def _print_text(chunks: Iterable[tuple[LogFile, int, int, bytes]], files, out: TextIO) -> int:
    """Print ``Scan.blocks`` (records formatted in C): up to ``SORT_BUFFER`` records in file and
    line order (a chunk is consecutive records of one file, so ordering chunks orders records),
    then as they come. Returns the count."""
    order = {str(f.path): i for i, f in enumerate(files)}
    sink = _ByteSink(out)
    buffered: list[tuple[int, int, bytes]] | None = []
    count = 0
    for log, first, records, text in chunks:
        count += records
        if buffered is None:
            sink.write_all((text,))
            continue
        buffered.append((order.get(str(log.path), 0), first, text))
        if count >= SORT_BUFFER:
            buffered.sort(key=lambda item: item[:2])
            sink.write_all(text for _, _, text in buffered)
            buffered = None  # past the buffer: stream as found
    if buffered:
        buffered.sort(key=lambda item: item[:2])
        sink.write_all(text for _, _, text in buffered)
    sink.flush()
    return count


def _print_hits(batches, files, layout: _Layout, out: TextIO) -> int:
    """Print unparsed hits like grep (see ``_Layout``; in Python: colour), ordered as
    ``_print_text`` orders them: a batch is consecutive records of one file, like a chunk."""
    chunks = ((log, batch[0][0], len(batch), b"".join(line for _, line in layout.lines(log, batch)))
              for log, batch in batches if batch)
    return _print_text(chunks, files, out)
