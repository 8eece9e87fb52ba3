"""Outputs are whole or absent: ``-o`` and ``collect`` write a temporary file beside the target
and rename it; a failure keeps the previous file and leaves no ``.part``; an input of the run is
never the output (obdoctor.atomic)."""

from __future__ import annotations

import os
import pathlib
import shutil
import tarfile
from pathlib import Path

import pytest

from obdoctor.atomic import OutputRefused, atomic_file, check_not_input, write_text
from obdoctor.sources import collect
from tests.conftest import EXAMPLES

CHAIN = EXAMPLES / "failed-41-chain"


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part") or p.name.startswith("."))


def test_report_written_whole_with_the_umask_permissions(tmp_path: Path, run_cli) -> None:
    out = tmp_path / "r.json"
    old = os.umask(0o022)
    try:
        assert run_cli("analyze", CHAIN, "--format", "json", "-o", out).code == 1
    finally:
        os.umask(old)
    assert out.read_text().startswith("{") and out.stat().st_mode & 0o777 == 0o644
    assert _leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_previous_report_and_leaves_nothing(tmp_path: Path, run_cli, monkeypatch) -> None:
    out = tmp_path / "r.md"
    out.write_text("previous report\n")
    real = pathlib.Path.write_text

    def half_then_full_disk(self, text, *args, **kwargs):
        real(self, text[:100], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_text", half_then_full_disk)
    result = run_cli("analyze", CHAIN, "--format", "markdown", "-o", out)
    monkeypatch.undo()
    assert result.code == 2 and "No space left on device" in result.err
    assert out.read_text() == "previous report\n"
    assert _leftovers(tmp_path) == []


def test_an_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(tmp_path / "x.html") as temp:
            temp.write_text("half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_the_bundle_being_read_is_never_the_output(tmp_path: Path, run_cli) -> None:
    archive = tmp_path / "b.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(CHAIN, arcname="bundle")
    before = archive.read_bytes()
    refused = run_cli("analyze", archive, "-o", archive)
    assert refused.code == 2 and "input of this run" in refused.err and archive.read_bytes() == before
    bundle_dir = tmp_path / "dir"
    shutil.copytree(CHAIN, bundle_dir)
    inside = bundle_dir / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.txt"
    text = inside.read_text()
    assert run_cli("analyze", bundle_dir, "-o", inside).code == 2 and inside.read_text() == text
    link = tmp_path / "link.tar.gz"
    link.symlink_to(archive)
    assert run_cli("analyze", archive, "-o", link).code == 2 and archive.read_bytes() == before
    assert run_cli("analyze", bundle_dir, "-o", tmp_path / "report.txt").code == 1  # beside it: fine


def test_check_not_input() -> None:
    with pytest.raises(OutputRefused):
        check_not_input("a/../a/b", ["a/b"])
    check_not_input("a/c", ["a/b", None])


def test_write_text_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "t"
    target.write_text("old")
    target.chmod(0o600)
    write_text(target, "new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o600  # keeps its permissions


class _Recording:
    def info(self):
        from obdoctor.evidence import SourceInfo

        return SourceInfo(kind="live", location="x")

    tables: dict = {}
    searches: list = []


@pytest.mark.parametrize("name", ["b.tar.gz", "bundle-dir"])
def test_collect_failing_midway_leaves_no_bundle(tmp_path: Path, monkeypatch, name: str) -> None:
    real = collect.write_bundle

    def fail_after_writing(recording, out_dir, **kwargs):
        real(recording, out_dir, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(collect, "write_bundle", fail_after_writing)
    with pytest.raises(OSError):
        collect.write_archive(_Recording(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    collect.write_archive(_Recording(), tmp_path / name)
    assert (tmp_path / name).exists() and _leftovers(tmp_path) == []
