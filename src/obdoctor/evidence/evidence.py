"""The one interface rules read: typed evidence over any source, with what was not checked.

A rule asks ``evidence.job_history()`` or ``evidence.search_logs(...)``; it never knows whether
the answer came from a bundle on disk or from a live cluster. Every accessor returns a
``Found``: the records and, when the view could not be read, why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from obdoctor.evidence.clock import use_cluster_zone
from obdoctor.evidence.logquery import LogQuery, LogSearchResult
from obdoctor.evidence.records import (
    ArchiveStatus, BackupJob, BackupParameter, BackupTask, LSTask, RootServiceEvent,
    ScheduleTask, Server, Tenant,
)
from obdoctor.evidence.records_extra import (
    ArchivePiece, BackupSetFile, DeleteJob, DeleteTask, KeyValue, LSArchiveProgress, LogStat, LSRecoveryStat, LSReplica, ReplayStat, RestoreJob, SchemaInfo,
    ServerEvent, TenantInfo,
)
from obdoctor.evidence.rows import Row, TableResult
from obdoctor.evidence.source import EvidenceSource, SourceInfo

T = TypeVar("T")


@dataclass
class Found(Generic[T]):
    """Records of one kind, the view they came from, and whether it could be read at all."""

    items: list[T]
    source: str
    available: bool = True
    reason: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


# Views in the order they are tried: CDB_ (all tenants, sys only) first, then DBA_ and the
# internal tables behind them, as the runbook names them.
VIEWS: dict[str, tuple[str, ...]] = {
    "rs_events": ("DBA_OB_ROOTSERVICE_EVENT_HISTORY", "__all_rootservice_event_history"),
    "jobs": ("CDB_OB_BACKUP_JOBS", "DBA_OB_BACKUP_JOBS", "__all_virtual_backup_job"),
    "job_history": ("CDB_OB_BACKUP_JOB_HISTORY", "DBA_OB_BACKUP_JOB_HISTORY", "__all_virtual_backup_job_history"),
    "tasks": ("CDB_OB_BACKUP_TASKS", "DBA_OB_BACKUP_TASKS", "__all_virtual_backup_task"),
    "task_history": ("CDB_OB_BACKUP_TASK_HISTORY", "DBA_OB_BACKUP_TASK_HISTORY", "__all_virtual_backup_task_history"),
    "schedule_tasks": ("__all_virtual_backup_schedule_task",),
    "ls_tasks": ("__all_virtual_backup_ls_task",),
    "ls_task_history": ("__all_virtual_backup_ls_task_history",),
    "tenants": ("DBA_OB_TENANTS", "__all_tenant"),
    "parameters": ("CDB_OB_BACKUP_PARAMETER", "DBA_OB_BACKUP_PARAMETER"),
    "archivelog": ("CDB_OB_ARCHIVELOG", "DBA_OB_ARCHIVELOG"),
    "servers": ("DBA_OB_SERVERS", "GV$OB_SERVERS", "__all_server"),
    # restore, backup clean, archive and log stream views (records_extra.py)
    "server_events": ("DBA_OB_SERVER_EVENT_HISTORY", "__all_server_event_history"),
    "restore_progress": ("CDB_OB_RESTORE_PROGRESS", "DBA_OB_RESTORE_PROGRESS"),
    "restore_history": ("CDB_OB_RESTORE_HISTORY", "DBA_OB_RESTORE_HISTORY"),
    "restore_job_values": ("__all_virtual_restore_job",),
    "ls_meta": ("__all_virtual_ls_meta_table",),
    "log_stat": ("GV$OB_LOG_STAT", "__all_virtual_log_stat"),
    "replay_stat": ("__all_virtual_replay_stat",),
    "tenant_info": ("__all_virtual_tenant_info", "__all_tenant_info"),
    "ls_recovery_stat": ("__all_virtual_ls_recovery_stat", "__all_ls_recovery_stat"),
    "schema_info": ("GV$OB_SERVER_SCHEMA_INFO",),
    "delete_jobs": ("CDB_OB_BACKUP_DELETE_JOBS", "DBA_OB_BACKUP_DELETE_JOBS", "__all_virtual_backup_delete_job"),
    "delete_job_history": ("CDB_OB_BACKUP_DELETE_JOB_HISTORY", "DBA_OB_BACKUP_DELETE_JOB_HISTORY"),
    "delete_tasks": ("CDB_OB_BACKUP_DELETE_TASKS", "DBA_OB_BACKUP_DELETE_TASKS"),
    "delete_task_history": ("CDB_OB_BACKUP_DELETE_TASK_HISTORY", "DBA_OB_BACKUP_DELETE_TASK_HISTORY"),
    "backup_set_files": ("CDB_OB_BACKUP_SET_FILES", "DBA_OB_BACKUP_SET_FILES"),
    "archive_pieces": ("CDB_OB_ARCHIVELOG_PIECE_FILES", "DBA_OB_ARCHIVELOG_PIECE_FILES"),
    "ls_archive_progress": ("CDB_OB_LS_LOG_ARCHIVE_PROGRESS", "DBA_OB_LS_LOG_ARCHIVE_PROGRESS"),
}


class Evidence:
    def __init__(self, source: EvidenceSource, *, since: datetime | None = None, until: datetime | None = None):
        self._source = source
        self._tables: dict[str, TableResult] = {}
        self._logs: dict[LogQuery, LogSearchResult] = {}
        self._typed: dict[str, Found] = {}
        self._info = source.info()
        use_cluster_zone(self._info.utc_offset)  # epoch columns on the cluster's clock (evidence.clock)
        self.since = since
        self.until = until

    # -- about the source -------------------------------------------------------------
    @property
    def info(self) -> SourceInfo:
        return self._info

    @property
    def collected_at(self) -> datetime | None:
        return self._info.collected_at

    @property
    def version(self) -> str | None:
        return self._info.version

    def table(self, name: str) -> TableResult:
        if name not in self._tables:
            self._tables[name] = self._source.read_table(name)
        return self._tables[name]

    def tables_read(self) -> list[TableResult]:
        return list(self._tables.values())

    def log_searches(self) -> list[LogSearchResult]:
        return list(self._logs.values())

    # -- typed views ------------------------------------------------------------------
    def _found(self, kind: str, build: Callable[[Row, int | None], T]) -> Found[T]:
        """The typed records of one kind, built once: rules ask for the same view many times,
        and a malformed row must be reported once, not once per asking."""
        if kind not in self._typed:
            self._typed[kind] = self._build(kind, build)
        return self._typed[kind]

    def _build(self, kind: str, build: Callable[[Row, int | None], T]) -> Found[T]:
        names = VIEWS[kind]
        reasons: list[str] = []
        for name in names:
            result = self.table(name)
            if result.available:
                default_tenant = self._dba_tenant(name)
                if (name.startswith(("DBA_OB_BACKUP", "DBA_OB_ARCHIVE")) and default_tenant is None and result.rows
                        and not result.rows[0].has("TENANT_ID") and not any("TENANT_ID" in p for p in result.problems)):
                    result.problems.append("its rows have no TENANT_ID and the bundle does not say which tenant "
                                           "they were read in (manifest: dba_tenant_id): the tenant is unknown")
                items = []
                for row in result.rows:
                    try:
                        items.append(build(row, default_tenant))
                    except (TypeError, ValueError, OverflowError) as exc:  # a malformed row must not hide the others
                        result.problems.append(f"row {row.provenance.row}: {exc}")
                    result.problems.extend(f"row {row.provenance.row}: malformed cell {m}" for m in row.malformed
                                           if f"row {row.provenance.row}: malformed cell {m}" not in result.problems)
                return Found(items, name)
            reasons.append(f"{name}: {result.reason or 'not available'}")
        return Found([], names[0], available=False, reason="; ".join(reasons))

    def _dba_tenant(self, view: str) -> int | None:
        """DBA_ views drop TENANT_ID: their rows belong to the tenant they were read in."""
        return self._info.dba_tenant_id if view.startswith("DBA_") else None

    def rs_events(self, module: str | None = None, event: str | None = None) -> Found[RootServiceEvent]:
        return _of_event(self._found("rs_events", lambda r, _t: RootServiceEvent.from_row(r)), module, event)

    def jobs(self) -> Found[BackupJob]:
        return self._found("jobs", BackupJob.from_row)

    def job_history(self) -> Found[BackupJob]:
        return self._found("job_history", BackupJob.from_row)

    def tasks(self) -> Found[BackupTask]:
        return self._found("tasks", BackupTask.from_row)

    def task_history(self) -> Found[BackupTask]:
        return self._found("task_history", BackupTask.from_row)

    def schedule_tasks(self) -> Found[ScheduleTask]:
        return self._found("schedule_tasks", lambda r, _t: ScheduleTask.from_row(r))

    def ls_tasks(self) -> Found[LSTask]:
        return self._found("ls_tasks", lambda r, _t: LSTask.from_row(r))

    def ls_task_history(self) -> Found[LSTask]:
        return self._found("ls_task_history", lambda r, _t: LSTask.from_row(r))

    def tenants(self) -> Found[Tenant]:
        return self._found("tenants", lambda r, _t: Tenant.from_row(r))

    def parameters(self) -> Found[BackupParameter]:
        return self._found("parameters", BackupParameter.from_row)

    def archivelog(self) -> Found[ArchiveStatus]:
        return self._found("archivelog", ArchiveStatus.from_row)

    def servers(self) -> Found[Server]:
        return self._found("servers", lambda r, _t: Server.from_row(r))

    # -- restore, backup clean, archive and log stream views (records_extra.py) --------
    def server_events(self, module: str | None = None, event: str | None = None) -> Found[ServerEvent]:
        return _of_event(self._found("server_events", lambda r, _t: ServerEvent.from_row(r)), module, event)

    def restore_progress(self) -> Found[RestoreJob]:
        return self._found("restore_progress", RestoreJob.from_row)

    def restore_history(self) -> Found[RestoreJob]:
        return self._found("restore_history", RestoreJob.from_row)

    def restore_job_values(self) -> Found[KeyValue]:
        return self._found("restore_job_values", lambda r, _t: KeyValue.from_row(r))

    def ls_meta(self) -> Found[LSReplica]:
        return self._found("ls_meta", lambda r, _t: LSReplica.from_row(r))

    def log_stat(self) -> Found[LogStat]:
        return self._found("log_stat", lambda r, _t: LogStat.from_row(r))

    def replay_stat(self) -> Found[ReplayStat]:
        return self._found("replay_stat", lambda r, _t: ReplayStat.from_row(r))

    def tenant_info(self) -> Found[TenantInfo]:
        return self._found("tenant_info", lambda r, _t: TenantInfo.from_row(r))

    def ls_recovery_stat(self) -> Found[LSRecoveryStat]:
        return self._found("ls_recovery_stat", lambda r, _t: LSRecoveryStat.from_row(r))

    def schema_info(self) -> Found[SchemaInfo]:
        return self._found("schema_info", lambda r, _t: SchemaInfo.from_row(r))

    def delete_jobs(self) -> Found[DeleteJob]:
        return self._found("delete_jobs", DeleteJob.from_row)

    def delete_job_history(self) -> Found[DeleteJob]:
        return self._found("delete_job_history", DeleteJob.from_row)

    def delete_tasks(self) -> Found[DeleteTask]:
        return self._found("delete_tasks", DeleteTask.from_row)

    def delete_task_history(self) -> Found[DeleteTask]:
        return self._found("delete_task_history", DeleteTask.from_row)

    def backup_set_files(self) -> Found[BackupSetFile]:
        return self._found("backup_set_files", BackupSetFile.from_row)

    def archive_pieces(self) -> Found[ArchivePiece]:
        return self._found("archive_pieces", ArchivePiece.from_row)

    def ls_archive_progress(self) -> Found[LSArchiveProgress]:
        return self._found("ls_archive_progress", LSArchiveProgress.from_row)

    # -- convenience lookups ----------------------------------------------------------
    def tenant(self, tenant_id: int | None) -> Tenant | None:
        return next((t for t in self.tenants() if t.tenant_id == tenant_id), None)

    def server(self, ip: str | None) -> Server | None:
        return next((s for s in self.servers() if s.svr_ip == ip), None)

    # -- logs -------------------------------------------------------------------------
    def search_logs(self, query: LogQuery) -> LogSearchResult:
        if query not in self._logs:
            self._logs[query] = self._source.search_logs(query)
        return self._logs[query]

    @property
    def log_servers(self) -> list[str]:
        return list(self._info.servers)


def _of_event(found: Found, module: str | None, event: str | None) -> Found:
    """Event rows of one module/event (None = any), with the view's availability."""
    items = [e for e in found.items if (module is None or e.module == module) and (event is None or e.event == event)]
    return Found(items, found.source, found.available, found.reason)
