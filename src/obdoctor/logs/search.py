"""Search log files for many fixed strings in one pass: the kernels behind ``search_files``.

Pipeline per file: ``reader.regions`` (record-aligned bytes, bounded memory, compressed files
streamed) → ``patterns.Matcher.scan`` (all patterns at once; the simd engine counts lines in
the same pass) → expand each hit to its whole record (a matching continuation line belongs to
the record above; a matching header takes its continuation lines along; the simd engine does
this in C too) → ``parser.parse_line``. Engines that do not count lines as they scan have them
counted lazily, only up to the last hit.

``search_files(files, patterns, sink)`` is the one entry point: it hands the sink a ``Scan``
and the sink picks the kernel path (``sinks.py``: count, records, fold; ``printer.py``: grep's
output). Every path spreads files over worker processes (both cores); workers send back
compact ``(line_no, offset, bytes)`` batches through a bounded queue (or, counting, one number
per file over a pipe; printing in C, one block of text per few MB) so memory stays bounded
even when every line matches.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from obdoctor.logs.files import LogFile
from obdoctor.logs.parser import parse_line
from obdoctor.logs.patterns import Matcher, Patterns, compile_patterns
from obdoctor.logs.reader import (
    LogReadError, count_mapped_newlines, count_newlines, cut_point, is_header, is_rotated_name,
    prepare_counting, regions,
)
from obdoctor.logs.record import LogRecord

__all__ = ["Patterns", "Scan", "SearchReport", "LogReadError", "search_files"]

DENSE_BLOCK = 4 << 20
DENSE = 2048
"""More than one hit per this many bytes of a region: split the region in bulk instead."""
MAX_RECORD = 1 << 20
"""A record (header + continuation lines) longer than this is cut: one bad file can't eat memory."""
BATCH = 512


_is_header = is_header  # the reader's rule: ``[YYYY-`` or ``YYYY-...|`` at a line start


class _Lines:
    """Line number of a byte position, counting newlines only as far as asked."""

    def __init__(self) -> None:
        self.pos = 0
        self.line = 1
        self.buf = None
        self.end = 0

    def enter(self, region) -> None:
        if not (isinstance(region.buf, mmap.mmap) and region.buf is self.buf):
            if self.buf is None and isinstance(region.buf, mmap.mmap) and region.start > 0:
                self.line += count_mapped_newlines(region.buf, 0, region.start)  # a segment: lines before it
            self.buf, self.pos = region.buf, region.start
        self.end = region.end

    def leave(self) -> None:
        """Done with a region: a reused read buffer must be counted before it is overwritten
        (a mapping keeps counting lazily from where it was)."""
        if not isinstance(self.buf, mmap.mmap):
            self.line += count_newlines(self.buf, self.pos, self.end)
            self.pos = self.end

    def skip_to(self, pos: int, newlines: int) -> None:
        """Move to ``pos``; the caller counted the ``newlines`` between here and there."""
        self.line += newlines
        self.pos = pos

    def at(self, pos: int) -> int:
        if pos > self.pos:
            self.line += count_newlines(self.buf, self.pos, pos)
            self.pos = pos
        return self.line


