"""Typed records of the restore, backup clean, log archive and log stream views.

Kept apart from ``records.py`` (the backup job chain) so the two grow independently; the same
rules apply: columns read by name, whatever the version has, the rest None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records import JobComment, _address, _code, _ts
from obdoctor.evidence.rows import Row


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


@dataclass
class ServerEvent:
    """A row of DBA_OB_SERVER_EVENT_HISTORY (SERVER_EVENT_ADD): NAMEx/VALUEx pairs read by name."""

    timestamp: datetime | None
    svr_ip: str | None
    module: str
    event: str
    values: dict[str, str | None]
    extra_info: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "ServerEvent":
        values: dict[str, str | None] = {}
        for i in range(1, 7):
            name = row.text(f"NAME{i}")
            if name:
                values.setdefault(name, row.text(f"VALUE{i}"))
        return cls(_ts(row, "TIMESTAMP") or _ts(row, "GMT_CREATE"), _address(row, "SVR_IP"), row.text("MODULE") or "",
                   row.text("EVENT") or "", values, row.text("EXTRA_INFO"), row.provenance)

    def value(self, name: str) -> str | None:
        return self.values.get(name)


@dataclass
class RestoreJob:
    """A row of CDB_OB_RESTORE_PROGRESS (running) or CDB_OB_RESTORE_HISTORY (finished)."""

    tenant_id: int | None
    job_id: int | None
    restore_tenant_name: str | None
    restore_tenant_id: int | None
    status: str
    restore_scn: int | None
    restore_scn_display: str | None
    start: datetime | None
    finish: datetime | None
    comment: str | None
    backup_set_list: str | None
    backup_piece_list: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "RestoreJob":
        return cls(
            tenant_id=_tenant(row, default_tenant), job_id=row.integer("JOB_ID"),
            restore_tenant_name=row.text("RESTORE_TENANT_NAME"), restore_tenant_id=row.integer("RESTORE_TENANT_ID"),
            status=(row.text("STATUS") or "").upper(), restore_scn=_scn(row, "RESTORE_SCN"),
            restore_scn_display=row.text("RESTORE_SCN_DISPLAY"), start=_ts(row, "START_TIMESTAMP"),
            finish=_ts(row, "FINISH_TIMESTAMP"), comment=row.text("COMMENT"),
            backup_set_list=row.text("BACKUP_SET_LIST"), backup_piece_list=row.text("BACKUP_PIECE_LIST"),
            provenance=row.provenance,
        )

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


@dataclass
class KeyValue:
    """A row of a key/value table such as __all_virtual_restore_job (tenant_id, job_id, name, value)."""

    tenant_id: int | None
    job_id: int | None
    name: str
    value: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "KeyValue":
        return cls(row.integer("tenant_id"), row.integer("job_id"), (row.text("name") or "").lower(),
                   row.text("value"), row.provenance)


@dataclass
class LSReplica:
    """A row of __all_virtual_ls_meta_table: a log stream replica and its restore status."""

    tenant_id: int | None
    ls_id: int | None
    svr_ip: str | None
    svr_port: int | None
    role: int | None
    restore_status: int | None
    zone: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "LSReplica":
        return cls(row.integer("tenant_id"), row.integer("ls_id"), _address(row, "svr_ip"), row.integer("svr_port"),
                   row.integer("role"), row.integer("restore_status"), row.text("zone"), row.provenance)


@dataclass
class LogStat:
    """A row of GV$OB_LOG_STAT: a replica's palf log range (END_SCN = how far logs arrived)."""

    tenant_id: int | None
    ls_id: int | None
    svr_ip: str | None
    role: str | None
    end_scn: int | None
    max_scn: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "LogStat":
        return cls(row.integer("TENANT_ID"), row.integer("LS_ID"), _address(row, "SVR_IP"), row.text("ROLE"),
                   _scn(row, "END_SCN"), _scn(row, "MAX_SCN"), row.provenance)


@dataclass
class ReplayStat:
    """A row of __all_virtual_replay_stat: replay progress of a replica."""

    tenant_id: int | None
    ls_id: int | None
    svr_ip: str | None
    role: str | None
    pending_cnt: int | None
    unsubmitted_log_scn: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "ReplayStat":
        return cls(row.integer("tenant_id"), row.integer("ls_id"), _address(row, "svr_ip"), row.text("role"),
                   row.integer("pending_cnt"), _scn(row, "unsubmitted_log_scn"), row.provenance)


@dataclass
class TenantInfo:
    """A row of __all_virtual_tenant_info: role and the restore's end point (recovery_until_scn)."""

    tenant_id: int | None
    tenant_role: str | None
    recovery_until_scn: int | None
    sync_scn: int | None
    log_mode: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "TenantInfo":
        return cls(row.integer("tenant_id"), (row.text("tenant_role") or "").upper() or None,
                   _scn(row, "recovery_until_scn"), _scn(row, "sync_scn"), row.text("log_mode"), row.provenance)


@dataclass
class LSRecoveryStat:
    """A row of __all_virtual_ls_recovery_stat / __all_ls_recovery_stat."""

    tenant_id: int | None
    ls_id: int | None
    sync_scn: int | None
    readable_scn: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "LSRecoveryStat":
        return cls(row.integer("tenant_id"), row.integer("ls_id"), _scn(row, "sync_scn"), _scn(row, "readable_scn"),
                   row.provenance)


