"""Never confidently wrong, on variants of every example bundle (``tests/mutations.py``).

The sweep derives variants of each example (less evidence, irrelevant additions, another row or
file order, every time shifted, a status spelt otherwise or not understood) and checks the invariants against the answer on the original.
By default a seeded sample of each family runs (the same one every time); set
``OBDOCTOR_MUTATIONS=all`` to run every variant. The named tests below are the cases the sweep
found wrong, each kept as its own small test.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from obdoctor.exit_codes import ExitCode
from tests import mutations as mut
from tests.conftest import EXAMPLES

ALL = os.environ.get("OBDOCTOR_MUTATIONS", "").lower() == "all"
EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())


@pytest.mark.parametrize("example", EXAMPLE_DIRS, ids=[p.name for p in EXAMPLE_DIRS])
def test_every_variant_keeps_the_invariants(example: Path, tmp_path: Path) -> None:
    original = mut.analyze(example)
    assert original.code in mut.DIAGNOSIS_CODES and original.report is not None, original.err
    variants = mut.mutations(example, random.Random(example.name), full=ALL)
    assert {m.family for m in variants} >= {"M1", "M3", "M4"}, [m.id for m in variants]
    broken = [v for m in variants for v in mut.run_variant(example, m, tmp_path, original)]
    assert not broken, "\n".join(broken)


def test_the_sweep_covers_every_family_and_format() -> None:
    """The harness itself: every family has variants somewhere, and every view format the
    examples use is edited (a format it silently skipped would test nothing)."""
    families, formats = set(), set()
    for example in EXAMPLE_DIRS:
        families |= {m.family for m in mut.mutations(example, random.Random(0), full=True)}
        formats |= {v.fmt for p in mut.view_files(example) if (v := mut.split_view(p))}
    assert families == {"M1", "M2", "M3", "M4", "M7"}
    assert formats == {"table", "vertical", "tsv", "csv"}


def test_view_files_are_written_back_as_they_were() -> None:
    for path in sorted(EXAMPLES.glob("*/sql/*")):
        view = mut.split_view(path)
        if view is not None:
            assert view.render() == path.read_text(encoding="utf-8"), path


def test_shifting_moves_every_kind_of_time_and_back() -> None:
    from datetime import timedelta

    text = ("[2023-12-31 23:59:59.123456] x\nSTART_TIMESTAMP: 2023-09-26 14:30:56\n"
            "collected_at = 2023-09-26T15:00:00\n  start_ts: 1695709860000000\n  scn=1692287649623874276\n"
            )
    moved = mut.shift_text(text, timedelta(days=1, hours=1))
    assert "[2024-01-02 00:59:59.123456]" in moved and "2023-09-27 15:30:56" in moved
    assert "2023-09-27T16:00:00" in moved and "1695799860000000" in moved
    assert "1692377649623874276" in moved
    assert mut.shift_text(moved, -timedelta(days=1, hours=1)) == text
    assert mut.shift_text("END: 9999-12-31 23:59:59.999999", timedelta(days=1)) == "END: 9999-12-31 23:59:59.999999"
    assert mut.shift_text("        date: 20230926\n", timedelta(days=3)) == "        date: 20230929\n"
    assert mut.shift_name("observer.log.20230926235959999", timedelta(milliseconds=1)) == "observer.log.20230927000000000"


def test_the_name_checks_can_fail() -> None:
    """M5 on failed-41-chain: its finding names 127.0.0.3, where the ls task failed; naming the
    root service (127.0.0.2) instead, or a server or trace the bundle lacks, is reported."""
    example = EXAMPLES / "failed-41-chain"
    outcome, failed = mut.analyze(example), mut.failed_task_servers(example)
    text = mut.bundle_text(example)
    assert failed == {(1002, 1, -9082): {"127.0.0.3"}}
    assert mut.wrong_server(outcome, failed) == [] and mut.names_in_evidence(outcome, text) == []
    outcome.findings[0]["servers"] = ["127.0.0.2"]
    assert mut.wrong_server(outcome, failed)
    outcome.findings[0]["servers"] = ["127.0.0.7:2882"]
    outcome.findings[0]["trace_ids"] = ["YB427F000007-0005E98EBF8D9DC7-0-0"]
    assert len(mut.names_in_evidence(outcome, text)) == 2


# -- the cases the sweep found ---------------------------------------------------------------
def _variant(tmp_path: Path, example: str, name: str) -> tuple[mut.Outcome, mut.Outcome, list[str]]:
    source = EXAMPLES / example
    mutation = next(m for m in mut.mutations(source, random.Random(0), full=True) if m.name == name)
    copy = tmp_path / example
    shutil.copytree(source, copy)
    mutation.apply(copy)
    original, mutated = mut.analyze(source), mut.analyze(copy)
    return original, mutated, mut.violations(mutation, original, mutated, mut.bundle_text(copy))


@pytest.mark.parametrize("example, name", [
    ("stuck-435-user-data", "drop sql/CDB_OB_BACKUP_JOBS.txt"),
    ("stuck-rotated", "drop row 1 of sql/CDB_OB_BACKUP_JOBS.txt"),
])
def test_a_stuck_jobs_failed_tries_are_no_failed_job_when_the_jobs_view_is_missing(tmp_path, example, name):
    """Without the running jobs, a ``failed to do backup`` line of a task that is still retrying
    (its set task or ls task DOING in the views) was called a FAILED job, confirmed."""
    original, mutated, broken = _variant(tmp_path, example, name)
    assert not broken, broken
    assert "error_code" not in mutated.causes()
    assert mutated.code != ExitCode.NOTHING_WRONG


def test_a_signature_scoped_to_a_version_is_not_confirmed_when_the_version_is_unknown(tmp_path):
    """noarchivelog-refused-unexplained is -4179 after NOARCHIVELOG on 4.2; the snapshot meaning
    holds from 4.3. Without the manifest (no version) it was given as confirmed."""
    original, mutated, broken = _variant(tmp_path, "noarchivelog-refused-unexplained", "drop manifest.toml")
    assert not broken, broken
    assert "command_refused" not in mutated.causes("confirmed")


def test_the_servers_a_mount_finding_lists_do_not_follow_the_row_order(tmp_path):
    """dest-nfs-mounts-differ: 'X does not mount it (A, B do)' listed A and B in
    DBA_OB_SERVERS' row order, which a query without ORDER BY does not fix."""
    _, _, broken = _variant(tmp_path, "dest-nfs-mounts-differ", "rows shuffled (seed 2)")
    assert not broken, broken


