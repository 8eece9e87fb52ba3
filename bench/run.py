"""Benchmark ``obdoctor logs search`` against ``grep -F`` and ``rg -F`` on one corpus, in one run.

    .venv/bin/python bench/run.py                # 2.6 GB corpus (≈2 GB plain + gz/zst subset)
    .venv/bin/python bench/run.py --size 300M    # quick check
    .venv/bin/python bench/run.py --delete       # remove bench/corpus/ afterwards

Every tool searches the same files for the same five fixed strings with line numbers, output
drained through a pipe, page cache warm (each command runs once untimed first); the median of
``--repeat`` runs is reported with each command's peak resident memory (``wait4``: the process
and the children it reaped, so our worker processes count). Compressed files are compared
with ``zcat``/``zstdcat`` piped into ``grep -F``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import NEEDLE_PATTERNS, generate, parse_size  # noqa: E402

SEVEN = (*NEEDLE_PATTERNS, "ret=-4018", "ret=-4012")
"""Issue 18 item 2's count: the five needles and two codes the corpus logs thousands of times."""


def compile_bytecode() -> None:
    """Write obdoctor's ``.pyc`` files first, as an installed package has them: where
    ``PYTHONDONTWRITEBYTECODE`` is set (this build machine), every run would otherwise compile
    every imported module from source, ~40 ms of start-up no user pays."""
    import obdoctor

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(obdoctor.__file__).parent)], env=env,
                   stdout=subprocess.DEVNULL, check=False)


def obdoctor_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("obdoctor")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "obdoctor.cli.main"]


