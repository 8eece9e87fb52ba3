"""Evidence as a DBA has it: query outputs and log lines in any text, recognised by content.

A file named ``q1.txt`` or a paste on standard input may hold several queries (obclient /
MySQL / mysql prompts), tables in any shape the clients and forums print (``+--+``, ``\\G``,
``-B`` tabs, ``-s`` tabs without a header, Markdown pipes, CSV with or without a header) and
observer log lines. ``split_text`` cuts such text into ``Block``s of one view each (the view
taken from the echoed statement or, failing that, from the column set matched against the
catalogue) and the log lines it holds. Nothing here raises on bad input: what is not
understood comes back as a reason.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from obdoctor.catalog import views as catalogue
from obdoctor.logs import parse_line
from obdoctor.sources.client_markup import is_markup

_PROMPT = re.compile(r"^\s*(?:obclient|mysql|mariadb)(?:\s*\([^)\n]*\))?(?:\s*\[[^\]]*\])?\s*>\s?(.*)$", re.IGNORECASE)
"""``mysql> ``, ``MariaDB [db]> ``, ``obclient [db]> `` and obclient's default ``obclient(user@tenant)[db]> ``."""
_CONTINUE = re.compile(r"^\s*(?:->|'>|\">|`>|/\*>)\s?(.*)$")
"""A statement's next line: ``    -> ``, or ``    '> ``/``    "> ``/``    `> `` inside a quoted string,
``   /*> `` inside a comment (client/mysql.cc)."""
_SELECT = re.compile(r"^\s*(?:select|show)\b", re.IGNORECASE)
_FROM = re.compile(r"\bfrom\s+(?:`?oceanbase`?\s*\.\s*)?`?([A-Za-z_][A-Za-z0-9_$]*)`?", re.IGNORECASE)
_SELECT_LIST = re.compile(r"^\s*select\s+(.*?)\s+from\b", re.IGNORECASE | re.DOTALL)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#]*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_VERTICAL = re.compile(r"^\s*\*+\s*\d+\.\s*row\s*\*+\s*$")
_EMPTY = re.compile(r"^\s*Empty set\b", re.IGNORECASE)
_FIELD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$#]*):(?:\s|$)")
"""A ``\\G`` field line, ``  TENANT_ID: 1004``."""
_ROW_HEAD = "*************************** 1. row ***************************"
_CHATTER = re.compile(r"^\s*(\d+ rows? in set|Query OK|Bye|Empty set|Welcome to|Your |Server version|Copyright|"
                      r"Oracle is|owners\.|Type 'help|Reading table|You can turn|Database changed|ERROR \d+|"
                      r"Warning|Connection id)", re.IGNORECASE)
_CLIENT_ERROR = re.compile(r"^\s*ERROR \d+ \(", re.IGNORECASE)
_ROWS = re.compile(r"^\s*\d+ rows? in set", re.IGNORECASE)
LOG_FORMATS = {"4.x", "4.0", "3.x", "trace", "alert"}


@dataclass
class Block:
    """One query output: its rows' text in a shape ``sqltext.iter_cells`` reads (``ext``)."""

    view: str | None
    text: str
    ext: str
    first_line: int
    """The line of the source on which ``text``'s first line stands (rows keep their lines)."""
    how: str
    """How the view was known: from the statement or from the column set."""
    problem: str | None = None


@dataclass
class Split:
    blocks: list[Block] = field(default_factory=list)
    log_lines: list[tuple[int, str, str | None]] = field(default_factory=list)
    """(line number, line, the host a shell prompt or ``==> file <==`` header before it names)."""
    problems: list[str] = field(default_factory=list)


def is_log_line(line: str) -> bool:
    if line[:1] in ("|", "+", "*", "") or "\t" in line[:40]:
        return False  # a table row, border, \G head or tab row: the common case of a big paste, decided cheaply
    return bool(line.strip()) and parse_line(line).format in LOG_FORMATS


def looks_like_log(text: str) -> bool:
    """A log file: most of its first non-blank lines are OceanBase log lines."""
    head = [l for l in text.splitlines()[:40] if l.strip()][:10]
    return bool(head) and sum(map(is_log_line, head)) * 2 > len(head)


