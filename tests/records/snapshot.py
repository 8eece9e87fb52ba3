"""What the record readers make of rows, written down so a change to how records are read is seen.

Two sets of rows: every readable view of every example bundle (the scenarios), and hostile rows
in which every column a record reads holds the same odd cell (``1e999``, ``NULL``, a path in an
address column, a time in year 9999...) or a seeded mix of them. For each row: the record's
fields (provenance aside) and the malformed cells noted on the row. The expectation file was
written by the hand-written per-class readers this replaced; the generic column-map reader must
give the same, cell for cell.

Regenerate (only when a reader changes on purpose): ``python -m tests.records.snapshot --write``.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
from pathlib import Path

from obdoctor.evidence import Evidence
from obdoctor.evidence.clock import use_cluster_zone
from obdoctor.evidence.kinds import KINDS, Kind
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.columns import mapped_columns
from obdoctor.evidence.rows import Row
from obdoctor.sources.bundle import Bundle

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
EXPECTED = Path(__file__).resolve().parent / "expected_records.json"

ODD_CELLS = (
    "", "NULL", "null", "0", "-1", "9040", "-4016", "12.0", "1e999", "nan", "abc", " on ", "ON", "true", "1",
    "yes", "2023-09-26 14:40:01.102213", "1695710401102213", "9999-12-31 23:59:59", "1970-01-01 00:00:00",
    "99999999999999999999", "-9223372036854775809", "127.0.0.1:2882", "[::1]:2882", "/backup/data", "file:///x",
    "4611686018427387903", "1695710401102213000", "FAILED", "doing", "tenant_id", "result",
)


def _state(record: object) -> dict:
    out = {}
    for f in dataclasses.fields(record):
        if f.name == "provenance":
            continue
        out[f.name] = repr(getattr(record, f.name))
    return out


def _read(record_type: type, row: Row, default_tenant: int | None) -> dict:
    built = record_type.from_row(row, default_tenant)
    return {"record": _state(built), "malformed": list(row.malformed)}


def record_types() -> dict[str, tuple[type, bool]]:
    """Each record type once, and whether any of its kinds gives DBA_ rows a tenant."""
    out: dict[str, tuple[type, bool]] = {}
    for spec in KINDS.values():
        seen = out.get(spec.record.__name__, (spec.record, False))
        out[spec.record.__name__] = (spec.record, seen[1] or spec.per_tenant)
    return out


def hostile(columns: dict[str, list[str]] | None = None) -> dict:
    """The records of rows made of odd cells, per record type. ``columns`` fixes which columns the
    rows fill, in which order (the expectation file keeps those its rows were made of)."""
    out: dict = {}
    use_cluster_zone(None)  # epoch cells read on UTC, whichever bundle was opened last
    for name, (record_type, per_tenant) in sorted(record_types().items()):
        names = (columns or {}).get(name) or mapped_columns(record_type)
        rows = [{c: cell for c in names} for cell in ODD_CELLS]
        rng = random.Random(name)
        rows += [{c: rng.choice(ODD_CELLS) for c in names} for _ in range(24)]
        rows += [{c: rng.choice(ODD_CELLS) for c in names if rng.random() < 0.5} for _ in range(12)]
        results = []
        for i, values in enumerate(rows):
            for tenant in ((None, 1002) if per_tenant else (None,)):
                results.append(_read(record_type, Row(dict(values), Provenance("sql", "T", row=i + 1)), tenant))
        out[name] = {"columns": names, "results": results}
    return out


def examples() -> dict:
    """Every kind of every example bundle, as ``Evidence.get`` reads it."""
    out: dict = {}
    for bundle_dir in sorted(p for p in EXAMPLES.iterdir() if (p / "manifest.toml").is_file()):
        with Bundle(bundle_dir) as bundle:
            evidence = Evidence(bundle)
            kinds = {}
            for kind in Kind:
                found = evidence.get(kind)
                if found.available:
                    kinds[kind.value] = {"view": found.source, "records": [_state(r) for r in found.items]}
            problems = {t.name: t.problems for t in evidence.tables_read() if t.problems}
        out[bundle_dir.name] = {"kinds": kinds, "problems": problems}
    return out


def snapshot(columns: dict[str, list[str]] | None = None) -> dict:
    return {"examples": examples(), "hostile": hostile(columns)}


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.records.snapshot --write")
    EXPECTED.write_text(json.dumps(snapshot(), indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED.relative_to(ROOT)}")
