"""Read a view's rows from the text a DBA saved: obclient/mysql tables, ``\\G`` output, CSV, TSV, JSONL.

Every reader returns rows as ``(line number, {column: value})`` and a list of problems; it never
raises on bad input. Blank cells and ``NULL`` are kept (as ``""`` and ``None``) for the
typed layer to interpret.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from operator import itemgetter
from sys import intern

from obdoctor.catalog.client_width import WIDE_MARKS as _WIDE, width as _width
from obdoctor.sources.client_markup import is_markup, markup_cells

ParsedRows = tuple[list[tuple[int, dict[str, object]]], list[str]]
Cells = tuple[int, "list[str] | None", "list[str | None] | dict[str, object]"]

_ROWS_IN_SET = re.compile(r"^\s*(\d+ rows? in set|Empty set)\b", re.IGNORECASE)
_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#]*$")
_EMPTY_SET = re.compile(r"^\s*Empty set\b", re.IGNORECASE)
_VERTICAL_HEAD = re.compile(r"^\s*\*+\s*\d+\.\s*row\s*\*+\s*$")
# ``   COLUMN: value``; the seed also prints ``PATH:file:///...`` and ``COMMENT:(server)...`` with no space.
_VERTICAL_FIELD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$#]*)\s*:\s?(.*)$")


def parse_text(text: str) -> ParsedRows:
    """Any form of mysql/obclient output (table, ``\\G``, ``-B``, ``--xml``, ``--html``), detected
    from the first meaningful line."""
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
            return parse_batch(text)  # mysql -B (batch) output
        if is_markup(stripped):
            problems: list[str] = []
            return _as_dicts(markup_cells(text, problems)), problems
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


def _split_cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [c.strip() for c in inner.split("|")]


class _Grid:
    """The border's ``+`` columns, with the C-level getters that cut a row at them."""

    def __init__(self, bounds: list[int]):
        self.width = bounds[-1] + 1 if bounds else 0
        self.usable = len(bounds) >= 2
        if self.usable:
            self._seps = itemgetter(*bounds)
            self._pipes = ("|",) * len(bounds)
            spans = [slice(a + 1, b) for a, b in zip(bounds, bounds[1:])]
            self._cells = itemgetter(*spans) if len(spans) > 1 else (lambda text, _s=spans[0]: (text[_s],))

    def cut(self, body: str) -> list[str] | None:
        """Cells cut at the border's ``+`` columns; None when the row is not printed to that grid.

        This is what makes a ``|`` inside a value unambiguous: the client pads every cell to its
        column's width, so the separators sit exactly under the border's ``+`` signs.
        """
        if not self.usable:
            return None
        wide = not body.isascii()
        if wide:
            body = body.translate(_WIDE)
        if len(body) != self.width or self._seps(body) != self._pipes:
            return None
        # interned: a view repeats its values (module, event, names, addresses) on every row
        cells = tuple(map(intern, map(str.strip, self._cells(body))))
        return tuple(c.replace("\0", "") for c in cells) if wide else cells


def _lines(text: str, ends: bool = True) -> Iterator[str]:
    """The lines of ``text`` (with their ``\\n`` when ``ends``), one at a time, split a block of
    about 1 MB at a time (``io.StringIO`` would copy a big view's text into four bytes per
    character; ``splitlines`` would hold every line at once, and also splits on U+2028 and
    other characters a value may hold)."""
    start, size = 0, len(text)
    while start < size:
        stop = text.find("\n", min(start + (1 << 20), size) - 1)
        stop = size if stop < 0 else stop + 1
        parts = text[start:stop].split("\n")
        last = parts.pop()  # '' when the block ends with a newline
        if ends:
            yield from (p + "\n" for p in parts)
        else:
            yield from parts
        if last:
            yield last
        start = stop


_BORDER_LINE = re.compile(r"^[ \t]*\+(?:-*\+)+[ \t]*\r?$", re.MULTILINE)


class _Lookahead:
    """Numbered lines without their ends, one at a time, with the next one visible (a row's
    value may continue on it)."""

    def __init__(self, text: str):
        self._lines = _lines(text, ends=False)
        self._number = 0
        self.following: str | None = self._pull()

    def _pull(self) -> str | None:
        line = next(self._lines, None)
        return None if line is None else line.rstrip("\r")

    def __iter__(self) -> "_Lookahead":
        return self

    def __next__(self) -> tuple[int, str]:
        if self.following is None:
            raise StopIteration
        line, self.following = self.following, self._pull()
        self._number += 1
        return self._number, line


