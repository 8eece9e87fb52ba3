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
