"""Records of a restore: its job and history, and the log stream, log and replay state it waits on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.backup import JobComment
from obdoctor.evidence.records.cells import integer, lower, scn, server_address, text, time, upper, upper_or_none
from obdoctor.evidence.records.columns import Record, column, tenant_column


@dataclass
class RestoreJob(Record):
    """A row of CDB_OB_RESTORE_PROGRESS (running) or CDB_OB_RESTORE_HISTORY (finished)."""

    tenant_id: int | None = tenant_column()
    job_id: int | None = column("JOB_ID", integer)
    restore_tenant_name: str | None = column("RESTORE_TENANT_NAME", text)
    restore_tenant_id: int | None = column("RESTORE_TENANT_ID", integer)
    status: str = column("STATUS", upper)
    restore_scn: int | None = column("RESTORE_SCN", scn)
    restore_scn_display: str | None = column("RESTORE_SCN_DISPLAY", text)
    start: datetime | None = column("START_TIMESTAMP", time)
    finish: datetime | None = column("FINISH_TIMESTAMP", time)
    comment: str | None = column("COMMENT", text)
    backup_set_list: str | None = column("BACKUP_SET_LIST", text)
    backup_piece_list: str | None = column("BACKUP_PIECE_LIST", text)
    provenance: Provenance

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


@dataclass
class KeyValue(Record):
    """A row of a key/value table such as __all_virtual_restore_job (tenant_id, job_id, name, value)."""

    tenant_id: int | None = column("tenant_id", integer)
    job_id: int | None = column("job_id", integer)
    name: str = column("name", lower)
    value: str | None = column("value", text)
    provenance: Provenance


@dataclass
class LSReplica(Record):
    """A row of __all_virtual_ls_meta_table: a log stream replica and its restore status."""

    tenant_id: int | None = column("tenant_id", integer)
    ls_id: int | None = column("ls_id", integer)
    svr_ip: str | None = column("svr_ip", server_address)
    svr_port: int | None = column("svr_port", integer)
    role: int | None = column("role", integer)
    restore_status: int | None = column("restore_status", integer)
    zone: str | None = column("zone", text)
    provenance: Provenance


@dataclass
class LogStat(Record):
    """A row of GV$OB_LOG_STAT: a replica's palf log range (END_SCN = how far logs arrived)."""

    tenant_id: int | None = column("TENANT_ID", integer)
    ls_id: int | None = column("LS_ID", integer)
    svr_ip: str | None = column("SVR_IP", server_address)
    role: str | None = column("ROLE", text)
    end_scn: int | None = column("END_SCN", scn)
    max_scn: int | None = column("MAX_SCN", scn)
    provenance: Provenance


@dataclass
class ReplayStat(Record):
    """A row of __all_virtual_replay_stat: replay progress of a replica."""

    tenant_id: int | None = column("tenant_id", integer)
    ls_id: int | None = column("ls_id", integer)
    svr_ip: str | None = column("svr_ip", server_address)
    role: str | None = column("role", text)
    pending_cnt: int | None = column("pending_cnt", integer)
    unsubmitted_log_scn: int | None = column("unsubmitted_log_scn", scn)
    provenance: Provenance


@dataclass
class TenantInfo(Record):
    """A row of __all_virtual_tenant_info: role and the restore's end point (recovery_until_scn)."""

    tenant_id: int | None = column("tenant_id", integer)
    tenant_role: str | None = column("tenant_role", upper_or_none)
    recovery_until_scn: int | None = column("recovery_until_scn", scn)
    sync_scn: int | None = column("sync_scn", scn)
    log_mode: str | None = column("log_mode", text)
    provenance: Provenance


@dataclass
class LSRecoveryStat(Record):
    """A row of __all_virtual_ls_recovery_stat / __all_ls_recovery_stat."""

    tenant_id: int | None = column("tenant_id", integer)
    ls_id: int | None = column("ls_id", integer)
    sync_scn: int | None = column("sync_scn", scn)
    readable_scn: int | None = column("readable_scn", scn)
    provenance: Provenance


@dataclass
class SchemaInfo(Record):
    """A row of GV$OB_SERVER_SCHEMA_INFO: the tenant's schema refresh on one server."""

    svr_ip: str | None = column("SVR_IP", server_address)
    svr_port: int | None = column("SVR_PORT", integer)
    tenant_id: int | None = column("TENANT_ID", integer)
    refreshed: int | None = column("REFRESHED_SCHEMA_VERSION", integer)
    received: int | None = column("RECEIVED_SCHEMA_VERSION", integer)
    provenance: Provenance

    @property
    def refreshed_ok(self) -> bool:
        """The restore doc's test: refreshed == received, > 8 and a multiple of 8."""
        r = self.refreshed
        return r is not None and r == self.received and r > 8 and r % 8 == 0
