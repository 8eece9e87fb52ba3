"""Read a view's rows from the text a DBA saved: obclient/mysql tables, ``\\G`` output, CSV, TSV, JSONL.

Every reader returns rows as ``(line number, {column: value})`` and a list of problems; it never
raises on bad input. Blank cells and ``NULL`` are kept (as ``""`` and ``None``) for the
typed layer to interpret.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

ParsedRows = tuple[list[tuple[int, dict[str, object]]], list[str]]

_ROWS_IN_SET = re.compile(r"^\s*(\d+ rows? in set|Empty set)\b", re.IGNORECASE)
_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#]*$")
_EMPTY_SET = re.compile(r"^\s*Empty set\b", re.IGNORECASE)
_VERTICAL_HEAD = re.compile(r"^\s*\*+\s*\d+\.\s*row\s*\*+\s*$")
# ``   COLUMN: value``; the seed also prints ``PATH:file:///...`` and ``COMMENT:(server)...`` with no space.
_VERTICAL_FIELD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$#]*)\s*:\s?(.*)$")


def parse_text(text: str) -> ParsedRows:
    """Either form of mysql/obclient output, detected from the first meaningful line."""
    text = strip_bom(text)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if _VERTICAL_HEAD.match(stripped):
            return parse_vertical(text)
        if stripped.startswith("+") or stripped.startswith("|"):
            return parse_table(text)
        if "\t" in line and all(_COLUMN_NAME.match(c.strip()) for c in line.split("\t")):
            return parse_delimited(text, "\t")  # mysql -B (batch) output
        break
    if any(_EMPTY_SET.match(l) for l in text.splitlines()):
        return [], []  # the query ran and returned nothing: an available, empty view
    if any(_VERTICAL_HEAD.match(l.strip()) for l in text.splitlines()):
        return parse_vertical(text)
    if any(l.strip().startswith("+-") for l in text.splitlines()):
        return parse_table(text)
    return [], ["no table found (expected '+---+' table or '*** 1. row ***' vertical output)"]


_BORDER = re.compile(r"^\+(?:-*\+)+$")
_FREE_TEXT = ("COMMENT", "EXTRA_INFO", "PATH", "DESCRIPTION", "VALUE", "INFO", "BLACK_LIST")
"""Columns that may hold a ``|`` of their own; surplus cells are glued into one of them only
when the row's printed alignment cannot place them (a table whose padding was lost)."""


def strip_bom(text: str) -> str:
    """A UTF-8 byte order mark (Excel's CSV, Windows editors) is not part of the first column's name."""
    return text[1:] if text.startswith("\ufeff") else text


def _width(text: str) -> int:
    """Display width as the mysql client pads cells: CJK and fullwidth characters take two columns."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _split_cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [c.strip() for c in inner.split("|")]


def _cut(body: str, bounds: list[int]) -> list[str] | None:
    """Cells cut at the border's ``+`` columns; None when the row is not printed to that grid.

    This is what makes a ``|`` inside a value unambiguous: the client pads every cell to its
    column's width, so the separators sit exactly under the border's ``+`` signs.
    """
    if not bounds or len(bounds) < 2:
        return None
    if body.isascii():
        if len(body) != bounds[-1] + 1 or any(body[b] != "|" for b in bounds):
            return None
        return [body[a + 1:b].strip() for a, b in zip(bounds, bounds[1:])]
    index, column = [], 0  # display column -> character index
    for i, ch in enumerate(body):
        index.append((column, i))
        column += _width(ch)
    if column != bounds[-1] + 1:
        return None
    at = dict(index)
    if any(at.get(b) is None or body[at[b]] != "|" for b in bounds):
        return None
    return [body[at[a] + 1:at[b]].strip() for a, b in zip(bounds, bounds[1:])]


def _dedent(line: str, indent: int) -> str:
    """A line without the table's own indentation (a table pasted from a document)."""
    if indent and line[:indent].isspace():
        return line[indent:]
    return line


