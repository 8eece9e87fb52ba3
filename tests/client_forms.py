"""Query results written the way the obclient/mariadb client writes them, for the tests.

Each renderer follows the client's own printing code, read from oceanbase/obclient
``client/mysql.cc`` (the MariaDB client it is built on), not from memory:

* ``table``: ``print_table_data``: a column is as wide as its longest value *in bytes* (at least 4,
  room for ``NULL``); a value is padded with ``width - numcells(value)`` spaces, so a wide
  character takes two cells and the grid stays aligned on screen; numbers are right-justified;
  NULL is ``NULL``; a newline or tab in a value is printed raw.
* ``vertical``: ``print_table_data_vertically``: ``%*s: `` (names right-aligned to the longest),
  the value raw, NULL as ``NULL``.
* ``batch``: ``print_tab_data`` + ``safe_put_field``: names and values joined by tabs; NUL, tab,
  newline and backslash escaped as ``\\0 \\t \\n \\\\``; NULL as ``NULL``; ``raw=True`` is ``-r``.
* ``xml``: ``print_table_data_xml``: ``<field name="..">`` per value, ``xsi:nil="true"`` for NULL,
  ``& < > "`` encoded by ``xmlencode_print``.
* ``html``: ``print_table_data_html``: one line of ``<TR><TD>``, NULL as ``NULL``.
* ``grid``: what obdiag writes to ``sql_result.txt`` (oceanbase/obdiag
  ``src/handler/gather/step/sql.py``: ``tabulate(..., tablefmt="grid")`` after
  ``obclient > <sql>``): a ``+===+`` rule under the header, a border after every row, a value's
  lines on lines of their own, None as an empty cell.

``numcells`` is obclient ``strings/ctype-mb.c`` ``my_numcells_mb``: two cells for the
characters of its UTR#11 table (CJK, Hangul, kana, fullwidth forms) and for U+20000-U+3FFFD,
one for anything else, emoji included.
"""

from __future__ import annotations

# characters whose cell count the client's table gives (a few of each kind; not the whole table)
WIDE = "备份失败目录中文한국어ｆｕｌｌ" + "\U00020000"  # two cells
NARROW_ODD = "😀🚫⌚✅"  # two cells on a modern terminal, one for the client (outside its table)


def numcells(text: str) -> int:
    cells = 0
    for ch in text:
        cp = ord(ch)
        wide = (0x1100 <= cp <= 0x1159 or 0x3000 <= cp <= 0x303E or 0x4E00 <= cp <= 0x9FA5
                or 0xAC00 <= cp <= 0xD7A3 or 0xFF01 <= cp <= 0xFF60 or 0x20000 <= cp <= 0x3FFFD)
        assert wide or ch not in WIDE, ch
        cells += 2 if wide else 1
    return cells


def _text(value: str | None) -> str:
    return "NULL" if value is None else value


def _number(value: str | None) -> bool:
    return value is not None and value.lstrip("-").isdigit()


def table(columns: list[str], rows: list[dict], numeric: tuple[str, ...] = (), names: bool = True) -> str:
    widths = [max([len(c.encode()) if names else 0, 4] + [len(_text(r[c]).encode()) for r in rows]) for c in columns]
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def cell(value: str, width: int, right: bool) -> str:
        pad = " " * (width - numcells(value))
        return pad + value if right else value + pad

    out = [border]
    if names:
        out += ["| " + " | ".join(cell(c, w, False) for c, w in zip(columns, widths)) + " |", border]
    for r in rows:
        out.append("| " + " | ".join(cell(_text(r[c]), w, c in numeric) for c, w in zip(columns, widths)) + " |")
    out.append(border)
    return "\n".join(out) + "\n" + _rows_in_set(rows)


def vertical(columns: list[str], rows: list[dict]) -> str:
    width = max(len(c) for c in columns)
    out = []
    for i, r in enumerate(rows, 1):
        out.append(f"*************************** {i}. row ***************************")
        out += [f"{c.rjust(width)}: {_text(r[c])}" for c in columns]
    return "\n".join(out) + "\n" + _rows_in_set(rows)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\0", "\\0").replace("\t", "\\t").replace("\n", "\\n")


def batch(columns: list[str], rows: list[dict], *, names: bool = True, raw: bool = False) -> str:
    out = ["\t".join(columns)] if names else []
    for r in rows:
        out.append("\t".join("NULL" if r[c] is None else r[c] if raw else _escape(r[c]) for c in columns))
    return "\n".join(out) + "\n"


def _xml(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def xml(columns: list[str], rows: list[dict], statement: str) -> str:
    out = '<?xml version="1.0"?>\n\n<resultset statement="' + _xml(statement)
    out += '" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    for r in rows:
        out += "\n  <row>\n"
        for c in columns:
            out += f'\t<field name="{_xml(c)}"'
            out += ' xsi:nil="true" />\n' if r[c] is None else f">{_xml(r[c])}</field>\n"
        out += "  </row>\n"
    return out + "</resultset>\n" + _rows_in_set(rows)


def html(columns: list[str], rows: list[dict]) -> str:
    out = "<TABLE BORDER=1><TR>" + "".join(f"<TH>{_xml(c)}</TH>" for c in columns) + "</TR>"
    for r in rows:
        out += "<TR>" + "".join(f"<TD>{_xml(_text(r[c]))}</TD>" for c in columns) + "</TR>"
    return out + "</TABLE>" + _rows_in_set(rows)  # the client ends no line after </TABLE>


def grid(columns: list[str], rows: list[dict], numeric: tuple[str, ...] = ()) -> str:
    """tabulate's ``grid`` as obdiag writes it (tabulate counts wide characters as two cells)."""
    import unicodedata

    def cells(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    lines = {c: [[""] if r[c] is None else r[c].split("\n") for r in rows] for c in columns}
    widths = [max([cells(c)] + [cells(part) for v in lines[c] for part in v]) for c in columns]

    def line(parts: list[str], right: list[bool]) -> str:
        return "| " + " | ".join((" " * (w - cells(p)) + p) if rt else (p + " " * (w - cells(p)))
                                 for p, w, rt in zip(parts, widths, right)) + " |"

    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [rule, line(columns, [c in numeric for c in columns]), rule.replace("-", "=")]
    for i in range(len(rows)):
        height = max(len(lines[c][i]) for c in columns)
        for k in range(height):
            out.append(line([lines[c][i][k] if k < len(lines[c][i]) else "" for c in columns],
                            [c in numeric for c in columns]))
        out.append(rule)
    return "\n".join(out)


def _rows_in_set(rows: list[dict]) -> str:
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''} in set (0.01 sec)\n"
