"""Every OceanBase error code, looked up the way a DBA copies it from a log or a client.

The catalogue is ``data/ob_errno.tsv`` (all codes of ob_errno.def). Codes are stored
negative, as OceanBase returns them internally; a positive number (``RESULT: 4016`` in a
view, ``ERROR 9040`` from a client) means the same code.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass

from obdoctor.catalog.data_files import data_text, data_toml


@dataclass(frozen=True)
class ErrorCode:
    code: int
    name: str
    message: str
    user_message_fmt: str
    mysql_errno: str
    sqlstate: str
    source: str = ""
    """The newest source the reference read it from (``master-2024-03``, ``seekdb-2025-11``...)."""

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


_CODE_TEXT = re.compile(r"^(?:ret\s*=\s*|errcode\s*=\s*|error\s+)?\\?(-?\d+)$", re.IGNORECASE)


@functools.cache
def _catalogue() -> tuple[dict[int, ErrorCode], dict[str, ErrorCode]]:
    by_code: dict[int, ErrorCode] = {}
    by_name: dict[str, ErrorCode] = {}
    reader = csv.DictReader(io.StringIO(data_text("ob_errno.tsv")), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        try:
            code = int(row["code"])
        except (TypeError, ValueError):
            continue
        entry = ErrorCode(
            code=code,
            name=row["name"],
            message=row.get("message") or "",
            user_message_fmt=row.get("user_message_fmt") or "",
            mysql_errno=row.get("mysql_errno") or "",
            sqlstate=row.get("sqlstate") or "",
            source=row.get("source") or "",
        )
        by_code.setdefault(code, entry)
        by_name.setdefault(entry.name.upper(), entry)
    return by_code, by_name


def normalize_code(value: object) -> int | None:
    """Return the negative OceanBase code for ``-9040``, ``9040``, ``ret=-9040``, ``"4016"``."""
    if value is None:
        return None
    if isinstance(value, int):
        number = value
    else:
        match = _CODE_TEXT.match(str(value).strip())
        if not match:
            return None
        number = int(match.group(1))
    return -abs(number)


def lookup(value: object) -> ErrorCode | None:
    """Find a code by number in any of its spellings, or by its ``OB_...`` name."""
    by_code, by_name = _catalogue()
    if isinstance(value, str) and value.strip().upper() in by_name:
        return by_name[value.strip().upper()]
    code = normalize_code(value)
    if code is None:
        return None
    return by_code.get(code)


def all_codes() -> list[ErrorCode]:
    return list(_catalogue()[0].values())


def describe(code: int | None) -> str:
    """``-9040 OB_BACKUP_CAN_NOT_START (backup can not start)``; unknown codes say so."""
    if code is None:
        return "no error code"
    entry = lookup(code)
    if entry is None:
        return f"{code} (not in the error catalogue)"
    return f"{entry.code} {entry.name} ({entry.message})"


def is_retried_by_backup(code: int) -> bool:
    """Whether the backup scheduler retries a task that failed with this code."""
    facts = data_toml("backup_facts.toml")["non_retryable_codes"]
    if code in set(facts["codes"]):
        return False
    if code in set(facts.get("newest", ())):  # a code only the newest source has is never retried there
        entry = lookup(code)
        return not (entry is not None and "seekdb" in entry.source)
    return True


def not_retried_by_newest(code: int) -> bool:
    """Whether the newest source in the reference (seekdb 2025) stops retrying a code that 4.x retries."""
    facts = data_toml("backup_facts.toml")
    return code in set(facts["non_retryable_codes"].get("newest", ())) and is_retried_by_backup(code)
