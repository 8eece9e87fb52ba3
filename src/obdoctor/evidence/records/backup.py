"""Records of the backup job chain: jobs, their set task, ls tasks, schedule tasks, parameters, set files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from obdoctor.addresses import server_ip
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cells import (
    error_code, integer, is_on, is_true, lower, scn, server_address, text, time, upper, upper_or_none,
)
from obdoctor.evidence.records.columns import Record, column, derived, tenant_column
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
class BackupJob(Record):
    """A row of CDB/DBA_OB_BACKUP_JOBS or *_JOB_HISTORY."""

    tenant_id: int | None = tenant_column()
    job_id: int | None = column("JOB_ID", integer)
    backup_set_id: int | None = column("BACKUP_SET_ID", integer)
    status: str = column("STATUS", upper)
    result: int | None = column("RESULT", error_code)
    comment: str | None = column("COMMENT", text)
    start: datetime | None = column("START_TIMESTAMP", time)
    end: datetime | None = column("END_TIMESTAMP", time)
    plus_archivelog: bool = column("PLUS_ARCHIVELOG", is_on)
    job_level: str | None = column("JOB_LEVEL", text)
    backup_type: str | None = column("BACKUP_TYPE", text)
    path: str | None = column("PATH", text)
    provenance: Provenance
    initiator_tenant_id: int | None = column("INITIATOR_TENANT_ID", integer, default=None)
    """The tenant whose job started this one: a cluster-level job starts one job per tenant."""
    initiator_job_id: int | None = column("INITIATOR_JOB_ID", integer, default=None)
    established_by: str | None = derived()
    """Set when no job row says FAILED but other evidence does (rules/services/implied.py): what proved it."""
    proof: list = derived(default_factory=list)
    """The records or log lines that proved it (``established_by``)."""

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


@dataclass
class BackupTask(Record):
    """A row of CDB/DBA_OB_BACKUP_TASKS (the set task: the job's current stage)."""

    tenant_id: int | None = tenant_column()
    task_id: int | None = column("TASK_ID", integer)
    job_id: int | None = column("JOB_ID", integer)
    backup_set_id: int | None = column("BACKUP_SET_ID", integer)
    status: str = column("STATUS", upper)
    result: int | None = column("RESULT", error_code)
    comment: str | None = column("COMMENT", text)
    start: datetime | None = column("START_TIMESTAMP", time)
    end: datetime | None = column("END_TIMESTAMP", time)
    input_bytes: int | None = column("INPUT_BYTES", integer)
    output_bytes: int | None = column("OUTPUT_BYTES", integer)
    finish_tablet_count: int | None = column("FINISH_TABLET_COUNT", integer)
    tablet_count: int | None = column("TABLET_COUNT", integer)
    provenance: Provenance
    macro_block_count: int | None = column("MACRO_BLOCK_COUNT", integer, default=None)
    finish_macro_block_count: int | None = column("FINISH_MACRO_BLOCK_COUNT", integer, default=None)
    data_turn_id: int | None = column("DATA_TURN_ID", integer, default=None)
    meta_turn_id: int | None = column("META_TURN_ID", integer, default=None)


@dataclass
class ScheduleTask(Record):
    """A row of __all_virtual_backup_schedule_task: who runs an ls task, under which trace."""

    tenant_id: int | None = column("tenant_id", integer)
    job_id: int | None = column("job_id", integer)
    task_id: int | None = column("task_id", integer)
    ls_id: int | None = column("ls_id", integer)
    type: int | None = column("type", integer)
    trace_id: str | None = column("trace_id", text)
    destination: str | None = column("destination", server_address)
    is_schedule: bool = column("is_schedule", is_true)
    generate_ts: datetime | None = column("generate_ts", time)
    schedule_ts: datetime | None = column("schedule_ts", time)
    executor_ts: datetime | None = column("executor_ts", time)
    provenance: Provenance

    @property
    def server(self) -> str | None:
        return server_ip(self.destination)


@dataclass
class LSTask(Record):
    """A row of __all_virtual_backup_ls_task(_history): one log stream's backup."""

    tenant_id: int | None = column("tenant_id", integer)
    task_id: int | None = column("task_id", integer)
    ls_id: int | None = column("ls_id", integer)
    job_id: int | None = column("job_id", integer)
    task_type: str | None = column("task_type", text)
    status: str = column("status", upper)
    svr_ip: str | None = column("svr_ip", server_address)
    svr_port: int | None = column("svr_port", integer)
    task_trace_id: str | None = column("task_trace_id", text)
    result: int | None = column("result", error_code)
    comment: str | None = column("comment", text)
    black_list: str | None = column("black_list", text)
    turn_id: int | None = column("turn_id", integer)
    retry_id: int | None = column("retry_id", integer)
    input_bytes: int | None = column("input_bytes", integer)
    finish_tablet_count: int | None = column("finish_tablet_count", integer)
    finish_macro_block_count: int | None = column("finish_macro_block_count", integer)
    modified: datetime | None = column("gmt_modified", time)
    provenance: Provenance
    output_bytes: int | None = column("output_bytes", integer, default=None)
    tablet_count: int | None = column("tablet_count", integer, default=None)
    macro_block_count: int | None = column("macro_block_count", integer, default=None)
    start: datetime | None = column("start_ts", time, default=None)
    """``start_ts`` (a microsecond epoch) on the cluster's clock."""


@dataclass
class BackupParameter(Record):
    tenant_id: int | None = tenant_column()
    name: str = column("NAME", lower)
    value: str | None = column("VALUE", text)
    provenance: Provenance


@dataclass
class BackupSetFile(Record):
    """A row of CDB_OB_BACKUP_SET_FILES: a backup set and the earliest point it can restore to."""

    tenant_id: int | None = tenant_column()
    backup_set_id: int | None = column("BACKUP_SET_ID", integer)
    backup_type: str | None = column("BACKUP_TYPE", text)
    status: str = column("STATUS", upper)
    file_status: str | None = column("FILE_STATUS", upper_or_none)
    min_restore_scn: int | None = column("MIN_RESTORE_SCN", scn)
    min_restore: datetime | None = column("MIN_RESTORE_SCN_DISPLAY", time)
    end: datetime | None = column("END_TIMESTAMP", time)
    path: str | None = column("PATH", text)
    provenance: Provenance
