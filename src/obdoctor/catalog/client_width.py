"""How many screen cells the mysql/obclient client gives a text when it pads a table cell.

The client counts with its own table (``data/client_wide_chars.toml``, from ``my_numcells_mb``),
not the terminal's: an emoji is one cell to it. A table it printed is aligned in these cells, so
whoever cuts one (``sources.sqltext``) or writes one like it (``scenarios.render_sql``) counts so.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import cache

from obdoctor.catalog.data_files import data_toml


@cache
def _ranges() -> tuple[tuple[int, int], ...]:
    table = data_toml("client_wide_chars.toml")
    return tuple(sorted((lo, hi) for lo, hi in table["bmp"] + table["astral"]))


def is_wide(char: int) -> bool:
    """Whether the client counts code point ``char`` as two cells."""
    ranges = _ranges()
    at = bisect_right(ranges, (char, 0x10FFFF)) - 1
    return at >= 0 and ranges[at][0] <= char <= ranges[at][1]


class _WideMarks(dict):
    """``str.translate`` table: a wide character followed by a NUL, so that one character is one
    cell (``sources.sqltext`` cuts a grid by plain slicing); computed once per distinct character."""

    def __missing__(self, char: int) -> str:
        ch = chr(char)
        value = ch + "\0" if is_wide(char) else ch
        self[char] = value
        return value


WIDE_MARKS = _WideMarks()


def width(text: str) -> int:
    """``text``'s cells as the client counts them."""
    if text.isascii():
        return len(text)
    return len(text.translate(WIDE_MARKS))