def parse_table(text: str) -> ParsedRows:
    """A ``+---+`` table. A row is complete when its cells fill the border's grid (or, when the
    padding was lost, when it ends with ``|`` and has a cell per column); until then the lines
    that follow belong to it: a value with a raw newline (a multi-line COMMENT) spans lines."""
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[str] = []
    header: list[str] | None = None
    lines = strip_bom(text).splitlines()
    border = next((line for line in lines if _BORDER.match(line.strip())), None)
    indent = len(border) - len(border.lstrip()) if border else 0
    bounds = [i for i, c in enumerate(border.strip()) if c == "+"] if border else []
    borders_seen = 0
    i, n = 0, len(lines)
    while i < n:
        number, line = i + 1, lines[i]
        i += 1
        stripped = line.strip()
        if _BORDER.match(stripped) or stripped.startswith("+-"):
            borders_seen += 1
            continue
        if not stripped or _ROWS_IN_SET.match(stripped):
            continue
        if not stripped.startswith("|"):
            if header is not None and borders_seen == 2:
                problems.append(f"line {number}: text inside the table that belongs to no cell: {stripped[:60]!r}")
            continue  # prompts, queries and other chatter around the table
        body = _dedent(line, indent).rstrip("\r")
        if header is None:
            header = _cut(body.rstrip(), bounds) or _split_cells(body)
            continue
        while i < n and _needs_more(body, lines[i], bounds, len(header)):
            body += "\n" + _dedent(lines[i], indent).rstrip("\r")
            i += 1
        last = number + body.count("\n")
        where = f"line {number}" if last == number else f"lines {number}-{last}"
        cells = _cut(body.rstrip(" "), bounds) or _cut(body, bounds)
        if cells is None:
            cells = _split_cells(body)
            if len(cells) != len(header):
                # a '|' inside a value: keep the row when the extra cells can be glued to one column
                glued = _glue_extra(cells, header, len(cells) - len(header)) if len(cells) > len(header) else None
                if glued is None:
                    problems.append(f"{where}: {len(cells)} cells for {len(header)} columns; row skipped")
                    continue
                cells = glued
        rows.append((number, {h: _cell(v) for h, v in zip(header, cells)}))
    if header is None:
        problems.append("no header row found")
    return rows, problems


def _needs_more(body: str, following: str, bounds: list[int], columns: int) -> bool:
    """Whether ``following`` continues the row in ``body`` (a value holding a newline)."""
    nxt = following.strip()
    if _BORDER.match(nxt) or _ROWS_IN_SET.match(nxt):
        return False
    if _cut(body.rstrip(" "), bounds) is not None:
        return False
    if bounds and _width(body) + 1 + _width(following.rstrip()) <= bounds[-1] + 1:
        return True  # the row is still narrower than the grid and the next line fits in it
    ends = body.rstrip().endswith("|")
    if ends and nxt.startswith("|"):
        return False
    return not ends or len(_split_cells(body)) < columns


def _glue_extra(cells: list[str], header: list[str], extra: int) -> list[str] | None:
    """Join surplus cells into the one free-text column that may hold a '|' (COMMENT, EXTRA_INFO,
    PATH...); None when the view has no such column: the row is malformed, not a value with '|'."""
    for name in _FREE_TEXT:
        for i, h in enumerate(header):
            if h.upper() == name:
                return cells[:i] + [" | ".join(cells[i : i + extra + 1])] + cells[i + extra + 1 :]
    return None


def _cell(value: str) -> object:
    return None if value == "NULL" else value


def parse_vertical(text: str) -> ParsedRows:
    """``\\G`` output. A line is a new column only if it looks like ``NAME: value`` and nothing
    says it continues the previous value: after the first row NAME must be one of the first
    row's columns; in any row it must be written in the row's case (``result:`` inside an
    upper-case record is text) and sit at the row's colon column when the names are
    right-aligned, as the client prints them. So ``trace_id: Y...`` inside a multi-line COMMENT of the first or
    only row stays in the COMMENT."""
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[str] = []
    for start, body in _records(strip_bom(text).splitlines()):
        shape = _RecordShape(body)
        current: dict[str, object] = {}
        last_key: str | None = None
        known = set(rows[0][1]) if rows else None
        for number, line in body:
            stripped = line.strip()
            if not stripped or _ROWS_IN_SET.match(stripped):
                if last_key is not None and not stripped and not _ROWS_IN_SET.match(stripped):
                    current[last_key] = f"{current.get(last_key) or ''}\n"
                continue
            m = _VERTICAL_FIELD.match(line)
            if (m and m.group(1) not in current and (known is None or m.group(1) in known)
                    and shape.is_field(line, m)):
                last_key = m.group(1)
                current[last_key] = _cell(m.group(2).strip())
            elif last_key is not None:
                # a value that spans lines (a COMMENT with a newline)
                previous = current.get(last_key) or ""
                current[last_key] = f"{previous}\n{stripped}"
            else:
                problems.append(f"line {number}: not 'COLUMN: value'")
        for key, value in current.items():
            if isinstance(value, str) and value.endswith("\n"):
                current[key] = value.rstrip("\n")
        rows.append((start, current))
    return rows, problems


