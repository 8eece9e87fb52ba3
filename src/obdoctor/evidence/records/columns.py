"""Records as column maps, and the one reader that builds any record from a view row.

A record is a dataclass whose every field says where its value comes from:

- ``column("JOB_ID", integer)``: a column and the reader of its cell (``cells``); several names,
  ``column(("TIMESTAMP", "GMT_CREATE"), time)``, are alternatives tried in order (versions and
  views name a column differently), the first that gives a value wins;
- ``tenant_column()``: TENANT_ID, or the connected tenant for a DBA_ view's rows, which drop it;
- ``columns(("NAME1", "VALUE1", ...), name_value_pairs)``: several cells read together;
- ``derived()``: not read from a row (set later by whoever proves it, or computed);
- ``provenance``: where the row was read, given by the row.

``Record.from_row(row, default_tenant)`` reads them all through :func:`read_row`, so no record has a
reader of its own: a column is named once, beside its field, and :func:`mapped_columns` lets the
catalogue check every name (``evidence/kinds.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from obdoctor.evidence.records.cells import integer
from obdoctor.evidence.rows import Row

_COLUMN = "obdoctor.column"
_DERIVED = "obdoctor.derived"
PROVENANCE = "provenance"
"""The field every record keeps its row's provenance in."""

R = TypeVar("R", bound="Record")


@dataclass(frozen=True)
class Column:
    """Where one field's value is read: column names (alternatives or a group) and the cell reader."""

    names: tuple[str, ...]
    read: Callable[[Row, Any], Any]
    tenant: bool = False
    """TENANT_ID, falling back to the tenant a DBA_ view's rows belong to."""
    together: bool = False
    """``read(row, names)`` reads every name at once, instead of one name at a time."""

    def value(self, row: Row, default_tenant: int | None) -> Any:
        if self.together:
            return self.read(row, self.names)
        if self.tenant:
            name = self.names[0]
            return self.read(row, name) if row.has(name) else default_tenant
        value = None
        for name in self.names:
            value = self.read(row, name)
            if value is not None:
                return value
        return value


def _names(names: str | tuple[str, ...]) -> tuple[str, ...]:
    return (names,) if isinstance(names, str) else tuple(names)


def column(names: str | tuple[str, ...], read: Callable[[Row, str], Any], *, default: Any = dataclasses.MISSING) -> Any:
    """A field read from a column (or the first of alternative columns that has a value)."""
    return dataclasses.field(default=default, metadata={_COLUMN: Column(_names(names), read)})


def columns(names: tuple[str, ...], read: Callable[[Row, tuple[str, ...]], Any]) -> Any:
    """A field read from several cells together (an event's NAMEx/VALUEx pairs)."""
    return dataclasses.field(metadata={_COLUMN: Column(_names(names), read, together=True)})


def tenant_column() -> Any:
    """TENANT_ID; a DBA_ view drops it, and its rows are the connected tenant's (``default_tenant``)."""
    return dataclasses.field(metadata={_COLUMN: Column(("TENANT_ID",), integer, tenant=True)})


def derived(*, default: Any = None, default_factory: Callable[[], Any] | None = None) -> Any:
    """A field no row gives: set by whatever establishes it, else its default."""
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata={_DERIVED: True})
    return dataclasses.field(default=default, metadata={_DERIVED: True})


class Record:
    """A typed view row. Subclasses are dataclasses whose fields are column maps (module doc)."""

    __slots__ = ()

    @classmethod
    def from_row(cls: type[R], row: Row, default_tenant: int | None = None) -> R:
        return read_row(cls, row, default_tenant)


_PLANS: dict[type, tuple[tuple[str, Column], ...]] = {}


def column_map(record: type) -> tuple[tuple[str, Column], ...]:
    """The record's fields read from rows, in field order, with their columns. Fails (TypeError)
    when a field says neither where it is read nor that it is derived."""
    plan = _PLANS.get(record)
    if plan is None:
        out = []
        for f in dataclasses.fields(record):
            if _COLUMN in f.metadata:
                out.append((f.name, f.metadata[_COLUMN]))
            elif not f.metadata.get(_DERIVED) and f.name != PROVENANCE:
                raise TypeError(f"{record.__name__}.{f.name} is neither a column, derived, nor the provenance")
        plan = _PLANS[record] = tuple(out)
    return plan


def read_row(record: type[R], row: Row, default_tenant: int | None = None) -> R:
    """The record a row makes: every mapped field read by its reader (a malformed cell is noted on
    the row and read as NULL, never raised), the provenance from the row."""
    values = {name: spec.value(row, default_tenant) for name, spec in column_map(record)}
    values[PROVENANCE] = row.provenance
    return record(**values)


def mapped_columns(record: type) -> list[str]:
    """Every column name the record reads, upper case, in field order."""
    names: list[str] = []
    for _, spec in column_map(record):
        names.extend(n.upper() for n in spec.names if n.upper() not in names)
    return names
