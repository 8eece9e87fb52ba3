"""Benchmark: diagnose a 3-server incident whose logs are big, over real SSH (a script, not a test).

What it shows: with the grep pushed to the servers, a diagnosis touches only the servers the
evidence names, greps only the files whose time span meets the job, and brings back only the
matching lines — versus the logs' full size, which is what copying them (``obdiag gather``,
``scp``) would move.

Setup: the sshd fixture of the tests (one real sshd per observer on 127.0.0.2-.4), each
observer's ``log/`` filled with ``--size`` GB of rotated observer.log / rootservice.log files
(OceanBase's line format, time-stamped across the day) with the ``failed-41-chain`` scenario's
lines inside. Views come from the scenario's bundle (the SQL side is not what is measured).

Runs:
1. ``diagnose``: the real rules, as ``obdoctor diagnose`` runs them;
2. ``full scan``: one search for ``ret=-9082`` in every file of all three servers, no time window
   (the worst case: what pushdown costs when nothing can be skipped).

    .venv/bin/python bench/live_bench.py --size 2        # 2 GB per server (6 GB written)
    .venv/bin/python bench/live_bench.py --size 0.25     # quick
    .venv/bin/python bench/live_bench.py --size 1 --gzip # rotated files as .gz (zcat on the servers)

Disk: 3 x size GB in a temp dir, removed at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.live.simssh (the sshd fixture) lives in the repo, not the package

from obdoctor.engine import diagnose  # noqa: E402
from obdoctor.evidence import Evidence, LogQuery  # noqa: E402
from obdoctor.scenarios import generator, model  # noqa: E402
from obdoctor.scenarios.generator import render_line  # noqa: E402
from obdoctor.scenarios.model import LogLine  # noqa: E402
from obdoctor.sources.bundle import Bundle  # noqa: E402
from obdoctor.sources.live import LiveSource  # noqa: E402
from obdoctor.sources.ssh import SshLogSearcher, SshOptions  # noqa: E402
from tests.live.simssh import SimSsh, available  # noqa: E402

SCENARIO = "failed-41-chain"
FILE_SIZE = 256 << 20
DAY_START = datetime(2023, 9, 26, 0, 0, 0)
DAY_END = datetime(2023, 9, 26, 15, 0, 0)

_NOISE = (
    ("INFO", "STORAGE", "run", "ob_tenant_freezer.cpp:512", "T{t}_Flush", "tenant freezer check(tenant_id={t}, active_memstore_used={n}, total_memstore_used={n})"),
    ("INFO", "CLOG", "get_max_decided_scn", "ob_log_handler.cpp:1120", "T{t}_ApplySrv", "get max decided scn(ls_id={{id:{n}}}, max_decided_scn={{val:1692287649623874276, v:0}})"),
    ("INFO", "SERVER", "handle_request", "ob_srv_deliver.cpp:478", "DeliverWorker", "deliver request(pcode={n}, tenant_id={t})"),
    ("WDIAG", "SHARE", "get", "ob_tenant_config.cpp:238", "T{t}_TenantWea", "fail to get tenant config(ret=-4018, ret=\"OB_ENTRY_NOT_EXIST\", tenant_id={t}, key={n})"),
    ("INFO", "STORAGE.TRANS", "statistics", "ob_trans_service.cpp:267", "T{t}_TxLoopWor", "[TRANS STAT] transaction statistics(total_trans={n})"),
)


def noise_block(rng: random.Random, start: datetime, end: datetime, lines: int = 4000) -> bytes:
    """A block of plausible lines time-stamped inside [start, end], sorted (repeated to fill a file)."""
    span = max((end - start).total_seconds(), 1.0)
    out = []
    for _ in range(lines):
        level, module, func, src, thread, body = rng.choice(_NOISE)
        tenant = rng.choice((1, 1001, 1002))
        ts = start + timedelta(seconds=rng.random() * span)
        line = LogLine(ts="", level=level, module=module, func=func, src=src, tid=rng.randrange(1000, 99999),
                       thread=thread.replace("{t}", str(tenant)), tenant=tenant,
                       trace=f"Y{rng.randrange(1 << 40):X}-{rng.randrange(1 << 60):016X}-0-0",
                       errcode=-4018 if level == "WDIAG" else None,
                       body=body.replace("{t}", str(tenant)).replace("{n}", str(rng.randrange(100000))))
        out.append((ts, render_line(line, ts)))
    out.sort()
    return "".join(t + "\n" for _, t in out).encode()


def write_family(directory: Path, family: str, total: int, signal: bytes, rng: random.Random,
                 gzip_rotated: bool = False) -> list[Path]:
    """``total`` bytes of one family, rotated in FILE_SIZE files over the day; ``signal`` in the file covering 14:37."""
    count = max(1, -(-total // FILE_SIZE))
    size = total // count
    step = (DAY_END - DAY_START) / count
    incident = datetime(2023, 9, 26, 14, 37)
    written = []
    for k in range(count):
        start, end = DAY_START + step * k, DAY_START + step * (k + 1)
        last = k == count - 1
        name = f"{family}.log" if last else f"{family}.log.{end.strftime('%Y%m%d%H%M%S')}{end.microsecond // 1000:03d}"
        block = noise_block(rng, start, end)
        path = directory / (name + ".gz" if gzip_rotated and not last else name)
        with (_gzip_open(path) if path.suffix == ".gz" else open(path, "wb")) as handle:
            left = size
            while left > 0:
                chunk = block if left >= len(block) else block[: block.rfind(b"\n", 0, left) + 1] or block[:left]
                handle.write(chunk)
                left -= len(chunk)
            if signal and start <= incident <= end:
                handle.write(signal)
        written.append(path)
    return written


def _gzip_open(path: Path):
    from isal import igzip  # a dependency of obdoctor: several times faster than zlib

    return igzip.open(path, "wb", compresslevel=1)


def build(cluster: SimSsh, bundle: Path, size_gb: float, gzip_rotated: bool = False) -> dict[str, int]:
    rng = random.Random(7)
    per_server = int(size_gb * (1 << 30))
    sizes = {}
    for ip, node in cluster.nodes.items():
        log = node.home / "log"
        shutil.rmtree(log)
        log.mkdir()
        signals = {p.name.split(".")[0]: p.read_bytes() for p in (bundle / "logs" / ip).glob("*")} \
            if (bundle / "logs" / ip).is_dir() else {}
        write_family(log, "observer", per_server * 9 // 10, signals.get("observer", b""), rng, gzip_rotated)
        write_family(log, "rootservice", per_server // 10, signals.get("rootservice", b""), rng, gzip_rotated)
        sizes[ip] = sum(p.stat().st_size for p in log.iterdir())
        print(f"  {ip}: {sizes[ip] / 1e9:.2f} GB on disk in {len(list(log.iterdir()))} files", flush=True)
    return sizes


def searcher(cluster: SimSsh) -> SshLogSearcher:
    return SshLogSearcher(cluster.targets(), SshOptions(known_hosts=str(cluster.known_hosts), local_reads="never",
                                                        command_timeout=1800))


def matched_bytes(results) -> int:
    return sum(len(r.raw.encode()) + 1 for res in results for r in res.records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=2.0, help="GB of logs per server (default 2)")
    parser.add_argument("--gzip", action="store_true", help="rotated files gzip-compressed (--size is uncompressed)")
    parser.add_argument("--keep", action="store_true", help="keep the generated logs")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = parser.parse_args()
    reason = available()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="obdoctor-live-bench-"))
    cluster = SimSsh()
    try:
        bundle = generator.write_bundle(model.load(ROOT / "scenarios" / f"{SCENARIO}.toml"), work / SCENARIO)
        print(f"writing {args.size:g} GB of logs per server ...", flush=True)
        started = time.monotonic()
        sizes = build(cluster, bundle, args.size, args.gzip)
        print(f"  written in {time.monotonic() - started:.0f}s", flush=True)
        numbers: dict = {"size_gb_per_server": args.size, "gzip_rotated": args.gzip, "log_bytes_on_disk": sizes}

        # 1. the real diagnosis
        ssh = searcher(cluster)
        started = time.monotonic()
        with LiveSource(Bundle(bundle), ssh) as source:
            evidence = Evidence(source)
            report = diagnose(evidence)
        wall = time.monotonic() - started
        searches = evidence.log_searches()
        numbers["diagnose"] = {
            "wall_seconds": round(wall, 2),
            "findings": [(f.cause, f.verdict.value, f.code, f.servers) for f in report.findings],
            "servers_contacted": sorted(ssh.stats),
            "servers_configured": sorted(cluster.nodes),
            "searches": len(searches),
            "bytes_over_ssh": {ip: s.bytes_received for ip, s in ssh.stats.items()},
            "bytes_matched": matched_bytes(searches),
            "files_grepped": sum(len(s.files_searched) for s in searches),
            "bytes_of_logs_on_contacted_servers": sum(sizes[ip] for ip in ssh.stats),
        }
        # 2. worst case: every file of every server, no time window
        ssh = searcher(cluster)
        query = LogQuery(servers=tuple(cluster.nodes), kinds=("observer", "rootservice"), any_of=("ret=-9082",),
                         purpose="full scan")
        started = time.monotonic()
        with ssh:
            result = ssh.search(query)
        wall = time.monotonic() - started
        numbers["full_scan"] = {
            "wall_seconds": round(wall, 2),
            "bytes_on_disk": sum(sizes.values()),
            "uncompressed_mb_s": round(3 * args.size * (1 << 30) / 1e6 / wall, 1),
            "bytes_over_ssh": sum(s.bytes_received for s in ssh.stats.values()),
            "bytes_matched": matched_bytes([result]),
            "matches": result.total_matches,
            "unchecked": result.unchecked,
        }
        print(json.dumps(numbers, indent=2, default=str))
        if args.json:
            Path(args.json).write_text(json.dumps(numbers, indent=2, default=str))
    finally:
        cluster.stop() if not args.keep else print(f"kept: {cluster.base}")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
