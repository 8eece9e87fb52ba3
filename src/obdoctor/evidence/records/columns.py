"""Records as column maps, and the one reader that builds any record from a view row.

A record's fields, in order, and where each is read are data (``data/records.toml``, one table per
record; its header says the notation): ``"JOB_ID: integer"`` a column and the reader of its cell
(``cells``), ``"TIMESTAMP | GMT_CREATE: time"`` alternative columns, ``"TENANT_ID: tenant"`` the
DBA_ tenant default, ``"provenance"`` and ``"derived"`` the fields no cell gives. A subclass of
:class:`Record` becomes a dataclass of those fields (typed by what its readers return) when it is
defined; its body keeps only what it computes. ``Record.from_row(row, default_tenant)`` reads
every record through :func:`read_row`, so a column is named once, and :func:`mapped_columns`
lets the catalogue check every name (``evidence/kinds.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import keyword
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from obdoctor.catalog.data_files import data_toml
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records import cells
from obdoctor.evidence.rows import Row

COLUMN_MAPS = "records.toml"
PROVENANCE = "provenance"
"""The field every record keeps its row's provenance in."""
_COLUMN = "obdoctor.column"
_DERIVED = {"": (None, Any), "list": (list, list), "dict": (dict, dict)}
_TENANT = "tenant"

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


def _reader(name: str, where: str) -> Callable[[Row, Any], Any]:
    reader = cells.READERS.get(name)
    if reader is None:
        raise ValueError(f"{where}: no cell reader {name!r} (records/cells.py READERS: {', '.join(cells.READERS)})")
    return reader


@functools.cache
def _returns(reader: Callable) -> Any:
    """What a reader returns: the type of the fields it reads."""
    return typing.get_type_hints(reader)["return"]


def _field(spec: str, where: str) -> tuple[Any, dataclasses.Field]:
    """A field's type and dataclass field from its notation in ``records.toml``."""
    spec = spec.strip()
    if spec == PROVENANCE:
        return Provenance, dataclasses.field()
    if spec.split(":")[0].strip() == "derived":
        of = spec.partition(":")[2].strip()
        if of not in _DERIVED:
            raise ValueError(f"{where}: a derived field is 'derived', 'derived: list' or 'derived: dict', not {spec!r}")
        factory, kind = _DERIVED[of]
        if factory is None:
            return kind, dataclasses.field(default=None)
        return kind, dataclasses.field(default_factory=factory)
    names_text, colon, rest = spec.partition(":")
    reader_name, equals, default = rest.partition("=")
    if not colon or not names_text.strip() or (equals and default.strip() != "None"):
        raise ValueError(f"{where}: {spec!r} is not 'COLUMN: reader', 'A | B: reader', 'provenance' or 'derived'")
    reader_name = reader_name.strip()
    if reader_name == _TENANT:
        column = Column((names_text.strip(),), cells.integer, tenant=True)
    elif "|" in names_text:
        column = Column(tuple(n.strip() for n in names_text.split("|")), _reader(reader_name, where))
    else:
        names = tuple(names_text.split())
        column = Column(names, _reader(reader_name, where), together=len(names) > 1)
    kind = _returns(column.read)
    extra = {"default": None} if equals else {}
    return kind, dataclasses.field(metadata={_COLUMN: column}, **extra)


class Record:
    """A typed view row. A subclass is made a dataclass of its column map when it is defined:
    ``data/records.toml``'s table of the class's name, or ``columns=`` given in the class line."""

    def __init_subclass__(cls, columns: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = columns if columns is not None else data_toml(COLUMN_MAPS).get(cls.__name__)
        if fields is None:
            raise TypeError(f"{cls.__name__} has no column map in data/{COLUMN_MAPS}")
        if PROVENANCE not in fields:
            raise TypeError(f"{cls.__name__}'s column map has no provenance field")
        annotations = {}
        for name, spec in fields.items():
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"{cls.__name__}: {name!r} cannot be a field name")
            annotations[name], field = _field(spec, f"{cls.__name__}.{name}")
            setattr(cls, name, field)
        cls.__annotations__ = annotations
        dataclasses.dataclass(kw_only=True)(cls)

    @classmethod
    def from_row(cls: type[R], row: Row, default_tenant: int | None = None) -> R:
        return read_row(cls, row, default_tenant)


def column_map(record: type) -> tuple[tuple[str, Column], ...]:
    """The record's fields read from rows, in field order, with their columns."""
    return tuple((f.name, f.metadata[_COLUMN]) for f in dataclasses.fields(record) if _COLUMN in f.metadata)


def _first(read: Callable[[Row, str], Any], row: Row, names: tuple[str, ...]) -> Any:
    """The first of alternative columns that gives a value."""
    value = None
    for name in names:
        value = read(row, name)
        if value is not None:
            return value
    return value


def _tenant_or(row: Row, name: str, default_tenant: int | None) -> int | None:
    return cells.integer(row, name) if row.has(name) else default_tenant


def _compile(record: type) -> Callable[[Row, int | None], Any]:
    """The record's reader, written out from its column map the way ``dataclasses`` writes an
    ``__init__``: one keyword a field, in field order, so a row is read with no loop over the map
    (a 200,000-row view reads as fast as with a hand-written reader)."""
    scope: dict[str, Any] = {"record": record, "_first": _first, "_tenant_or": _tenant_or}
    lines = []
    for i, (name, spec) in enumerate(column_map(record)):
        scope[f"read{i}"] = spec.read
        if spec.tenant:
            lines.append(f"{name}=_tenant_or(row, {spec.names[0]!r}, default_tenant)")
        elif spec.together:
            lines.append(f"{name}=read{i}(row, {spec.names!r})")
        elif len(spec.names) == 1:
            lines.append(f"{name}=read{i}(row, {spec.names[0]!r})")
        else:
            lines.append(f"{name}=_first(read{i}, row, {spec.names!r})")
    lines.append(f"{PROVENANCE}=row.provenance")
    source = "def read(row, default_tenant):\n    return record(\n" + "".join(f"        {line},\n" for line in lines) + "    )\n"
    # Only field names (identifiers, checked) and repr()s of column names enter the source.
    exec(compile(source, f"<column map of {record.__name__}>", "exec"), scope)
    return scope["read"]


def read_row(record: type[R], row: Row, default_tenant: int | None = None) -> R:
    """The record a row makes: every mapped field read by its reader (a malformed cell is noted on
    the row and read as NULL, never raised), the provenance from the row."""
    read = record.__dict__.get("_read")
    if read is None:
        read = _compile(record)
        setattr(record, "_read", read)
    return read(row, default_tenant)


def mapped_columns(record: type) -> list[str]:
    """Every column name the record reads, upper case, in field order."""
    names: list[str] = []
    for _, spec in column_map(record):
        names.extend(n.upper() for n in spec.names if n.upper() not in names)
    return names
