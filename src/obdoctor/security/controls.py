"""Control characters of outside text shown as text, so they cannot drive a terminal.

A log line, a view cell or a file name may hold ESC sequences (clear the screen, move the
cursor, set the window title, OSC 8 hyperlinks), their 8-bit C1 forms, a carriage return
that rewinds the line, or Unicode bidi controls that make text read in another order. Every
report shows them as escapes (``\\x1b``, ``\\u202e``), like ``repr`` would, and keeps tab and
newline (log records span lines). ``logs search`` does the same when it prints to a terminal.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 but tab and newline, DEL, C1, and the bidi marks, embeddings, overrides and isolates."""


def _shown(m: re.Match) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character but tab and newline written as an escape."""
    return _CONTROLS.sub(_shown, text) if text else text


def visible_line(text: str) -> str:
    """One line of text (a file or server name in a note): its newlines shown as ``\\n`` too."""
    return visible(text).replace("\n", "\\n")


def visible_data(value: Any) -> Any:
    """Every string inside JSON-like data made :func:`visible`."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {k: visible_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(visible_data(v) for v in value)
    return value
