"""Benchmark (a script, not a test): cost of one watch poll and growth of the history file.

    .venv/bin/python -m tests.watch.bench_watch [POLLS]

Polls an in-memory cluster (one job, N ls tasks whose counters all move) with a test clock,
so what is measured is obdoctor's side: reading rows into samples, detection, the SQLite
transaction (WAL, synchronous=FULL: one fsync per poll) and the rate query.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from obdoctor.watch.store import History
from obdoctor.watch.watcher import Watcher
from tests.watch.fakes import FakeCluster, TestClock, job_row, ls_row, task_row


def run(ls_count: int, polls: int, directory: Path) -> tuple[float, float, int]:
    cluster = FakeCluster(bundle=None)
    cluster.tables["CDB_OB_BACKUP_JOB_HISTORY"] = []
    clock = TestClock(datetime(2023, 9, 26, 14, 31))
    db = directory / f"bench-{ls_count}.sqlite"
    times = []
    with History(db) as history:
        watcher = Watcher(cluster, history, clock=clock, stall_after=1800)
        for i in range(polls):
            cluster.tables["CDB_OB_BACKUP_JOBS"] = [job_row()]
            cluster.tables["CDB_OB_BACKUP_TASKS"] = [task_row(input_bytes=i * 10**6, finish_macro=i)]
            cluster.tables["__all_virtual_backup_ls_task"] = [
                ls_row(1000 + n, finish_macro=i, input_bytes=i * 1000 + n) for n in range(ls_count)]
            started = time.perf_counter()
            watcher.poll()
            times.append(time.perf_counter() - started)
            clock.advance(60)
    size = sum(p.stat().st_size for p in directory.glob(f"bench-{ls_count}.sqlite*"))
    times.sort()
    return times[len(times) // 2] * 1000, times[int(len(times) * 0.95)] * 1000, size


def main() -> int:
    polls = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'ls tasks':>8} {'polls':>6} {'median ms':>10} {'p95 ms':>8} {'bytes/poll':>11} {'MB/day @60s':>12}")
        for ls_count in (1, 10, 100, 1000):
            median, p95, size = run(ls_count, polls, Path(tmp))
            print(f"{ls_count:>8} {polls:>6} {median:>10.2f} {p95:>8.2f} {size / polls:>11.0f} "
                  f"{size / polls * 1440 / 1e6:>12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
