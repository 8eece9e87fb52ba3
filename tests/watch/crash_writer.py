"""A watcher in its own process, for the crash and concurrency tests.

``python -m tests.watch.crash_writer DB POLLS LS [HANG_AT]`` polls an in-memory cluster of one
job with LS ls tasks as fast as it can (a test clock moving one second per poll, no sleeping)
and prints ``committed <poll id>`` after each poll's transaction, so the parent knows what must
survive a ``kill -9``. With HANG_AT, the poll of that id writes all its rows, prints
``inside <id>`` and blocks on stdin *before its commit*: the parent kills it mid-write.
"""

from __future__ import annotations

import sys
from datetime import datetime

from obdoctor.watch.store import History
from obdoctor.watch.watcher import Watcher
from tests.watch.fakes import FakeCluster, TestClock, job_row, ls_row, task_row


class HangingHistory(History):
    hang_at: int | None = None

    def write_poll(self, *args, **kwargs):
        stored = super().write_poll(*args, **kwargs)
        if stored.id == self.hang_at:
            print(f"inside {stored.id}", flush=True)
            sys.stdin.read()  # the transaction stays open until the parent kills us
        return stored


def main(argv: list[str]) -> int:
    db, polls, ls_count = argv[0], int(argv[1]), int(argv[2])
    HangingHistory.hang_at = int(argv[3]) if len(argv) > 3 else None
    cluster = FakeCluster(bundle=None)
    cluster.tables["CDB_OB_BACKUP_JOB_HISTORY"] = []
    clock = TestClock(datetime(2023, 9, 26, 14, 31))
    with HangingHistory(db) as history:
        watcher = Watcher(cluster, history, clock=clock, stall_after=3600)
        for i in range(polls):
            cluster.tables["CDB_OB_BACKUP_JOBS"] = [job_row()]
            cluster.tables["CDB_OB_BACKUP_TASKS"] = [task_row(input_bytes=i * 1000, finish_macro=i)]
            cluster.tables["__all_virtual_backup_ls_task"] = [
                ls_row(1000 + n, finish_macro=i, input_bytes=i * 100 + n) for n in range(ls_count)]
            outcome = watcher.poll()
            print(f"committed {outcome.poll_id}", flush=True)
            clock.advance(1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
