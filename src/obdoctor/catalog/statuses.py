"""Job and task statuses as OceanBase writes them (``data/backup_facts.toml`` ``[statuses]``).

The one place a status set is spelt: rules, checks and the watcher ask here instead of writing
``("COMPLETED", "FAILED", "CANCELED")`` each, so a status added by a version is added once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from obdoctor.catalog.data_files import data_toml

_STATUSES = data_toml("backup_facts.toml")["statuses"]

TERMINAL: tuple[str, ...] = tuple(_STATUSES["terminal"])
"""Statuses that end a job, a set task or a clean task; anything else is still moving (or stuck)."""
FAILED: tuple[str, ...] = tuple(_STATUSES["failed"])
SUCCEEDED: tuple[str, ...] = tuple(_STATUSES["succeeded"])
"""The terminal statuses of a job or task that did its work."""
KNOWN_STAGES: tuple[str, ...] = tuple(_STATUSES["known_stages"])
"""Set-task stages across 4.0 .. 4.3.5; an unknown one is shown verbatim."""
ARCHIVE_WAIT_STAGES: tuple[str, ...] = tuple(_STATUSES["archive_wait_stages"])
"""Stages in which a job waits for the log archive to pass the backup's end SCN."""
LS_TASK_STATUSES: tuple[str, ...] = tuple(_STATUSES["ls_task"])
ARCHIVE_ROUND_STATUSES: tuple[str, ...] = tuple(_STATUSES["archive_round"])
CLEAN_STATUSES: tuple[str, ...] = tuple(_STATUSES["clean"])
RESTORE_PROGRESS_STATUSES: tuple[str, ...] = tuple(dict.fromkeys(
    _STATUSES["restore_progress_sys"] + _STATUSES["restore_progress_tenant"]))
"""CDB_OB_RESTORE_PROGRESS.STATUS of the sys tenant's job and of the restored tenant's job."""
RESTORE_PROGRESS_FINISHED: tuple[str, ...] = tuple(_STATUSES["restore_progress_finished"])
"""A progress row in one of these has ended (it moves to the history): not a running restore."""
RESTORE_HISTORY_STATUSES: tuple[str, ...] = tuple(_STATUSES["restore_history"])
SCHEDULE_JOB_TYPES: tuple[str, ...] = tuple(_STATUSES["schedule_job_types"])
"""``__all_virtual_backup_schedule_task.type`` names, indexed by the integer the table stores."""
DATA_BACKUP_JOB = SCHEDULE_JOB_TYPES[0]
VALIDATE_JOB = SCHEDULE_JOB_TYPES[1]


def schedule_job_type(value: int | None) -> str | None:
    """The job type a scheduler queue row belongs to (``1`` -> ``VALIDATE_JOB``); an integer no
    version defines is shown as ``type <n>``; None when the row has no type."""
    if value is None:
        return None
    return SCHEDULE_JOB_TYPES[value] if 0 <= value < len(SCHEDULE_JOB_TYPES) else f"type {value}"


# -- reading a status cell ------------------------------------------------------------------
# A status cell is read against the values OceanBase writes in that column (``[statuses.columns]``)
# here, and only here: a spelling that names exactly one of them (``failed``, `` BACKUP LOG ``, a
# GUI's non-breaking space) is read as it and said; anything else (``FAIL``, a newer version's
# stage, an empty cell) is "not understood", and the evidence names the row instead of letting a
# rule read it as "not failed".

_SETS: dict[str, tuple[str, ...]] = {name: tuple(values) for name, values in _STATUSES.items()
                                     if isinstance(values, list) and all(isinstance(v, str) for v in values)}
_SETS["restore_progress"] = RESTORE_PROGRESS_STATUSES
_COLUMNS: dict[str, str] = dict(_STATUSES["columns"])
_VIEW_PREFIXES = ("CDB_", "DBA_")
_SEPARATORS = re.compile(r"[\s_\-]+")


def known_values(view: str, column: str) -> tuple[str, ...] | None:
    """The values OceanBase 4.0 .. 4.3.5 write in ``view``'s ``column`` (any CDB_/DBA_ spelling,
    any case), or None when obdoctor does not read that column as a status."""
    name = view.upper()
    if name.startswith(_VIEW_PREFIXES):
        name = name[4:]
    key = _COLUMNS.get(f"{name}.{column.upper()}")
    return _SETS[key] if key is not None else None


def _key(text: str) -> str:
    """What a spelling is compared by: compatibility forms folded (full-width letters), invisible
    format characters dropped (a zero-width space from a paste), case folded, and any run of
    spaces, ``_`` or ``-`` made one ``_``."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return _SEPARATORS.sub("_", folded.casefold()).strip("_")


@functools.cache
def _by_key(known: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for value in known:
        out[_key(value)] = out.get(_key(value), ()) + (value,)
    return out


@dataclass(frozen=True)
class Reading:
    """A status cell as read: the known value it names (None: not understood) and, when the cell
    spelt it otherwise, that spelling (said in the report's notes)."""

    value: str | None
    spelt: str | None = None

    @property
    def understood(self) -> bool:
        return self.value is not None


def read_status(text: str | None, known: tuple[str, ...]) -> Reading:
    """``text`` as one of ``known``: as is, or the only value its spelling can be (case, padding,
    separators); otherwise not understood. Never a guess between two values, never a prefix
    (``FAIL`` is not ``FAILED``: a version may have a value of that name)."""
    if text is None:
        return Reading(None)
    if text in known:
        return Reading(text)
    matches = _by_key(known).get(_key(text), ())
    if len(matches) == 1:
        return Reading(matches[0], text)
    return Reading(None)


@dataclass(frozen=True)
class NotUnderstood:
    """A status cell that is none of its column's values: where it is and what was known."""

    view: str
    row: int | None
    column: str
    text: str | None
    known: tuple[str, ...]

    def describe(self) -> str:
        shown = "is empty" if not self.text else f"= {self.text[:60]!r} is"
        return (f"row {self.row}: not understood: {self.column} {shown} none of the values OceanBase 4.0 .. 4.3.5 "
                f"writes there ({', '.join(self.known)})")

    def query(self) -> str:
        """The view re-read as the server has it (whole: its output replaces the bundle's copy,
        which a copy of the one row would cut short): a paste or an edit shows there as such."""
        return f"SELECT * FROM oceanbase.{self.view}"


def respelt_note(view: str, column: str, spelt: str, value: str) -> str:
    """The note a status read from another spelling leaves in the report."""
    return f"{view}.{column} {spelt[:60]!r} read as {value} (the only value it can be)"