def _raw_hits(path, compression, matcher: Matcher | None, use_mmap=None,
              segment: tuple[int, int] | None = None) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, record bytes) for every record with a hit (every record
    when ``matcher`` is None). Raises LogReadError after yielding what could be read."""
    if matcher is not None:
        matcher = matcher.for_path(path)
    if matcher is not None and matcher.expands_records:  # the C scanner found records and lines
        for batch in _raw_batches(path, compression, matcher, use_mmap=use_mmap, segment=segment):
            yield from batch
        return
    lines = _Lines()
    for region in regions(path, compression, use_mmap=use_mmap, segment=segment):
        buf, start, end = region.buf, region.start, region.end
        lines.enter(region)
        if matcher is None or not matcher.literals:  # every record (a filter, if any, picks)
            yield from _dense(buf, start, end, region.offset, lines, matcher)
            continue
        hits, before, newlines = matcher.scan(buf, start, end)
        if len(hits) * DENSE > end - start:
            yield from _dense(buf, start, end, region.offset, lines, matcher)
            continue
        base = lines.at(start) if before is not None else 0  # counted by the scan: no second pass
        taken_until = start
        for index, line_start in enumerate(hits):
            if line_start < taken_until:
                continue  # inside the record already returned
            rec_start = line_start
            if not _is_header(buf, rec_start, end):
                # a continuation line: its record starts at the nearest header above (same region)
                probe = rec_start
                floor = max(start, rec_start - MAX_RECORD, taken_until)
                while probe > floor:
                    prev = buf.rfind(b"\n", floor, probe - 1)
                    probe = prev + 1 if prev >= 0 else floor
                    if _is_header(buf, probe, end):
                        rec_start = probe
                        break
                else:
                    if floor == start and start == taken_until:
                        rec_start = start  # lines before the first header form one record
            rec_end = buf.find(b"\n", line_start, end)
            rec_end = end if rec_end < 0 else rec_end
            # continuation lines that follow belong to this record
            while rec_end + 1 < end and not _is_header(buf, rec_end + 1, end) and rec_end - rec_start < MAX_RECORD:
                nxt = buf.find(b"\n", rec_end + 1, end)
                rec_end = end if nxt < 0 else nxt
            taken_until = rec_end + 1
            data = bytes(buf[rec_start:min(rec_end, rec_start + MAX_RECORD)])
            if matcher is not None and not matcher.verify(data):
                continue
            if before is None:
                line_no = lines.at(rec_start)
            else:
                line_no = base + before[index] - count_newlines(buf, rec_start, line_start)
            yield line_no, region.offset + (rec_start - start), data
        if newlines is not None:
            lines.skip_to(end, newlines)
        lines.leave()


def _count_hits(path, compression, matcher: Matcher | None,
                segment: tuple[int, int] | None = None) -> tuple[int, str | None]:
    """(how many records ``_raw_hits`` gives, why the file was read only in part or None),
    without building the records when the C scanner can say (any-of patterns: one record per
    reported start). A partly read file counts what could be read, as the search returns it."""
    count = 0
    if matcher is not None:
        matcher = matcher.for_path(path)
    try:
        if matcher is None or not matcher.expands_records or matcher.all_of:
            for _ in _raw_hits(path, compression, matcher, segment=segment):
                count += 1
        else:
            for r in regions(path, compression, segment=segment):
                count += matcher.count(r.buf, r.start, r.end, MAX_RECORD)
    except (OSError, EOFError, ValueError) as exc:
        return count, _describe(exc)
    return count, None


def _scanned_batches(buf, start: int, end: int, offset: int, lines: _Lines, matcher: Matcher):
    """The records the C scanner expanded (same rule as above), in lists of at most ``BATCH``:
    no Python step per line, and no more than a batch of record bytes alive at once."""
    starts, stops, before, newlines = matcher.records(buf, start, end, MAX_RECORD)
    base = lines.at(start)
    shift = offset - start
    verify = matcher.verify if matcher.all_of else None
    for k in range(0, len(starts), BATCH):
        batch = [(base + n, shift + a, bytes(buf[a:b]))
                 for a, b, n in zip(starts[k:k + BATCH], stops[k:k + BATCH], before[k:k + BATCH])]
        if verify is not None:
            batch = [hit for hit in batch if verify(hit[2])]
        if batch:
            yield batch
    lines.skip_to(end, newlines)


def _raw_batches(path, compression, matcher: Matcher | None, use_mmap=None,
                 segment: tuple[int, int] | None = None) -> Iterator[list[tuple[int, int, bytes]]]:
    """``_raw_hits`` in lists of at most ``BATCH`` (what workers send, and what printing takes);
    the C scanner's records come a list at a time. Raises like ``_raw_hits``, after the batch
    it had gathered."""
    if matcher is not None:
        matcher = matcher.for_path(path)
    if matcher is not None and matcher.expands_records:
        lines = _Lines()
        for region in regions(path, compression, use_mmap=use_mmap, segment=segment):
            lines.enter(region)
            yield from _scanned_batches(region.buf, region.start, region.end, region.offset, lines, matcher)
            lines.leave()
        return
    batch: list[tuple[int, int, bytes]] = []
    try:
        for hit in _raw_hits(path, compression, matcher, use_mmap=use_mmap, segment=segment):
            batch.append(hit)
            if len(batch) >= BATCH:
                yield batch
                batch = []
    except (OSError, EOFError, ValueError):
        if batch:
            yield batch
        raise
    if batch:
        yield batch


def _text_chunks(path, compression, matcher: Matcher, head: bytes, numbered: bool,
                 segment: tuple[int, int] | None = None) -> Iterator[tuple[int, int, bytes]]:
    """``(first line number, records, printed bytes)`` per block of up to ``DENSE_BLOCK``
    bytes: the C scanner formats the records itself (see ``_text_blocks``)."""
    matcher = matcher.for_path(path)
    lines = _Lines()
    for region in regions(path, compression, segment=segment):
        lines.enter(region)
        buf, pos, end = region.buf, region.start, region.end
        while pos < end:
            stop = end if end - pos <= DENSE_BLOCK else cut_point(buf, pos, pos + DENSE_BLOCK)
            text, count, first, newlines = matcher.text(buf, pos, stop, MAX_RECORD, head, numbered, lines.at(pos))
            lines.skip_to(stop, newlines)
            if count:
                yield first, count, text
            pos = stop
        lines.leave()


def _dense(buf, start: int, end: int, offset: int, lines: _Lines, matcher: Matcher | None):
    """Every record of a region, split in bulk (``bytes.split``), kept when it holds a
    pattern. Many hits (a common word, every record): several times cheaper than expanding
    each hit. Done in record-aligned blocks of ``DENSE_BLOCK`` bytes to bound memory."""
    pos = start
    while pos < end:
        stop = min(end, pos + DENSE_BLOCK)
        if stop < end:
            stop = cut_point(buf, pos, stop)
        yield from _dense_block(buf, pos, stop, offset + (pos - start), lines, matcher)
        pos = stop


def _dense_block(buf, start: int, end: int, offset: int, lines: _Lines, matcher: Matcher | None):
    chunk = bytes(buf[start:end])
    pieces = chunk.split(b"\n")
    newlines = len(pieces) - 1
    if chunk.endswith(b"\n"):
        pieces.pop()
    first_line = lines.at(start)
    literals = matcher.literals if matcher is not None else ()
    verify = matcher.verify if matcher is not None else None
    rec_line = first_line
    rec_off = 0
    rec_parts: list[bytes] = []
    pos = 0
    for index, piece in enumerate(pieces):
        head = piece[:1]
        header = (head == b"[" and piece[1:5].isdigit() and piece[5:6] == b"-") or (
            head.isdigit() and piece[:4].isdigit() and piece[4:5] == b"-" and b"|" in piece[:40])
        if header and rec_parts:
            yield from _dense_emit(rec_parts, rec_line, offset + rec_off, literals, verify)
            rec_parts = []
        if not rec_parts:
            rec_line, rec_off = first_line + index, pos
        rec_parts.append(piece)
        pos += len(piece) + 1
    if rec_parts:
        yield from _dense_emit(rec_parts, rec_line, offset + rec_off, literals, verify)
    lines.skip_to(end, newlines)


def _dense_emit(parts, line_no, offset, literals, verify):
    data = parts[0] if len(parts) == 1 else b"\n".join(parts)
    if literals and not any(p in data for p in literals):
        return
    if verify is not None and not verify(data):
        return
    if len(data) > MAX_RECORD:  # cut after the test, as the sparse path does: a hit late in a huge record still counts
        data = data[:MAX_RECORD]
    yield line_no, offset, data


def _record(log: LogFile, line_no: int, offset: int, data: bytes) -> LogRecord:
    text = data.rstrip(b"\r\n").decode("utf-8", "replace")
    record = parse_line(text)
    record.server = log.server
    record.path = str(log.path)
    record.line_no = line_no
    record.offset = offset
    return record


def search_file(log: LogFile, patterns: Patterns) -> Iterator[LogRecord]:
    """Records of one file holding the patterns, in file order, with line number and offset:
    one file, in this process, raising (what the reader tests hold the kernels to; callers
    outside ``obdoctor.logs`` use ``search_files``).

    Raises ``LogReadError`` (an ``OSError``) after the readable part when the file is
    truncated or corrupt."""
    matcher = None if patterns.matches_everything else compile_patterns(patterns)
    for line_no, offset, data in _raw_hits(log.path, log.compression, matcher):
        yield _record(log, line_no, offset, data)


def read_records(log: LogFile) -> Iterator[LogRecord]:
    """Every record of a file, continuation lines joined to the record above (one file, raising,
    like ``search_file``)."""
    for line_no, offset, data in _raw_hits(log.path, log.compression, None):
        yield _record(log, line_no, offset, data)


# -- many files, both cores ---------------------------------------------------------------
@dataclass
class SearchReport:
    """What a search did: files fully searched and files read only in part (why), how many
    worker processes, which engine."""

    searched: list[LogFile] = field(default_factory=list)
    failed: list[tuple[LogFile, str]] = field(default_factory=list)
    workers: int = 1
    engine: str = ""


def _size(log: LogFile) -> int:
    try:
        size = os.path.getsize(log.path)
    except OSError:
        return 0
    return size * 8 if log.compression else size  # compressed bytes cost ~8x to read


def search_files(files: Iterable[LogFile], patterns: Patterns, sink, *, workers: int | None = 2,
                 report: SearchReport | None = None):
    """Search ``files`` for ``patterns`` into ``sink``; returns what the sink makes of it.

    The sink (``Count``, ``Records``, ``Fold``, ``Printer``) decides which kernel path runs, so
    each gets its fast one: a count never moves a hit between processes, printing formats the
    records in C a block at a time when it can. Files are spread over ``workers`` processes
    (largest first) when they are big enough to pay for it. ``report`` (if given) is filled as
    files finish: searched, or read only in part and why; an unreadable file is never raised."""
    return sink.run(Scan(files, patterns, workers, report if report is not None else SearchReport()))


class Scan:
    """One search as a sink sees it (the files, patterns, workers and report) and the kernel
    paths it may take; each path plans its own work split. A new sink is a class with
    ``run(scan)`` calling one of these."""

    def __init__(self, files: Iterable[LogFile], patterns: Patterns, workers: int | None, report: SearchReport):
        self.files = list(files)
        self.patterns = patterns
        self.workers = workers
        self.report = report

    def batches(self, ordered: bool = True) -> Iterator[tuple[LogFile, list[tuple[int, int, bytes]]]]:
        """``(file, [(line number, offset, record bytes), ...])``, a batch at a time, unparsed.
        Records of one file come in file order (with ``ordered=False`` a big file's halves may
        interleave); files interleave."""
        return _search_batches(self.files, self.patterns, self.workers, self.report, ordered=ordered)

    def records(self, ordered: bool = True) -> Iterator[LogRecord]:
        """The batches parsed into ``LogRecord``s."""
        for log, batch in self.batches(ordered):
            for line_no, offset, data in batch:
                yield _record(log, line_no, offset, data)

    def count(self) -> int:
        """How many records match, counted where they are found."""
        return _count_all(self.files, self.patterns, self.workers, self.report)

    def fold(self, fold) -> Iterator[tuple[LogFile, object]]:
        """``(file, fold(batches))`` per file or segment, folded inside the workers."""
        return _fold_files(self.files, self.patterns, fold, self.workers, self.report)

    def prints_in_c(self) -> bool:
        """Whether ``blocks`` serves these patterns."""
        return prints_in_c(self.patterns)

    def blocks(self, heads: dict[str, bytes], numbered: bool) -> Iterator[tuple[LogFile, int, int, bytes]]:
        """``(file, first line number, records, bytes)``, the records printed by C as grep prints
        them; only when ``prints_in_c()``."""
        return _text_blocks(self.files, self.patterns, heads, numbered, self.workers, self.report)

    def narrowed(self, patterns: Patterns, workers: int | None) -> Scan:
        """The same files and report, other patterns and workers (a printer that tests every
        record itself)."""
        return Scan(self.files, patterns, workers, self.report)


def _search_batches(files: Iterable[LogFile], patterns: Patterns, workers: int | None = 2,
                    report: SearchReport | None = None, *,
                    ordered: bool = True) -> Iterator[tuple[LogFile, list[tuple[int, int, bytes]]]]:
    """``Scan.batches``: ``(file, [(line number, offset, bytes), ...])``, a batch at a time:
    for printing a million matching lines without an object per line."""
    plan = _Plan(files, patterns, workers, report, split=not ordered)
    if plan.parallel:
        yield from _parallel(plan.files, plan.tasks, patterns, plan.workers, plan.report)
        return
    for log in plan.files:
        try:
            for batch in _raw_batches(log.path, log.compression, plan.matcher):
                yield log, batch
            plan.report.searched.append(log)
        except (OSError, EOFError, ValueError) as exc:
            plan.report.failed.append((log, _describe(exc)))


def prints_in_c(patterns: Patterns) -> bool:
    """Whether ``_text_blocks`` serves these patterns (the C scanner, no all_of to check)."""
    if patterns.matches_everything or patterns.all_of:
        return False
    return hasattr(compile_patterns(patterns), "text")


def _text_blocks(files: Iterable[LogFile], patterns: Patterns, heads: dict[str, bytes], numbered: bool,
                 workers: int | None = 2, report: SearchReport | None = None
                 ) -> Iterator[tuple[LogFile, int, int, bytes]]:
    """``(file, first line number, records, bytes)``: the matching records already printed as
    grep prints them (``heads[path]`` + line number and ``:`` when ``numbered`` + the record +
    newline), formatted in C and sent between processes as one bytes object per block: a
    million matching lines cost no Python object each. Records of a file come in order, in
    chunks; files interleave. Only when ``prints_in_c(patterns)``."""
    plan = _Plan(files, patterns, workers, report, split=False)
    if plan.parallel:
        yield from _parallel(plan.files, plan.tasks, patterns, plan.workers, plan.report,
                             text=(heads, numbered))
        return
    for log in plan.files:
        try:
            for first, count, text in _text_chunks(log.path, log.compression, plan.matcher,
                                                   heads.get(str(log.path), b""), numbered):
                yield log, first, count, text
            plan.report.searched.append(log)
        except (OSError, EOFError, ValueError) as exc:
            plan.report.failed.append((log, _describe(exc)))


def _count_all(files: Iterable[LogFile], patterns: Patterns, workers: int | None = 2,
               report: SearchReport | None = None) -> int:
    """``Scan.count``: the number of records ``Scan.batches`` would give, without moving every
    hit between processes (``logs search --count`` on a word found on every line)."""
    plan = _Plan(files, patterns, workers, report, split=True)  # a count has no order
    if plan.parallel and _count_alone(plan):
        plan.parallel, plan.report.workers = False, 1
    if plan.parallel:
        forked = _forked_count(plan)
        if forked is not None:
            return forked
        return sum(_parallel(plan.files, plan.tasks, patterns, plan.workers, plan.report, count_only=True))
    total = 0
    for log in plan.files:
        count, failure = _count_hits(log.path, log.compression, plan.matcher)
        total += count
        if failure is None:
            plan.report.searched.append(log)
        else:
            plan.report.failed.append((log, failure))
    return total


COUNT_PARALLEL_MIN = 128 << 20
"""A count by the C scanner reads plain files at ~12 GB/s a core: below this many bytes (a
compressed byte weighing ``COUNT_COMPRESSED``) one process is done before two forked workers
pay for themselves. bench/count_crossover.py: fork + exit + wait 1.3 ms a worker when a core is
free (crossover ~2 x 12 GB/s x 3 ms = 70 MB), 13 ms for both at load 9 on two cores (~300 MB)."""
COUNT_COMPRESSED = 100
"""Decompressing a byte of .gz/.zst (~7 bytes out at ~1 GB/s) costs ~100 plain bytes' scan."""


