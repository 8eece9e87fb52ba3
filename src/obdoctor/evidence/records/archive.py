"""Records of the log archive: the archive round per tenant, its pieces, each log stream's progress.

Their fields and columns are ``data/records.toml``; here is what they compute.
"""

from __future__ import annotations

from datetime import datetime

from obdoctor.evidence.clock import from_scn
from obdoctor.evidence.records.columns import Record


class ArchiveStatus(Record):
    """A row of CDB/DBA_OB_ARCHIVELOG: a tenant's current archive round."""



class ArchivePiece(Record):
    """A row of CDB_OB_ARCHIVELOG_PIECE_FILES: one archived piece and how far it reaches."""



class LSArchiveProgress(Record):
    """A row of CDB_OB_LS_LOG_ARCHIVE_PROGRESS (4.1+): how far one log stream is archived."""

    @property
    def checkpoint(self) -> datetime | None:
        """On the views' clock (the round's ``CHECKPOINT_SCN_DISPLAY`` is), not UTC: the two are
        compared, cited together and put on one timeline."""
        return from_scn(self.checkpoint_scn)
