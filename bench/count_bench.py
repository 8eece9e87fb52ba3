"""Issue 18 item 2: ``obdoctor logs search --count`` with 1, 3, 7 and 16 fixed strings against
``rg -c -F`` and an obdiag-style ``cat | grep -E`` pipeline, same files, same run.

    .venv/bin/python bench/count_bench.py                     # the corpus bench/run.py made
    .venv/bin/python bench/count_bench.py --corpus DIR --rounds 7

Every command runs once untimed (page cache, .pyc), then ``--rounds`` rounds in which each
command runs once in turn (interleaved: a burst of load from other jobs on a shared machine
hits every tool alike); the best round of each command is reported, with its CPU seconds, and
the largest whole-process-tree PSS any round reached (bench/run.py's ``timed``). The counts
must agree: ours counts records, rg and grep count lines, and these strings never sit on a
continuation line of the corpus."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kernels import SETS  # noqa: E402
from run import compile_bytecode, obdoctor_cmd, timed  # noqa: E402

COUNTS = (1, 3, 7, 16)


def ere(literal: str) -> str:
    return re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", literal)


def commands(n: int, plain: list[str]) -> dict[str, tuple[list[str] | str, bool]]:
    lits = SETS[n]
    e_args = [x for lit in lits for x in ("-e", lit)]
    alternation = "|".join(ere(lit) for lit in lits)
    quoted = " ".join(f"'{p}'" for p in plain)
    return {
        "ours": (obdoctor_cmd() + ["logs", "search", "--count", *e_args, *plain], False),
        "ours -j1": (obdoctor_cmd() + ["logs", "search", "--count", "-j", "1", *e_args, *plain], False),
        "rg": (["rg", "-c", "-F", "--no-filename", *e_args, *plain], False),
        "grep": (f"for f in {quoted}; do cat \"$f\" | grep -E '{alternation}'; done | wc -l", True),
    }


def answer(cmd, shell: bool) -> int:
    out = subprocess.run(cmd, shell=shell, capture_output=True, text=True).stdout
    return sum(int(x) for x in out.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--counts", type=int, nargs="*", default=list(COUNTS))
    args = parser.parse_args()
    files = sorted(p for p in (args.corpus / "logs").rglob("*") if p.is_file())
    plain = [str(p) for p in files if not p.name.endswith((".gz", ".zst"))]
    size = sum(os.path.getsize(p) for p in plain)
    compile_bytecode()
    empty = args.corpus / "empty.log"
    empty.write_bytes(b"")
    table = {n: commands(n, plain) for n in args.counts}
    table[0] = {"start-up": (obdoctor_cmd() + ["logs", "search", "--count", "-e", "x", str(empty)], False)}
    load = [os.getloadavg()[0]]
    answers = {}
    for n, cmds in table.items():
        for tool, (cmd, shell) in cmds.items():
            timed(cmd, shell)  # warm-up
            if n:
                answers[n, tool] = answer(cmd, shell)
    best: dict[tuple[int, str], tuple] = {}
    pss: dict[tuple[int, str], int] = {}
    for _ in range(args.rounds):
        for n, cmds in table.items():
            for tool, (cmd, shell) in cmds.items():
                run = timed(cmd, shell)
                key = (n, tool)
                pss[key] = max(pss.get(key, 0), run[4])
                if key not in best or run[0] < best[key][0]:
                    best[key] = run
        load.append(os.getloadavg()[0])
    print(f"{len(plain)} plain files, {size / 1e9:.2f} GB; best of {args.rounds} interleaved rounds; "
          f"load average {min(load):.1f}-{max(load):.1f} on {os.cpu_count()} cores")
    print("| literals | tool | wall | CPU | tree PSS | count | / rg |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    rows = []
    for (n, tool), (wall, _peak, _code, cpu, _tree) in best.items():
        ratio = wall / best[n, "rg"][0] if n else None
        rows.append({"literals": n, "tool": tool, "wall": wall, "cpu": cpu, "tree_pss_mib": pss[n, tool],
                     "count": answers.get((n, tool)), "ratio_to_rg": ratio})
        print(f"| {n or '-'} | {tool} | {wall:.3f} s | {cpu:.2f} s | {pss[n, tool]} MiB | "
              f"{answers.get((n, tool), '')} | {f'{ratio:.2f}x' if ratio else ''} |")
    for n in args.counts:
        got = {answers[n, t] for t in table[n]}
        print(f"{n} literals: {'same count' if len(got) == 1 else 'COUNTS DIFFER'} {sorted(got)}")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "count_bench.json").write_text(json.dumps({"plain_bytes": size, "load": load, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
