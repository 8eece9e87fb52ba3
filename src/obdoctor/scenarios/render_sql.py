"""Write view rows the way DBAs save them: obclient tables, ``\\G`` output, CSV, TSV, JSONL."""

from __future__ import annotations

import csv
import io
import json

from obdoctor.catalog.client_width import width as _width  # cells as the mysql client pads them


def _text(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def table(columns: list[str], rows: list[dict]) -> str:
    widths = [max([_width(c)] + [_width(_text(r.get(c))) for r in rows]) for c in columns]
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells):
        return "| " + " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)) + " |"

    out = [border, line(columns), border]
    out += [line([_text(r.get(c)) for c in columns]) for r in rows]
    out.append(border)
    out.append(f"{len(rows)} row{'s' if len(rows) != 1 else ''} in set" if rows else "Empty set")
    return "\n".join(out) + "\n"


def vertical(columns: list[str], rows: list[dict]) -> str:
    """``\\G`` output: names right-aligned, NULL as ``NULL``, an empty string as nothing after the colon."""
    width = max((len(c) for c in columns), default=0)
    out = []
    for i, r in enumerate(rows, 1):
        out.append(f"{'*' * 27} {i}. row {'*' * 27}")
        for c in columns:
            value = r.get(c)
            out.append(f"{c.rjust(width)}:" if value == "" else f"{c.rjust(width)}: {_text(value)}")
    out.append(f"{len(rows)} row{'s' if len(rows) != 1 else ''} in set" if rows else "Empty set")
    return "\n".join(out) + "\n"


def delimited(columns: list[str], rows: list[dict], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow(["\\N" if r.get(c) is None else _text(r.get(c)) for c in columns])
    return buffer.getvalue()


def jsonl(columns: list[str], rows: list[dict]) -> str:
    return "".join(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n" for r in rows)


def render(fmt: str, columns: list[str], rows: list[dict], indent: int = 0) -> tuple[str, str]:
    """(file extension, text). ``indent`` shifts obclient output right, as when pasted from a document."""
    if fmt in ("table", "vertical"):
        text = table(columns, rows) if fmt == "table" else vertical(columns, rows)
        if indent:
            text = "".join(" " * indent + line if line.strip() else line for line in text.splitlines(keepends=True))
        return "txt", text
    if fmt == "csv":
        return "csv", delimited(columns, rows, ",")
    if fmt == "tsv":
        return "tsv", delimited(columns, rows, "\t")
    if fmt == "jsonl":
        return "jsonl", jsonl(columns, rows)
    raise ValueError(f"unknown sql format {fmt!r} (table, vertical, csv, tsv, jsonl)")
