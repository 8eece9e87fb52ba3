"""Rows from the mysql/obclient client's ``--xml`` and ``--html`` output.

What the client writes (``print_table_data_xml`` / ``print_table_data_html`` in client/mysql.cc):
XML has a ``<row>`` of ``<field name="NAME">value</field>`` per row and ``<field name="NAME"
xsi:nil="true" />`` for NULL, the one form that tells NULL from the text ``NULL``; HTML is one
line ``<TABLE BORDER=1><TR><TH>NAME</TH>..</TR><TR><TD>value</TD>..</TR></TABLE>`` with NULL
printed ``NULL``. Both encode ``& < > "`` (``xmlencode_print``). Read with patterns, not an XML
parser: the text is a paste (chatter after ``</TABLE>``, a cut-off end) and never declares entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ROW = re.compile(r"<row>(.*?)</row>", re.DOTALL)
_FIELD = re.compile(r'<field name="([^"]*)"\s*(?:xsi:nil="true"\s*/>|>(.*?)</field>)', re.DOTALL)
_TR = re.compile(r"<TR>(.*?)</TR>", re.DOTALL | re.IGNORECASE)
_CELL = re.compile(r"<(T[HD])>(.*?)</T[HD]>", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(r"&(amp|lt|gt|quot);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}


def _decode(text: str) -> str:
    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], text) if "&" in text else text


def is_markup(first_line: str) -> bool:
    """The first line of ``--xml`` or ``--html`` output."""
    return first_line.lstrip().startswith(("<?xml", "<resultset", "<TABLE", "<table"))


def markup_cells(text: str, problems: list[str]) -> Iterator[tuple[int, list[str], tuple]]:
    """``(line, header, cells)`` of each row; what cannot be read is said in ``problems``."""
    if re.search(r"<resultset\b|<row>", text):
        yield from _xml(text, problems)
    elif re.search(r"<TABLE\b", text, re.IGNORECASE):
        yield from _html(text, problems)
    else:
        problems.append("no <resultset> (--xml) or <TABLE> (--html) found")


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _xml(text: str, problems: list[str]) -> Iterator[tuple[int, list[str], tuple]]:
    header: list[str] | None = None
    for row in _ROW.finditer(text):
        fields = [(m.group(1), None if m.group(2) is None else _decode(m.group(2)))
                  for m in _FIELD.finditer(row.group(1))]
        names = [_decode(name) for name, _ in fields]
        if header is None:
            header = names
        if names != header:
            problems.append(f"line {_line(text, row.start())}: <row> of fields {names[:4]}... not the first row's; "
                            "row skipped")
            continue
        yield _line(text, row.start()), header, tuple(v for _, v in fields)
    tail = text[text.rfind("</row>") + 6:] if "</row>" in text else text
    if "<row>" in tail:
        problems.append(f"line {_line(text, text.rfind('<row>'))}: a <row> without its </row> (cut off?); not read")


def _html(text: str, problems: list[str]) -> Iterator[tuple[int, list[str], tuple]]:
    header: list[str] | None = None
    for tr in _TR.finditer(text):
        cells = _CELL.findall(tr.group(1))
        if cells and all(kind.upper() == "TH" for kind, _ in cells) and header is None:
            header = [_decode(v).strip() for _, v in cells]
            continue
        if header is None:
            problems.append("an --html table without its <TH> names row (-N): its columns are not known")
            return
        if len(cells) != len(header):
            problems.append(f"line {_line(text, tr.start())}: {len(cells)} cells for {len(header)} columns; "
                            "row skipped")
            continue
        yield _line(text, tr.start()), header, tuple(None if v == "NULL" else _decode(v) for _, v in cells)
    if header is None:
        problems.append("an --html table without its <TH> names row")
