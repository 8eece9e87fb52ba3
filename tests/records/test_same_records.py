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


@pytest.fixture(scope="module")
def now() -> dict:
    columns = {name: entry["columns"] for name, entry in EXPECTED["hostile"].items()}
    return snapshot.snapshot(columns)


@pytest.mark.parametrize("example", sorted(EXPECTED["examples"]))
def test_example_bundles_read_the_same(now: dict, example: str) -> None:
    assert now["examples"][example] == EXPECTED["examples"][example]


@pytest.mark.parametrize("record", sorted(EXPECTED["hostile"]))
def test_odd_cells_read_the_same(now: dict, record: str) -> None:
    expected, got = EXPECTED["hostile"][record]["results"], now["hostile"][record]["results"]
    assert len(got) == len(expected)
    for i, (e, g) in enumerate(zip(expected, got)):
        assert g == e, (record, i)


def test_every_example_is_compared(now: dict) -> None:
    assert sorted(now["examples"]) == sorted(EXPECTED["examples"]) and len(EXPECTED["examples"]) >= 40
