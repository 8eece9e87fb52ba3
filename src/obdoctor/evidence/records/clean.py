"""Records of the backup clean (delete) jobs and tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.backup import JobComment
from obdoctor.evidence.records.cells import error_code, integer, text, time, upper
from obdoctor.evidence.records.columns import Record, column, tenant_column


@dataclass
class DeleteJob(Record):
    """A row of CDB_OB_BACKUP_DELETE_JOBS or *_JOB_HISTORY (backup clean)."""

    tenant_id: int | None = tenant_column()
    job_id: int | None = column("JOB_ID", integer)
    type: str | None = column("TYPE", text)
    parameter: str | None = column("PARAMETER", text)
    job_level: str | None = column("JOB_LEVEL", text)
    status: str = column("STATUS", upper)
    result: int | None = column("RESULT", error_code)
    comment: str | None = column("COMMENT", text)
    start: datetime | None = column(("START_TIMESTAMP", "start_ts"), time)
    """START_TIMESTAMP in the views, ``start_ts`` in __all_virtual_backup_delete_job."""
    end: datetime | None = column(("END_TIMESTAMP", "end_ts"), time)
    task_count: int | None = column("TASK_COUNT", integer)
    success_task_count: int | None = column("SUCCESS_TASK_COUNT", integer)
    provenance: Provenance

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


@dataclass
class DeleteTask(Record):
    """A row of CDB_OB_BACKUP_DELETE_TASKS or *_TASK_HISTORY: one backup set or piece to clean."""

    tenant_id: int | None = tenant_column()
    task_id: int | None = column("TASK_ID", integer)
    job_id: int | None = column("JOB_ID", integer)
    task_type: str | None = column("TASK_TYPE", text)
    id: int | None = column("ID", integer)
    status: str = column("STATUS", upper)
    result: int | None = column("RESULT", error_code)
    comment: str | None = column("COMMENT", text)
    start: datetime | None = column("START_TIMESTAMP", time)
    end: datetime | None = column("END_TIMESTAMP", time)
    total_ls_count: int | None = column("TOTAL_LS_COUNT", integer)
    finish_ls_count: int | None = column("FINISH_LS_COUNT", integer)
    path: str | None = column("PATH", text)
    provenance: Provenance

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)