def split_text(text: str, hint: str = "") -> Split:
    """Cut ``text`` at prompts and statements; each piece's table is a ``Block``. ``hint`` (a
    file name) only breaks a tie between views of the same columns."""
    out = Split()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pieces: list[tuple[str | None, int, list[str]]] = []  # (statement, first body line, body lines)
    statement: str | None = None
    start, body = 1, []
    i = 0
    while i < len(lines):
        line = lines[i]
        prompt = _PROMPT.match(line)
        if prompt or _SELECT.match(line):
            pieces.append((statement, start, body))
            text_of = [prompt.group(1) if prompt else line]
            while not _ends(text_of[-1]) and i + 1 < len(lines) and (
                    _CONTINUE.match(lines[i + 1]) or (lines[i + 1].strip() and not _table_line(lines[i + 1])
                                                      and not is_log_line(lines[i + 1])
                                                      and not _PROMPT.match(lines[i + 1]))):
                i += 1
                more = _CONTINUE.match(lines[i])
                text_of.append(more.group(1) if more else lines[i])
            statement = " ".join(t.strip() for t in text_of)
            start, body = i + 2, []
        else:
            body.append(line)
        i += 1
    pieces.append((statement, start, body))
    host: str | None = None
    for statement, first, body in pieces:
        table: list[str] = []
        for offset, line in enumerate(body):
            said = _host_of(line)
            if said is not None:
                host = said or None
                table.append("")
                continue
            if is_log_line(line) or (table == [] and out.log_lines and out.log_lines[-1][0] == first + offset - 1
                                     and line.strip() and not _table_line(line)):
                out.log_lines.append((first + offset, line, host))
                table.append("")  # keep the lines' numbers
            else:
                table.append(line)
        block = _block(statement, first, table, hint)
        if block is not None:
            out.blocks.append(block)
    return out


_SHELL = re.compile(r"^\s*\[?[\w.-]+@(?P<host>[\w.-]+)[^\]$#>]*\]?\s*[$#]\s")
_FILE_HEADER = re.compile(r"^==> (?P<file>.+) <==\s*$")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")


def _host_of(line: str) -> str | None:
    """The host a shell prompt (``[admin@10.0.0.3 log]$ grep ...``) or a ``tail``/``head`` file
    header naming a path with an address (``==> logs/10.0.0.3/observer.log <==``) says the lines
    after it come from; ``""`` for a header or prompt naming none; None for any other line."""
    m = _SHELL.match(line)
    if m:
        return m.group("host")
    m = _FILE_HEADER.match(line)
    if m:
        ip = _IPV4.search(m.group("file"))
        return ip.group(1) if ip else ""
    return None


def _holds_cells(line: str) -> bool:
    """Not a blank line: a line of tabs alone is a row of empty cells in tab output (obclient -s/-ss)."""
    return bool(line.strip()) or "\t" in line


def _ends(statement: str) -> bool:
    s = statement.rstrip()
    return s.endswith((";", "\\G", "\\g")) or not s


def _table_line(line: str) -> bool:
    s = line.strip()
    return s.startswith(("+-", "|")) or bool(_VERTICAL.match(s)) or "\t" in line


def _block(statement: str | None, first: int, lines: list[str], hint: str) -> Block | None:
    """The table among ``lines`` as a Block, or None when they hold nothing but chatter."""
    meaningful = [(n, l) for n, l in enumerate(lines)
                  if _holds_cells(l) and not (_CHATTER.match(l) and not _EMPTY.match(l))]
    view = _view_of(statement)
    if not meaningful:
        failed = next((l.strip() for l in lines if _CLIENT_ERROR.match(l)), None)
        if statement and view:  # the query failed (ERROR 1146: the view does not exist) or its output was not kept
            return Block(view, "", "txt", first, "", f"the query failed: {failed[:120]}" if failed else
                         f"no output after {statement[:70]!r}")
        return None
    first_index, first_text = meaningful[0]
    if _EMPTY.match(first_text):
        return Block(view, "Empty set\n", "txt", first, "from the statement", None if view else
                     "an empty result with no statement naming its view") if statement else None
    kept = ["" if _CHATTER.match(l) and not _EMPTY.match(l) and not _ROWS.match(l) else l
            for l in lines[first_index:]]  # "Bye", "Query OK": not part of a value
    start = first + first_index
    shape = _shape(first_text, [l for _, l in meaningful],
                   [l for l in _outside_quotes_chatter_blanked(lines[first_index:first_index + 40]) if l.strip()][:8])
    if shape == "csv":
        kept = _outside_quotes_chatter_blanked(lines[first_index:])
    elif shape in ("table", "vertical", "vertical, no row head"):
        kept = _chatter_blanked_after_output(lines[first_index:], kept)
    if shape == "vertical, no row head":
        text = _ROW_HEAD + "\n" + "\n".join(kept) + "\n"
        block = _named(statement, view, _header_of(text, "txt"), text, "txt", start - 1, hint)
        block.how = (block.how + "; " if block.how else "") + "a \\G record without its '*** 1. row ***' line"
        return block
    from obdoctor.sources.sqltext import headerless

    if shape == "table" and headerless("\n".join(kept)):
        return _named_by_statement(statement, view, kept, start)
    if shape in ("table", "vertical", "pipe"):
        if shape == "pipe":
            kept = ["" if _PIPE_RULE.match(l) else l for l in kept]
        text = "\n".join(kept) + "\n"
        header = _header_of(text, "txt")
        return _named(statement, view, header, text, "txt", start, hint)
    if shape == "markup":
        text = "\n".join(kept) + "\n"
        return _named(statement, view, _header_of(text, "markup"), text, "markup", start, hint)
    if shape in ("tab", "csv"):
        delimiter = "\t" if shape == "tab" else ","
        rows = [l for l in kept if _holds_cells(l) and not _CHATTER.match(l)]
        cells = rows[0].split("\t") if shape == "tab" else next(csv.reader([rows[0]], delimiter=delimiter))
        ext = "batch" if shape == "tab" else "csv"  # mysql -B: tabs, no quoting, \t \n \\ escaped
        listed = _statement_columns(statement, view, len(cells))
        if listed is not None:  # the statement names the columns: a header row is those names
            header = {c.strip().upper() for c in cells} == {n.upper() for n in listed}
        else:
            header = _is_header(cells)
        if header:
            text = "\n".join(kept) + "\n"
            return _named(statement, view, cells, text, ext, start, hint)
        columns = _statement_columns(statement, view, len(cells))
        if columns is None:
            why = ("rows without a header (mysql -s / --silent, or CSV without one) and no statement naming "
                   "their columns: rerun without -s, or keep the SELECT line in the paste")
            if view:
                why = (f"rows without a header (mysql -s / --silent): {len(cells)} cells do not match the "
                       f"columns of {statement!r}; rerun without -s")
            return Block(view, "", ext, start, "", why)
        text = delimiter.join(columns) + "\n" + "\n".join(kept) + "\n"
        return Block(view, text, ext, start - 1, "from the statement (columns from its select list)")
    if statement:
        return Block(view, "", "txt", start, "", f"no table found after {statement[:60]!r}")
    return Block(None, "", "txt", start, "", f"no table, no prompt, no log line: not understood "
                 f"({first_text.strip()[:60]!r})")


