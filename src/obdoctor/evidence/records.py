"""Typed records built from view rows, read by column *name* and tolerant of versions.

Columns differ across 4.0 .. 4.3 (ob_views.json); a record takes what the row has and
leaves the rest None. Status strings are kept verbatim, known or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from obdoctor.addresses import server_ip
from obdoctor.evidence.clock import from_epoch_us
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.rows import Row
from obdoctor.knowledge.errors import normalize_code
from obdoctor.logs.parser import parse_ts


# Times outside this range are not backup times: read as NULL and reported as malformed cells,
# so no rule's "time +/- margin" can overflow (year 9999, epoch 0).
_FIRST_YEAR, _LAST_YEAR = 1971, 2200


def _ts(row: Row, column: str) -> datetime | None:
    text = row.text(column)
    if text is None:
        return None
    if text.isdigit() and len(text) >= 13:  # microsecond epoch columns (start_ts, generate_ts)
        try:
            when = from_epoch_us(int(text))  # on the cluster's zone, never the analyst's
        except (OverflowError, ValueError, OSError):
            when = None
    else:
        when = parse_ts(text)
    if when is None or not _FIRST_YEAR <= when.year <= _LAST_YEAR:
        row.note_malformed(column, text, f"a time between {_FIRST_YEAR} and {_LAST_YEAR}")
        return None
    return when


def _code(row: Row, column: str) -> int | None:
    value = row.integer(column)
    if value is None or value == 0:
        return None if value is None else 0
    return normalize_code(value)


def _address(row: Row, column: str) -> str | None:
    """A server address cell; something else there (a path...) is a malformed cell, not a server."""
    text = row.text(column)
    if text is None:
        return None
    if server_ip(text) is None:
        row.note_malformed(column, text, "a server address")
        return None
    return text


@dataclass
class RootServiceEvent:
    """A row of DBA_OB_ROOTSERVICE_EVENT_HISTORY; NAMEx/VALUEx pairs read by name."""

    timestamp: datetime | None
    module: str
    event: str
    values: dict[str, str | None]
    extra_info: str | None
    rs_svr_ip: str | None
    rs_svr_port: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "RootServiceEvent":
        values: dict[str, str | None] = {}
        for i in range(1, 7):
            name = row.text(f"NAME{i}")
            if name:
                values.setdefault(name, row.text(f"VALUE{i}"))
        return cls(
            timestamp=_ts(row, "TIMESTAMP") or _ts(row, "GMT_CREATE"),
            module=row.text("MODULE") or "",
            event=row.text("EVENT") or "",
            values=values,
            extra_info=row.text("EXTRA_INFO"),
            rs_svr_ip=_address(row, "RS_SVR_IP"),
            rs_svr_port=row.integer("RS_SVR_PORT"),
            provenance=row.provenance,
        )

    def value(self, name: str) -> str | None:
        return self.values.get(name)

    def int_value(self, name: str) -> int | None:
        text = self.values.get(name)
        try:
            return int(text) if text is not None else None
        except ValueError:
            return None

    @property
    def tenant_id(self) -> int | None:
        return self.int_value("tenant_id")

    @property
    def result(self) -> int | None:
        value = self.int_value("result")
        return normalize_code(value) if value else value


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
class Tenant:
    tenant_id: int | None
    name: str | None
    tenant_type: str | None
    status: str | None
    role: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "Tenant":
        return cls(
            tenant_id=row.integer("TENANT_ID"),
            name=row.text("TENANT_NAME"),
            tenant_type=row.text("TENANT_TYPE"),
            status=(row.text("STATUS") or "").upper() or None,
            role=(row.text("TENANT_ROLE") or "").upper() or None,
            provenance=row.provenance,
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
class ArchiveStatus:
    """A row of CDB/DBA_OB_ARCHIVELOG: a tenant's current archive round."""

    tenant_id: int | None
    dest_no: int | None
    round_id: int | None
    status: str | None
    checkpoint_scn: int | None
    checkpoint: datetime | None
    comment: str | None
    path: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row, default_tenant: int | None = None) -> "ArchiveStatus":
        return cls(
            tenant_id=row.integer("TENANT_ID") if row.has("TENANT_ID") else default_tenant,
            dest_no=row.integer("DEST_NO"),
            round_id=row.integer("ROUND_ID"),
            status=(row.text("STATUS") or "").upper() or None,
            checkpoint_scn=row.integer("CHECKPOINT_SCN"),
            checkpoint=_ts(row, "CHECKPOINT_SCN_DISPLAY"),
            comment=row.text("COMMENT"),
            path=row.text("PATH"),
            provenance=row.provenance,
        )


@dataclass
class Server:
    svr_ip: str | None
    svr_port: int | None
    status: str | None
    start_service_time: datetime | None
    provenance: Provenance
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Row) -> "Server":
        return cls(
            svr_ip=_address(row, "SVR_IP"),
            svr_port=row.integer("SVR_PORT"),
            status=(row.text("STATUS") or "").upper() or None,
            start_service_time=_ts(row, "START_SERVICE_TIME"),
            provenance=row.provenance,
        )
