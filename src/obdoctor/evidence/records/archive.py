"""Records of the log archive: the archive round per tenant, its pieces, each log stream's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cells import integer, scn, scn_time, text, time, upper_or_none
from obdoctor.evidence.records.columns import Record, column, tenant_column


@dataclass
class ArchiveStatus(Record):
    """A row of CDB/DBA_OB_ARCHIVELOG: a tenant's current archive round."""

    tenant_id: int | None = tenant_column()
    dest_no: int | None = column("DEST_NO", integer)
    round_id: int | None = column("ROUND_ID", integer)
    status: str | None = column("STATUS", upper_or_none)
    checkpoint_scn: int | None = column("CHECKPOINT_SCN", scn)
    checkpoint: datetime | None = column("CHECKPOINT_SCN_DISPLAY", time)
    comment: str | None = column("COMMENT", text)
    path: str | None = column("PATH", text)
    provenance: Provenance


@dataclass
class ArchivePiece(Record):
    """A row of CDB_OB_ARCHIVELOG_PIECE_FILES: one archived piece and how far it reaches."""

    tenant_id: int | None = tenant_column()
    round_id: int | None = column("ROUND_ID", integer)
    piece_id: int | None = column("PIECE_ID", integer)
    status: str | None = column("STATUS", upper_or_none)
    file_status: str | None = column("FILE_STATUS", upper_or_none)
    start_scn: int | None = column("START_SCN", scn)
    start: datetime | None = column("START_SCN_DISPLAY", time)
    checkpoint_scn: int | None = column("CHECKPOINT_SCN", scn)
    checkpoint: datetime | None = column("CHECKPOINT_SCN_DISPLAY", time)
    provenance: Provenance


@dataclass
class LSArchiveProgress(Record):
    """A row of CDB_OB_LS_LOG_ARCHIVE_PROGRESS (4.1+): how far one log stream is archived."""

    tenant_id: int | None = tenant_column()
    ls_id: int | None = column("LS_ID", integer)
    round_id: int | None = column("ROUND_ID", integer)
    piece_id: int | None = column("PIECE_ID", integer)
    status: str | None = column("STATUS", upper_or_none)
    checkpoint_scn: int | None = column("CHECKPOINT_SCN", scn)
    provenance: Provenance

    @property
    def checkpoint(self) -> datetime | None:
        return scn_time(self.checkpoint_scn)