def _dedent(line: str, indent: int) -> str:
    """A line without the table's own indentation (a table pasted from a document)."""
    if indent and line[:indent].isspace():
        return line[indent:]
    return line


def parse_table(text: str) -> ParsedRows:
    """A ``+---+`` table. A row is complete when its cells fill the border's grid (or, when the
    padding was lost, when it ends with ``|`` and has a cell per column); until then the lines
    that follow belong to it: a value with a raw newline (a multi-line COMMENT) spans lines."""
    problems: list[str] = []
    return _as_dicts(_table_cells(text, problems)), problems


def _as_dicts(cells: Iterator[Cells]) -> list[tuple[int, dict[str, object]]]:
    return [(line, dict(zip(header, values)) if header is not None else values) for line, header, values in cells]


def _table_cells(text: str, problems: list[str]) -> Iterator[Cells]:
    header: list[str] | None = None
    text = _unwrapped(strip_bom(text))
    found = _BORDER_LINE.search(text)
    border = found.group(0).rstrip("\r") if found else None
    indent = len(border) - len(border.lstrip()) if border else 0
    bounds = [i for i, c in enumerate(border.strip()) if c == "+"] if border else []
    grid = _Grid(bounds)
    if found and headerless(text):
        problems.append(f"a table without its header row (printed with -N / --skip-column-names): "
                        f"its {len(bounds) - 1} columns are not named; rows not read (rerun without -N)")
        return
    borders_seen = 0
    boxed = False  # tabulate's grid (obdiag): a border after every row, a value's lines on lines of their own
    lines = _Lookahead(text)
    for number, line in lines:
        stripped = line.strip()
        first = stripped[:1]
        if first != "|":
            if first == "+" and (stripped.startswith(("+-", "+=")) or _BORDER.match(stripped)):
                borders_seen += 1
            elif stripped and not _ROWS_IN_SET.match(stripped) and header is not None and borders_seen == 2:
                problems.append(f"line {number}: text inside the table that belongs to no cell: {stripped[:60]!r}")
            continue  # blank lines, prompts, queries and other chatter around the table
        body = line[indent:] if indent and line[:indent].isspace() else line
        if found is None:  # no +---+ border: a Markdown table (GFM: a |---| rule, '\|' in a cell)
            if _MARKDOWN_RULE.match(stripped):
                continue
            cells = _markdown_cells(stripped)
            if header is None:
                header = cells
            elif len(cells) != len(header):
                problems.append(f"line {number}: {len(cells)} cells for {len(header)} columns; row skipped")
            else:
                yield number, header, tuple(None if v == "NULL" else v for v in cells)
            continue
        if header is None:
            header = grid.cut(body.rstrip()) or _split_cells(body)
            boxed = lines.following is not None and bool(_RULE.match(lines.following.strip()))
            continue
        if boxed:
            parts = [body]
            while lines.following is not None and lines.following.strip().startswith("|"):
                parts.append(_dedent(next(lines)[1], indent))
            cut = [grid.cut(p) or _split_cells(p) for p in parts]
            if any(len(c) != len(header) for c in cut):
                problems.append(f"lines {number}-{number + len(parts) - 1}: a row whose lines do not each have "
                                f"{len(header)} cells; row skipped")
                continue
            cells = tuple("\n".join(column).rstrip("\n") for column in zip(*cut))
        else:
            cells = grid.cut(body)
        if cells is None:
            while lines.following is not None and _needs_more(body, _dedent(lines.following, indent), grid, len(header)):
                body += "\n" + _dedent(next(lines)[1], indent)
            cells = grid.cut(body)
        if cells is None:
            last = number + body.count("\n")
            where = f"line {number}" if last == number else f"lines {number}-{last}"
            cells = _split_cells(body)
            if len(cells) != len(header):
                # a '|' inside a value: keep the row when the extra cells can be glued to one column
                glued = _glue_extra(cells, header, len(cells) - len(header)) if len(cells) > len(header) else None
                if glued is None:
                    problems.append(f"{where}: {len(cells)} cells for {len(header)} columns; row skipped")
                    continue
                cells = glued
        if "NULL" in cells:
            cells = tuple(None if v == "NULL" else v for v in cells)
        yield number, header, tuple(cells)
    if header is None:
        problems.append("no header row found")


