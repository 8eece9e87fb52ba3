"""Reading a status cell against the values OceanBase writes (``catalog/statuses.py``).

Values from ob_enums.md (sections 1-8) and the views pages of the reference (cdb_ob_restore_history:
``SUCCESS``/``FAILED``). Any text is either the one known value its spelling names, or not
understood: never a guess between two values, never a prefix.
"""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from obdoctor.catalog import statuses

SETS = sorted({statuses.known_values(*key.split(".")) for key in statuses._COLUMNS}, key=repr)
HISTORY = statuses.known_values("CDB_OB_RESTORE_HISTORY", "STATUS")


def test_every_column_names_a_set_of_values() -> None:
    assert all(SETS) and HISTORY == ("SUCCESS", "FAILED")
    assert statuses.known_values("DBA_OB_BACKUP_JOB_HISTORY", "status") == statuses.known_values(
        "CDB_OB_BACKUP_JOB_HISTORY", "STATUS")
    assert statuses.known_values("CDB_OB_BACKUP_JOBS", "COMMENT") is None


@pytest.mark.parametrize("text, value", [
    ("FAILED", "FAILED"), ("failed", "FAILED"), ("  Failed\t", "FAILED"), ("FAILED\u200b", "FAILED"),
    ("\uff26\uff21\uff29\uff2c\uff25\uff24", "FAILED"),  # full-width, from a GUI
    ("FAIL", None), ("FAILURE", None), ("", None), (None, None), ("FAILED SUCCESS", None),
])
def test_spellings_of_a_restore_history_status(text, value) -> None:
    reading = statuses.read_status(text, HISTORY)
    assert reading.value == value
    assert reading.spelt == (text if value is not None and text != value else None)


def test_separators_are_one_spelling() -> None:
    stages = statuses.known_values("CDB_OB_BACKUP_TASKS", "STATUS")
    assert statuses.read_status("backup log", stages).value == "BACKUP_LOG"
    assert statuses.read_status("BACKUP-USER-DATA", stages).value == "BACKUP_USER_DATA"
    types = statuses.known_values("CDB_OB_BACKUP_DELETE_JOBS", "TYPE")
    assert statuses.read_status("delete_backup_set", types).value == "DELETE BACKUP SET"


@given(st.sampled_from(SETS), st.text(max_size=30))
def test_any_text_is_one_known_value_or_not_understood(known, text) -> None:
    reading = statuses.read_status(text, known)
    if reading.understood:
        assert reading.value in known
        same = [v for v in known if statuses._key(v) == statuses._key(text)]
        assert same == [reading.value]
        assert (reading.spelt is None) == (text == reading.value)
    else:
        assert reading.spelt is None
        assert text not in known


@given(st.sampled_from(SETS).flatmap(lambda known: st.tuples(st.just(known), st.sampled_from(known))),
       st.sampled_from([str.lower, str.upper, str.title, str.swapcase]),
       st.sampled_from(["", " ", "\t", "\u00a0", "\u200b", "  "]), st.sampled_from(["", " ", "\u3000", "\u200b"]))
def test_a_known_value_however_cased_or_padded_is_itself(pair, case, before, after) -> None:
    known, value = pair
    assert statuses.read_status(before + case(value) + after, known).value == value
