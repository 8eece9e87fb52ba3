"""The scan kernels of ``obdoctor.logs._scan`` alone, one core, page cache warm: which kernel is
fastest for how many literals (what ``best_for`` in ``_scan_kernels.h`` picks is chosen from
this), and which Teddy fingerprint length.

    .venv/bin/python bench/kernels.py                  # corpus made by bench/run.py
    .venv/bin/python bench/kernels.py --rounds 7 --m 1 2 3 4

Each file is mapped once; every (literal set, kernel) pair is timed ``--rounds`` times,
interleaved (round 1 of every pair, then round 2, ...), best of the rounds reported: on a
shared machine the minimum is the run the others disturbed least. ``count`` is what
``logs search --count`` calls (records counted, no line numbers), ``records`` what a printed
search calls (records with their line numbers)."""

from __future__ import annotations

import argparse
import mmap
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import NEEDLE_PATTERNS  # noqa: E402

SEVEN = (*NEEDLE_PATTERNS, "ret=-4018", "ret=-4012")
SIXTEEN = (*SEVEN, "ret=-4013", "ret=-4023", "[errcode=-4388]", "ret=-9041", "ret=-9044", "ret=-9045",
           "ret=-9046", "BACKTRACE:", "permission denied")
"""Sixteen: the seven plus codes a DBA would add (most absent here) and two phrases."""
SETS = {1: SEVEN[:1], 2: SEVEN[:2], 3: SEVEN[:3], 5: SEVEN[:5], 7: SEVEN, 16: SIXTEEN}
MAX_RECORD = 1 << 20


def main() -> None:
    from obdoctor.logs import _scan

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--m", type=int, nargs="*", default=[0], help="Teddy fingerprint lengths to try (0: chosen)")
    parser.add_argument("--sets", type=int, nargs="*", default=sorted(SETS))
    parser.add_argument("--mode", choices=("count", "records"), default="count")
    args = parser.parse_args()
    files = sorted(p for p in (args.corpus / "logs").rglob("*") if p.is_file() and p.suffix not in (".gz", ".zst"))
    maps = []
    for p in files:
        with open(p, "rb") as handle:
            maps.append(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    total = sum(len(m) for m in maps)
    kernels = [k for k in _scan.KERNELS if k != "scalar"]
    pairs = []
    for n in args.sets:
        for kernel in kernels:
            for m in (args.m if kernel.startswith("teddy") else [None]):
                if m is not None:
                    _scan._set_teddy_m(m)
                scanner = _scan.Scanner([x.encode() for x in SETS[n]])
                scanner.count(maps[0], 0, min(len(maps[0]), 1 << 20), MAX_RECORD, kernel)  # tables built now, with m
                pairs.append((n, kernel, m, scanner))
    best = {}
    answers = {}
    for _ in range(args.rounds):
        for n, kernel, m, scanner in pairs:
            call = scanner.count if args.mode == "count" else scanner.records
            t = time.perf_counter()
            found = 0
            for mm in maps:
                got = call(mm, 0, len(mm), MAX_RECORD, kernel)
                found += got if args.mode == "count" else len(got[0])
            took = time.perf_counter() - t
            key = (n, kernel, m)
            best[key] = min(best.get(key, took), took)
            answers.setdefault(n, set()).add(found)
    print(f"{total / 1e9:.2f} GB in {len(maps)} files, one core, {args.mode}, best of {args.rounds}, "
          f"load average {os.getloadavg()[0]:.1f}")
    for n in args.sets:
        row = "  ".join(f"{k}{'' if m is None else '/m' + str(m or 'auto')} {total / best[(n, k, m)] / 1e9:5.2f}"
                        for (nn, k, m) in best if nn == n)
        agree = "same answers" if len(answers[n]) == 1 else f"ANSWERS DIFFER {answers[n]}"
        print(f"{n:2d} literals (GB/s): {row}   [{sorted(answers[n])[0]} records, {agree}]")


if __name__ == "__main__":
    main()