def _records(lines: list[str]) -> list[tuple[int, list[tuple[int, str]]]]:
    """The ``*** N. row ***`` records: (head line number, [(line number, line)])."""
    records: list[tuple[int, list[tuple[int, str]]]] = []
    for number, line in enumerate(lines, 1):
        if _VERTICAL_HEAD.match(line.strip()):
            records.append((number, []))
        elif records:
            records[-1][1].append((number, line))
    return records


class _RecordShape:
    """How a record's field lines look: their colon column (the client right-aligns names, so
    every field's colon is in one column; a value's own lines start at column 0) and case."""

    def __init__(self, body: list[tuple[int, str]]):
        # the first line after the row head is always a field: its colon and case are the record's
        matches = [(line, m) for _, line in body if (m := _VERTICAL_FIELD.match(line))]
        colons = [line.index(":", m.end(1)) for line, m in matches]
        self.colon = colons[0] if colons else None
        at_colon = [line for (line, _), c in zip(matches, colons) if c == self.colon]
        leading = {len(line) - len(line.lstrip()) for line in at_colon}
        self.indent = min(leading, default=0)
        self.aligned = len(at_colon) >= 2 and len(leading) > 1  # names of different lengths right-aligned
        first = matches[0][1].group(1) if matches else ""
        self.case = _case(first)

    def is_field(self, line: str, m: re.Match) -> bool:
        name = m.group(1)
        if self.case in ("upper", "lower") and _case(name) not in (None, self.case):
            return False
        if self.aligned:
            colon = line.index(":", m.end(1))
            if colon == self.colon:
                return True
            # a hand-edited document may be off by a space or two; a value's line is not indented
            return abs(colon - self.colon) <= 2 and len(line) - len(line.lstrip()) > self.indent
        return True


def _case(name: str) -> str | None:
    """``upper``, ``lower``, ``mixed``, or None for a name without letters (``_``, ``$1``)."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return None
    if all(c.isupper() for c in letters):
        return "upper"
    return "lower" if all(c.islower() for c in letters) else "mixed"


def parse_delimited(text: str, delimiter: str) -> ParsedRows:
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[str] = []
    reader = csv.reader(io.StringIO(strip_bom(text)), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], ["empty file"]
    except csv.Error as exc:
        return [], [f"unreadable header: {exc}"]
    header = [h.strip() for h in header]
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"line {reader.line_num}: {exc}")
            continue
        if not cells:
            continue  # a blank line (a row of empty values still has its delimiters or quotes)
        if len(cells) != len(header):
            problems.append(f"line {reader.line_num}: {len(cells)} cells for {len(header)} columns; row skipped")
            continue
        values = {h: (None if c in ("\\N", "NULL") else c) for h, c in zip(header, cells)}
        rows.append((reader.line_num, values))
    return rows, problems


def parse_jsonl(text: str) -> ParsedRows:
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc.msg})")
            continue
        if not isinstance(value, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        rows.append((number, value))
    return rows, problems


def parse_by_extension(text: str, extension: str) -> ParsedRows:
    extension = extension.lower()
    text = strip_bom(text)
    if extension == "jsonl":
        return parse_jsonl(text)
    if extension == "csv":
        return parse_delimited(text, ",")
    if extension == "tsv":
        return parse_delimited(text, "\t")
    return parse_text(text)
