"""Read a log file as line-aligned regions of bytes, with bounded memory.

Why bytes and regions: searching is done on raw bytes (invalid UTF-8 and NUL bytes cannot
stop it, unlike ``grep`` without ``-a``), and a region ends on a line boundary so a match
never straddles two regions. Three readers, one interface — each yields
``Region(buf, start, end, offset)``: ``buf[start:end]`` is whole lines (the last may lack its
newline at end of file) and ``offset`` is the file (uncompressed) offset of ``buf[start]``.

* rotated plain files (their name is final, OceanBase never writes them again): memory-mapped,
  no copy; pages already scanned are dropped from our resident set (``MADV_DONTNEED``), so
  memory stays bounded by the window whatever the file size.
* the live file (may grow or be truncated while we read; a mapped page past a truncation
  would kill the process with SIGBUS): ``readinto`` a reused buffer.
* ``.gz`` (python-isal when available, several times zlib's speed) and ``.zst``: streamed
  through the same reused buffer.

A truncated or corrupt compressed file yields everything that could be decoded, then raises
``LogReadError`` saying how far it got: nothing is silently lost.
"""

from __future__ import annotations

import mmap
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass


def _gz_lib():
    """python-isal's zlib (it decompresses gzip several times faster), else the standard one;
    imported on the first ``.gz`` only: loading isal costs a plain-file search ~5 ms."""
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover
        import zlib as isal_zlib
    return isal_zlib

try:  # our optional C extension: SIMD newline counting (setup.py builds it when it can)
    from obdoctor.logs import _scan
except ImportError:  # pragma: no cover
    _scan = None

_np = None  # numpy, imported on first big count (its import costs ~0.1 s: not for small searches)
NUMPY_FROM = 16 << 20
"""Counting spans at least this long use numpy (5 GB/s instead of bytes.count's ~1.3)."""


def load_numpy():
    """Import the optional numpy once (``search_files`` calls it before forking workers)."""
    global _np
    if _np is None:
        try:
            import numpy
        except ImportError:  # pragma: no cover
            _np = False
        else:
            _np = numpy
    return _np


def prepare_counting() -> None:
    """Import what ``count_newlines`` needs before forking workers: nothing when the C
    extension is built, numpy (once, not once per worker) otherwise."""
    if _scan is None:
        load_numpy()


WINDOW = 64 << 20
"""Bytes of a mapped file scanned before its pages are released."""
BLOCK = 8 << 20
"""Read/decompress buffer size."""
MAX_LINE = 1 << 20
"""A 'line' longer than this (garbage without newlines) is cut into pieces of this size."""


class LogReadError(OSError):
    """The file could be read only in part (truncated/corrupt compressed data, I/O error)."""


@dataclass
class Region:
    buf: object
    start: int
    end: int
    offset: int


def is_header(buf, pos: int, end: int | None = None) -> bool:
    """``[2024-...`` (main logs, trace.log) or ``2024-...|`` (alert.log) starts a record.

    Reads nothing at or past ``end`` (a reused buffer holds stale bytes there)."""
    limit = pos + 40 if end is None else min(pos + 40, end)
    head = bytes(buf[pos:limit])
    first = head[:1]
    if first == b"[":
        return head[1:5].isdigit() and head[5:6] == b"-"
    if first.isdigit() and head[:4].isdigit() and head[4:5] == b"-":
        return b"|" in head.split(b"\n", 1)[0]
    return False


def last_record_start(buf, start: int, end: int) -> int:
    """Start of the last record beginning in ``buf(start:end)`` — a header at a line start —
    or ``start`` when there is none. Regions end there, so a record's continuation lines never
    land in the next region."""
    i = end
    while i > start:
        nl = buf.rfind(b"\n", start, i)
        if nl < 0:
            return start
        if nl + 1 < end and is_header(buf, nl + 1, end):
            return nl + 1
        i = nl
    return start



def cut_point(buf, start: int, end: int) -> int:
    """Where to end a block ``[start, end)`` so no record is split: before the last record
    that starts in it, else (no header in the whole block: garbage, or one record longer than
    the block) after its last newline, else at ``end``."""
    cut = last_record_start(buf, start, end)
    if cut > start:
        return cut
    nl = buf.rfind(b"\n", start, end)
    return nl + 1 if nl >= start else end

def first_record_start(buf, pos: int, end: int, at_line_start: bool) -> int:
    """First header at a line start in ``buf[pos:end]`` (``-1`` if none)."""
    if at_line_start and pos < end and is_header(buf, pos, end):
        return pos
    nl = buf.find(b"\n", pos, end)
    while nl >= 0 and nl + 1 < end:
        if is_header(buf, nl + 1, end):
            return nl + 1
        nl = buf.find(b"\n", nl + 1, end)
    return -1


