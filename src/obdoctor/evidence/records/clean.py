"""Records of the backup clean (delete) jobs and tasks.

Their fields and columns are ``data/records.toml``; here is what they compute.
"""

from __future__ import annotations

from obdoctor.evidence.records.backup import Commented
from obdoctor.evidence.records.columns import Record


class DeleteJob(Commented, Record):
    """A row of CDB_OB_BACKUP_DELETE_JOBS or *_JOB_HISTORY (backup clean)."""


class DeleteTask(Commented, Record):
    """A row of CDB_OB_BACKUP_DELETE_TASKS or *_TASK_HISTORY: one backup set or piece to clean."""
