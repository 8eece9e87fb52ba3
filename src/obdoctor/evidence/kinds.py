"""The evidence kinds: for each, the views tried in order and the record its rows become.

One entry per kind is the only place a view is named for the rules and the watcher: add a kind
here (and its record in ``records/``, one module per domain) and ``Evidence.get(Kind.X)`` reads it,
falling back CDB_ -> DBA_ -> ``__all_virtual_`` in the order given, as the runbook names them.

Every column a record maps must be a column of one of its kinds' views in some version the
catalogue knows (``data/ob_views.json``): :func:`check_columns` says which are not, and under
``OBDOCTOR_STRICT_COLUMNS=1`` importing this module fails on the first misspelt column.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field

from obdoctor.evidence.records.columns import mapped_columns

from obdoctor.evidence.records import (
    ArchivePiece, ArchiveStatus, BackupJob, BackupParameter, BackupSetFile, BackupTask, DeleteJob,
    DeleteTask, KeyValue, LogStat, LSArchiveProgress, LSRecoveryStat, LSReplica, LSTask, Mount, ReplayStat,
    RestoreJob, RootServiceEvent, ScheduleTask, SchemaInfo, Server, ServerEvent, Tenant, TenantInfo,
)


class Kind(str, enum.Enum):
    """An evidence kind: what a rule declares in ``needs`` and asks ``Evidence.get`` for."""

    RS_EVENTS = "rs_events"
    JOBS = "jobs"
    JOB_HISTORY = "job_history"
    TASKS = "tasks"
    TASK_HISTORY = "task_history"
    SCHEDULE_TASKS = "schedule_tasks"
    LS_TASKS = "ls_tasks"
    LS_TASK_HISTORY = "ls_task_history"
    TENANTS = "tenants"
    PARAMETERS = "parameters"
    ARCHIVELOG = "archivelog"
    SERVERS = "servers"
    SERVER_EVENTS = "server_events"
    RESTORE_PROGRESS = "restore_progress"
    RESTORE_HISTORY = "restore_history"
    RESTORE_JOB_VALUES = "restore_job_values"
    LS_META = "ls_meta"
    LOG_STAT = "log_stat"
    REPLAY_STAT = "replay_stat"
    TENANT_INFO = "tenant_info"
    LS_RECOVERY_STAT = "ls_recovery_stat"
    SCHEMA_INFO = "schema_info"
    DELETE_JOBS = "delete_jobs"
    DELETE_JOB_HISTORY = "delete_job_history"
    DELETE_TASKS = "delete_tasks"
    DELETE_TASK_HISTORY = "delete_task_history"
    BACKUP_SET_FILES = "backup_set_files"
    ARCHIVE_PIECES = "archive_pieces"
    LS_ARCHIVE_PROGRESS = "ls_archive_progress"
    MOUNTS = "mounts"


MOUNTS_SOURCE = "/proc/mounts"
"""Not a view: each server's ``/proc/mounts``, which the sources read over SSH (live) or from the
bundle's ``mounts/<ip>`` files, never over SQL. Its rows carry ``file`` provenance (server, line)."""


@dataclass(frozen=True)
class KindSpec:
    views: tuple[str, ...]
    """Tried in this order; the first readable one is used (CDB_ for all tenants, sys only, first)."""
    record: type
    """The record its rows become (``from_row``)."""
    per_tenant: bool
    """``record.from_row`` takes the tenant of a DBA_ view's rows (DBA_ views drop TENANT_ID)."""


