"""``obdoctor.logs`` as a library: its exported names, the contracts that keep it standalone and
used through its package, and the sinks' choice of kernel path (what keeps each fast)."""

from __future__ import annotations

import io
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import obdoctor
import obdoctor.logs as logs
from obdoctor.logs import Count, Fold, Patterns, Printer, Records, SearchReport, classify, search_files

from .conftest import make_lines, write

ROOT = Path(__file__).resolve().parents[2]


def _contract(name_start: str) -> dict:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_start))


def test_every_exported_name_resolves_and_is_listed():
    for name in logs.__all__:
        assert getattr(logs, name) is not None, name
    assert set(logs.__all__) <= set(dir(logs))
    with pytest.raises(AttributeError):
        logs.search_hits  # noqa: B018  (an entry point that is gone stays gone)


def test_importing_a_record_type_does_not_load_the_searcher():
    """Names load on first use: rules and reports that only need ``LogRecord`` start no slower."""
    code = ("import sys; from obdoctor.logs import LogRecord, is_trace_id; "
            "print(sorted(m for m in sys.modules if m.startswith('obdoctor.logs.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert "obdoctor.logs.search" not in done.stdout and "obdoctor.logs.record" in done.stdout


def test_the_engine_stands_alone_from_every_other_module_of_obdoctor():
    """The forbidden contract names every top-level module of obdoctor but ``logs`` (a new
    module left out would be importable from the engine unnoticed)."""
    siblings = {f"obdoctor.{m.name}" for m in pkgutil.iter_modules(obdoctor.__path__) if m.name != "logs"}
    contract = _contract("The log engine stands alone")
    assert contract["source_modules"] == ["obdoctor.logs"]
    assert set(contract["forbidden_modules"]) == siblings | {"rich"}
    protected = _contract("The log engine is used through obdoctor.logs")
    assert protected["protected_modules"] == ["obdoctor.logs.*"] and protected["allowed_importers"] == ["obdoctor.logs"]


@pytest.fixture
def two_files(tmp_path):
    files = []
    for i, name in enumerate(("a", "b")):
        (tmp_path / name).mkdir()
        files.append(classify(write(tmp_path / name / "observer.log", make_lines(400, seed=i))))
    return files


def _forbid(monkeypatch, *paths: str) -> None:
    from obdoctor.logs import search

    def refused(*_args, **_kwargs):
        raise AssertionError("this sink must not take that kernel path")

    for path in paths:
        monkeypatch.setattr(search.Scan, path, refused)


def test_count_counts_where_the_records_are_found(monkeypatch, two_files):
    want = sum(1 for _ in search_files(two_files, Patterns(("ret=-9043",)), Records()))
    _forbid(monkeypatch, "batches", "records", "blocks", "fold")
    report = SearchReport()
    assert search_files(two_files, Patterns(("ret=-9043",)), Count(), report=report) == want == 16
    assert report.searched == two_files and not report.failed


def test_the_printer_prints_in_c_when_nothing_needs_python(monkeypatch, two_files):
    from obdoctor.logs import patterns

    if not patterns.simd_available():
        pytest.skip("the C extension is not built")
    out = io.StringIO()
    _forbid(monkeypatch, "batches", "records", "count")
    assert search_files(two_files, Patterns(("ret=-9043",)), Printer(out)) == 16
    lines = out.getvalue().splitlines()
    assert len(lines) == 16 and all(x.startswith("observer.log:") and "ret=-9043" in x for x in lines)


def test_a_redacting_printer_prints_from_python_what_the_records_hold(monkeypatch, two_files):
    out = io.StringIO()
    _forbid(monkeypatch, "blocks", "count")
    count = search_files(two_files, Patterns(("ret=-9043",)), Printer(out, redact=str.upper))
    records = list(search_files(two_files, Patterns(("ret=-9043",)), Records()))
    assert count == len(records) == 16
    assert out.getvalue().splitlines() == [
        f"{Path(r.path).name}:{r.line_no}:{r.raw.upper()}" for r in sorted(records, key=lambda r: (r.path, r.line_no))]


def test_fold_runs_the_function_on_each_files_batches(two_files):
    folded = dict(search_files(two_files, Patterns(("ret=-9043",)), Fold(list)))
    assert set(folded) == set(two_files)
    assert sum(len(batch) for batches in folded.values() for batch in batches) == 16
