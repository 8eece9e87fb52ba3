"""Records of the backup job chain: jobs, their set task, ls tasks, schedule tasks, parameters, set files.

Their fields and columns are ``data/records.toml``; here is what they compute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from obdoctor.addresses import server_ip
from obdoctor.evidence.records.columns import Record
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
        # a value may come quoted ("ip:port", as OceanBase's to_string writes an address in logs)
        fields = {f["key"].lower(): f["value"].strip().strip("\"'").strip()
                  for f in _COMMENT_FIELD.finditer(text[m.end():])}
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


class Commented:
    """A job whose COMMENT may be the structured one of 4.2+ (backup, clean and restore jobs)."""

    comment: str | None

    @property
    def structured_comment(self) -> JobComment | None:
        return JobComment.parse(self.comment)


class BackupJob(Commented, Record):
    """A row of CDB/DBA_OB_BACKUP_JOBS or *_JOB_HISTORY."""


class BackupTask(Record):
    """A row of CDB/DBA_OB_BACKUP_TASKS (the set task: the job's current stage)."""



class ScheduleTask(Record):
    """A row of __all_virtual_backup_schedule_task: who runs an ls task, under which trace."""

    @property
    def server(self) -> str | None:
        return server_ip(self.destination)


class LSTask(Record):
    """A row of __all_virtual_backup_ls_task(_history): one log stream's backup."""



class BackupParameter(Record):
    """A row of CDB/DBA_OB_BACKUP_PARAMETER: a backup setting (names in lower case)."""


class BackupSetFile(Record):
    """A row of CDB_OB_BACKUP_SET_FILES: a backup set and the earliest point it can restore to."""

