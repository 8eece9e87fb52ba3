"""The column-map reader makes of every row what the hand-written readers made of it.

``expected_records.json`` was written by the per-class ``from_row`` readers before they were
replaced (``tests/records/snapshot.py`` says how): the example bundles' records and the hostile
rows' records and malformed-cell notes must stay the same, field for field.
"""

from __future__ import annotations

import json

import pytest

from tests.records import snapshot

EXPECTED = json.loads(snapshot.EXPECTED.read_text(encoding="utf-8"))

ADDED = {"initiator_tenant_id", "initiator_job_id"}
"""Fields added to a record since the expectation was written (BackupJob: the watcher reads them
through the record instead of from the row); compared where rows have them, not against it."""


def _without_added(value):
    if isinstance(value, dict):
        return {k: _without_added(v) for k, v in value.items() if k not in ADDED}
    if isinstance(value, list):
        return [_without_added(v) for v in value]
    return value


@pytest.fixture(scope="module")
def now() -> dict:
    columns = {name: entry["columns"] for name, entry in EXPECTED["hostile"].items()}
    return snapshot.snapshot(columns)


@pytest.mark.parametrize("example", sorted(EXPECTED["examples"]))
def test_example_bundles_read_the_same(now: dict, example: str) -> None:
    assert _without_added(now["examples"][example]) == EXPECTED["examples"][example]


@pytest.mark.parametrize("record", sorted(EXPECTED["hostile"]))
def test_odd_cells_read_the_same(now: dict, record: str) -> None:
    expected, got = EXPECTED["hostile"][record]["results"], now["hostile"][record]["results"]
    assert len(got) == len(expected)
    for i, (e, g) in enumerate(zip(expected, got)):
        assert _without_added(g) == e, (record, i)


def test_every_example_is_compared(now: dict) -> None:
    assert sorted(now["examples"]) == sorted(EXPECTED["examples"]) and len(EXPECTED["examples"]) >= 40


def test_the_watchers_initiator_columns_are_read_by_the_record() -> None:
    from obdoctor.evidence.provenance import Provenance
    from obdoctor.evidence.records import BackupJob
    from obdoctor.evidence.rows import Row

    job = BackupJob.from_row(Row({"TENANT_ID": "1002", "JOB_ID": "3", "INITIATOR_TENANT_ID": "1",
                                  "INITIATOR_JOB_ID": "1e999"}, Provenance("sql", "CDB_OB_BACKUP_JOBS", row=1)))
    assert (job.initiator_tenant_id, job.initiator_job_id) == (1, None)