def count_newlines(buf, start: int, end: int) -> int:
    """Newlines in ``buf[start:end]`` (the C extension when built, else numpy for long spans)."""
    if end <= start:
        return 0
    if _scan is not None:
        return _scan.count_newlines(buf, start, end)
    span = end - start
    if span < (64 << 10) or (span < NUMPY_FROM and not _np):
        # short spans (between two nearby hits): numpy's per-call cost would dominate
        if isinstance(buf, (bytes, bytearray)):
            return buf.count(b"\n", start, end)
        return buf[start:end].count(b"\n")
    np = load_numpy() if span >= NUMPY_FROM else _np
    if np:
        total = 0
        step = 1 << 20
        arr = np.frombuffer(buf, dtype=np.uint8, count=end - start, offset=start)
        try:
            for s in range(0, end - start, step):
                total += int(np.count_nonzero(arr[s:s + step] == 10))
        finally:
            del arr
        return total
    if isinstance(buf, (bytes, bytearray)):
        return buf.count(b"\n", start, end)
    total = 0
    for s in range(start, end, 4 << 20):
        total += buf[s:min(end, s + (4 << 20))].count(b"\n")
    return total


def count_mapped_newlines(mm, start: int, end: int) -> int:
    """``count_newlines`` over a long span of a mapping (the lines before a segment), a
    ``WINDOW`` at a time, dropping each window's pages after: reading 1 GB of a file to count
    its lines must not leave 1 GB in our resident set."""
    total = 0
    page = mmap.PAGESIZE
    while start < end:
        stop = min(end, start + WINDOW)
        total += count_newlines(mm, start, stop)
        lo, hi = (start // page) * page, (stop // page) * page
        if hi > lo and hasattr(mm, "madvise"):
            mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
        start = stop
    return total


def is_rotated_name(name: str) -> bool:
    """``observer.log.20230519132325238`` (and compressed names) are never written again."""
    tail = name.rsplit(".log", 1)[-1]
    return any(part.isdigit() and len(part) in (14, 17) for part in tail.split("."))


def regions(path, compression: str | None = None, *, use_mmap: bool | None = None,
            segment: tuple[int, int] | None = None) -> Iterator[Region]:
    """Record-aligned regions of the file's (uncompressed) bytes.

    ``segment=(lo, hi)`` (rotated plain files only) reads the records that start in
    ``[align(lo), align(hi))``, ``align`` moving to the next record start: consecutive
    segments tile the file, so two processes can share one big file."""
    path = os.fspath(path)
    if segment is not None and not compression:
        yield from _mmap_regions(path, segment)
        return
    if compression in ("gz", "zst"):
        yield from _chunk_regions(_gz_chunks(path) if compression == "gz" else _zst_chunks(path))
        return
    if use_mmap is None:
        use_mmap = is_rotated_name(os.path.basename(path))
    if use_mmap:
        yield from _mmap_regions(path)
    else:
        with open(path, "rb", buffering=0) as raw:
            yield from _stream_regions(raw, path, None)


def align_to_record(buf, pos: int, size: int) -> int:
    """The first record start at or after ``pos`` (``size`` if none)."""
    if pos <= 0:
        return 0
    if pos >= size:
        return size
    found = first_record_start(buf, pos, size, buf[pos - 1:pos] == b"\n")
    return size if found < 0 else found


def _mmap_regions(path: str, segment: tuple[int, int] | None = None) -> Iterator[Region]:
    with open(path, "rb", buffering=0) as raw:
        size = os.fstat(raw.fileno()).st_size
        if size == 0:
            return
        try:
            mm = mmap.mmap(raw.fileno(), size, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # not mappable (special file...): plain reads
            if segment is None or segment[0] <= 0:
                yield from _stream_regions(raw, path, None)
            return
        try:
            if hasattr(mm, "madvise"):
                mm.madvise(mmap.MADV_SEQUENTIAL)
            start = 0
            if segment is not None:
                start = align_to_record(mm, segment[0], size)
                size = align_to_record(mm, segment[1], size)
            page = mmap.PAGESIZE
            while start < size:
                end = min(size, start + WINDOW)
                if end < size:
                    end = cut_point(mm, start, end)
                yield Region(mm, start, end, start)
                if hasattr(mm, "madvise"):
                    lo = (start // page) * page
                    hi = (end // page) * page
                    if hi > lo:
                        mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
                start = end
        finally:
            mm.close()


def _gz_chunks(path: str) -> Iterator[bytes]:
    """Decoded pieces of every gzip member, fed by hand: a truncated file gives all the output
    it holds (``GzipFile`` drops its last buffer at the cut), then ``LogReadError``."""
    produced = 0
    _zlib = _gz_lib()
    with open(path, "rb") as raw:
        d = _zlib.decompressobj(31)  # 31: gzip header and trailer
        started = False
        while True:
            # 64 KiB of input at a time keeps the output in cache: ~2x faster than 1 MiB
            chunk = raw.read(1 << 16)
            if not chunk:
                if started and not d.eof:
                    tail = d.flush()
                    if tail:
                        yield tail
                        produced += len(tail)
                    raise LogReadError(f"truncated gzip file: ended after {produced} bytes, before its end marker")
                return
            while chunk:
                if d.eof:  # next member of a multi-member file
                    if not chunk.strip(b"\x00"):
                        break  # zero padding after the last member
                    d = _zlib.decompressobj(31)
                started = True
                try:
                    out = d.decompress(chunk)
                except _zlib.error as exc:
                    raise LogReadError(f"corrupt gzip data after {produced} bytes: {exc}") from exc
                if out:
                    produced += len(out)
                    yield out
                chunk = d.unused_data if d.eof else b""


def _zst_chunks(path: str) -> Iterator[bytes]:
    """Decoded pieces of every zstd frame. python-zstandard returns EOF quietly when the input
    stops mid-frame; the frame's declared content size (OceanBase and zstd(1) write it) tells."""
    import zstandard

    produced = 0
    with open(path, "rb") as raw:
        head = raw.read(18)
        raw.seek(0)
        try:
            expected = zstandard.frame_content_size(head)
        except zstandard.ZstdError:
            expected = -1
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        while True:
            try:
                data = reader.read(1 << 20)
            except zstandard.ZstdError as exc:
                raise LogReadError(f"corrupt zstd data after {produced} bytes: {exc}") from exc
            if not data:
                break
            produced += len(data)
            yield data
    if expected is not None and expected > 0 and produced < expected:
        raise LogReadError(f"truncated zstd file: {produced} of {expected} bytes decoded")


def _chunk_regions(chunks: Iterator[bytes]) -> Iterator[Region]:
    """Regions straight over decoded chunks: only the record cut at each chunk edge is copied.

    Every region starts at a record start (a header at a line start, or the file start)."""
    carry = b""  # the unfinished last record, from its start
    offset = 0  # file offset of carry[0]
    try:
        for chunk in chunks:
            if not chunk:
                continue
            if carry:
                first = first_record_start(chunk, 0, len(chunk), carry.endswith(b"\n"))
                if first < 0:
                    carry += chunk
                    if len(carry) >= MAX_LINE:  # a record bigger than MAX_LINE: cut it at a line
                        nl = carry.rfind(b"\n")
                        cut = nl + 1 if nl >= 0 else len(carry)
                        yield Region(carry, 0, cut, offset)
                        offset += cut
                        carry = carry[cut:]
                    continue
                head = carry + chunk[:first] if first else carry
                yield Region(head, 0, len(head), offset)
                offset += len(head)
            else:
                first = 0
            last = last_record_start(chunk, first, len(chunk))
            if last > first:
                yield Region(chunk, first, last, offset)
                offset += last - first
            carry = chunk[last:]
    except LogReadError:
        if carry:
            yield Region(carry, 0, len(carry), offset)
        raise
    if carry:
        yield Region(carry, 0, len(carry), offset)


def _read_into(stream, view) -> int:
    if hasattr(stream, "readinto"):
        return stream.readinto(view) or 0
    data = stream.read(len(view))
    view[: len(data)] = data
    return len(data)


def _first_buffer_size(stream) -> int:
    """A regular file's size and some room to grow, up to the full buffer. ``bytearray(n)``
    writes its n zero bytes: 9 MiB of page faults is ~10 ms, a sixth of the start-up of a
    count over small live files."""
    full = BLOCK + MAX_LINE
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return full
    return min(full, st.st_size + GROWTH) if stat.S_ISREG(st.st_mode) else full


GROWTH = 64 << 10
"""Room for lines a live file gains while it is read; past it the buffer grows to full size."""


def _stream_regions(stream, path: str, compression: str | None) -> Iterator[Region]:
    full = BLOCK + MAX_LINE
    buf = bytearray(_first_buffer_size(stream))
    view = memoryview(buf)
    carry = 0  # bytes of an unfinished record kept at the front of buf
    offset = 0  # file offset of buf[0]
    try:
        while True:
            try:
                n = _read_into(stream, view[carry:min(len(buf), carry + BLOCK)])
            except LogReadError:
                raise
            except (OSError, EOFError, ValueError) as exc:
                if carry:
                    yield Region(buf, 0, carry, offset)
                kind = f"{compression} " if compression else ""
                raise LogReadError(f"{kind}read failed after {offset + carry} bytes: {exc}") from exc
            except Exception as exc:  # a decompressor's own error type
                if carry:
                    yield Region(buf, 0, carry, offset)
                raise LogReadError(f"read failed after {offset + carry} bytes: {type(exc).__name__}: {exc}") from exc
            if n == 0:
                if carry:
                    yield Region(buf, 0, carry, offset)
                return
            filled = carry + n
            if filled == len(buf) < full:  # the file grew past its size at open: the full buffer
                bigger = bytearray(full)
                bigger[:filled] = view[:filled]
                view.release()
                buf, view, carry = bigger, memoryview(bigger), filled
                continue
            end = last_record_start(buf, 0, filled)
            if end == 0:  # the buffer holds one unfinished record
                if filled < len(buf):
                    carry = filled
                    continue
                nl = buf.rfind(b"\n", 0, filled)  # a record bigger than the buffer: cut it
                end = nl + 1 if nl >= 0 else filled
            yield Region(buf, 0, end, offset)
            rest = filled - end
            if rest:
                buf[0:rest] = buf[end:filled]
            carry = rest
            offset += end
    finally:
        view.release()
        close = getattr(stream, "close", None)
        if close:
            try:
                close()
            except Exception:
                pass
