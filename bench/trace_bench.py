"""``obdoctor logs trace`` on a dense trace: the id on every line of a 2 GB-equivalent log
(issue 12). Time, CPU, peak memory (largest process) and whole-tree PSS, against ripgrep
printing the same lines unsorted and ``rg | sort`` (GNU sort: external, in time order).

    .venv/bin/python bench/trace_bench.py              # 2 GB in two files (rotated + live)
    .venv/bin/python bench/trace_bench.py --size 512M  # quick look

The files go to ``bench/corpus/trace/`` (git-ignored); ``--delete`` removes them afterwards.
Every line: ``[time] INFO [SQL] ... [T1][<trace id>] [lt=1] step(...)``, times rising within a
file, the rotated file older than the live one, so the answer is the files' lines in order.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import parse_size  # noqa: E402
from run import compile_bytecode, measure, obdoctor_cmd  # noqa: E402

TRACE = "YB420A00000B-00060F0000000001-0-0"


def write_trace_file(path: Path, size: int, hour: int) -> int:
    """``size`` bytes (rounded down to whole blocks) of lines all holding ``TRACE``; the line count."""
    block = "".join(f"[2024-03-18 {hour:02d}:{i // 1000 % 60:02d}:{i % 60:02d}.{i:06d}] INFO  [SQL] f (a.cpp:1) "
                    f"[7][T1_L0_G0][T1][{TRACE}] [lt=1] step(i={i}, sql=\"select {i} from dual\", cost={i * 7})\n"
                    for i in range(2000)).encode()
    copies = max(1, size // len(block))
    with open(path, "wb") as handle:
        for _ in range(copies):
            handle.write(block)
    return copies * 2000


def main() -> None:
    parser = argparse.ArgumentParser(description="logs trace on a trace id found on every line")
    parser.add_argument("--size", default="2G")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--delete", action="store_true")
    args = parser.parse_args()
    size = parse_size(args.size)
    out = HERE / "corpus" / "trace"
    out.mkdir(parents=True, exist_ok=True)
    rotated, live = out / "observer.log.20240318080000123", out / "observer.log"
    lines = write_trace_file(rotated, size // 2, 7) + write_trace_file(live, size // 2, 8)
    files = [str(rotated), str(live)]
    total = rotated.stat().st_size + live.stat().st_size
    print(f"dense trace: {total / 1e9:.2f} GB, {lines:,} lines, every one holding {TRACE}", flush=True)
    compile_bytecode()
    measure("obdoctor logs trace (printed, time order)", obdoctor_cmd() + ["logs", "trace", TRACE, *files],
            args.repeat)
    measure("rg -F -N (printed, file order)", ["rg", "-F", "-N", "--no-filename", TRACE, *files], args.repeat)
    measure("rg -F | sort (time order)", f"rg -F -N --no-filename {TRACE} {' '.join(files)} | LC_ALL=C sort -s -k1,2",
            args.repeat, shell=True)
    if args.delete:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
