"""Raw view rows as sources deliver them, before they become typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from obdoctor.evidence.provenance import Provenance


class Row:
    """One row of a view: columns read case-insensitively (OceanBase resolves names so)."""

    __slots__ = ("_values", "provenance", "malformed")

    def __init__(self, values: dict[str, Any], provenance: Provenance):
        self._values = {str(k).upper(): v for k, v in values.items()}
        self.provenance = provenance
        self.malformed: list[str] = []
        """Cells that were there but could not be read as what their column holds (``1e999`` in
        an integer column...): read as NULL and reported, never raised."""

    def note_malformed(self, column: str, text: str, what: str) -> None:
        note = f"{column.upper()} = {text[:60]!r} is not {what}"
        if note not in self.malformed:
            self.malformed.append(note)

    def get(self, column: str, default: Any = None) -> Any:
        return self._values.get(column.upper(), default)

    def has(self, column: str) -> bool:
        return column.upper() in self._values

    def text(self, column: str) -> str | None:
        """The column as text; empty and NULL both become None."""
        value = self._values.get(column.upper())
        if value is None:
            return None
        text = str(value).strip()
        if text == "" or text.upper() == "NULL":
            return None
        return text

    def integer(self, column: str) -> int | None:
        """The column as a 64-bit integer (``12``, ``12.0``); anything else is a malformed cell."""
        text = self.text(column)
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError:
            try:
                value = int(float(text))
            except (ValueError, OverflowError):  # "n/a", "nan", "inf", "1e999"
                self.note_malformed(column, text, "an integer")
                return None
        if not -(2 ** 63) <= value < 2 ** 64:
            self.note_malformed(column, text, "a 64-bit integer")
            return None
        return value

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        return f"Row({self._values!r}, {self.provenance.describe()})"


@dataclass
class TableResult:
    """What a source returned for one view: rows, or why there are none.

    ``available`` is False when the view could not be read at all (missing from the bundle,
    error 1146 live, unreadable file); an available table may still have zero rows.
    """

    name: str
    rows: list[Row] = field(default_factory=list)
    available: bool = True
    reason: str | None = None
    problems: list[str] = field(default_factory=list)