def _count_alone(plan: _Plan) -> bool:
    """Whether a count is cheaper in one process (see ``COUNT_PARALLEL_MIN``)."""
    if plan.matcher is None or not plan.matcher.expands_records:
        return False  # the Python engines read far slower: PARALLEL_MIN stands
    weight = COUNT_COMPRESSED // 8  # _size already counts a compressed byte 8 times
    return sum(_size(log) * (weight if log.compression else 1) for log in plan.files) < COUNT_PARALLEL_MIN


def _forked_count(plan: _Plan) -> int | None:
    """A parallel count with bare ``os.fork`` and two pipes, or None where ``fork`` is not safe
    (no ``fork``, or other threads in this process: see :func:`_start_method`).

    Why not ``multiprocessing``: importing it and starting its queues' feeder threads costs
    ~20-30 ms, a tenth of a whole 2 GB count, and a count needs none of it. Task numbers are
    written into one pipe before the workers start (4 bytes each, read 4 at a time, so each
    task goes to exactly one worker, whichever is free); each worker writes one short line per
    task (``task count failure``, under ``PIPE_BUF``: never interleaved) into the other. A
    task with no line back is a failure of its file, never a silent zero."""
    import threading

    if not hasattr(os, "fork") or threading.active_count() != 1 or len(plan.tasks) > 8192:
        return None
    task_r, task_w = os.pipe()
    res_r, res_w = os.pipe()
    try:
        os.write(task_w, b"".join(t.to_bytes(4, "little") for t in range(len(plan.tasks))))
    finally:
        os.close(task_w)
    pids: list[int] = []
    try:
        for _ in range(plan.workers):
            pid = os.fork()
            if pid == 0:  # the worker: never returns, never runs the parent's cleanup
                code = 0
                try:
                    os.close(res_r)
                    _count_worker(plan, task_r, res_w)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            pids.append(pid)
        os.close(res_w)
        res_w = -1
        chunks = []
        while True:
            chunk = os.read(res_r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        for fd in (task_r, res_r, res_w):
            if fd >= 0:
                os.close(fd)
        for pid in pids:
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, 9)  # interrupted: no worker outlives the search
                    os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
    return _gather_counts(plan, b"".join(chunks))