KINDS: dict[Kind, KindSpec] = {
    Kind.RS_EVENTS: KindSpec(("DBA_OB_ROOTSERVICE_EVENT_HISTORY", "__all_rootservice_event_history"), RootServiceEvent, False),
    Kind.JOBS: KindSpec(("CDB_OB_BACKUP_JOBS", "DBA_OB_BACKUP_JOBS", "__all_virtual_backup_job"), BackupJob, True),
    Kind.JOB_HISTORY: KindSpec(("CDB_OB_BACKUP_JOB_HISTORY", "DBA_OB_BACKUP_JOB_HISTORY", "__all_virtual_backup_job_history"), BackupJob, True),
    Kind.TASKS: KindSpec(("CDB_OB_BACKUP_TASKS", "DBA_OB_BACKUP_TASKS", "__all_virtual_backup_task"), BackupTask, True),
    Kind.TASK_HISTORY: KindSpec(("CDB_OB_BACKUP_TASK_HISTORY", "DBA_OB_BACKUP_TASK_HISTORY", "__all_virtual_backup_task_history"), BackupTask, True),
    Kind.SCHEDULE_TASKS: KindSpec(("__all_virtual_backup_schedule_task",), ScheduleTask, False),
    Kind.LS_TASKS: KindSpec(("__all_virtual_backup_ls_task",), LSTask, False),
    Kind.LS_TASK_HISTORY: KindSpec(("__all_virtual_backup_ls_task_history",), LSTask, False),
    Kind.TENANTS: KindSpec(("DBA_OB_TENANTS", "__all_tenant"), Tenant, False),
    Kind.PARAMETERS: KindSpec(("CDB_OB_BACKUP_PARAMETER", "DBA_OB_BACKUP_PARAMETER"), BackupParameter, True),
    Kind.ARCHIVELOG: KindSpec(("CDB_OB_ARCHIVELOG", "DBA_OB_ARCHIVELOG"), ArchiveStatus, True),
    Kind.SERVERS: KindSpec(("DBA_OB_SERVERS", "GV$OB_SERVERS", "__all_server"), Server, False),
    Kind.SERVER_EVENTS: KindSpec(("DBA_OB_SERVER_EVENT_HISTORY", "__all_server_event_history"), ServerEvent, False),
    Kind.RESTORE_PROGRESS: KindSpec(("CDB_OB_RESTORE_PROGRESS", "DBA_OB_RESTORE_PROGRESS"), RestoreJob, True),
    Kind.RESTORE_HISTORY: KindSpec(("CDB_OB_RESTORE_HISTORY", "DBA_OB_RESTORE_HISTORY"), RestoreJob, True),
    Kind.RESTORE_JOB_VALUES: KindSpec(("__all_virtual_restore_job",), KeyValue, False),
    Kind.LS_META: KindSpec(("__all_virtual_ls_meta_table",), LSReplica, False),
    Kind.LOG_STAT: KindSpec(("GV$OB_LOG_STAT", "__all_virtual_log_stat"), LogStat, False),
    Kind.REPLAY_STAT: KindSpec(("__all_virtual_replay_stat",), ReplayStat, False),
    Kind.TENANT_INFO: KindSpec(("__all_virtual_tenant_info", "__all_tenant_info"), TenantInfo, False),
    Kind.LS_RECOVERY_STAT: KindSpec(("__all_virtual_ls_recovery_stat", "__all_ls_recovery_stat"), LSRecoveryStat, False),
    Kind.SCHEMA_INFO: KindSpec(("GV$OB_SERVER_SCHEMA_INFO",), SchemaInfo, False),
    Kind.DELETE_JOBS: KindSpec(("CDB_OB_BACKUP_DELETE_JOBS", "DBA_OB_BACKUP_DELETE_JOBS", "__all_virtual_backup_delete_job"), DeleteJob, True),
    Kind.DELETE_JOB_HISTORY: KindSpec(("CDB_OB_BACKUP_DELETE_JOB_HISTORY", "DBA_OB_BACKUP_DELETE_JOB_HISTORY"), DeleteJob, True),
    Kind.DELETE_TASKS: KindSpec(("CDB_OB_BACKUP_DELETE_TASKS", "DBA_OB_BACKUP_DELETE_TASKS"), DeleteTask, True),
    Kind.DELETE_TASK_HISTORY: KindSpec(("CDB_OB_BACKUP_DELETE_TASK_HISTORY", "DBA_OB_BACKUP_DELETE_TASK_HISTORY"), DeleteTask, True),
    Kind.BACKUP_SET_FILES: KindSpec(("CDB_OB_BACKUP_SET_FILES", "DBA_OB_BACKUP_SET_FILES"), BackupSetFile, True),
    Kind.ARCHIVE_PIECES: KindSpec(("CDB_OB_ARCHIVELOG_PIECE_FILES", "DBA_OB_ARCHIVELOG_PIECE_FILES"), ArchivePiece, True),
    Kind.LS_ARCHIVE_PROGRESS: KindSpec(("CDB_OB_LS_LOG_ARCHIVE_PROGRESS", "DBA_OB_LS_LOG_ARCHIVE_PROGRESS"), LSArchiveProgress, True),
    Kind.MOUNTS: KindSpec((MOUNTS_SOURCE,), Mount, False),
}


STRICT_COLUMNS_ENV = "OBDOCTOR_STRICT_COLUMNS"
_VIRTUAL = "__all_virtual_"


def catalogued_columns(view: str) -> set[str] | None:
    """Every column the catalogue knows for ``view`` in any version, upper case; None when the
    catalogue has no entry. An ``__all_virtual_X`` table it lacks reads as the inner table
    ``__all_X`` it iterates (the virtual table shows that table's columns)."""
    from obdoctor.catalog import views as catalogue  # loaded when checked, not at every start

    entry = catalogue.view(view)
    if entry is None and view.lower().startswith(_VIRTUAL):
        entry = catalogue.view("__all_" + view[len(_VIRTUAL):])
    return None if entry is None else {c["name"].upper() for c in entry["columns"]}


@dataclass
class ColumnCheck:
    """What the catalogue says of the columns records map."""

    unknown: list[str] = field(default_factory=list)
    """One line per mapped column found in no version of any view of the record's kinds."""
    unchecked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Records none of whose views the catalogue holds (their columns cannot be checked), with the views."""


def check_columns(kinds: dict[Kind, KindSpec] | None = None) -> ColumnCheck:
    """Check every record's mapped columns against the catalogued columns of its kinds' views."""
    views_of: dict[type, list[str]] = {}
    for spec in (KINDS if kinds is None else kinds).values():
        views = views_of.setdefault(spec.record, [])
        views.extend(v for v in spec.views if v not in views)
    check = ColumnCheck()
    for record, views in views_of.items():
        known: set[str] = set()
        missing: list[str] = []
        for view in views:
            found = catalogued_columns(view)
            if found is None:
                missing.append(view)
            else:
                known |= found
        if not known:
            check.unchecked[record.__name__] = tuple(views)
            continue
        for name in mapped_columns(record):
            if name not in known:
                where = ", ".join(v for v in views if v not in missing)
                also = f" (not catalogued: {', '.join(missing)})" if missing else ""
                check.unknown.append(f"{record.__name__} maps {name}, a column of no version of {where}{also}")
    return check


def require_known_columns(kinds: dict[Kind, KindSpec] | None = None) -> None:
    """Raise when a record maps a column its views never had (a typo, or a view missing from the catalogue)."""
    unknown = check_columns(kinds).unknown
    if unknown:
        raise LookupError("records map columns the catalogue does not know: " + "; ".join(unknown))


if os.environ.get(STRICT_COLUMNS_ENV) == "1":
    require_known_columns()
