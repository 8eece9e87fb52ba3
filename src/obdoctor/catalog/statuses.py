"""Job and task statuses as OceanBase writes them (``data/backup_facts.toml`` ``[statuses]``).

The one place a status set is spelt: rules, checks and the watcher ask here instead of writing
``("COMPLETED", "FAILED", "CANCELED")`` each, so a status added by a version is added once.
"""

from __future__ import annotations

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
