"""Memory stays bounded by the read window, whatever the file size and however it is split.

Measured on a real child process (``os.wait4``: its peak resident set, worker processes it
reaped included), on a file bigger than the bound."""

import json
import subprocess
import sys

from .conftest import make_lines

FILE_MB = 256
BOUND_MIB = 150  # interpreter + imports (~30 MiB) + one 64 MiB mapped window + slack


MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=sys.stdout, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
sys.stderr.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}\\n")
"""
"""Run the command from a small helper process and report its peak there. Why not ``wait4``
from pytest: a child's peak RSS includes what it had between fork and exec, a copy of this big
test process (80 MiB more after the live tests), so the measure must fork from something small."""


def peak_mib(argv) -> tuple[int, bytes]:
    done = subprocess.run([sys.executable, "-c", MEASURE, *argv], capture_output=True, timeout=300)
    code, kib = done.stderr.decode().split()[-2:]
    assert code == "0", done.stderr
    return int(kib) // 1024, done.stdout


def test_a_big_rotated_file_shared_by_two_workers_stays_under_the_bound(tmp_path):
    block = ("".join(line + "\n" for line in make_lines(4000))).encode()
    path = tmp_path / "observer.log.20240318080000123"  # rotated: mapped, and split between workers
    with open(path, "wb") as handle:
        for _ in range(FILE_MB * (1 << 20) // len(block)):
            handle.write(block)
    copies = FILE_MB * (1 << 20) // len(block)
    argv = [sys.executable, "-m", "obdoctor.cli.main", "logs", "search", "-j", "2", "--json", "-e", "i=3999,", str(path)]
    peak, out = peak_mib(argv)
    hits = [json.loads(line) for line in out.splitlines()]
    assert len(hits) == copies
    # the last record's line number: the second worker counted the lines of the first half
    assert hits[-1]["line"] == block.count(b"\n") * copies
    assert peak < BOUND_MIB, f"peak resident {peak} MiB for a {FILE_MB} MB file"


def _trace_file(path, megabytes: int, trace: str) -> int:
    block = "".join(f"[2024-03-18 08:00:{i % 60:02d}.{i:06d}] INFO  [SQL] f (a.cpp:1) [7][T1_L0_G0][T1][{trace}] "
                    f"[lt=1] step(i={i}, sql=\"select {i} from dual\", cost={i * 7})\n" for i in range(2000)).encode()
    copies = megabytes * (1 << 20) // len(block)
    with open(path, "wb") as handle:
        for _ in range(copies):
            handle.write(block)
    return copies * 2000


def test_trace_memory_does_not_grow_with_the_records_of_the_trace(tmp_path):
    """A trace id on every line: ``logs trace`` sorts what it prints through bounded runs, so
    four times the file is not four times the memory (2 GB stays under 200 MB by the same rule)."""
    from .conftest import TRACE

    peaks = []
    for megabytes in (6, 24):
        path = tmp_path / f"{megabytes}" / "observer.log"  # the live file: one reused read buffer
        path.parent.mkdir()
        lines = _trace_file(path, megabytes, TRACE)
        argv = [sys.executable, "-m", "obdoctor.cli.main", "logs", "trace", "-j", "1", TRACE, str(path)]
        peak, out = peak_mib(argv)
        assert out.count(b"\n") == lines
        peaks.append(peak)
    assert peaks[1] - peaks[0] < 20, f"peak resident {peaks} MiB for 6 and 24 MB of trace lines"
    assert peaks[1] < 120
