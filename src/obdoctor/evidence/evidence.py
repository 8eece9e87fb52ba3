"""The one interface rules read: typed evidence over any source, with what was not checked.

A rule asks ``evidence.job_history()`` or ``evidence.search_logs(...)``; it never knows whether
the answer came from a bundle on disk or from a live cluster. Every accessor returns a
``Found``: the records and, when the view could not be read, why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from obdoctor.evidence.logquery import LogQuery, LogSearchResult
from obdoctor.evidence.records import (
    ArchiveStatus, BackupJob, BackupParameter, BackupTask, LSTask, RootServiceEvent,
    ScheduleTask, Server, Tenant,
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
}


class Evidence:
    def __init__(self, source: EvidenceSource, *, since: datetime | None = None, until: datetime | None = None):
        self._source = source
        self._tables: dict[str, TableResult] = {}
        self._logs: dict[LogQuery, LogSearchResult] = {}
        self._info = source.info()
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
        names = VIEWS[kind]
        reasons: list[str] = []
        for name in names:
            result = self.table(name)
            if result.available:
                default_tenant = self._dba_tenant(name)
                items = []
                for row in result.rows:
                    try:
                        items.append(build(row, default_tenant))
                    except (TypeError, ValueError) as exc:  # a malformed row must not hide the others
                        result.problems.append(f"row {row.provenance.row}: {exc}")
                return Found(items, name)
            reasons.append(f"{name}: {result.reason or 'not available'}")
        return Found([], names[0], available=False, reason="; ".join(reasons))

    def _dba_tenant(self, view: str) -> int | None:
        """DBA_ views drop TENANT_ID: their rows belong to the tenant they were read in."""
        return self._info.dba_tenant_id if view.startswith("DBA_") else None

    def rs_events(self, module: str | None = None, event: str | None = None) -> Found[RootServiceEvent]:
        found = self._found("rs_events", lambda r, _t: RootServiceEvent.from_row(r))
        items = [e for e in found.items if (module is None or e.module == module) and (event is None or e.event == event)]
        return Found(items, found.source, found.available, found.reason)

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
