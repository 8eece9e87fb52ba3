"""Less evidence never means "nothing wrong" (issue 11): removing any view or any log file from
an example whose answer is "a problem" (exit 1) never gives exit 0.

Every single removal is tried; hypothesis then removes arbitrary sets of files at once.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.exit_codes import ExitCode, for_report
from obdoctor.scenarios import model
from obdoctor.sources.bundle import Bundle
from tests.conftest import EXAMPLES, SCENARIOS

EXPECTED_EXIT = {s.name: s.expect.get("exit", 1) for s in model.load_all(SCENARIOS)
                 if s.expect.get("exit", 1) == 1 or (s.expect.get("exit") == 3 and s.expect.get("findings"))}
"""Examples whose answer is a problem: diagnosed (exit 1), or found with no cause named (exit 3 with
findings: partial-event-only, whose -4016 names no cause)."""
DIAGNOSED = sorted(EXPECTED_EXIT)


def _files(example: str) -> list[str]:
    """The example's views and log files, relative to the bundle (what a DBA might not send)."""
    root = EXAMPLES / example
    return sorted(str(p.relative_to(root)) for sub in ("sql", "logs") if (root / sub).is_dir()
                  for p in (root / sub).rglob("*") if p.is_file())


def _exit_without(example: str, removed: set[str]) -> tuple[ExitCode, object]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / example
        shutil.copytree(EXAMPLES / example, copy)
        for name in removed:
            (copy / name).unlink()
        with Bundle(copy) as bundle:
            report = diagnose(Evidence(bundle))
    return for_report(report), report


def test_the_corpus_is_there():
    assert len(DIAGNOSED) >= 30
    for name in ("partial-logs-only-41", "partial-observer-log-only", "partial-event-only",
                 "partial-ls-task-history-only", "partial-task-history-failed", "partial-4554-no-ls-task"):
        assert name in DIAGNOSED


@pytest.mark.parametrize("example", DIAGNOSED)
def test_removing_any_one_file_never_gives_an_all_clear(example):
    assert _exit_without(example, set())[0] == EXPECTED_EXIT[example]
    for name in _files(example):
        code, report = _exit_without(example, {name})
        assert code in (ExitCode.DIAGNOSED, ExitCode.UNDIAGNOSED), (example, name, code, report.internal_errors)


@st.composite
def _removals(draw):
    example = draw(st.sampled_from(DIAGNOSED))
    files = _files(example)
    return example, draw(st.sets(st.sampled_from(files), min_size=1, max_size=len(files)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_removals())
def test_removing_any_set_of_files_never_gives_an_all_clear(removal):
    example, removed = removal
    code, report = _exit_without(example, removed)
    assert code in (ExitCode.DIAGNOSED, ExitCode.UNDIAGNOSED), (example, sorted(removed), code, report.internal_errors)
