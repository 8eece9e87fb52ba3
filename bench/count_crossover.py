"""Where two forked workers start to pay for a ``logs search --count``: one process against two
on one rotated file of growing size (split into two segments: smaller than ``search.SPLIT_MIN``
a single file is never split, so only a set of files could use two workers), page cache warm, the seven
literals of bench/run.py; interleaved repetitions, best of ``--rounds``. Measured in one
process (``count_hits``), so the difference is the workers' own cost (fork, pipes, the second
process's page tables and sample), not interpreter start-up. ``search.COUNT_PARALLEL_MIN`` is
set from this (it and ``PARALLEL_MIN`` are forced to 0 here)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kernels import SEVEN  # noqa: E402


def main() -> None:
    from obdoctor.logs import search
    from obdoctor.logs.files import classify
    from obdoctor.logs.search import Patterns

    if hasattr(search, "count_hits"):
        count_hits = search.count_hits
    else:  # the search API as sinks
        from obdoctor.logs import Count

        def count_hits(files, patterns, workers):
            return search.search_files(files, patterns, Count(), workers=workers)

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--sizes", type=int, nargs="*", default=[64, 96, 128, 192, 256], help="MiB")
    args = parser.parse_args()
    source = max((p for p in (args.corpus / "logs").rglob("observer.log.2*") if p.suffix not in (".gz", ".zst")),
                 key=os.path.getsize)
    data = source.read_bytes()
    folder = args.corpus / "crossover"
    folder.mkdir(exist_ok=True)
    files = []
    for mib in args.sizes:
        want = (data * (1 + (mib << 20) // len(data)))[:mib << 20]
        want = want[:want.rfind(b"\n") + 1]
        path = folder / f"observer.log.2024031808{mib:07d}"
        if not path.exists() or path.stat().st_size != len(want):
            path.write_bytes(want)
        with open(path, "rb") as handle:  # warm the page cache
            handle.read()
        files.append((mib, classify(path)))
    pair = []  # two 1 MiB files: two tasks, so two workers; their difference is the workers' fixed cost
    for k in (1, 2):
        path = folder / f"observer.log.20240318090000{k:03d}"
        path.write_bytes(data[:data.rfind(b"\n", 0, 1 << 20) + 1])
        pair.append(classify(path))
    del data, want  # a fork copies the parent's page tables: keep this process as small as the CLI
    patterns = Patterns(SEVEN)
    best: dict[tuple[int, int], float] = {}
    saved = search.PARALLEL_MIN, search.COUNT_PARALLEL_MIN
    search.PARALLEL_MIN = search.COUNT_PARALLEL_MIN = 0
    try:
        for _ in range(args.rounds):
            for workers in (1, 2):
                t = time.perf_counter()
                count_hits(pair, patterns, workers=workers)
                took = time.perf_counter() - t
                best[0, workers] = min(best.get((0, workers), took), took)
            for mib, log in files:
                for workers in (1, 2):
                    t = time.perf_counter()
                    count_hits([log], patterns, workers=workers)
                    took = time.perf_counter() - t
                    best[mib, workers] = min(best.get((mib, workers), took), took)
    finally:
        search.PARALLEL_MIN, search.COUNT_PARALLEL_MIN = saved
    print(f"best of {args.rounds}, load average {os.getloadavg()[0]:.1f}; one process / two forked workers:")
    fixed = best[0, 2] - best[0, 1]
    print(f"  2 x 1 MiB   {best[0, 1] * 1000:7.1f} ms / {best[0, 2] * 1000:7.1f} ms   workers' fixed cost {fixed * 1000:.1f} ms")
    for mib, _log in files:
        one, two = best[mib, 1], best[mib, 2]
        print(f"  {mib:5d} MiB   {one * 1000:7.1f} ms / {two * 1000:7.1f} ms   {'two' if two < one else 'one'} wins"
              f"   (idle cores: two would take ~{(one / 2 + fixed) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
