"""Column maps: every column a record reads is one the catalogue knows, and the generic reader
never raises, whatever the cells hold."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.evidence.kinds import KINDS, STRICT_COLUMNS_ENV, Kind, KindSpec, check_columns, require_known_columns
from obdoctor.evidence.provenance import Provenance
import obdoctor.evidence.records as records
from obdoctor.catalog.data_files import data_toml
from obdoctor.evidence.records import DeleteJob, Record
from obdoctor.evidence.records.columns import COLUMN_MAPS, column_map, mapped_columns
from obdoctor.evidence.rows import Row

RECORDS = sorted({spec.record for spec in KINDS.values()}, key=lambda r: r.__name__)

# Records whose views are all missing from data/ob_views.json: their columns cannot be checked.
# This set may only shrink (catalogue a view and its record is checked from then on).
UNCATALOGUED = {"ArchivePiece", "DeleteTask", "KeyValue", "RestoreJob", "SchemaInfo", "ServerEvent"}
# Records of what is not a view: their columns are what obdoctor's own parser writes (sources/mounts.py).
NOT_VIEWS = {"Mount"}


class MisspeltJob(Record, columns={"tenant_id": "TENANT_ID: tenant", "job_id": "JOB_IDD: integer",
                                    "status": "STATUS: upper", "provenance": "provenance"}):
    """A job record whose JOB_ID is misspelt."""


def test_every_mapped_column_is_in_the_catalogue() -> None:
    check = check_columns()
    assert check.unknown == []
    assert set(check.unchecked) <= UNCATALOGUED | NOT_VIEWS


def test_a_misspelt_column_is_caught() -> None:
    kinds = {Kind.JOBS: KindSpec(("CDB_OB_BACKUP_JOBS", "DBA_OB_BACKUP_JOBS"), MisspeltJob, True)}
    assert check_columns(kinds).unknown == [
        "MisspeltJob maps JOB_IDD, a column of no version of CDB_OB_BACKUP_JOBS, DBA_OB_BACKUP_JOBS"]
    with pytest.raises(LookupError, match="JOB_IDD"):
        require_known_columns(kinds)


def test_an_alternative_column_is_checked_too() -> None:
    class Job(Record, columns={"start": "START_TIMESTAMP | START_TIMESTAMPP: time", "provenance": "provenance"}):
        """A job record with a misspelt alternative."""

    unknown = check_columns({Kind.JOBS: KindSpec(("CDB_OB_BACKUP_JOBS",), Job, True)}).unknown
    assert len(unknown) == 1 and "START_TIMESTAMPP" in unknown[0]


def _import_kinds(prelude: str) -> subprocess.CompletedProcess:
    """Import (and, after ``prelude``, import again) evidence/kinds.py in strict mode, in a fresh Python."""
    env = {**os.environ, STRICT_COLUMNS_ENV: "1"}
    code = ("import importlib, obdoctor.evidence.kinds as kinds\n" + prelude +
            "importlib.reload(kinds)\nprint('imported')")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_strict_mode_checks_at_import() -> None:
    assert _import_kinds("").stdout.strip() == "imported"
    typo = (
        "import obdoctor.evidence.records as records\n"
        "from obdoctor.evidence.records.columns import Record\n"
        "class BackupJob(Record, columns={'job_id': 'JOB_IDD: integer', 'provenance': 'provenance'}):\n"
        "    pass\n"
        "records.BackupJob = BackupJob\n"
    )
    failed = _import_kinds(typo)
    assert failed.returncode != 0 and "LookupError" in failed.stderr and "JOB_IDD" in failed.stderr


def test_every_record_has_its_column_map_and_every_map_its_record() -> None:
    classes = {value.__name__ for value in vars(records).values()
               if isinstance(value, type) and issubclass(value, Record) and value is not Record}
    assert classes == set(data_toml(COLUMN_MAPS)) == {r.__name__ for r in RECORDS}
    for record in RECORDS:
        assert column_map(record) and mapped_columns(record), record
        assert [f.name for f in dataclasses.fields(record)] == list(data_toml(COLUMN_MAPS)[record.__name__])


@pytest.mark.parametrize("columns,problem", [
    ({"status": "STATUS", "provenance": "provenance"}, "is not 'COLUMN: reader'"),
    ({"status": "STATUS: uper", "provenance": "provenance"}, "no cell reader 'uper'"),
    ({"status": "STATUS: upper = FAILED", "provenance": "provenance"}, "is not 'COLUMN: reader'"),
    ({"status": "STATUS: upper"}, "no provenance field"),
    ({"proof": "derived: set", "provenance": "provenance"}, "a derived field is"),
    ({"class": "CLASS: text", "provenance": "provenance"}, "cannot be a field name"),
])
def test_a_column_map_that_says_nothing_readable_fails_when_the_record_is_defined(columns, problem) -> None:
    with pytest.raises((TypeError, ValueError), match=problem):
        class Unreadable(Record, columns=columns):
            """A record whose map cannot be read."""


def test_a_record_without_a_column_map_fails_when_defined() -> None:
    with pytest.raises(TypeError, match="no column map"):
        class Unmapped(Record):
            """A record data/records.toml does not name."""


def test_fields_are_typed_by_what_their_readers_return() -> None:
    hints = records.BackupJob.__annotations__
    assert hints["start"] == datetime | None and hints["status"] is str and hints["plus_archivelog"] is bool
    assert hints["provenance"] is Provenance


def test_alternative_columns_take_the_first_with_a_value() -> None:
    row = Row({"start_ts": "1695710401102213", "END_TIMESTAMP": "2023-09-26 14:41:00"}, Provenance("sql", "T", row=1))
    job = DeleteJob.from_row(row)
    assert job.start is not None and job.end == datetime(2023, 9, 26, 14, 41)


def test_the_dba_tenant_default_only_when_the_column_is_absent() -> None:
    p = Provenance("sql", "DBA_OB_BACKUP_DELETE_JOBS", row=1)
    assert DeleteJob.from_row(Row({"JOB_ID": "1"}, p), 1002).tenant_id == 1002
    assert DeleteJob.from_row(Row({"JOB_ID": "1", "TENANT_ID": "1004"}, p), 1002).tenant_id == 1004
    assert DeleteJob.from_row(Row({"JOB_ID": "1", "TENANT_ID": "x"}, p), 1002).tenant_id is None


cells = st.one_of(st.none(), st.text(max_size=30), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                  st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from(["1e999", "9999-12-31 23:59:59", "1695710401102213", "/data/1", "127.0.0.1:2882",
                                   "NULL", " on ", "true", "-4016", "18446744073709551616"]))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_generic_reader_never_raises(record: type, data: st.DataObject) -> None:
    names = mapped_columns(record)
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True))
    values = {name: data.draw(cells) for name in chosen}
    values.update(data.draw(st.dictionaries(st.text(min_size=1, max_size=12), cells, max_size=3)))
    row = Row(values, Provenance("sql", "T", row=1))
    built = record.from_row(row, data.draw(st.none() | st.integers(min_value=1, max_value=2 ** 40)))
    assert isinstance(built, record) and built.provenance is row.provenance
    for note in row.malformed:  # a malformed cell is noted under a column the record maps
        assert note.split(" = ", 1)[0] in names
