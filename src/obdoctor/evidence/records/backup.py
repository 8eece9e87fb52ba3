"""Records of the backup job chain: jobs, their set task, ls tasks, schedule tasks, parameters, set files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from obdoctor.addresses import server_ip
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cells import _address, _code, _scn, _tenant, _ts
from obdoctor.evidence.rows import Row
from obdoctor.catalog.errors import normalize_code


_COMMENT_FIELD = re.compile(
    r"(?P<key>ls_id|addr|module|result|trace_id)\s*:\s*(?P<value>.*?)\s*(?=(?:[,，]\s*(?:ls_id|addr|module|result|trace_id)\s*:)|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class JobComment:
    """The structured COMMENT of 4.2+ jobs: ``(SERVER)ls_id: 1, addr: ip:port, module: ..., result: -4016(...), trace_id: Y..``."""

    origin: str | None
    """``server`` or ``rootservice``."""
    ls_id: int | None
    addr: str | None
    module: str | None
    result: int | None
    result_text: str | None
    trace_id: str | None

    @classmethod
    def parse(cls, text: str | None) -> "JobComment | None":
        if not text:
            return None
        m = re.match(r"\s*\((server|rootservice|root_service)\)\s*", text, re.IGNORECASE)
        if not m:
            return None
        origin = "rootservice" if m.group(1).lower().startswith("root") else "server"
        fields = {f["key"].lower(): f["value"].strip() for f in _COMMENT_FIELD.finditer(text[m.end():])}
        result = result_text = None
        if "result" in fields:
            rm = re.match(r"(-?\d+)\s*(?:\((.*)\))?", fields["result"])
            if rm:
                result = normalize_code(int(rm.group(1))) if int(rm.group(1)) else 0
                result_text = rm.group(2)
        ls_id = None
        if fields.get("ls_id", "").lstrip("-").isdigit():
            ls_id = int(fields["ls_id"])
        return cls(origin, ls_id, fields.get("addr") or None, fields.get("module") or None,
                   result, result_text, fields.get("trace_id") or None)


@dataclass
class BackupJob:
    """A row of CDB/DBA_OB_BACKUP_JOBS or *_JOB_HISTORY."""

    tenant_id: int | None
    job_id: int | None
    backup_set_id: int | None
    status: str
    result: int | None
    comment: str | None
    start: datetime | None
    end: datetime | None
    plus_archivelog: bool
    job_level: str | None
    backup_type: str | None
    path: str | None
    provenance: Provenance
    established_by: str | None = None
    """Set when no job row says FAILED but other evidence does (rules/services/implied.py): what proved it."""
    proof: list = field(default_factory=list)
    """The records or log lines that proved it (``established_by``)."""

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "BackupJob":
        return cls(
            tenant_id=row.integer("TENANT_ID") if row.has("TENANT_ID") else default_tenant,
            job_id=row.integer("JOB_ID"),
            backup_set_id=row.integer("BACKUP_SET_ID"),
            status=(row.text("STATUS") or "").upper(),
            result=_code(row, "RESULT"),
            comment=row.text("COMMENT"),
            start=_ts(row, "START_TIMESTAMP"),
            end=_ts(row, "END_TIMESTAMP"),
            plus_archivelog=(row.text("PLUS_ARCHIVELOG") or "").upper() == "ON",
            job_level=row.text("JOB_LEVEL"),
            backup_type=row.text("BACKUP_TYPE"),
            path=row.text("PATH"),
            provenance=row.provenance,
        )

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


@dataclass
class BackupTask:
    """A row of CDB/DBA_OB_BACKUP_TASKS (the set task: the job's current stage)."""

    tenant_id: int | None
    task_id: int | None
    job_id: int | None
    backup_set_id: int | None
    status: str
    result: int | None
    comment: str | None
    start: datetime | None
    end: datetime | None
    input_bytes: int | None
    output_bytes: int | None
    finish_tablet_count: int | None
    tablet_count: int | None
    provenance: Provenance
    macro_block_count: int | None = None
    finish_macro_block_count: int | None = None
    data_turn_id: int | None = None
    meta_turn_id: int | None = None

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "BackupTask":
        return cls(
            tenant_id=row.integer("TENANT_ID") if row.has("TENANT_ID") else default_tenant,
            task_id=row.integer("TASK_ID"),
            job_id=row.integer("JOB_ID"),
            backup_set_id=row.integer("BACKUP_SET_ID"),
            status=(row.text("STATUS") or "").upper(),
            result=_code(row, "RESULT"),
            comment=row.text("COMMENT"),
            start=_ts(row, "START_TIMESTAMP"),
            end=_ts(row, "END_TIMESTAMP"),
            input_bytes=row.integer("INPUT_BYTES"),
            output_bytes=row.integer("OUTPUT_BYTES"),
            finish_tablet_count=row.integer("FINISH_TABLET_COUNT"),
            tablet_count=row.integer("TABLET_COUNT"),
            provenance=row.provenance,
            macro_block_count=row.integer("MACRO_BLOCK_COUNT"),
            finish_macro_block_count=row.integer("FINISH_MACRO_BLOCK_COUNT"),
            data_turn_id=row.integer("DATA_TURN_ID"),
            meta_turn_id=row.integer("META_TURN_ID"),
        )


@dataclass
class ScheduleTask:
    """A row of __all_virtual_backup_schedule_task: who runs an ls task, under which trace."""

    tenant_id: int | None
    job_id: int | None
    task_id: int | None
    ls_id: int | None
    type: int | None
    trace_id: str | None
    destination: str | None
    is_schedule: bool
    generate_ts: datetime | None
    schedule_ts: datetime | None
    executor_ts: datetime | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "ScheduleTask":
        return cls(
            tenant_id=row.integer("tenant_id"),
            job_id=row.integer("job_id"),
            task_id=row.integer("task_id"),
            ls_id=row.integer("ls_id"),
            type=row.integer("type"),
            trace_id=row.text("trace_id"),
            destination=_address(row, "destination"),
            is_schedule=(row.text("is_schedule") or "").lower() in ("true", "1", "yes"),
            generate_ts=_ts(row, "generate_ts"),
            schedule_ts=_ts(row, "schedule_ts"),
            executor_ts=_ts(row, "executor_ts"),
            provenance=row.provenance,
        )

    @property
    def server(self) -> str | None:
        return server_ip(self.destination)


@dataclass
class LSTask:
    """A row of __all_virtual_backup_ls_task(_history): one log stream's backup."""

    tenant_id: int | None
    task_id: int | None
    ls_id: int | None
    job_id: int | None
    task_type: str | None
    status: str
    svr_ip: str | None
    svr_port: int | None
    task_trace_id: str | None
    result: int | None
    comment: str | None
    black_list: str | None
    turn_id: int | None
    retry_id: int | None
    input_bytes: int | None
    finish_tablet_count: int | None
    finish_macro_block_count: int | None
    modified: datetime | None
    provenance: Provenance
    output_bytes: int | None = None
    tablet_count: int | None = None
    macro_block_count: int | None = None
    start: datetime | None = None
    """``start_ts`` (a microsecond epoch) on the cluster's clock."""

    @classmethod
    def from_row(cls, row: Row) -> "LSTask":
        return cls(
            tenant_id=row.integer("tenant_id"),
            task_id=row.integer("task_id"),
            ls_id=row.integer("ls_id"),
            job_id=row.integer("job_id"),
            task_type=row.text("task_type"),
            status=(row.text("status") or "").upper(),
            svr_ip=_address(row, "svr_ip"),
            svr_port=row.integer("svr_port"),
            task_trace_id=row.text("task_trace_id"),
            result=_code(row, "result"),
            comment=row.text("comment"),
            black_list=row.text("black_list"),
            turn_id=row.integer("turn_id"),
            retry_id=row.integer("retry_id"),
            input_bytes=row.integer("input_bytes"),
            finish_tablet_count=row.integer("finish_tablet_count"),
            finish_macro_block_count=row.integer("finish_macro_block_count"),
            modified=_ts(row, "gmt_modified"),
            provenance=row.provenance,
            output_bytes=row.integer("output_bytes"),
            tablet_count=row.integer("tablet_count"),
            macro_block_count=row.integer("macro_block_count"),
            start=_ts(row, "start_ts"),
        )


@dataclass
class BackupParameter:
    tenant_id: int | None
    name: str
    value: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "BackupParameter":
        return cls(
            tenant_id=row.integer("TENANT_ID") if row.has("TENANT_ID") else default_tenant,
            name=(row.text("NAME") or "").lower(),
            value=row.text("VALUE"),
            provenance=row.provenance,
        )


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
