"""Find OceanBase log files (rotated, .wf twins, compressed) and open them as byte streams."""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from obdoctor.logs.parser import parse_ts

try:  # python-isal decompresses gzip several times faster than zlib
    from isal import igzip as _gzip
except ImportError:  # pragma: no cover - isal is a dependency, but stay usable without it
    _gzip = gzip

_NAME = re.compile(
    r"^(?P<family>observer|rootservice|election|trace|alert)\.log(?P<wf>\.wf)?"
    r"(?:\.(?P<stamp>\d{17}|\d{14}))?(?P<comp>\.gz|\.zst)?$"
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
    """Log files under ``directory`` (and its ``alert/``), plus files skipped and why."""
    found: list[LogFile] = []
    skipped: list[tuple[Path, str]] = []
    if not directory.is_dir():
        return found, [(directory, "not a directory")]
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        entry = classify(path, server)
        if entry is None:
            skipped.append((path, "not an OceanBase log file name"))
        else:
            found.append(entry)
    found.sort(key=LogFile.sort_key)
    return found, skipped


def open_bytes(log: LogFile) -> BinaryIO:
    """A binary stream of the file's uncompressed bytes."""
    raw = open(log.path, "rb")
    if log.compression == "gz":
        return _gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if log.compression == "zst":
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return raw


def first_timestamp(log: LogFile) -> datetime | None:
    """Time of the first line with a header (``None`` if none in the first 64 KiB)."""
    try:
        with open_bytes(log) as stream:
            head = stream.read(65536)
    except (OSError, EOFError, ValueError):
        return None
    for line in head.split(b"\n"):
        if line.startswith(b"[") and len(line) > 27:
            ts = parse_ts(line[1:27].decode("ascii", "replace"))
            if ts:
                return ts
        elif line[:4].isdigit() and len(line) > 26:
            ts = parse_ts(line[:26].decode("ascii", "replace"))
            if ts:
                return ts
    return None


def overlaps(log: LogFile, since: datetime | None, until: datetime | None) -> bool:
    """Whether the file's time span [first line, rotation time] meets [since, until]."""
    if since and log.rotated_at and log.rotated_at < since:
        return False
    if until:
        start = first_timestamp(log)
        if start and start > until:
            return False
    return True