@dataclass
class SchemaInfo:
    """A row of GV$OB_SERVER_SCHEMA_INFO: the tenant's schema refresh on one server."""

    svr_ip: str | None
    svr_port: int | None
    tenant_id: int | None
    refreshed: int | None
    received: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "SchemaInfo":
        return cls(_address(row, "SVR_IP"), row.integer("SVR_PORT"), row.integer("TENANT_ID"),
                   row.integer("REFRESHED_SCHEMA_VERSION"), row.integer("RECEIVED_SCHEMA_VERSION"), row.provenance)

    @property
    def refreshed_ok(self) -> bool:
        """The restore doc's test: refreshed == received, > 8 and a multiple of 8."""
        r = self.refreshed
        return r is not None and r == self.received and r > 8 and r % 8 == 0


@dataclass
class DeleteJob:
    """A row of CDB_OB_BACKUP_DELETE_JOBS or *_JOB_HISTORY (backup clean)."""

    tenant_id: int | None
    job_id: int | None
    type: str | None
    parameter: str | None
    job_level: str | None
    status: str
    result: int | None
    comment: str | None
    start: datetime | None
    end: datetime | None
    task_count: int | None
    success_task_count: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "DeleteJob":
        return cls(
            tenant_id=_tenant(row, default_tenant), job_id=row.integer("JOB_ID"), type=row.text("TYPE"),
            parameter=row.text("PARAMETER"), job_level=row.text("JOB_LEVEL"), status=(row.text("STATUS") or "").upper(),
            result=_code(row, "RESULT"), comment=row.text("COMMENT"),
            start=_ts(row, "START_TIMESTAMP") or _ts(row, "start_ts"), end=_ts(row, "END_TIMESTAMP") or _ts(row, "end_ts"),
            task_count=row.integer("TASK_COUNT"), success_task_count=row.integer("SUCCESS_TASK_COUNT"),
            provenance=row.provenance,
        )

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


@dataclass
class DeleteTask:
    """A row of CDB_OB_BACKUP_DELETE_TASKS or *_TASK_HISTORY: one backup set or piece to clean."""

    tenant_id: int | None
    task_id: int | None
    job_id: int | None
    task_type: str | None
    id: int | None
    status: str
    result: int | None
    comment: str | None
    start: datetime | None
    end: datetime | None
    total_ls_count: int | None
    finish_ls_count: int | None
    path: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "DeleteTask":
        return cls(
            tenant_id=_tenant(row, default_tenant), task_id=row.integer("TASK_ID"), job_id=row.integer("JOB_ID"),
            task_type=row.text("TASK_TYPE"), id=row.integer("ID"), status=(row.text("STATUS") or "").upper(),
            result=_code(row, "RESULT"), comment=row.text("COMMENT"), start=_ts(row, "START_TIMESTAMP"),
            end=_ts(row, "END_TIMESTAMP"), total_ls_count=row.integer("TOTAL_LS_COUNT"),
            finish_ls_count=row.integer("FINISH_LS_COUNT"), path=row.text("PATH"), provenance=row.provenance,
        )

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


@dataclass
class BackupSetFile:
    """A row of CDB_OB_BACKUP_SET_FILES: a backup set and the earliest point it can restore to."""

    tenant_id: int | None
    backup_set_id: int | None
    backup_type: str | None
    status: str
    file_status: str | None
    min_restore_scn: int | None
    min_restore: datetime | None
    end: datetime | None
    path: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "BackupSetFile":
        return cls(
            tenant_id=_tenant(row, default_tenant), backup_set_id=row.integer("BACKUP_SET_ID"),
            backup_type=row.text("BACKUP_TYPE"), status=(row.text("STATUS") or "").upper(),
            file_status=(row.text("FILE_STATUS") or "").upper() or None, min_restore_scn=_scn(row, "MIN_RESTORE_SCN"),
            min_restore=_ts(row, "MIN_RESTORE_SCN_DISPLAY"), end=_ts(row, "END_TIMESTAMP"), path=row.text("PATH"),
            provenance=row.provenance,
        )


@dataclass
class ArchivePiece:
    """A row of CDB_OB_ARCHIVELOG_PIECE_FILES: one archived piece and how far it reaches."""

    tenant_id: int | None
    round_id: int | None
    piece_id: int | None
    status: str | None
    file_status: str | None
    start_scn: int | None
    start: datetime | None
    checkpoint_scn: int | None
    checkpoint: datetime | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "ArchivePiece":
        return cls(
            tenant_id=_tenant(row, default_tenant), round_id=row.integer("ROUND_ID"), piece_id=row.integer("PIECE_ID"),
            status=(row.text("STATUS") or "").upper() or None, file_status=(row.text("FILE_STATUS") or "").upper() or None,
            start_scn=_scn(row, "START_SCN"), start=_ts(row, "START_SCN_DISPLAY"),
            checkpoint_scn=_scn(row, "CHECKPOINT_SCN"), checkpoint=_ts(row, "CHECKPOINT_SCN_DISPLAY"),
            provenance=row.provenance,
        )


@dataclass
class LSArchiveProgress:
    """A row of CDB_OB_LS_LOG_ARCHIVE_PROGRESS (4.1+): how far one log stream is archived."""

    tenant_id: int | None
    ls_id: int | None
    round_id: int | None
    piece_id: int | None
    status: str | None
    checkpoint_scn: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "LSArchiveProgress":
        return cls(_tenant(row, default_tenant), row.integer("LS_ID"), row.integer("ROUND_ID"), row.integer("PIECE_ID"),
                   (row.text("STATUS") or "").upper() or None, _scn(row, "CHECKPOINT_SCN"), row.provenance)

    @property
    def checkpoint(self) -> datetime | None:
        return scn_time(self.checkpoint_scn)
