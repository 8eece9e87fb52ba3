"""Records of the backup clean (delete) jobs and tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.backup import JobComment
from obdoctor.evidence.records.cells import _code, _tenant, _ts
from obdoctor.evidence.rows import Row


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
