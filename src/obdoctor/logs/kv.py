"""Split a log body ``info(k1=v1, k2={a:1, b:[x, y]}, k3="s")`` into message and fields.

OceanBase does not escape values: strings may hold ``,`` ``=`` ``(`` ``)``. Brackets and
quotes are matched, so nested objects stay whole. Never raises; what cannot be split stays
in the message.
"""

from __future__ import annotations

import re

_OPEN = {"(": ")", "{": "}", "[": "]"}


def _find_kv_open(body: str) -> int:
    """Index of the ``(`` that opens the key/value list: the first ``(`` followed by ``ident=``."""
    start = 0
    while True:
        i = body.find("(", start)
        if i < 0:
            return -1
        j = i + 1
        while j < len(body) and (body[j].isalnum() or body[j] in "_.*&->[]"):
            j += 1
        if j > i + 1 and j < len(body) and body[j] == "=" and body.rstrip().endswith(")"):
            return i
        start = i + 1


def split_values(text: str) -> list[str]:
    """Split on top-level ``, `` honouring brackets and double quotes."""
    parts: list[str] = []
    depth: list[str] = []
    in_quote = False
    current_start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if in_quote:
            if c == '"':
                in_quote = False
        elif c == '"':
            in_quote = True
        elif c in _OPEN:
            depth.append(_OPEN[c])
        elif depth and c == depth[-1]:
            depth.pop()
        elif c == "," and not depth:
            parts.append(text[current_start:i])
            current_start = i + 1
        i += 1
    parts.append(text[current_start:])
    return [p.strip() for p in parts if p.strip()]


_KEY_START = re.compile(r" [*&]?[A-Za-z_][A-Za-z0-9_.\->\[\]]*=(?!=)")


def _split_missing_commas(part: str) -> list[str]:
    """``ret=-4016 *ls_attr={...}`` (a comma forgotten in the source) -> two parts.

    Only splits at top level (outside quotes/brackets) before `` key=``."""
    out: list[str] = []
    depth = 0
    in_quote = False
    start = 0
    first_eq = part.find("=")
    for i, c in enumerate(part):
        if in_quote:
            if c == '"':
                in_quote = False
        elif c == '"':
            in_quote = True
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth = max(0, depth - 1)
        elif c == " " and depth == 0 and i > first_eq >= 0:
            m = _KEY_START.match(part, i)
            if m:
                out.append(part[start:i])
                start = i + 1
    out.append(part[start:])
    return out


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def split_body(body: str) -> tuple[str, list[tuple[str, str]]]:
    """``info(k1=v1, k2=v2)`` -> (``info``, [(k1, v1), (k2, v2)]); repeated keys kept in order."""
    try:
        open_at = _find_kv_open(body)
        if open_at < 0:
            return body.strip(), []
        message = body[:open_at].strip()
        inner = body[open_at + 1 : body.rstrip().rfind(")")]
        fields: list[tuple[str, str]] = []
        for chunk in split_values(inner):
            for part in _split_missing_commas(chunk):
                key, sep, value = part.partition("=")
                if not sep or not key.strip() or " " in key.strip():
                    # a value with a comma inside an unquoted string: glue it to the previous value
                    if fields:
                        k, v = fields[-1]
                        fields[-1] = (k, f"{v}, {part.strip()}")
                    continue
                fields.append((key.strip(), _unquote(value)))
        return message, fields
    except Exception:  # a parser of outside input must never raise
        return body.strip(), []


def object_get(text: str, key: str) -> str | None:
    """Read ``key`` from a rendered object ``{k1:v1, k2:{...}}`` (top level only)."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    for part in split_values(text):
        k, sep, v = part.partition(":")
        if sep and k.strip() == key:
            v = v.strip()
            if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
                v = v[1:-1]
            return v
    return None


def find_anywhere(text: str, key: str) -> str | None:
    """Value of ``key:`` or ``key=`` at any nesting depth (first occurrence)."""
    for sep in (f"{key}:", f"{key}="):
        start = 0
        while True:
            i = text.find(sep, start)
            if i < 0:
                break
            if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
                start = i + 1
                continue
            j = i + len(sep)
            rest = text[j:]
            value = split_values(rest)[0] if rest else ""
            value = value.rstrip(")}]").strip()
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            return value
    return None
