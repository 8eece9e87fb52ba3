"""Records of a restore: its job and history, and the log stream, log and replay state it waits on.

Their fields and columns are ``data/records.toml``; here is what they compute.
"""

from __future__ import annotations

from obdoctor.evidence.records.backup import Commented
from obdoctor.evidence.records.columns import Record


class RestoreJob(Commented, Record):
    """A row of CDB_OB_RESTORE_PROGRESS (running) or CDB_OB_RESTORE_HISTORY (finished)."""


class KeyValue(Record):
    """A row of a key/value table such as __all_virtual_restore_job (tenant_id, job_id, name, value)."""



class LSReplica(Record):
    """A row of __all_virtual_ls_meta_table: a log stream replica and its restore status."""



class LogStat(Record):
    """A row of GV$OB_LOG_STAT: a replica's palf log range (END_SCN = how far logs arrived)."""



class ReplayStat(Record):
    """A row of __all_virtual_replay_stat: replay progress of a replica."""



class TenantInfo(Record):
    """A row of __all_virtual_tenant_info: role and the restore's end point (recovery_until_scn)."""



class LSRecoveryStat(Record):
    """A row of __all_virtual_ls_recovery_stat / __all_ls_recovery_stat."""



class SchemaInfo(Record):
    """A row of GV$OB_SERVER_SCHEMA_INFO: the tenant's schema refresh on one server."""

    @property
    def refreshed_ok(self) -> bool:
        """The restore doc's test: refreshed == received, > 8 and a multiple of 8."""
        r = self.refreshed
        return r is not None and r == self.received and r > 8 and r % 8 == 0
