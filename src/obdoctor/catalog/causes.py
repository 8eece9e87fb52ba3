"""The causes obdoctor can name (``data/causes/*.toml``, one file per family of causes).

:class:`CauseId` is made from that data when this module is imported: one member per cause, so
code names a cause by a member (``cause_ids.py`` exports them as constants) and a misspelt one
fails when the module naming it is imported, never in the middle of a report.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

from obdoctor.catalog.data_files import data_dir_tomls


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    explanation: str
    signatures: tuple[str, ...]
    next_steps: tuple[str, ...]
    codes: tuple[int, ...] = ()
    """The error codes this cause explains (a code may have several causes)."""
    family: str = ""
    """The file of ``data/causes/`` it is defined in (``destination``, ``restore``...)."""


_ID = re.compile(r"^[a-z][a-z0-9_]*$")
"""A cause id: its upper case is the name of its constant."""


@functools.cache
def all_causes() -> dict[str, Cause]:
    causes: dict[str, Cause] = {}
    for file_name, table in data_dir_tomls("causes"):
        for key, v in table.items():
            if key in causes:
                raise ValueError(f"cause {key!r} is defined twice (again in causes/{file_name})")
            if not _ID.match(key):
                raise ValueError(f"causes/{file_name}: cause id {key!r} must be lower case letters, digits and _")
            causes[key] = Cause(key, v["title"], v["explanation"], tuple(v.get("signatures", ())),
                                tuple(v.get("next_steps", ())), tuple(v.get("codes", ())),
                                file_name.removesuffix(".toml"))
    return causes


CauseId = enum.StrEnum("CauseId", {key.upper(): key for key in all_causes()}, module=__name__)
CauseId.__doc__ = """A cause of ``data/causes/`` (``CauseId.BACKUP_DEST_NOT_SET``): a str, the cause's id."""


def named_cause(text: str, where: str) -> CauseId:
    """The cause a data file names, or ValueError saying ``where`` (file and line or key): cause
    ids read from data (signatures, storage errors) are checked when that data loads."""
    try:
        return CauseId(text)
    except ValueError:
        raise ValueError(f"{where}: cause {text!r} is not defined in data/causes/") from None


def cause(cause_id: str) -> Cause:
    causes = all_causes()
    if cause_id not in causes:
        raise KeyError(f"unknown cause id {cause_id!r}: add it to a file in data/causes/")
    return causes[cause_id]


def sole_causes(family: str) -> dict[int, CauseId]:
    """Codes that name exactly one cause of ``family``, which names no other code: the code alone
    is the cause (-9082 is out of space whatever the storage). The code -> cause mapping lives in
    the cause data only; a rule asks here instead of keeping its own table."""
    mine = [c for c in all_causes().values() if c.family == family]
    return {c.codes[0]: CauseId(c.id) for c in mine
            if len(c.codes) == 1 and sum(c.codes[0] in other.codes for other in mine) == 1}