_BROKEN_BORDER = re.compile(r"^[ \t]*\+-[-+]*\r?$", re.MULTILINE)


def _unwrapped(text: str) -> str:
    """A table copied from a terminal that broke every screen line (a hard wrap), joined back.

    Its first border then does not end with ``+``; its width is the screen's, and each line that
    fills the screen goes on in the next, until the line is as wide as the whole border. Any
    other text is returned as it is."""
    first = _BROKEN_BORDER.search(text)
    if first is None or first.group(0).rstrip("\r").endswith("+"):
        return text
    screen = _width(first.group(0).rstrip("\r"))
    lines = text.split("\n")
    at = text.count("\n", 0, first.start())
    border = lines[at].rstrip("\r")
    k = at
    while not border.endswith("+") and k + 1 < len(lines) and _width(lines[k].rstrip("\r")) == screen:
        k += 1
        border += lines[k].rstrip("\r")
    if not _BORDER.match(border.strip()):
        return text  # not a wrapped border after all
    full = _width(border)
    out: list[str] = lines[:at]
    i = at
    while i < len(lines):
        line, piece, start = lines[i].rstrip("\r"), lines[i].rstrip("\r"), i
        while _width(piece) == screen and _width(line) < full and i + 1 < len(lines):
            i += 1
            piece = lines[i].rstrip("\r")
            line += piece
        out.append(line)
        out.extend([""] * (i - start))  # the lines that follow keep their numbers
        i += 1
    return "\n".join(out)


_RULE = re.compile(r"^\+(?:=+\+)+$")
"""tabulate's ``grid`` rule under the header (``+=====+``): every row is then closed by a border."""


def headerless(text: str) -> bool:
    """Whether a ``+---+`` table was printed without its names line (``-N``). With names the
    first ``|`` line is followed by a border and a row (an empty result prints ``Empty set``, no
    table; obdoctor's own renderer closes an empty one at once); without them a row is followed
    by a row or its value's next line, or the one row by the closing border alone."""
    seen: list[str] = []
    for line in _lines(text, ends=False):
        stripped = line.strip()
        if not stripped:
            continue
        if not seen:
            if _BORDER.match(stripped):
                seen.append(stripped)
            continue
        seen.append(stripped)
        if len(seen) == 4:
            break
    if len(seen) < 2 or not seen[1].startswith("|"):
        return False
    after = seen[2] if len(seen) > 2 else ""
    if not (_BORDER.match(after) or _RULE.match(after)):
        # the client always prints a border under the names; a row may go on (a value's newline).
        # A table typed or trimmed by hand may lack it: names that fill no grid are still names
        fits = _Grid([i for i, c in enumerate(seen[0]) if c == "+"]).cut(seen[1]) is not None
        ended = seen[1].endswith("|")  # a row whose value goes on to the next line is not ended
        return fits or not ended or not all(_COLUMN_NAME.match(c) for c in _split_cells(seen[1]))
    return not (len(seen) > 3 and (seen[3].startswith("|") or _BORDER.match(seen[3])))  # border: no rows


_MARKDOWN_RULE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _markdown_cells(line: str) -> list[str]:
    """A Markdown table row's cells: split at the pipes not escaped; ``\\|`` is a pipe of the
    value (GitHub Flavored Markdown spec, tables extension: https://github.github.com/gfm/#example-200)."""
    inner = line[1:] if line.startswith("|") else line
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [c.strip().replace("\\|", "|") for c in _UNESCAPED_PIPE.split(inner)]


