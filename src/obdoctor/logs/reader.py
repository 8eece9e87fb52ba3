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
from collections.abc import Iterator
from dataclasses import dataclass

try:  # python-isal decompresses gzip several times faster than zlib
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover
    import zlib as _zlib

try:  # optional accelerator for counting newlines (5 GB/s instead of ~1.3)
    import numpy as _np
except ImportError:  # pragma: no cover
    _np = None

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


def count_newlines(buf, start: int, end: int) -> int:
    """Newlines in ``buf[start:end]`` (numpy when present: it vectorises the compare)."""
    if end <= start:
        return 0
    if _np is not None:
        total = 0
        step = 1 << 20
        arr = _np.frombuffer(buf, dtype=_np.uint8, count=end - start, offset=start)
        try:
            for s in range(0, end - start, step):
                total += int(_np.count_nonzero(arr[s:s + step] == 10))
        finally:
            del arr
        return total
    if isinstance(buf, (bytes, bytearray)):
        return buf.count(b"\n", start, end)
    total = 0
    for s in range(start, end, 4 << 20):
        total += buf[s:min(end, s + (4 << 20))].count(b"\n")
    return total


def is_rotated_name(name: str) -> bool:
    """``observer.log.20230519132325238`` (and compressed names) are never written again."""
    tail = name.rsplit(".log", 1)[-1]
    return any(part.isdigit() and len(part) in (14, 17) for part in tail.split("."))


def regions(path, compression: str | None = None, *, use_mmap: bool | None = None) -> Iterator[Region]:
    """Line-aligned regions of the file's (uncompressed) bytes."""
    path = os.fspath(path)
    if compression in ("gz", "zst"):
        yield from _stream_regions(_open_compressed(path, compression), path, compression)
        return
    if use_mmap is None:
        use_mmap = is_rotated_name(os.path.basename(path))
    if use_mmap:
        yield from _mmap_regions(path)
    else:
        with open(path, "rb", buffering=0) as raw:
            yield from _stream_regions(raw, path, None)


def _mmap_regions(path: str) -> Iterator[Region]:
    with open(path, "rb", buffering=0) as raw:
        size = os.fstat(raw.fileno()).st_size
        if size == 0:
            return
        try:
            mm = mmap.mmap(raw.fileno(), size, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # not mappable (special file...): plain reads
            yield from _stream_regions(raw, path, None)
            return
        try:
            if hasattr(mm, "madvise"):
                mm.madvise(mmap.MADV_SEQUENTIAL)
            start = 0
            page = mmap.PAGESIZE
            while start < size:
                end = min(size, start + WINDOW)
                if end < size:
                    nl = mm.rfind(b"\n", start, end)
                    end = nl + 1 if nl >= start else end
                yield Region(mm, start, end, start)
                if hasattr(mm, "madvise"):
                    lo = (start // page) * page
                    hi = (end // page) * page
                    if hi > lo:
                        mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
                start = end
        finally:
            mm.close()


class _ZstdReader:
    """A ``read(n)`` over every zstd frame of the file that notices truncation.

    python-zstandard returns EOF quietly when the input stops mid-frame; we compare with the
    frame's declared content size (OceanBase and zstd(1) write it) to tell."""

    def __init__(self, path: str):
        import zstandard

        self._raw = open(path, "rb")
        head = self._raw.read(18)
        self._raw.seek(0)
        try:
            self.expected = zstandard.frame_content_size(head)
        except zstandard.ZstdError:
            self.expected = -1
        self._reader = zstandard.ZstdDecompressor().stream_reader(self._raw, read_across_frames=True)
        self.produced = 0
        self._error = zstandard.ZstdError

    def read(self, n: int) -> bytes:
        try:
            data = self._reader.read(n)
        except self._error as exc:
            raise LogReadError(f"corrupt zstd data after {self.produced} bytes: {exc}") from exc
        self.produced += len(data)
        if not data and self.expected is not None and self.expected > 0 and self.produced < self.expected:
            raise LogReadError(f"truncated zstd file: {self.produced} of {self.expected} bytes decoded")
        return data

    def close(self) -> None:
        self._reader.close()
        self._raw.close()


class _GzReader:
    """``read(n)`` over every gzip member, fed by hand so a truncated file gives all the
    output it holds (``GzipFile`` drops the last buffer when it hits the cut) and then a
    ``LogReadError``."""

    def __init__(self, path: str):
        self._raw = open(path, "rb")
        self._new = lambda: _zlib.decompressobj(31)  # 31: gzip header and trailer
        self._d = self._new()
        self._pending = b""
        self._started = False
        self.produced = 0

    def read(self, n: int) -> bytes:
        while True:
            if self._pending:
                out, self._pending = self._pending[:n], self._pending[n:]
                self.produced += len(out)
                return out
            chunk = self._raw.read(1 << 20)
            if not chunk:
                if self._started and not self._d.eof:
                    tail = self._d.flush()
                    if tail:
                        self._pending = tail
                        continue
                    raise LogReadError(f"truncated gzip file: ended after {self.produced} bytes, before its end marker")
                return b""
            while chunk:
                if self._d.eof:  # next member of a multi-member file
                    if not chunk.strip(b"\x00"):
                        chunk = b""  # zero padding after the last member
                        break
                    self._d = self._new()
                self._started = True
                try:
                    self._pending += self._d.decompress(chunk)
                except _zlib.error as exc:
                    raise LogReadError(f"corrupt gzip data after {self.produced} bytes: {exc}") from exc
                chunk = self._d.unused_data if self._d.eof else b""

    def close(self) -> None:
        self._raw.close()


def _open_compressed(path: str, compression: str):
    if compression == "gz":
        return _GzReader(path)
    return _ZstdReader(path)


def _read_into(stream, view) -> int:
    if hasattr(stream, "readinto"):
        return stream.readinto(view) or 0
    data = stream.read(len(view))
    view[: len(data)] = data
    return len(data)


def _stream_regions(stream, path: str, compression: str | None) -> Iterator[Region]:
    buf = bytearray(BLOCK + MAX_LINE)
    view = memoryview(buf)
    carry = 0  # bytes of an unfinished line kept at the front of buf
    offset = 0  # file offset of buf[0]
    try:
        while True:
            try:
                n = _read_into(stream, view[carry:carry + BLOCK])
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
            nl = buf.rfind(b"\n", 0, filled)
            if nl < 0:
                if filled < MAX_LINE:
                    carry = filled
                    continue
                end = filled  # a huge line without newline: cut it
            else:
                end = nl + 1
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