def test_a_running_job_is_not_called_stuck_when_the_collection_time_is_unknown(tmp_path):
    """in-progress-9036 without its manifest: job 9 has run 9 minutes when collected, but with no
    collection time its age is unknown, and the report said it 'is stuck' (verdict unknown). It
    may be young: the finding says what is known, the stage and since when, not that it is stuck."""
    _, mutated, broken = _variant(tmp_path, "in-progress-9036", "drop manifest.toml")
    assert not broken, broken
    stuck = [f for f in mutated.findings if f["job_id"] == 9]
    assert all(f["verdict"] == "unknown" and "is stuck" not in f["summary"] for f in stuck), stuck
    assert all(any("collect" in u["why"] for u in f["unchecked"]) for f in stuck), stuck


def test_a_restore_point_is_not_called_restorable_when_the_window_has_no_end(tmp_path):
    """restore-window-4018 without CDB_OB_ARCHIVELOG_PIECE_FILES (and no CDB_OB_ARCHIVELOG): only the
    window's start is known, yet the point after it was called 'inside the window' and the -4018
    blamed on the RESTORE's paths. An open end cannot place the point: not checked."""
    _, mutated, broken = _variant(tmp_path, "restore-window-4018", "drop sql/CDB_OB_ARCHIVELOG_PIECE_FILES.txt")
    assert not broken, broken
    assert not any("looks restorable" in f["summary"] for f in mutated.findings), mutated.findings
    assert any("restorable window" in u["what"] for f in mutated.findings for u in f["unchecked"])


def test_4554_is_not_blamed_on_a_lost_result_when_the_keep_alive_lines_were_not_read(tmp_path):
    """partial-4554-no-ls-task without the root service's log: -4554 means the executing server
    was gone or the task's result never came back, and only rootservice.log's keep-alive lines
    tell which. With them unread, 'result not reported' was likely, as if they had been searched."""
    _, mutated, broken = _variant(tmp_path, "partial-4554-no-ls-task", "drop logs/127.0.0.2")
    assert not broken, broken
    lost = [f for f in mutated.findings if f["code"] == -4554]
    assert lost and all(f["verdict"] == "unknown" for f in lost), lost


def test_4018_is_not_confirmed_outside_the_window_when_the_window_has_no_end(tmp_path):
    """restore-window-4018 without CDB_OB_ARCHIVELOG_PIECE_FILES: the log proves the RESTORE failed
    with -4018, but with the window's end unknown the point cannot be placed, and -4018 has another
    documented cause (the RESTORE's paths lack the pieces). The finding said 'probably outside the
    restorable window', confirmed: it must say what the log proves, that the window was not checked,
    and the query that would decide it."""
    _, mutated, broken = _variant(tmp_path, "restore-window-4018", "drop sql/CDB_OB_ARCHIVELOG_PIECE_FILES.txt")
    assert not broken, broken
    found = [f for f in mutated.findings if f["code"] == -4018]
    assert found and all(f["verdict"] == "unknown" for f in found), found
    assert all("outside the restorable window" not in f["summary"] or "not checked" in f["summary"]
               for f in found), found
    assert all("-4018" in f["summary"] for f in found), found
    queries = [u.get("query", "") for f in found for u in f["unchecked"] if "restorable window" in u["what"]]
    assert any("CDB_OB_ARCHIVELOG_PIECE_FILES" in q for q in queries), found
    assert mutated.code == ExitCode.UNDIAGNOSED


def test_the_status_checks_can_fail(tmp_path):
    """M7 on healthy: a job history STATUS cut to ``COMPLET`` is named and keeps exit 3; the same
    outcome read as 'nothing wrong', or without the row named, is reported as broken."""
    source = EXAMPLES / "healthy"
    mutation = next(m for m in mut.mutations(source, random.Random(0), full=True)
                    if m.family == "M7" and "'COMPLET'" in m.name and "JOB_HISTORY" in m.name)
    copy = tmp_path / "healthy"
    shutil.copytree(source, copy)
    mutation.apply(copy)
    original, mutated = mut.analyze(source), mut.analyze(copy)
    assert mut.violations(mutation, original, mutated, mut.bundle_text(copy)) == []
    assert mutated.code == ExitCode.UNDIAGNOSED and original.code == ExitCode.NOTHING_WRONG
    mutated.code, mutated.report["undecided"] = int(ExitCode.NOTHING_WRONG), []
    assert len(mut.violations(mutation, original, mutated, mut.bundle_text(copy))) == 2
