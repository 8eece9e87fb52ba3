"""Line breaking for the text report: identifiers stay whole, everything else wraps as text.

A DBA copies trace ids, addresses, view names and status or error names out of the report, so
those are never split (one longer than the line goes on a line of its own and overflows it). Other
text breaks after spaces, then after punctuation (``]``, ``,``, ``)``, ``=``, ``/``), and only as a
last resort inside a word: a log line is shown whole, just folded.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

from obdoctor.logs import TRACE_ID

IDENTIFIER = re.compile("|".join((
    TRACE_ID.pattern,
    r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?\b",           # timestamps
    r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b",                    # IPv4, ip:port
    r"\[[0-9a-fA-F:]*:[0-9a-fA-F:]*\](?::\d{1,5})?",                # [IPv6]:port
    r"(?<![\w$])(?:__all_\w+|(?:CDB|DBA|GV\$|V\$)_?OB_\w+|[GV]\$\w+)",  # view and table names
    r"(?<![\w-])-?\d+\b",                                           # codes, ids
    r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b",                           # statuses, error names
    r"\b[\w.-]+\.log(?:\.\d+)?(?::\d+)?\b",                          # observer.log.20230926:259
)))
"""What must not be split across lines (see the module docstring)."""

_UNIT = re.compile(rf"(?P<id>{IDENTIFIER.pattern})|(?P<space>\s+)|(?P<word>\w+)|(?P<other>.)", re.DOTALL)
_BREAK_AFTER = frozenset("]),;=/&|>}")


def wrap(text: str, width: int, indent: int = 0, first: int | None = None) -> list[str]:
    """``text`` folded to ``width`` cells: the first line indented by ``first`` (default
    ``indent``) spaces, the others by ``indent``. Newlines in ``text`` are kept."""
    first = indent if first is None else first
    out: list[str] = []
    for n, paragraph in enumerate(text.split("\n")):
        pad = first if n == 0 else indent
        rows = _fold(paragraph, max(width - pad, 16), max(width - indent, 16))
        out.append(" " * pad + rows[0])
        out += [" " * indent + r for r in rows[1:]]
    return out


def _fold(text: str, first_room: int, room: int) -> list[str]:
    rows: list[str] = []
    line: list[str] = []
    used = 0
    cut = 0  # units of ``line`` before the last break opportunity (0: none)

    def limit() -> int:
        return first_room if not rows else room

    def flush(upto: int) -> None:
        nonlocal line, used, cut
        rows.append("".join(line[:upto]).rstrip())
        rest = line[upto:]
        while rest and rest[0].isspace():
            rest.pop(0)
        line, used, cut = rest, sum(cell_len(u) for u in rest), 0

    for m in _UNIT.finditer(text):
        unit, kind = m.group(), m.lastgroup
        if kind == "space":
            if line:
                line.append(unit)
                used += cell_len(unit)
                cut = len(line)
            continue
        size = cell_len(unit)
        if used + size > limit() and line:
            flush(cut if cut else len(line))
            if used + size > limit() and line:
                flush(len(line))
        if size > limit() and kind == "word":  # a run longer than a line: fold it anywhere
            while size > limit() - used:
                take = _fit(unit, limit() - used)
                line.append(unit[:take])
                flush(len(line))
                unit = unit[take:]
                size = cell_len(unit)
        line.append(unit)
        used += size
        if kind == "other" and unit in _BREAK_AFTER:
            cut = len(line)
    if line or not rows:
        rows.append("".join(line).rstrip())
    return rows


def _fit(word: str, room: int) -> int:
    """How many characters of ``word`` fit in ``room`` cells (at least one)."""
    total = 0
    for i, ch in enumerate(word):
        total += cell_len(ch)
        if total > room:
            return max(i, 1)
    return len(word)


def cut_middle(text: str, longest: int, keep_head: int, keep_tail: int) -> str:
    """``text`` when at most ``longest`` characters, else its start and end with what was cut said
    between them (on an identifier boundary: the cut never splits a trace id)."""
    if len(text) <= longest:
        return text
    head, tail = keep_head, len(text) - keep_tail
    for m in IDENTIFIER.finditer(text):
        if m.start() < head < m.end():
            head = m.start()
        if m.start() < tail < m.end():
            tail = m.end()
    return f"{text[:head]} [… {tail - head} characters cut; --full shows the whole line …] {text[tail:]}"
