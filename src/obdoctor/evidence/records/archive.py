"""Records of the log archive: the archive round per tenant, its pieces, each log stream's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cells import _scn, _tenant, _ts, scn_time
from obdoctor.evidence.rows import Row


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
