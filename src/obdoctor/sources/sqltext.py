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

ParsedRows = tuple[list[tuple[int, dict[str, object]]], list[str]]

_ROWS_IN_SET = re.compile(r"^\s*(\d+ rows? in set|Empty set)\b", re.IGNORECASE)
_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#]*$")
_EMPTY_SET = re.compile(r"^\s*Empty set\b", re.IGNORECASE)
_VERTICAL_HEAD = re.compile(r"^\s*\*+\s*\d+\.\s*row\s*\*+\s*$")
# ``   COLUMN: value``; the seed also prints ``PATH:file:///...`` and ``COMMENT:(server)...`` with no space.
_VERTICAL_FIELD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$#]*)\s*:\s?(.*)$")


def parse_text(text: str) -> ParsedRows:
    """Either form of mysql/obclient output, detected from the first meaningful line."""
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


def _split_cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [c.strip() for c in inner.split("|")]


def parse_table(text: str) -> ParsedRows:
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[str] = []
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("+") or _ROWS_IN_SET.match(stripped):
            continue
        if not stripped.startswith("|"):
            continue  # prompts, queries and other chatter around the table
        cells = _split_cells(stripped)
        if header is None:
            header = cells
            continue
        if len(cells) != len(header):
            # a '|' inside a value: keep the row when the extra cells can be glued to one column
            glued = _glue_extra(cells, header, len(cells) - len(header)) if len(cells) > len(header) else None
            if glued is not None:
                cells = glued
            else:
                problems.append(f"line {number}: {len(cells)} cells for {len(header)} columns; row skipped")
                continue
        rows.append((number, {h: _cell(v) for h, v in zip(header, cells)}))
    if header is None:
        problems.append("no header row found")
    return rows, problems


def _glue_extra(cells: list[str], header: list[str], extra: int) -> list[str] | None:
    """Join surplus cells into the one free-text column that may hold a '|' (COMMENT, EXTRA_INFO,
    PATH...); None when the view has no such column: the row is malformed, not a value with '|'."""
    for name in ("COMMENT", "EXTRA_INFO", "PATH", "DESCRIPTION", "VALUE", "INFO", "BLACK_LIST"):
        for i, h in enumerate(header):
            if h.upper() == name:
                return cells[:i] + [" | ".join(cells[i : i + extra + 1])] + cells[i + extra + 1 :]
    return None


def _cell(value: str) -> object:
    return None if value == "NULL" else value


def parse_vertical(text: str) -> ParsedRows:
    """``\\G`` output. A line is a new column only if it looks like ``NAME: value`` and, after the
    first row, NAME is one of the first row's columns; anything else continues the previous
    value (a COMMENT spanning lines), so ``trace_id: Y...`` inside a value is not a column."""
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[str] = []
    current: dict[str, object] | None = None
    start = 0
    last_key: str | None = None
    known: set[str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if _VERTICAL_HEAD.match(stripped):
            if current is not None:
                rows.append((start, current))
                if known is None:
                    known = set(current)
            current, start, last_key = {}, number, None
            continue
        if current is None or not stripped or _ROWS_IN_SET.match(stripped):
            continue
        m = _VERTICAL_FIELD.match(line)
        if m and (known is None or m.group(1) in known) and m.group(1) not in current:
            last_key = m.group(1)
            current[last_key] = _cell(m.group(2).strip())
        elif last_key is not None:
            # a value that spans lines (a COMMENT with a newline)
            previous = current.get(last_key) or ""
            current[last_key] = f"{previous}\n{stripped}"
        else:
            problems.append(f"line {number}: not 'COLUMN: value'")
    if current is not None:
        rows.append((start, current))
    return rows, problems


def parse_delimited(text: str, delimiter: str) -> ParsedRows:
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
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
    if extension == "jsonl":
        return parse_jsonl(text)
    if extension == "csv":
        return parse_delimited(text, ",")
    if extension == "tsv":
        return parse_delimited(text, "\t")
    return parse_text(text)
