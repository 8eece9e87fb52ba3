"""Hostile file types in a bundle, a loose folder and ``logs search``: FIFOs (an open blocks until
a writer comes), devices (``/dev/zero`` never ends), sockets, sparse multi-GB files (their size
costs nothing to make and everything to read), link loops, links escaping with ``../`` or an
absolute target, and hard links.

Each attack runs ``obdoctor`` in a child process with a deadline and an address-space limit, so
a regression fails the test instead of hanging the suite or filling the shared machine's memory.

Hard links are read like any file, by decision: a hard link *is* the file (no path leads
outside), ``st_nlink > 1`` is common in real copies (``cp -al``, ``rsync --link-dest``, backup
snapshots), and making one needs the file on the same filesystem, which Linux's
``fs.protected_hardlinks`` (on by default) limits to files the maker may read and write. Archives
are different: a hard-link member must point inside the archive (tarfile's ``data`` filter,
tests/hostile/test_paths.py).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from obdoctor.sources.bundle import Bundle
from tests.conftest import EXAMPLES

CHAIN = EXAMPLES / "failed-41-chain"
OUTSIDE = "OUTSIDE-THE-BUNDLE"
GIB = 1 << 30


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * GIB, 3 * GIB))


def _obdoctor(*argv, timeout: float = 60) -> subprocess.CompletedProcess:
    """obdoctor in a child process: killed after ``timeout`` s (the test then fails), and unable
    to map more than 3 GiB (reading a sparse file whole is a MemoryError, not a full machine)."""
    try:
        return subprocess.run([sys.executable, "-m", "obdoctor", *map(str, argv)], capture_output=True, text=True,
                              timeout=timeout, preexec_fn=_limited, env={**os.environ, "NO_COLOR": "1"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"obdoctor {' '.join(map(str, argv))} still running after {timeout} s")


def _bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(CHAIN, bundle)
    return bundle


def _analyze(bundle: Path) -> tuple[dict, str]:
    result = _obdoctor("analyze", bundle, "--format", "json")
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[-2000:]
    assert result.returncode in (1, 3), (result.returncode, result.stderr[-2000:])
    return json.loads(result.stdout), result.stdout


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero(path: Path) -> None:
    try:
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero's numbers
    except PermissionError:
        pytest.skip("making a device node needs root")


def _socket(path: Path) -> None:
    """A bound socket moved into place (a bound name must be short: AF_UNIX takes 108 bytes)."""
    short = Path(tempfile.mkdtemp(prefix="obd-", dir=path.parent.anchor + "tmp")) / "s"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(short))  # left bound: the file stays a socket
    _SOCKETS.append(server)
    os.rename(short, path)
    short.parent.rmdir()


_SOCKETS: list[socket.socket] = []
PLACES = ["manifest.toml", "sql/CDB_OB_BACKUP_JOB_HISTORY.txt", "sql/CDB_OB_BACKUP_JOBS.txt", "logs/origins.tsv",
          "logs/127.0.0.3/observer.log.20230926143000", "mounts/127.0.0.3"]


@pytest.mark.parametrize("make", [_fifo, _zero, _socket], ids=["fifo", "dev-zero", "socket"])
@pytest.mark.parametrize("place", PLACES)
def test_a_file_that_is_no_regular_file_is_noted_and_not_read(tmp_path: Path, make, place: str) -> None:
    bundle = _bundle(tmp_path)
    target = bundle / place
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    make(target)
    report, text = _analyze(bundle)
    assert "not a regular file" in text, place
    if place != "manifest.toml" and place != "sql/CDB_OB_BACKUP_JOB_HISTORY.txt":
        assert report["findings"]  # the rest of the bundle is still read


def test_a_sparse_view_file_of_6_gib_is_refused_from_its_size(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    for name in ("sql/DBA_OB_ROOTSERVICE_EVENT_HISTORY.txt", "manifest.toml"):
        with open(bundle / name, "r+b") as f:
            f.truncate(6 * GIB)
    report, text = _analyze(bundle)
    assert "sql/DBA_OB_ROOTSERVICE_EVENT_HISTORY.txt: 6 GiB" in text and "manifest.toml: 6 GiB" in text
    assert report["findings"]


def test_a_sparse_log_of_zeros_is_not_searched(tmp_path: Path) -> None:
    """4 GiB of holes named as a rotated log: searched by every query of the rules before (about
    three minutes on the shared machine); now noted from its first bytes."""
    bundle = _bundle(tmp_path)
    zeros = bundle / "logs" / "127.0.0.3" / "observer.log.20230926143000"
    with open(zeros, "wb") as f:
        f.truncate(4 * GIB)
    report, text = _analyze(bundle)
    assert "NUL" in text and report["findings"]


def test_a_loose_folder_reads_no_fifo_device_nor_huge_file(tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    shutil.copy(CHAIN / "logs" / "127.0.0.3" / "observer.log", folder / "observer.log")
    shutil.copy(CHAIN / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.txt", folder / "jobs.txt")
    _fifo(folder / "pipe.txt")
    _zero(folder / "zero.txt")
    with open(folder / "huge.txt", "wb") as f:
        f.truncate(6 * GIB)
    with open(folder / "big-observer.log", "wb") as f:  # a log's head, then 4 GiB: read as a log, streamed
        f.write((CHAIN / "logs" / "127.0.0.3" / "observer.log").read_bytes()[:4096].rsplit(b"\n", 1)[0] + b"\n")
        f.truncate(4 * GIB)
    report, text = _analyze(folder)
    for name in ("pipe.txt", "zero.txt", "huge.txt"):
        assert name in text, name
    assert report["findings"]


# -- links ----------------------------------------------------------------------------------------
def test_link_loops_and_escaping_links_end_and_read_nothing_outside(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    (tmp_path / "outside.txt").write_text(f"TENANT_ID: 1002\nTENANT_NAME: {OUTSIDE}\n")
    server = bundle / "logs" / "127.0.0.2"
    (server / "loop").symlink_to("loop")  # a link to itself
    (server / "up").symlink_to("..", target_is_directory=True)  # a directory loop
    (server / "observer.log.20230926143000").symlink_to("/dev/zero")  # absolute, to a device
    (bundle / "sql" / "DBA_OB_TENANTS.txt").unlink()
    (bundle / "sql" / "DBA_OB_TENANTS.txt").symlink_to("../../outside.txt")  # relative, escaping
    (bundle / "logs" / "127.0.0.9").symlink_to("../../bundle/logs/127.0.0.9", target_is_directory=True)  # dangling loop
    report, text = _analyze(bundle)
    assert OUTSIDE not in text and report["findings"]
    assert "sql/DBA_OB_TENANTS.txt" in text


def test_a_hard_link_is_read_as_the_file_it_is(tmp_path: Path) -> None:
    """The decision above, pinned: a hard-linked view file is read (the test can fail)."""
    bundle = _bundle(tmp_path)
    elsewhere = tmp_path / "tenants.txt"
    shutil.move(bundle / "sql" / "DBA_OB_TENANTS.txt", elsewhere)
    os.link(elsewhere, bundle / "sql" / "DBA_OB_TENANTS.txt")
    assert (bundle / "sql" / "DBA_OB_TENANTS.txt").stat().st_nlink == 2
    with Bundle(bundle) as opened:
        tenants = opened.read_table("DBA_OB_TENANTS")
        assert tenants.available and tenants.rows, tenants.reason
        assert not any("DBA_OB_TENANTS" in n for n in opened.info().notes)


# -- logs search ------------------------------------------------------------------------------------
def test_logs_search_refuses_a_device_and_notes_a_fifo_in_a_directory(tmp_path: Path) -> None:
    result = _obdoctor("logs", "search", "-e", "x", "/dev/zero", timeout=30)
    assert result.returncode == 2 and "not a regular file" in result.stderr
    folder = tmp_path / "logs"
    folder.mkdir()
    shutil.copy(CHAIN / "logs" / "127.0.0.3" / "observer.log", folder / "observer.log")
    _fifo(folder / "observer.log.20230926143000")
    result = _obdoctor("logs", "search", "-e", "ret=-9082", folder, timeout=30)
    assert "ret=-9082" in result.stdout and "not a regular file" in result.stderr


def _bomb(path: Path, size: int) -> None:
    """``size`` NUL bytes compressed (gzip or zstd, by the name): a few hundred KiB on disk."""
    chunk = bytes(1 << 20)
    if path.name.endswith(".gz"):
        import zlib

        squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
        with open(path, "wb") as out:
            for _ in range(size >> 20):
                out.write(squeeze.compress(chunk))
            out.write(squeeze.flush())
    else:
        import zstandard

        with open(path, "wb") as out, zstandard.ZstdCompressor(level=3).stream_writer(out) as writer:
            for _ in range(size >> 20):
                writer.write(chunk)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_a_compressed_log_of_zeros_is_not_searched(tmp_path: Path, suffix: str) -> None:
    """A compression bomb named as a rotated log: known from its first decompressed bytes."""
    bundle = _bundle(tmp_path)
    bomb = bundle / "logs" / "127.0.0.3" / f"observer.log.20230926143000{suffix}"
    _bomb(bomb, 512 << 20)
    assert bomb.stat().st_size < 4 << 20
    report, text = _analyze(bundle)
    assert f"observer.log.20230926143000{suffix}: begins with NUL bytes" in text and report["findings"]