def _needs_more(body: str, following: str, grid: _Grid, columns: int) -> bool:
    """Whether ``following`` continues the row in ``body`` (a value holding a newline)."""
    nxt = following.strip()
    if _BORDER.match(nxt) or _ROWS_IN_SET.match(nxt):
        return False
    if grid.cut(body) is not None:
        return False
    if grid.usable:
        if _width(body) + 1 + _width(following.rstrip()) <= grid.width:
            return True  # the row is still narrower than the grid and the next line fits in it
        if nxt.startswith("|"):
            return False  # too wide to belong to this row: a row of its own
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
    for start, body in _records(_vertical_unwrapped(list(enumerate(strip_bom(text).splitlines(), 1)))):
        shape = _RecordShape(body)
        current: dict[str, object] = {}
        last_key: str | None = None
        ended = False
        known = set(rows[0][1]) if rows else None
        for number, line in body:
            stripped = line.strip()
            if not stripped or _ROWS_IN_SET.match(stripped):
                if _ROWS_IN_SET.match(stripped):
                    ended = True  # what follows "N rows in set" is not part of a value
                elif last_key is not None and not ended:
                    current[last_key] = f"{_printed(current.get(last_key))}\n"
                continue
            m = _VERTICAL_FIELD.match(line)
            if (m and m.group(1) not in current and (known is None or m.group(1) in known)
                    and shape.is_field(line, m)):
                last_key = m.group(1)
                current[last_key] = _cell(m.group(2).strip())
            elif last_key is not None:
                # a value that spans lines (a COMMENT with a newline)
                current[last_key] = f"{_printed(current.get(last_key))}\n{stripped}"
            else:
                problems.append(f"line {number}: not 'COLUMN: value'")
        for key, value in current.items():
            if isinstance(value, str) and value.endswith("\n"):
                current[key] = _cell(value.rstrip("\n"))  # NULL then a blank line is still NULL
        if not current:  # -N: values without names; none can be placed
            problems.append(f"line {start}: a row with no 'COLUMN: value' line (printed with -N / "
                            "--skip-column-names?): not read")
            continue
        rows.append((start, current))
    return rows, problems


def _printed(value: object) -> str:
    """A value as the client printed it: a value read as NULL that goes on to more lines was the
    text ``NULL`` followed by a newline (the client prints a real NULL as ``NULL`` alone)."""
    return "NULL" if value is None else str(value)