def _count_worker(plan: _Plan, task_r: int, res_w: int) -> None:
    while True:
        raw = os.read(task_r, 4)
        if len(raw) < 4:
            return
        task = int.from_bytes(raw, "little")
        index, segment = plan.tasks[task]
        log = plan.files[index]
        try:
            count, failure = _count_hits(log.path, log.compression, plan.matcher, segment)
        except Exception as exc:  # said to the parent, never a dead worker
            count, failure = 0, f"{type(exc).__name__}: {exc}"
        why = " ".join((failure or "").split())[:1000]
        os.write(res_w, f"{task} {count} {why}\n".encode("utf-8", "replace"))


def _gather_counts(plan: _Plan, output: bytes) -> int:
    """The workers' lines summed, and each file put in ``searched`` or ``failed``."""
    total = 0
    failure: dict[int, str] = {}
    done: set[int] = set()
    for line in output.decode("utf-8", "replace").splitlines():
        task, count, why = (line.split(" ", 2) + [""])[:3]
        task_no = int(task)
        done.add(task_no)
        total += int(count)
        if why:
            failure.setdefault(plan.tasks[task_no][0], why)
    for task_no, (index, _segment) in enumerate(plan.tasks):
        if task_no not in done:
            failure.setdefault(index, "search worker died")
    for index in dict.fromkeys(index for index, _segment in plan.tasks):
        if index in failure:
            plan.report.failed.append((plan.files[index], failure[index]))
        else:
            plan.report.searched.append(plan.files[index])
    return total


