"""Readers of one cell of a view row: integers, texts, times, codes, server addresses, SCNs.

A record's column map (``columns.column``) names a reader for each field, so a time out of range,
a positive code or a path in an address column is handled the same way whatever the view. Every
reader takes ``(row, column)`` and never raises: a malformed cell is noted on the row (reported
once by the evidence) and read as NULL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from obdoctor.addresses import server_ip
from obdoctor.evidence.clock import from_epoch_us
from obdoctor.evidence.rows import Row
from obdoctor.catalog.errors import normalize_code
from obdoctor.catalog.statuses import known_values, read_status
from obdoctor.logs import parse_ts


# Times outside this range are not backup times: read as NULL and reported as malformed cells,
# so no rule's "time +/- margin" can overflow (year 9999, epoch 0).
_FIRST_YEAR, _LAST_YEAR = 1971, 2200


def integer(row: Row, column: str) -> int | None:
    """A 64-bit integer (``12``, ``12.0``); anything else is a malformed cell."""
    return row.integer(column)


def text(row: Row, column: str) -> str | None:
    """The cell as text; empty and NULL are None."""
    return row.text(column)


def text_or_blank(row: Row, column: str) -> str:
    """The cell as text; empty and NULL are ``""`` (an event's MODULE, EVENT)."""
    return row.text(column) or ""


def upper(row: Row, column: str) -> str:
    """A status as OceanBase spells it in upper case; ``""`` when empty (a job always has one)."""
    return (row.text(column) or "").upper()


def upper_or_none(row: Row, column: str) -> str | None:
    """A status or role in upper case; None when empty."""
    return (row.text(column) or "").upper() or None


def status(row: Row, column: str) -> str:
    """A status, stage or type as OceanBase spells it (``catalog.statuses.read_status``) when its
    column has known values: another spelling of one value is read as it, a value that is none of
    them is kept as written (upper case) and noted on the row as not understood; ``""`` when empty."""
    return status_or_none(row, column) or ""


def status_or_none(row: Row, column: str) -> str | None:
    """:func:`status`, None when empty."""
    return _known_or(row, column, str.upper)


def type_or_none(row: Row, column: str) -> str | None:
    """A type (a task's, a delete job's) read as :func:`status`, kept as written when not understood."""
    return _known_or(row, column, str)


def _known_or(row: Row, column: str, otherwise: Callable[[str], str]) -> str | None:
    text = row.text(column)
    known = known_values(row.view, column)
    if known is None:
        return otherwise(text) if text else None
    if text is None and not row.has(column):
        return None  # a version without the column: nothing to understand
    reading = read_status(text, known)
    if reading.understood and reading.spelt is None:
        return reading.value
    row.statuses = (row.statuses or []) + [(column, text, reading.value, known)]
    return reading.value or (otherwise(text) if text else None)


def job_type(row: Row, column: str) -> int | None:
    """The scheduler queue's ``type``, an index into the job types (``catalog.statuses``): an
    integer no version defines, or an empty cell, is noted as not understood (its job is unknown)."""
    text, value = row.text(column), row.integer(column)  # ``1e999`` is also a malformed cell
    known = known_values(row.view, column)
    if known is not None and row.has(column) and (value is None or not 0 <= value < len(known)):
        row.statuses = (row.statuses or []) + [(column, text, None, tuple(f"{i} {n}" for i, n in enumerate(known)))]
    return value


def lower(row: Row, column: str) -> str:
    """A parameter's or key's name in lower case; ``""`` when empty."""
    return (row.text(column) or "").lower()


def comma_list(row: Row, column: str) -> tuple[str, ...]:
    """A comma-separated cell as its items (a mount's options ``rw,hard,vers=4.1``); empty is ``()``."""
    return tuple(item for item in (row.text(column) or "").split(",") if item)


def is_on(row: Row, column: str) -> bool:
    """An ON/OFF switch (PLUS_ARCHIVELOG)."""
    return (row.text(column) or "").upper() == "ON"


def is_true(row: Row, column: str) -> bool:
    """A boolean cell as a MySQL client prints it: ``true``, ``1`` or ``yes``."""
    return (row.text(column) or "").lower() in ("true", "1", "yes")


def time(row: Row, column: str) -> datetime | None:
    """A time cell: text as the views print it, or a microsecond epoch (``start_ts``) on the cluster's clock."""
    cell = row.text(column)
    if cell is None:
        return None
    if cell.isdigit() and len(cell) >= 13:  # microsecond epoch columns (start_ts, generate_ts)
        try:
            when = from_epoch_us(int(cell))  # on the cluster's zone, never the analyst's
        except (OverflowError, ValueError, OSError):
            when = None
    else:
        when = parse_ts(cell)
    if when is None or not _FIRST_YEAR <= when.year <= _LAST_YEAR:
        row.note_malformed(column, cell, f"a time between {_FIRST_YEAR} and {_LAST_YEAR}")
        return None
    return when


def error_code(row: Row, column: str) -> int | None:
    """An error code (RESULT): 0 is success, any other is made negative as OceanBase's are."""
    value = row.integer(column)
    if value is None or value == 0:
        return None if value is None else 0
    return normalize_code(value)


def server_address(row: Row, column: str) -> str | None:
    """A server address cell; something else there (a path...) is a malformed cell, not a server."""
    cell = row.text(column)
    if cell is None:
        return None
    if server_ip(cell) is None:
        row.note_malformed(column, cell, "a server address")
        return None
    return cell


def scn(row: Row, column: str) -> int | None:
    """SCN columns are bigint unsigned; 4.x SCNs are nanosecond timestamps."""
    return row.integer(column)


def name_value_pairs(row: Row, columns: tuple[str, ...]) -> dict[str, str | None]:
    """An event's NAMEx/VALUEx cells (``columns`` as NAME1, VALUE1, NAME2...) read by name:
    the first VALUE under a NAME wins, a blank NAME is no pair."""
    values: dict[str, str | None] = {}
    for name_column, value_column in zip(columns[::2], columns[1::2]):
        name = row.text(name_column)
        if name:
            values.setdefault(name, row.text(value_column))
    return values


READERS: dict[str, Callable] = {reader.__name__: reader for reader in (
    integer, text, text_or_blank, upper, upper_or_none, status, status_or_none, type_or_none, job_type, lower, is_on, is_true, time, error_code, server_address, scn,
    name_value_pairs, comma_list,
)}
"""The readers a column map (``data/records.toml``) may name."""


def scn_time(scn: int | None) -> datetime | None:
    """An SCN (ns since the epoch) as a naive UTC time; None if it is not one.

    UTC, not the machine's zone: the cluster's zone is unknown here, and a report must not change
    with the zone of the machine that renders it. Texts say "UTC" next to such times.
    """
    if not scn or scn <= 0 or scn >= 4611686018427387903:
        return None
    try:
        return datetime.fromtimestamp(scn / 1_000_000_000, tz=timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None
