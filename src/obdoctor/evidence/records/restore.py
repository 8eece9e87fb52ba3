"""Records of a restore: its job and history, and the log stream, log and replay state it waits on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.backup import JobComment
from obdoctor.evidence.records.cells import _address, _scn, _tenant, _ts
from obdoctor.evidence.rows import Row


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
