"""A server's ``/proc/mounts``: parsed into lines, and made the rows of the mounts evidence.

Why a module of its own: the same text arrives three ways (``cat /proc/mounts`` over SSH, read on
this machine, a bundle's ``mounts/<ip>`` file) and is outside input; it must be read the same
way each time. The kernel writes one mount a line, six fields separated by single spaces, and
escapes a space, tab, newline and backslash inside a field as ``\\040``, ``\\011``, ``\\012``
and ``\\134`` (fs/proc_namespace.c, ``mangle``): a mount point ``/data/nfs backup`` is written
``/data/nfs\\040backup``. Nothing here decides whether a mount is right: the rules do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from obdoctor.evidence.kinds import MOUNTS_SOURCE
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.rows import Row, TableResult

MAX_LINE = 64 * 1024
"""A longer line is not a mount the kernel wrote: kept out, said."""
MAX_LINES = 100_000
SHOWN_PROBLEMS = 3
"""Lines that are not mounts named one by one per server; the rest are counted."""

_ESCAPE = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True)
class MountLine:
    device: str
    mount_point: str
    fstype: str
    options: str
    line_no: int
    raw: str


def unescape(field: str) -> str:
    """``\\040`` -> space (any three-digit octal escape, as the kernel writes them); other text as is."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)) if int(m.group(1), 8) < 256 else m.group(0), field)


def parse(text: str) -> tuple[list[MountLine], list[str]]:
    """The mounts of ``text`` in order (later lines stack over earlier ones), and the lines that are
    not mounts, each with its number. Never raises."""
    mounts: list[MountLine] = []
    problems: list[str] = []
    # The kernel's separators only (newline, space): a field may hold NBSP or \x85, where
    # splitlines() and split() would cut it.
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if number > MAX_LINES:
            problems.append(f"more than {MAX_LINES} lines: the rest not read")
            break
        if not line.strip():
            continue
        if len(line) > MAX_LINE:
            problems.append(f"line {number}: {len(line)} characters, not a mount line")
            continue
        fields = [f for f in line.split(" ") if f]
        if len(fields) < 4 or not fields[1].startswith("/"):
            problems.append(f"line {number}: not a mount line: {line[:120]!r}")
            continue
        mounts.append(MountLine(unescape(fields[0]), unescape(fields[1]), unescape(fields[2]),
                                unescape(fields[3]), number, line))
    return mounts, problems


def table(by_server: dict[str, tuple[str | None, str | None]], location: dict[str, str]) -> TableResult:
    """The rows of the mounts evidence: every mount line of every server, and one row with ERROR for
    a server whose mounts could not be read. ``by_server``: server -> (text, why not read);
    ``location``: server -> where its text came from (the command, the bundle's file)."""
    rows: list[Row] = []
    problems: list[str] = []
    for server, (text, error) in by_server.items():
        where = location.get(server)
        if text is None:
            rows.append(Row({"SVR_IP": server, "ERROR": error or "not read"},
                            Provenance("file", MOUNTS_SOURCE, server=server, location=where)))
            continue
        mounts, bad = parse(text)
        problems += [f"{server}: {MOUNTS_SOURCE} {p}" for p in bad[:SHOWN_PROBLEMS]]
        if len(bad) > SHOWN_PROBLEMS:  # a binary or foreign file: say how much, not every line
            problems.append(f"{server}: {MOUNTS_SOURCE}: {len(bad) - SHOWN_PROBLEMS} more line(s) not mount lines")
        if not mounts:
            rows.append(Row({"SVR_IP": server, "ERROR": f"{MOUNTS_SOURCE} held no mount line"},
                            Provenance("file", MOUNTS_SOURCE, server=server, location=where)))
        for m in mounts:
            rows.append(Row({"SVR_IP": server, "DEVICE": m.device, "MOUNT_POINT": m.mount_point, "FSTYPE": m.fstype,
                             "OPTIONS": m.options, "LINE": m.raw, "ERROR": None},
                            Provenance("file", MOUNTS_SOURCE, server=server, line=m.line_no, location=where)))
    return TableResult(MOUNTS_SOURCE, rows, problems=problems)