def _vertical_unwrapped(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``\\G`` output hard-wrapped by a terminal, joined back: when two or more lines are exactly
    as wide as the widest (60 cells or more: the screen) and each goes on in a line that is not a
    field (its colon is not at the records' colon column), not a row head and not blank, those
    lines are a value cut at the screen's edge. A value's own newline is left alone."""
    widths = [_width(line) for _, line in lines]
    screen = max(widths, default=0)
    if screen < 60:
        return lines
    colon = next((line.find(":", m.end(1)) for i, (_, line) in enumerate(lines)
                  if i and _VERTICAL_HEAD.match(lines[i - 1][1].strip()) and (m := _VERTICAL_FIELD.match(line))), None)

    def goes_on(i: int) -> bool:
        if widths[i] != screen or i + 1 >= len(lines):
            return False
        following = lines[i + 1][1]
        m = _VERTICAL_FIELD.match(following)
        field = m is not None and colon is not None and following.find(":", m.end(1)) == colon
        return bool(following.strip()) and not field and not _VERTICAL_HEAD.match(following.strip())

    cut = {i for i in range(len(lines)) if goes_on(i)}
    if len(cut) < 2:
        return lines
    out: list[tuple[int, str]] = []
    for i, (number, line) in enumerate(lines):
        if i - 1 in cut:
            out[-1] = (out[-1][0], out[-1][1] + line)
        else:
            out.append((number, line))
    return out


def _records(lines: list[tuple[int, str]]) -> list[tuple[int, list[tuple[int, str]]]]:
    """The ``*** N. row ***`` records: (head line number, [(line number, line)])."""
    records: list[tuple[int, list[tuple[int, str]]]] = []
    for number, line in lines:
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
    problems: list[str] = []
    return _as_dicts(_delimited_cells(text, delimiter, problems)), problems


def _delimited_cells(text: str, delimiter: str, problems: list[str]) -> Iterator[Cells]:
    reader = csv.reader(_lines(strip_bom(text)), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        problems.append("empty file")
        return
    except csv.Error as exc:
        problems.append(f"unreadable header: {exc}")
        return
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
        cells = tuple(map(intern, cells))  # a view repeats its values on every row
        if "\\N" in cells or "NULL" in cells:
            cells = tuple(None if c in ("\\N", "NULL") else c for c in cells)
        yield reader.line_num, header, cells


_ESCAPES = re.compile(r"\\(.)")
_UNESCAPE = {"0": "\0", "t": "\t", "n": "\n", "\\": "\\"}


def _unescape(cell: str) -> str:
    """A ``-B`` value as it was: ``safe_put_field`` (client/mysql.cc) writes NUL, tab, newline and
    backslash as ``\\0 \\t \\n \\\\``; any other backslash pair is kept as printed (``-r`` output)."""
    return _ESCAPES.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), cell) if "\\" in cell else cell


def parse_batch(text: str) -> ParsedRows:
    problems: list[str] = []
    return _as_dicts(_batch_cells(text, problems)), problems


def _batch_cells(text: str, problems: list[str]) -> Iterator[Cells]:
    """``mysql -B`` / ``-s`` output (``print_tab_data``): names, then values, joined by tabs, no
    quoting; NULL is ``NULL`` (a text ``NULL`` prints the same: it reads as NULL); ``\\N`` is also
    NULL (``SELECT ... INTO OUTFILE``). A line with too few cells is a ``-r`` value's raw newline: it
    is joined to the next lines while the row has no more cells than columns, or, holding one cell,
    to the row before (a newline in the last column). A short line that cannot be joined so is a
    row whose trailing empty cells a copy stripped (a chat app drops trailing tabs): they are read
    as empty, and that is said."""
    numbered = [(n, l.rstrip("\r")) for n, l in enumerate(_lines(strip_bom(text), ends=False), 1)]
    numbered = [(n, l) for n, l in numbered if l.strip() or "\t" in l]
    if not numbered:
        problems.append("empty file")
        return
    header = [h.strip() for h in numbered[0][1].split("\t")]
    width = len(header)
    pending: tuple[int, list[str]] | None = None  # the last complete row, held while a line may continue it
    partial: tuple[int, list[str]] | None = None  # a row still short of cells

    def row(number: int, cells: list[str]) -> Cells:
        return number, header, tuple(None if c in ("NULL", "\\N") else intern(_unescape(c)) for c in cells)

    def padded(number: int, cells: list[str]) -> tuple[int, list[str]]:
        problems.append(f"line {number}: {len(cells)} cells for {width} columns: the last {width - len(cells)} "
                        "read as empty (trailing tabs lost in a copy, or the row cut off)")
        return number, cells + [""] * (width - len(cells))

    for number, line in numbered[1:]:
        cells = line.split("\t")
        if partial is not None:
            first, held = partial
            joined = held[:-1] + [held[-1] + "\n" + cells[0]] + cells[1:]
            partial = None
            if len(joined) <= width:
                number, cells = first, joined
            else:
                pending = padded(first, held)
        elif len(cells) == 1 and width > 1 and pending is not None:
            first, held = pending
            pending = (first, held[:-1] + [held[-1] + "\n" + cells[0]])
            continue
        if pending is not None:
            yield row(*pending)
            pending = None
        if len(cells) < width:
            partial = (number, cells)
        elif len(cells) > width:
            problems.append(f"line {number}: {len(cells)} cells for {width} columns; row skipped")
        else:
            pending = (number, cells)
    if partial is not None:  # (a pending row was given out when the partial one began)
        pending = padded(*partial)
    if pending is not None:
        yield row(*pending)


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
    problems: list[str] = []
    return _as_dicts(iter_cells(text, extension, problems)), problems


def iter_cells(text: str, extension: str, problems: list[str]) -> Iterator[Cells]:
    """The rows of a saved view one at a time, as ``(line, header, cells)`` for tables and
    delimited files (one header list shared by every row: a big view is not a dict per row)
    or ``(line, None, {column: value})`` for ``\\G`` and JSONL. Problems go to ``problems``."""
    extension = extension.lower()
    text = strip_bom(text)
    if extension in ("csv", "tsv"):
        yield from _delimited_cells(text, "," if extension == "csv" else "\t", problems)
        return
    if extension == "batch":  # mysql -B pasted (a bundle's .tsv is CSV-quoted, see docs/bundle-format.md)
        yield from _batch_cells(text, problems)
        return
    if extension == "markup":
        yield from markup_cells(text, problems)
        return
    if extension != "jsonl" and _looks_like_table(text):
        yield from _table_cells(text, problems)
        return
    rows, found = parse_jsonl(text) if extension == "jsonl" else parse_text(text)
    problems.extend(found)
    for line, values in rows:
        yield line, None, values


_FIRST_LINE = re.compile(r"\s*([^\n]*)")


def _looks_like_table(text: str) -> bool:
    """What ``parse_text`` would read as a ``+---+`` table (so it can be read row by row)."""
    first = _FIRST_LINE.match(text).group(1).strip()
    return first.startswith(("+", "|"))
