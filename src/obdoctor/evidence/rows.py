"""Raw view rows as sources deliver them, before they become typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from obdoctor.evidence.provenance import Provenance


_MISSING = object()


class Columns:
    """One header shared by every row of a table read as cells: names and where each is."""

    __slots__ = ("names", "index")

    def __init__(self, header: list[str]):
        self.names = [str(h).upper() for h in header]
        self.index: dict[str, int] = {}
        for i, (given, upper) in enumerate(zip(header, self.names)):
            self.index.setdefault(upper, i)
            self.index.setdefault(str(given), i)


class Row:
    """One row of a view: columns read case-insensitively (OceanBase resolves names so).

    The values are kept as the source gave them and looked up as asked first; only a miss
    builds the upper-cased copy (once): a 200,000-row view is not copied to be read.
    """

    __slots__ = ("_values", "_upper", "_columns", "_provenance", "_place", "_malformed", "statuses")

    def __init__(self, values: dict[str, Any], provenance: Provenance):
        self._values: Any = values
        self._upper: dict[str, Any] | None = None
        self._columns: Columns | None = None
        self._provenance: Provenance | None = provenance
        self._place: tuple | None = None
        self._malformed: list[str] | None = None
        self.statuses: list[tuple[str, str | None, str | None, tuple[str, ...]]] | None = None
        """Status cells read as another spelling or not understood: ``(column, text, value, known)``
        (``records/cells.status``), reported by the evidence once."""

    @property
    def view(self) -> str:
        """The view this row was read from."""
        return self._place[0] if self._provenance is None else self._provenance.name

    @property
    def malformed(self) -> list[str]:
        """Cells that were there but could not be read as what their column holds (``1e999`` in
        an integer column...): read as NULL and reported, never raised."""
        return self._malformed or []

    def note_malformed(self, column: str, text: str, what: str) -> None:
        note = f"{column.upper()} = {text[:60]!r} is not {what}"
        if self._malformed is None:
            self._malformed = []
        if note not in self._malformed:
            self._malformed.append(note)

    @classmethod
    def from_cells(cls, columns: Columns, cells: tuple, place: tuple[str, str, int, int]) -> "Row":
        """A row of a big table: its cells in header order, the header shared (no dict per row),
        and where it was read, ``(view, location, row, line)``, made a Provenance when asked."""
        row = cls.__new__(cls)
        row._values, row._upper, row._columns, row._provenance, row._place = cells, None, columns, None, place
        row._malformed = None
        row.statuses = None
        return row

    @property
    def provenance(self) -> Provenance:
        if self._provenance is None:
            name, location, index, line = self._place
            self._provenance = Provenance("sql", name, row=index, line=line, location=location)
        return self._provenance

    def _by_upper(self) -> dict[str, Any]:
        if self._columns is not None:
            return dict(zip(self._columns.names, self._values))
        if self._upper is None:
            values = self._values
            if all(type(k) is str and k.isupper() for k in values):
                self._upper = values
            else:
                self._upper = {str(k).upper(): v for k, v in values.items()}
        return self._upper

    def _lookup(self, column: str) -> Any:
        if self._columns is not None:
            index = self._columns.index
            i = index.get(column)
            if i is None:
                i = index.get(column.upper())
            return _MISSING if i is None else self._values[i]
        value = self._values.get(column, _MISSING)
        if value is _MISSING:
            return self._by_upper().get(column.upper(), _MISSING)
        return value

    def get(self, column: str, default: Any = None) -> Any:
        value = self._lookup(column)
        return default if value is _MISSING else value

    def has(self, column: str) -> bool:
        return self._lookup(column) is not _MISSING

    def text(self, column: str) -> str | None:
        """The column as text; empty and NULL both become None."""
        value = self._lookup(column)
        if value is None or value is _MISSING:
            return None
        text = (value if type(value) is str else str(value)).strip()
        if not text or (len(text) == 4 and text.upper() == "NULL"):
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
        return dict(self._by_upper())

    def __repr__(self) -> str:
        return f"Row({self._by_upper()!r}, {self.provenance.describe()})"


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
    notes: list[str] = field(default_factory=list)
    """What was read in a way worth saying, not a problem (a status in lower case read as itself)."""
    not_understood: list = field(default_factory=list)
    """Status cells none of whose column's values they are (``catalog.statuses.NotUnderstood``)."""
