"""Find OceanBase log files (rotated, .wf twins, compressed) and open them as byte streams."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from obdoctor.logs.parser import parse_ts

TYPE_CHECKING = False  # no ``typing`` import on the search path (~2 ms of start-up)
if TYPE_CHECKING:
    from typing import BinaryIO

_NAME = re.compile(
    r"^(?P<family>observer|rootservice|election|trace|alert)\.log(?P<wf>\.wf)?"
    r"(?:\.(?P<stamp>\d{17}|\d{14}))?(?P<comp>\.gz|\.zst)?\Z"
)
FAMILIES = ("observer", "rootservice", "election", "trace", "alert")


@dataclass(frozen=True)
class LogFile:
    path: Path
    family: str
    wf: bool
    rotated_at: datetime | None
    """Rotation time from the name suffix: about the time of the file's last line."""
    compression: str | None
    server: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def sort_key(self) -> tuple:
        # oldest rotated first, the live file last
        return (self.family, self.wf, self.rotated_at is None, self.rotated_at or datetime.min)


def classify(path: Path, server: str | None = None) -> LogFile | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    stamp = m["stamp"]
    rotated = None
    if stamp:
        try:
            rotated = datetime(
                int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[8:10]),
                int(stamp[10:12]), int(stamp[12:14]), int(stamp[14:17] or 0) * 1000,
            )
        except ValueError:
            rotated = None
    comp = m["comp"][1:] if m["comp"] else None
    return LogFile(path, m["family"], bool(m["wf"]), rotated, comp, server)


def discover(directory: Path, server: str | None = None) -> tuple[list[LogFile], list[tuple[Path, str]]]:
    """Log files under ``directory`` (and its ``alert/``), plus files skipped and why.

    Skipped: names OceanBase does not write, empty files, files we may not read."""
    found: list[LogFile] = []
    skipped: list[tuple[Path, str]] = []
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        entry = classify(directory, server)
        return ([entry], []) if entry else ([LogFile(directory, "observer", False, None, _compression_of(directory), server)], [])
    if not directory.is_dir():
        return found, [(directory, "not a directory")]
    try:
        paths = sorted(directory.rglob("*"))
    except OSError as exc:
        return found, [(directory, f"cannot list: {exc.strerror or exc}")]
    for path in paths:
        try:
            if not path.is_file():
                if not path.is_dir() and classify(path, server) is not None:  # a FIFO, a device, a socket
                    skipped.append((path, "not a regular file (a FIFO, device, socket or broken link): not read"))
                continue
            entry = classify(path, server)
            if entry is None:
                skipped.append((path, "not an OceanBase log file name"))
                continue
            if path.stat().st_size == 0:
                skipped.append((path, "empty file"))
                continue
            if not os.access(path, os.R_OK):
                skipped.append((path, "not readable (permission denied)"))
                continue
        except OSError as exc:
            skipped.append((path, f"cannot stat: {exc.strerror or exc}"))
            continue
        found.append(entry)
    found.sort(key=LogFile.sort_key)
    return found, skipped


def _compression_of(path: Path) -> str | None:
    name = path.name
    return "gz" if name.endswith(".gz") else "zst" if name.endswith(".zst") else None


def open_bytes(log: LogFile) -> BinaryIO:
    """A binary stream of the file's uncompressed bytes."""
    raw = open(log.path, "rb")
    if log.compression == "gz":
        try:  # python-isal decompresses gzip several times faster than zlib; imported here, not
            from isal import igzip as _gzip  # by every plain-file search (~5 ms)
        except ImportError:  # pragma: no cover - isal is a dependency, but stay usable without it
            import gzip as _gzip
        return _gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if log.compression == "zst":
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True, read_across_frames=True))
    return raw


def _ts_of_line(line: bytes) -> datetime | None:
    if line.startswith(b"[") and len(line) > 27:
        return parse_ts(line[1:27].decode("ascii", "replace"))
    if line[:4].isdigit() and len(line) > 26:
        return parse_ts(line[:26].decode("ascii", "replace"))
    return None


def first_timestamp(log: LogFile) -> datetime | None:
    """Time of the first line with a header (``None`` if none in the first 64 KiB)."""
    try:
        with open_bytes(log) as stream:
            head = stream.read(65536)
    except Exception:  # unreadable/corrupt: the search reports it; here it only means "unknown"
        return None
    for line in head.split(b"\n"):
        ts = _ts_of_line(line)
        if ts:
            return ts
    return None


def last_timestamp(log: LogFile) -> datetime | None:
    """Time of the last line with a header: from the file's tail (plain files), else the
    rotation stamp of the name (a compressed file cannot be read backwards cheaply)."""
    if log.compression:
        return log.rotated_at
    try:
        with open(log.path, "rb") as raw:
            size = os.fstat(raw.fileno()).st_size
            raw.seek(max(0, size - 65536))
            tail = raw.read(65536)
    except OSError:
        return log.rotated_at
    for line in reversed(tail.split(b"\n")):
        ts = _ts_of_line(line)
        if ts:
            return ts
    return log.rotated_at


def time_span(log: LogFile) -> tuple[datetime | None, datetime | None]:
    """(first line, last line) times; either may be ``None`` when unknown."""
    first = first_timestamp(log)
    last = log.rotated_at if log.rotated_at and log.compression else last_timestamp(log)
    if log.rotated_at and (last is None or last < log.rotated_at):
        last = log.rotated_at  # rotation happens just after the last line
    return first, last


REPEATED_HOUR = timedelta(hours=1)
"""How far a local wall clock goes back when daylight saving time ends (an hour everywhere
today; Lord Howe's half hour is inside it)."""


def may_repeat(when: datetime) -> bool:
    """Whether ``when`` (a server's local wall time) may lie in an hour its clock repeats: DST ends
    between 23:00 (Chile, 24:00 -> 23:00) and 04:00 local (EU 03:00 -> 02:00, US 02:00 -> 01:00)."""
    return when.hour >= 23 or when.hour < 4


def span_meets(first: datetime | None, rotated: datetime | None, since: datetime | None,
               until: datetime | None) -> bool:
    """Whether a file from ``first`` (its first line) to ``rotated`` (its name's rotation time, None
    for the live file) meets [since, until], on the server's wall clock. Near a repeated hour the
    ends are an hour looser: a file rotated at 02:10 in the second pass holds 02:30 of the first."""
    if since and rotated:
        loose = (may_repeat(since) or may_repeat(rotated)) and since >= datetime.min + REPEATED_HOUR
        if rotated < (since - REPEATED_HOUR if loose else since):
            return False
    if until and first:
        loose = (may_repeat(until) or may_repeat(first)) and until <= datetime.max - REPEATED_HOUR
        if first > (until + REPEATED_HOUR if loose else until):
            return False
    return True


def overlaps(log: LogFile, since: datetime | None, until: datetime | None) -> bool:
    """Whether the file's time span [first line, rotation time] meets [since, until] (:func:`span_meets`).

    Overlap, not containment: a file that starts before ``since`` but ends after it holds
    lines of the window (obdiag picks files by one end and misses those). A file without a
    rotation stamp is the live one, still being written: its span is open-ended (the SSH
    search decides from a listing, without the tail, and both must pick the same files).
    Unknown ends count as overlapping: better to read a file too many than to miss one."""
    if not span_meets(None, log.rotated_at, since, None):  # the name's stamp first: no read
        return False
    return not until or span_meets(first_timestamp(log), None, None, until)