def _tree(pid: int) -> list[int]:
    """``pid`` and every descendant now (``/proc``: the children of each of its threads)."""
    out, todo, seen = [], [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo.extend(int(x) for x in handle.read().split())
        except (OSError, ValueError):
            continue
    return out


def _kib(path: str, key: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_pss_kib(pid: int) -> tuple[int, int]:
    """(proportional set size of the whole tree, largest resident set of one process), KiB.

    PSS (``/proc/<pid>/smaps_rollup``) charges a page shared by n processes 1/n to each, so
    the sum over the tree is the memory the tree really holds: two workers mapping the same
    file, or a forked worker sharing its parent's pages, are not counted twice (a sum of RSS
    is, and overstated the tree by up to 2x). Where smaps_rollup cannot be read, RSS stands in."""
    pss = rss = 0
    for p in _tree(pid):
        one = _kib(f"/proc/{p}/status", "VmRSS:")
        rss = max(rss, one)
        pss += _kib(f"/proc/{p}/smaps_rollup", "Pss:") or one
    return pss, rss


class TreePeak:
    """The largest whole-tree PSS (and single-process RSS) of a process tree, sampled every 10 ms
    in a thread: GNU time's ``%M`` is the largest single process, not the workers and the parent
    together."""

    def __init__(self, pid: int):
        import threading

        self.pid, self.peak, self.rss, self.done = pid, 0, 0, False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done:
            pss, rss = tree_pss_kib(self.pid)
            self.peak, self.rss = max(self.peak, pss), max(self.rss, rss)
            time.sleep(0.01)

    def stop(self) -> int:
        self.done = True
        self.thread.join()
        return self.peak // 1024


def timed(cmd, shell=False) -> tuple[float, int, int, float, int]:
    """(wall seconds, peak RSS in MiB, exit status, CPU seconds) of one command.

    Output goes through a pipe that we drain: GNU grep notices a stdout of /dev/null and stops
    at the first match, which would time nothing. Peak memory and CPU come from GNU time
    (``%M``: the command and the children it reaped; measuring with wait4 here would report
    this big benchmark process, whose image a fork inherits)."""
    argv = ["/bin/bash", "-c", cmd] if shell else list(cmd)
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M %U %S", *argv], stdout=subprocess.PIPE, stderr=err)
        tree = TreePeak(proc.pid)
        while proc.stdout.read(1 << 20):
            pass
        proc.wait()
        tree_mib = tree.stop()
        wall = time.perf_counter() - start
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()
    try:
        kib, user, system = tail[-1].split()
        return wall, int(kib) // 1024, proc.returncode, float(user) + float(system), tree_mib
    except (IndexError, ValueError):
        return wall, 0, proc.returncode, 0.0, tree_mib


def measure(label: str, cmd, repeat: int, shell=False, warm: bool = True) -> dict:
    if warm:
        timed(cmd, shell)  # warm-up: page cache, imports
    runs = [timed(cmd, shell) for _ in range(repeat)]
    wall = statistics.median(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    cpu = statistics.median(r[3] for r in runs)
    tree = max(r[4] for r in runs)
    print(f"  {label:<44} {wall:7.3f} s   cpu {cpu:6.2f} s   peak {rss:5d} MiB   tree PSS {tree:5d} MiB", flush=True)
    return {"label": label, "seconds": wall, "cpu_seconds": cpu, "peak_mib": rss, "tree_pss_mib": tree,
            "exit": runs[0][2]}


def engine_time(paths: list[str], repeat: int, engine: str | None = None) -> dict:
    """The search engine alone (``search_files`` in this process): no interpreter start-up,
    no CLI imports, no output. ``engine`` forces a matcher (``simd``, ``hyperscan``, ``find``)."""
    from obdoctor.logs import classify
    from obdoctor.logs import patterns  # the engine's own module: forcing a matcher is a benchmark's knob

    saved = patterns.ENGINES
    if engine:
        patterns.ENGINES = saved[saved.index(engine):]
    try:
        return _engine_time([classify(Path(p)) for p in paths], repeat)
    finally:
        patterns.ENGINES = saved


def _engine_time(files, repeat) -> dict:
    from obdoctor.logs import Patterns, Records, SearchReport, search_files

    runs = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        report = SearchReport()
        n = sum(1 for _ in search_files(files, Patterns(NEEDLE_PATTERNS), Records(), workers=2, report=report))
        runs.append(time.perf_counter() - start)
    wall = statistics.median(runs[1:])
    print(f"  {'engine only: search_files(), ' + report.engine:<44} {wall:7.3f} s   ({n} records)", flush=True)
    return {"label": "engine", "seconds": wall, "records": n, "engine": report.engine}


def count_lines(cmd: list[str]) -> int:
    out = subprocess.run(cmd, capture_output=True).stdout
    return out.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description="obdoctor log search vs grep -F vs rg -F")
    parser.add_argument("--size", default="2.6G", help="corpus size before compression (default 2.6G)")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--delete", action="store_true", help="delete the corpus at the end")
    args = parser.parse_args()

    size = parse_size(args.size)
    stamp = args.corpus / "SIZE"
    if not stamp.exists() or stamp.read_text().strip() != str(size):
        shutil.rmtree(args.corpus, ignore_errors=True)
        t = time.perf_counter()
        print(f"generating {args.size} corpus in {args.corpus} ...", flush=True)
        generate(args.corpus, size)
        stamp.write_text(str(size))
        print(f"  done in {time.perf_counter() - t:.0f} s")
    files = sorted(p for p in (args.corpus / "logs").rglob("*") if p.is_file())
    plain = [str(p) for p in files if not p.name.endswith((".gz", ".zst"))]
    gz = [str(p) for p in files if p.name.endswith(".gz")]
    zst = [str(p) for p in files if p.name.endswith(".zst")]
    plain_bytes = sum(os.path.getsize(p) for p in plain)
    comp_bytes = sum(os.path.getsize(p) for p in gz + zst)
    print(f"corpus: {len(plain)} plain files {plain_bytes / 1e9:.2f} GB, {len(gz) + len(zst)} compressed files "
          f"{comp_bytes / 1e6:.0f} MB; {os.cpu_count()} cores; patterns: {', '.join(NEEDLE_PATTERNS)}")
    compile_bytecode()
    for p in files:  # warm the page cache
        with open(p, "rb") as handle:
            while handle.read(1 << 24):
                pass

    (args.corpus / "empty.log").write_bytes(b"")
    e_args = [x for p in NEEDLE_PATTERNS for x in ("-e", p)]
    ours = obdoctor_cmd() + ["logs", "search"] + e_args
    results = {}
    print("plain files (matching lines with file and line number, output drained through a pipe):")
    print(f"  (load average now {os.getloadavg()[0]:.1f})")
    results["ours"] = measure("obdoctor logs search (2 workers)", ours + plain, args.repeat)
    results["engine"] = engine_time(plain, args.repeat)
    from obdoctor.logs import patterns

    if results["engine"]["engine"] == "simd" and patterns.hyperscan_available():
        results["engine_hs"] = engine_time(plain, args.repeat, "hyperscan")
    results["ours_1"] = measure("obdoctor logs search -j1", ours + ["-j", "1"] + plain, args.repeat)
    results["rg"] = measure("rg -F (no line numbers)", ["rg", "-F", "--no-heading"] + e_args + plain, args.repeat)
    results["rg_n"] = measure("rg -F -n", ["rg", "-F", "-n", "--no-heading"] + e_args + plain, args.repeat)
    results["grep"] = measure("grep -F -n", ["grep", "-F", "-n"] + e_args + plain, args.repeat)

    # issue 18 item 2: seven fixed strings counted, start-up included
    seven = [x for p in SEVEN for x in ("-e", p)]
    print(f"seven literals counted ({', '.join(SEVEN)}):")
    results["seven"] = measure("obdoctor logs search --count (7 literals)",
                               obdoctor_cmd() + ["logs", "search", "--count"] + seven + plain, args.repeat)
    results["seven_1"] = measure("obdoctor logs search --count -j1", obdoctor_cmd() + ["logs", "search", "--count",
                                                                                       "-j", "1"] + seven + plain,
                                 args.repeat)
    results["seven_rg"] = measure("rg -c -F (7 literals)", ["rg", "-c", "-F", "--no-filename"] + seven + plain,
                                  args.repeat)
    results["start"] = measure("obdoctor logs search --count, empty file", obdoctor_cmd() + ["logs", "search",
                               "--count"] + seven + [str(args.corpus / "empty.log")], args.repeat)

    # a pattern on every line: the cost is per record returned, not per byte scanned
    biggest = max(plain, key=os.path.getsize)
    print(f"dense: a pattern on every line ('INFO', one file of {os.path.getsize(biggest) / 1e6:.0f} MB, count only):")
    results["dense_ours"] = measure("obdoctor logs search --count -e INFO", obdoctor_cmd() + ["logs", "search", "--count", "-e", "INFO", biggest], args.repeat)
    results["dense_rg"] = measure("rg -c -F INFO", ["rg", "-c", "-F", "-e", "INFO", biggest], args.repeat)
    results["dense_print"] = measure("obdoctor logs search -j1 -e INFO (printed)",
                                     obdoctor_cmd() + ["logs", "search", "-j", "1", "-e", "INFO", biggest], args.repeat)
    results["dense_rg_print"] = measure("rg -F INFO (printed)", ["rg", "-F", "-e", "INFO", biggest], args.repeat)

    # issue 18: records by level alone, and the error-code tally
    level_re = r"^\[[^\]]*\] (WDIAG|ERROR|EDIAG) "  # --level ERROR takes EDIAG too
    print("by level alone (--level WDIAG,ERROR, no pattern) vs rg's regex:")
    level_cmd = obdoctor_cmd() + ["logs", "search", "--level", "WDIAG,ERROR"]
    results["level_count"] = measure("obdoctor logs search --level ... --count", level_cmd + ["--count"] + plain, args.repeat)
    results["level_count_rg"] = measure("rg -c REGEX", ["rg", "-c", "--no-filename", level_re] + plain, args.repeat)
    results["level_print"] = measure("obdoctor logs search --level ... (printed)", level_cmd + plain, args.repeat)
    results["level_print_rg"] = measure("rg -n REGEX (printed)", ["rg", "-n", level_re] + plain, args.repeat)
    n_level = int(subprocess.run(level_cmd + ["--count"] + plain, capture_output=True).stdout)
    n_level_rg = sum(int(x) for x in subprocess.run(["rg", "-c", "--no-filename", level_re] + plain,
                                                     capture_output=True).stdout.split())
    print(f"  records: obdoctor {n_level}, rg {n_level_rg} lines")
    results["level_matches"] = {"obdoctor": n_level, "rg": n_level_rg}

    print("error codes (logs codes) vs an obdiag-style Python loop and an rg -o tally:")
    results["codes"] = measure("obdoctor logs codes", obdoctor_cmd() + ["logs", "codes"] + plain, args.repeat)
    code_re = r"(^|[^A-Za-z0-9_])(ret|errcode|ret_code|result)=-[0-9]+"
    tally = f"rg -o -N --no-filename '{code_re}' {' '.join(plain)} | sed 's/.*=//' | sort | uniq -c | sort -rn"
    results["codes_rg"] = measure("rg -o | sort | uniq -c", tally, args.repeat, shell=True)
    results["codes_python"] = measure("obdiag-style Python loop (once)", [sys.executable, str(HERE / "obdiag_style.py")]
                                      + plain, 1, warm=False)

    print("compressed files:")
    quoted = " ".join(f"-e '{p}'" for p in NEEDLE_PATTERNS)
    pipeline = (f"for f in {' '.join(gz)}; do zcat \"$f\"; done | grep -F -n {quoted}; "
                f"for f in {' '.join(zst)}; do zstdcat -q \"$f\"; done | grep -F -n {quoted}")
    results["zcat_grep"] = measure("zcat/zstdcat | grep -F -n", pipeline, args.repeat, shell=True)
    results["ours_comp"] = measure("obdoctor logs search (compressed)", ours + gz + zst, args.repeat)

    # same answers?
    n_ours = count_lines(ours + ["--count"] + plain)
    n_rg = count_lines(["rg", "-F", "--no-heading"] + e_args + plain)
    print(f"matches on plain files: obdoctor {subprocess.run(ours + ['--count'] + plain, capture_output=True).stdout.decode().strip()} records, rg {n_rg} lines")

    def ratio(a, b):
        return results[a]["seconds"] / results[b]["seconds"]

    def cpu_ratio(a, b):
        return results[a]["cpu_seconds"] / max(results[b]["cpu_seconds"], 1e-9)

    print("ratios (wall time; CPU seconds in brackets, less sensitive to other load on the machine):")
    print(f"  obdoctor / rg -F          {ratio('ours', 'rg'):5.2f}x [{cpu_ratio('ours', 'rg'):4.2f}x]   (target <= 1.5x)")
    print(f"  obdoctor / rg -F -n       {ratio('ours', 'rg_n'):5.2f}x [{cpu_ratio('ours', 'rg_n'):4.2f}x]")
    print(f"  engine only / rg -F       {ratio('engine', 'rg'):5.2f}x   (without the CLI's interpreter start-up and imports)")
    print(f"  grep -F -n / obdoctor     {ratio('grep', 'ours'):5.2f}x [{cpu_ratio('grep', 'ours'):4.2f}x] faster   (target >= 3x)")
    print(f"  zcat|grep / obdoctor      {ratio('zcat_grep', 'ours_comp'):5.2f}x [{cpu_ratio('zcat_grep', 'ours_comp'):4.2f}x] faster   (target >= 3x)")
    print(f"  dense, obdoctor / rg -c    {ratio('dense_ours', 'dense_rg'):5.2f}x   (no target: counted in the workers, not returned)")
    print(f"  dense printed / rg         {ratio('dense_print', 'dense_rg_print'):5.2f}x   (no target: every line goes through Python once)")
    print(f"  7 literals / rg -c -F     {ratio('seven', 'seven_rg'):5.2f}x [{cpu_ratio('seven', 'seven_rg'):4.2f}x]   (target <= 1.0x)")
    print(f"  start-up (empty file)     {results['start']['seconds'] * 1000:5.0f} ms")
    print(f"  level count / rg -c        {ratio('level_count', 'level_count_rg'):5.2f}x   (target <= 1.0x)")
    print(f"  level printed / rg -n      {ratio('level_print', 'level_print_rg'):5.2f}x   (target <= 1.5x)")
    print(f"  Python loop / logs codes   {ratio('codes_python', 'codes'):5.2f}x [{cpu_ratio('codes_python', 'codes'):4.2f}x] faster   (target >= 20x)")
    print(f"  logs codes / rg -o tally   {ratio('codes', 'codes_rg'):5.2f}x")
    print(f"  whole-tree peak PSS        {max(r.get('tree_pss_mib', 0) for r in results.values() if isinstance(r, dict) and r.get('label', '').startswith('obdoctor'))} MiB (parent and workers together)")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} (2 cores: above ~2 the wall times are inflated)")
    print(f"  peak memory obdoctor      {max(results['ours']['peak_mib'], results['ours_comp']['peak_mib'])} MiB   (target < 200)")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps({"plain_bytes": plain_bytes, "compressed_bytes": comp_bytes,
                                                  "results": results, "matches": n_ours}, indent=2))
    if args.delete:
        shutil.rmtree(args.corpus, ignore_errors=True)
        print(f"deleted {args.corpus}")


if __name__ == "__main__":
    main()
