"""Typed records built from view rows, read by column *name* and tolerant of versions.

Columns differ across 4.0 .. 4.3 (ob_views.json); a record takes what the row has and
leaves the rest None. Status strings are kept verbatim, known or not. One module per domain
(``backup``, ``archive``, ``restore``, ``clean``, ``cluster``); each record is a column map
(``data/records.toml``: every field names its column and the ``cells`` reader of it) read by
the one generic ``Record.from_row`` (``columns``); which views make each record is
``evidence/kinds.py``.
"""

from obdoctor.addresses import server_ip
from obdoctor.evidence.records.archive import ArchivePiece, ArchiveStatus, LSArchiveProgress
from obdoctor.evidence.records.backup import (
    BackupJob, BackupParameter, BackupSetFile, BackupTask, JobComment, LSTask, ScheduleTask,
)
from obdoctor.evidence.records.cells import scn_time
from obdoctor.evidence.records.clean import DeleteJob, DeleteTask
from obdoctor.evidence.records.columns import Record
from obdoctor.evidence.records.cluster import Mount, RootServiceEvent, Server, ServerEvent, Tenant
from obdoctor.evidence.records.restore import (
    KeyValue, LogStat, LSRecoveryStat, LSReplica, ReplayStat, RestoreJob, SchemaInfo, TenantInfo,
)
from obdoctor.catalog.errors import normalize_code

__all__ = [
    "ArchivePiece", "ArchiveStatus", "BackupJob", "BackupParameter", "BackupSetFile", "BackupTask", "DeleteJob",
    "DeleteTask", "JobComment", "KeyValue", "LSArchiveProgress", "LSRecoveryStat", "LSReplica", "LSTask", "LogStat",
    "Mount", "Record",
    "ReplayStat", "RestoreJob", "RootServiceEvent", "ScheduleTask", "SchemaInfo", "Server", "ServerEvent", "Tenant",
    "TenantInfo", "normalize_code", "scn_time", "server_ip",
]