def _named_by_statement(statement: str | None, view: str | None, kept: list[str], start: int) -> Block:
    """A ``+---+`` table printed without its names line (``-N``): the statement's select list names
    its columns (a names line is written above the grid), else it is not read and that is said."""
    border = next(l.strip() for l in kept if l.strip().startswith("+"))
    count = border.count("+") - 1
    columns = _statement_columns(statement, view, count)
    if columns is None or any(c == "*" for c in columns):
        why = (f"a table without its header row (mysql -N / --skip-column-names): {count} columns and no "
               "select list naming them; rerun without -N, or keep the SELECT line in the paste")
        return Block(view, "", "txt", start, "", why)
    names = "| " + " | ".join(columns) + " |"
    text = border + "\n" + names + "\n" + "\n".join(kept) + "\n"
    return Block(view, text, "txt", start - 2, "from the statement (columns from its select list)")


def _shape(first: str, lines: list[str], raw: list[str]) -> str | None:
    """The form of a block, from its meaningful lines (``raw``: its first lines with the chatter
    outside quoted values left out, for CSV whose value may hold a line that reads like chatter)."""
    s = first.strip()
    if any(_VERTICAL.match(l) for l in lines[:3]):
        return "vertical"
    if is_markup(s):
        return "markup"
    if s.startswith("+-"):
        return "table"
    if s.startswith("|"):
        return "table" if any(l.strip().startswith("+-") for l in lines) else "pipe"
    if "\t" in first:
        return "tab"
    if sum(_is_field(l) for l in lines[:3]) >= 2 and _is_field(first) and not any("\t" in l for l in lines[:3]):
        return "vertical, no row head"  # a \G record copied from its first field on
    if "," in first:
        # records, not lines: a quoted value may hold newlines (a GUI's CSV export); past 8 lines the
        # last record read may be cut short
        records = list(csv.reader(raw))
        whole = records[:-1] if len(raw) == 8 else records
        if len(records[0]) >= 2 and all(len(r) == len(records[0]) for r in whole):
            return "csv"
    return None


def _chatter_blanked_after_output(lines: list[str], blanked: list[str]) -> list[str]:
    """A table's or ``\\G`` output's lines, its chatter blanked only after its ``N rows in set``
    line: before it a line reading ``Warning: ...`` is a multi-line value's (the client prints
    values raw). Without that line, ``blanked`` (all chatter blanked) stands."""
    end = next((i for i in range(len(lines) - 1, -1, -1) if _ROWS.match(lines[i])), None)
    return blanked if end is None else lines[:end + 1] + blanked[end + 1:]


