"""Archives cannot fill the disk or the inode table: extraction has a size and a member budget,
checked from each header before its bytes are written, raised by a flag; and whatever stops a
run (over budget, SIGTERM, SIGHUP, Ctrl-C) removes what was extracted."""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from obdoctor.sources.bundle import DEFAULT_MAX_EXTRACT_BYTES, Bundle, BundleError, parse_size
from tests.conftest import EXAMPLES

CHAIN = EXAMPLES / "failed-41-chain"


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch) -> Path:
    """Where Bundle extracts, to see that nothing is left behind."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def _header_only_bomb(path: Path, size: int) -> Path:
    """A gzip'd tar whose one member claims ``size`` bytes and holds none: refused from the
    header, before a byte is read or written."""
    member = tarfile.TarInfo("bundle/logs/127.0.0.2/observer.log")
    member.size = size
    with gzip.open(path, "wb") as out:
        out.write(member.tobuf(format=tarfile.GNU_FORMAT))
        out.write(b"\0" * 1024)
    return path


def _many_members(path: Path, count: int) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for n in range(count):
            member = tarfile.TarInfo(f"bundle/logs/127.0.0.2/f{n}")
            tar.addfile(member, io.BytesIO(b""))
    return path


@pytest.mark.parametrize("size", [DEFAULT_MAX_EXTRACT_BYTES + 1, 10 ** 15, 8 ** 11 * 8])
def test_a_member_larger_than_the_budget_is_refused_from_its_header(tmp_path: Path, private_tmp: Path,
                                                                    size: int) -> None:
    bomb = _header_only_bomb(tmp_path / "bomb.tar.gz", size)
    with pytest.raises(BundleError, match="--max-extract"):
        Bundle(bomb)
    assert list(private_tmp.iterdir()) == []


def test_too_many_members_are_refused(tmp_path: Path, private_tmp: Path) -> None:
    bomb = _many_members(tmp_path / "many.tar.gz", 300)
    with pytest.raises(BundleError, match="more than 200 members.*--max-extract-files"):
        Bundle(bomb, max_extract_files=200)
    assert list(private_tmp.iterdir()) == []
    with Bundle(bomb, max_extract_files=301) as bundle:  # raised: extracted
        assert bundle.info().servers == ["127.0.0.2"]


def test_the_budget_counts_every_member_and_the_flag_raises_it(tmp_path: Path, private_tmp: Path, run_cli) -> None:
    archive = tmp_path / "big.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(CHAIN, arcname="bundle")
        for n in range(3):  # three members of 600 KiB: each under 1 MiB, together over it
            member = tarfile.TarInfo(f"bundle/logs/127.0.0.4/observer.log.2023092614000{n}000")
            member.size = 600 << 10
            tar.addfile(member, io.BytesIO(b"x" * member.size))
    refused = run_cli("analyze", archive, "--max-extract", "1M")
    assert refused.code == 2 and "expands to more than 1 MiB" in refused.err and "--max-extract" in refused.err
    assert list(private_tmp.iterdir()) == []
    assert run_cli("analyze", archive, "--max-extract", "2M").code == 1  # diagnosed
    assert run_cli("analyze", archive, "--max-extract-files", "3").code == 2
    assert run_cli("analyze", archive, "--max-extract", "lots").code == 2


@pytest.mark.parametrize("text, size", [("4G", 4 << 30), ("500M", 500 << 20), ("1.5GiB", 3 << 29), ("123", 123),
                                        ("2k", 2048)])
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "-1G", "0", "1e400", "lots", "9" * 40])
def test_not_sizes(text: str) -> None:
    with pytest.raises((ValueError, IndexError)):
        parse_size(text)


# -- cleanup when the run is stopped ------------------------------------------------------------
_PAUSED_RUN = """
import sys, time
import obdoctor.sources.bundle as bundle
extract = bundle.Bundle._extract
def extract_then_wait(self, path, destination):
    extract(self, path, destination)
    print("extracted", flush=True)
    time.sleep(60)
bundle.Bundle._extract = extract_then_wait
from obdoctor.cli.main import main
sys.exit(main(["analyze", sys.argv[1]]))
"""


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_a_stopped_run_removes_what_it_extracted(tmp_path: Path, signum: int, code: int) -> None:
    """The real signal, delivered while the archive sits extracted (the run is held there)."""
    archive = tmp_path / "b.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(CHAIN, arcname="bundle")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    run = subprocess.Popen([sys.executable, "-c", _PAUSED_RUN, str(archive)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(scratch)})
    try:
        assert run.stdout.readline().strip() == "extracted"
        assert len(list(scratch.iterdir())) == 1
        run.send_signal(signum)
        _out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == code, err
    assert "Traceback" not in err
    assert list(scratch.iterdir()) == []