PARALLEL_MIN = 32 << 20
"""Below this many bytes in all, one process searches: starting workers would cost more."""


class _Plan:
    """How a search over ``files`` runs: its matcher, its work items, one process or several."""

    def __init__(self, files: Iterable[LogFile], patterns: Patterns, workers: int | None,
                 report: SearchReport | None, split: bool):
        self.files = list(files)
        self.report = report if report is not None else SearchReport()
        self.matcher = None if patterns.matches_everything else compile_patterns(patterns)
        self.report.engine = self.matcher.engine if self.matcher else "all"
        cores = os.cpu_count() or 1
        wanted = max(1, min(workers or cores, cores))
        self.tasks = _tasks(self.files, wanted, split)
        self.workers = min(wanted, len(self.tasks)) or 1
        self.parallel = self.workers > 1 and sum(_size(f) for f in self.files) >= PARALLEL_MIN
        self.report.workers = self.workers if self.parallel else 1
        if self.parallel:
            prepare_counting()


SPLIT_MIN = 64 << 20
"""A rotated plain file at least this big may be shared by several workers (segments)."""


def _tasks(files: list[LogFile], workers: int, split: bool = True) -> list[tuple[int, tuple[int, int] | None]]:
    """(file index, segment) work items, largest first. With fewer files than workers (and
    ``split``), big rotated plain files are cut into ``workers`` segments so no core idles;
    otherwise whole files (a segment costs a count of the newlines before it, and its hits
    interleave with the other segment's)."""
    items: list[tuple[int, tuple[int, int] | None]] = []
    split = split and len(files) < workers
    for i in sorted(range(len(files)), key=lambda i: -_size(files[i])):
        log = files[i]
        if split and not log.compression and _size(log) >= SPLIT_MIN and is_rotated_name(log.path.name):
            try:
                size = os.path.getsize(log.path)
            except OSError:
                size = 0
            if size > 0:
                step = max(1, -(-size // workers))
                items.extend((i, (lo, min(size, lo + step))) for lo in range(0, size, step))
                continue
        items.append((i, None))
    return items


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, LogReadError) else f"{type(exc).__name__}: {exc}"


def _fold_files(files: Iterable[LogFile], patterns: Patterns, fold, workers: int | None = 2,
                report: SearchReport | None = None) -> Iterator[tuple[LogFile, object]]:
    """``(file, fold(batches))`` for each file (or segment of a big one): ``fold`` reduces the
    file's batches of hits to something small (a tally) inside the worker, so only that crosses
    a process and memory stays bounded however many records match. ``fold`` is a module-level
    function (or a ``functools.partial`` of one). A file read only in part gives the fold of
    what could be read, and is named in ``report.failed``."""
    plan = _Plan(files, patterns, workers, report, split=True)
    if plan.parallel:
        yield from _parallel(plan.files, plan.tasks, patterns, plan.workers, plan.report, fold=fold)
        return
    for log in plan.files:
        failure: list[str] = []
        partial = fold(_guarded(_raw_batches(log.path, log.compression, plan.matcher), failure))
        yield log, partial
        if failure:
            plan.report.failed.append((log, failure[0]))
        else:
            plan.report.searched.append(log)


def _guarded(batches, failure: list[str]):
    """The batches, a read error ending them quietly (said in ``failure``) instead of raising into the fold."""
    try:
        yield from batches
    except (OSError, EOFError, ValueError) as exc:
        failure.append(_describe(exc))


def _worker(tasks, results, patterns: Patterns, count_only: bool = False, fold=None, numbered=None) -> None:
    matcher = None if patterns.matches_everything else compile_patterns(patterns)
    while True:
        item = tasks.get()
        if item is None:
            return
        index, path, compression, segment, head = item
        if fold is not None:
            failure: list[str] = []
            try:
                partial = fold(_guarded(_raw_batches(path, compression, matcher, segment=segment), failure))
            except Exception as exc:  # never leave the parent waiting
                partial = None
                failure.append(f"{type(exc).__name__}: {exc}")
            results.put(("fold", index, partial))
            results.put(("done", index, failure[0] if failure else None))
            continue
        if count_only:
            try:
                count, failure = _count_hits(path, compression, matcher, segment)
            except Exception as exc:  # never leave the parent waiting
                count, failure = 0, f"{type(exc).__name__}: {exc}"
            results.put(("count", index, count))
            results.put(("done", index, failure))
            continue
        if numbered is not None:  # records printed in C
            kind, parts = "text", _text_chunks(path, compression, matcher, head, numbered, segment)
        else:
            kind, parts = "hits", _raw_batches(path, compression, matcher, segment=segment)
        try:
            for part in parts:
                results.put((kind, index, part))
            results.put(("done", index, None))
        except (OSError, EOFError, ValueError) as exc:
            results.put(("done", index, _describe(exc)))
        except Exception as exc:  # never leave the parent waiting
            results.put(("done", index, f"{type(exc).__name__}: {exc}"))


def _start_method(available: list[str]) -> str:
    """``fork`` (fastest start) only from a single-threaded process: forking a process that has
    other threads (the SSH event loop of a live run, a caller's pool) can copy a held lock into
    the child and deadlock it, and Python 3.12+ warns about it. Otherwise ``forkserver``, else
    ``spawn``: the worker and its arguments pickle."""
    import threading

    if "fork" in available and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in available else "spawn"


def _parallel(files: list[LogFile], items, patterns: Patterns, workers: int, report: SearchReport,
              count_only: bool = False, fold=None, text: tuple[dict, bool] | None = None) -> Iterator:
    """``(file, batch of hits)`` from the workers (with ``count_only``: one count per task instead)."""
    import multiprocessing  # only when several processes search: ~15 ms of imports a small search skips
    import queue as _queue

    ctx = multiprocessing.get_context(_start_method(multiprocessing.get_all_start_methods()))
    tasks = ctx.Queue()
    results = ctx.Queue(maxsize=64)  # back-pressure: bounded memory when everything matches
    heads, numbered = text if text is not None else ({}, None)
    for task, (i, segment) in enumerate(items):
        path = str(files[i].path)
        tasks.put((task, path, files[i].compression, segment, heads.get(path, b"")))
    for _ in range(workers):
        tasks.put(None)
    procs = [ctx.Process(target=_worker, args=(tasks, results, patterns, count_only, fold, numbered), daemon=True)
             for _ in range(workers)]
    for p in procs:
        p.start()
    pending = set(range(len(items)))
    left = {}  # file index -> tasks not finished
    for i, _ in items:
        left[i] = left.get(i, 0) + 1
    failure: dict[int, str] = {}
    try:
        while pending:
            try:
                kind, task, payload = results.get(timeout=1.0)
            except _queue.Empty:
                if not any(p.is_alive() for p in procs):
                    for i in sorted({items[t][0] for t in pending}):
                        report.failed.append((files[i], "search worker died"))
                    return
                continue
            index = items[task][0]
            log = files[index]
            if kind == "hits":
                yield log, payload
                continue
            if kind == "count":
                yield payload
                continue
            if kind == "text":
                yield (log, *payload)
                continue
            if kind == "fold":
                if payload is not None:
                    yield log, payload
                continue
            pending.discard(task)
            if payload is not None:
                failure.setdefault(index, payload)
            left[index] -= 1
            if left[index] == 0:  # every segment of the file is done
                if index in failure:
                    report.failed.append((log, failure[index]))
                else:
                    report.searched.append(log)
    finally:
        for p in procs:
            if p.is_alive() and pending:
                p.terminate()
        for p in procs:
            p.join(timeout=5)
        # The task queue's feeder thread outlives the search unless told to end: left alive, it
        # made the next search in this process start its workers by forkserver (see
        # _start_method). After a whole search every task was read, so ending it cannot block.
        tasks.close()
        if pending:
            tasks.cancel_join_thread()
        else:
            tasks.join_thread()