def _outside_quotes_chatter_blanked(lines: list[str]) -> list[str]:
    """CSV lines with the client's chatter blanked, but not a line inside a quoted value (a
    COMMENT's second line that reads ``Warning: ...`` is the value's)."""
    kept, inside = [], False
    for line in lines:
        chatter = _CHATTER.match(line) and not _EMPTY.match(line) and not _ROWS.match(line)
        kept.append("" if chatter and not inside else line)
        inside ^= line.count('"') % 2 == 1
    return kept


def _is_field(line: str) -> bool:
    """``NAME: value`` where NAME is a column of a known view (a CSV cell ``A:`` is not)."""
    m = _FIELD.match(line)
    return bool(m) and m.group(1).upper() in _all_columns()


def _is_header(cells: list[str]) -> bool:
    """A first row of column names: every cell a name, at least one a column of a known view."""
    names = [c.strip() for c in cells]
    if not all(_NAME.match(c) for c in names):
        return False
    known = _all_columns()
    return any(c.upper() in known for c in names) or all(c.isupper() or c.islower() for c in names) and len(
        set(names)) == len(names) and not any(c.upper() in ("NULL", "TRUE", "FALSE") for c in names)


_COLUMNS: set[str] | None = None


def _all_columns() -> set[str]:
    global _COLUMNS
    if _COLUMNS is None:
        _COLUMNS = {c.upper() for v in catalogue.known_views() for c in catalogue.column_names(v)}
    return _COLUMNS


SESSION = "@session"
"""The pseudo-view of ``SELECT version(), now()`` (no FROM): the cluster's version and clock."""


def _view_of(statement: str | None) -> str | None:
    if not statement:
        return None
    if re.match(r"^\s*select\s+(?:(?:ob_)?version\(\)|now\(\)|current_timestamp(?:\(\d?\))?|effective_tenant_id\(\))", statement,
                re.IGNORECASE) and not re.search(r"\bfrom\b", statement, re.IGNORECASE):
        return SESSION
    m = _FROM.search(statement)
    if not m:
        return None
    name = m.group(1)
    return {n.upper(): n for n in catalogue.known_views()}.get(name.upper(), name)  # the catalogue's spelling


def _statement_columns(statement: str | None, view: str | None, count: int) -> list[str] | None:
    """The column names a headerless result has: the select list, or ``*``'s catalogue columns."""
    if not statement:
        return None
    m = _SELECT_LIST.match(statement)
    if not m:
        return None
    items = [i.strip() for i in _split_commas(m.group(1))]
    if items == ["*"]:
        names = catalogue.column_names(view) if view else []
    else:
        names = [re.split(r"\s+(?:as\s+)?", i, flags=re.IGNORECASE)[-1].strip("`").split(".")[-1] for i in items]
    return names if len(names) == count and all(_NAME.match(n) for n in names) else None


def _split_commas(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur]


def _header_of(text: str, ext: str) -> list[str]:
    from obdoctor.sources.sqltext import iter_cells

    problems: list[str] = []
    for _, header, values in iter_cells(text, ext, problems):
        return list(header) if header is not None else list(values)
    return []


def _named(statement, view, header, text, ext, start, hint) -> Block:
    if view:
        return Block(view, text, ext, start, "from the statement")
    guess, why = view_from_columns(header, hint)
    if guess:
        return Block(guess, text, ext, start, f"from its columns ({why})")
    return Block(None, text, ext, start, "", why)


def view_from_columns(header: list[str], hint: str = "") -> tuple[str | None, str]:
    """The catalogue view whose columns hold ``header``: the one view with exactly these
    columns, else the one view holding them all; several alike are told apart by the words of
    ``hint`` (a file name), else refused with the candidates named."""
    wanted = {h.strip().upper() for h in header if h}
    if not wanted:
        return None, "no column names"
    exact, holding = [], []
    for name in catalogue.known_views():
        have = {c.upper() for c in catalogue.column_names(name)}
        if have and wanted <= have:
            (exact if have == wanted else holding).append(name)
    fits = exact or holding
    if not fits:
        return None, f"its columns ({', '.join(sorted(wanted)[:6])}...) are not those of any view obdoctor knows"
    if len(fits) == 1:
        return fits[0], "its columns are that view's" if exact else "the only view holding its columns"
    if hint:
        words = set(re.split(r"[^a-z0-9$]+", hint.lower())) - {"", "txt", "csv", "tsv", "log", "ob", "oceanbase"}
        scored = sorted((-len(words & set(n.lower().split("_"))), len(catalogue.column_names(n)), n) for n in fits)
        if scored[0][0] < 0 and scored[0][:2] != scored[1][:2]:
            return scored[0][2], f"{len(fits)} views hold its columns; the name {hint} says which"
    return None, (f"its columns fit {', '.join(sorted(fits)[:4])}{' and more' if len(fits) > 4 else ''} alike: "
                  "keep the SELECT line (the prompt) in the file to say which")
