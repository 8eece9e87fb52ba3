"""Reading one cell of a view row: times, codes, server addresses, SCNs, a DBA_ view's tenant.

Every record reads its columns through these, so a time out of range, a positive code or a path
in an address column is handled the same way whatever the view (a malformed cell is noted on
the row and reported once, never fatal).
"""

from __future__ import annotations

from datetime import datetime, timezone

from obdoctor.addresses import server_ip
from obdoctor.evidence.clock import from_epoch_us
from obdoctor.evidence.rows import Row
from obdoctor.catalog.errors import normalize_code
from obdoctor.logs import parse_ts


# Times outside this range are not backup times: read as NULL and reported as malformed cells,
# so no rule's "time +/- margin" can overflow (year 9999, epoch 0).
_FIRST_YEAR, _LAST_YEAR = 1971, 2200


def _ts(row: Row, column: str) -> datetime | None:
    text = row.text(column)
    if text is None:
        return None
    if text.isdigit() and len(text) >= 13:  # microsecond epoch columns (start_ts, generate_ts)
        try:
            when = from_epoch_us(int(text))  # on the cluster's zone, never the analyst's
        except (OverflowError, ValueError, OSError):
            when = None
    else:
        when = parse_ts(text)
    if when is None or not _FIRST_YEAR <= when.year <= _LAST_YEAR:
        row.note_malformed(column, text, f"a time between {_FIRST_YEAR} and {_LAST_YEAR}")
        return None
    return when


def _code(row: Row, column: str) -> int | None:
    value = row.integer(column)
    if value is None or value == 0:
        return None if value is None else 0
    return normalize_code(value)


def _address(row: Row, column: str) -> str | None:
    """A server address cell; something else there (a path...) is a malformed cell, not a server."""
    text = row.text(column)
    if text is None:
        return None
    if server_ip(text) is None:
        row.note_malformed(column, text, "a server address")
        return None
    return text


def _tenant(row: Row, default_tenant: int | None) -> int | None:
    return row.integer("TENANT_ID") if row.has("TENANT_ID") else default_tenant


def _scn(row: Row, column: str) -> int | None:
    """SCN columns are bigint unsigned; 4.x SCNs are nanosecond timestamps."""
    return row.integer(column)


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
