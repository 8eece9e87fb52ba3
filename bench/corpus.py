"""Generate a deterministic, realistic OceanBase log corpus for the search benchmark.

Layout (like an obdoctor bundle): ``<out>/logs/<ip>/`` with ``observer.log`` + rotated
``observer.log.<17 digits>`` files, ``rootservice.log`` (+ rotated), ``observer.log.wf`` and
a compressed subset (``.gz`` / ``.zst``). The mix follows a real observer: mostly INFO,
~1% WDIAG/WARN with ``[errcode=]``, rare ERROR/EDIAG with ``BACKTRACE:``, many trace ids.
A handful of "needle" lines (the patterns the benchmark searches for) are planted at
fixed rates so every run finds the same number of matches.
"""

from __future__ import annotations

import argparse
import gzip
import random
from datetime import datetime, timedelta
from pathlib import Path

SERVERS = ("10.0.0.11", "10.0.0.12")
PORT = 2882
START = datetime(2024, 3, 18, 8, 0, 0)

_INFO = (
    ("[STORAGE]", "run", "ob_tenant_freezer.cpp:512", "T{t}_Flush",
     "tenant freezer check(tenant_id={t}, active_memstore_used={n}, total_memstore_used={m}, memstore_freeze_trigger_limit=429496729, memstore_limit=2147483648)"),
    ("[CLOG]", "get_max_decided_scn", "ob_log_handler.cpp:1120", "T{t}_ApplySrv",
     "get max decided scn(ls_id={{id:{n}}}, max_decided_scn={{val:1710000000{m}, v:0}}, ret=0)"),
    ("[SERVER]", "handle_request", "ob_srv_deliver.cpp:478", "DeliverWorker",
     "deliver request(pcode={n}, tenant_id={t}, queue_size={m}, req={{packet:{{hdr_:{{checksum_:{m}, pcode_:{n}}}}}}})"),
    ("[COMMON]", "print_stat", "ob_io_struct.cpp:803", "IO_TUNING0",
     "[IO STATUS](tenant_id={t}, io_status={{iops:{n}, bw:{m}}}, group_usage=[{{group:0, usage:{n}}}, {{group:1, usage:0}}])"),
    ("[STORAGE.TRANS]", "statistics", "ob_trans_service.cpp:267", "T{t}_TxLoopWor",
     "[TRANS STAT] transaction statistics(total_trans={n}, commit_trans={m}, rollback_trans=0)"),
    ("[ARCHIVE]", "do_thread_task_", "ob_archive_sender.cpp:233", "T{t}_ArcSender",
     "archive send task(ls_id={{id:1001}}, piece={{piece_id:{n}}}, dest=\"file:///data/nfs/archive\", lsn={{lsn:{m}}})"),
    ("[SQL.EXE]", "open", "ob_px_scheduler.cpp:1204", "T{t}_L0_G0",
     "px execute(sql_id=\"8B1F3A9C2D\", trace=\"{trace}\", dfo_cnt={n}, cost={m})"),
    ("", "refresh", "ob_server_schema_updater.cpp:311", "SerScheQueue0",
     "schema refresh(refresh_schema_version={m}, tenant_id={t}, cost_ts={n})"),
)
_WARN = (
    ("WDIAG", "[SHARE]", "get", "ob_tenant_config.cpp:238", "T{t}_TenantWea", -4018,
     "fail to get tenant config(ret=-4018, ret=\"OB_ENTRY_NOT_EXIST\", tenant_id={t}, key={n})"),
    ("WDIAG", "[RPC.OBRPC]", "rpc_call", "ob_rpc_proxy.ipp:361", "SerScheQueue0", -4012,
     "execute rpc fail(ret=-4012, dst=\"10.0.0.13:2882\", pcode={n})"),
    ("WARN", "", "log_dba_warn", "ob_log.cpp:1744", "T{t}_Occam", -4388,
     "slow disk io(io_time={n}, threshold=1000000)"),
    ("WDIAG", "[STORAGE]", "advance_checkpoint_by_flush", "ob_backup_task.cpp:141", "T{t}_BACKUP", 0,
     "clog checkpoint scn has not passed start scn, retry again(i={n}, tenant_id={t}, ls_id={{id:1001}}, clog_checkpoint_scn={{val:1710000000{m}}}, start_scn={{val:1710000001{m}}})"),
)
# planted needles: (per-million rate, level, module, func, file, thread, errcode, body)
_NEEDLES = (
    (20, "WDIAG", "[RS]", "finish_", "ob_backup_data_ls_task_mgr.cpp:408", "T1002_BackupDat", -4016,
     "ls task failed, backup can't not continue(ret=-4016, ret=\"OB_ERR_UNEXPECTED\", ls_attr={{task_id:{n}, tenant_id:1002, ls_id:{{id:1001}}, result:-4016}})"),
    (5, "WDIAG", "", "start_tenant_backup_data_", "ob_backup_data_scheduler.cpp:352", "T1_BACKUP_SC", -9040,
     "backup can not start, because log archive status is not doing."),
    (2, "EDIAG", "[STORAGE]", "do_backup", "ob_backup_task.cpp:2210", "T1002_BackupDat", -9043,
     "backup device permission denied(ret=-9043, path=\"file:///data/nfs/backup/data\") BACKTRACE:0x1234 0x5678 0x9abc"),
)


def _trace(ip: str, seq: int) -> str:
    a, b, c, d = (int(x) for x in ip.split("."))
    return f"Y{(PORT << 32) | (a << 24) | (b << 16) | (c << 8) | d:X}-{seq:016X}-0-0"


NEEDLE_TRACE = _trace(SERVERS[0], 0x00060F0000000001)
NEEDLE_PATTERNS = ("ret=-4016", "backup can not start", "ret=-9043", "[errcode=-9040]", NEEDLE_TRACE)


def _lines(ip: str, rng: random.Random, start: datetime, target: int, seq0: int, wf: list[str], step: int):
    """Yield (ts, text) until ``target`` bytes; WARN/ERROR (DBA) lines also go to ``wf``."""
    size = 0
    ts = start
    second = None
    prefix = ""
    seq = seq0
    trace = _trace(ip, seq)
    needle_trace = NEEDLE_TRACE
    while size < target:
        ts += timedelta(microseconds=rng.randrange(step))
        if ts.second != second or second is None:
            second = ts.second
            prefix = ts.strftime("[%Y-%m-%d %H:%M:%S.")
        if rng.random() < 0.2:
            seq += 1
            trace = _trace(ip, seq)
        t = rng.choice((1, 1001, 1002, 1004))
        n = rng.randrange(1, 100000)
        m = rng.randrange(100000, 999999999)
        roll = rng.randrange(1_000_000)
        tid = 1000 + (n % 3000)
        cur_trace = trace
        if roll < 9000:
            level, mod, func, src, thread, code, body = _WARN[roll % len(_WARN)]
            errcode = f"[errcode={code}]"
        elif roll < 9000 + sum(r for r, *_ in _NEEDLES):
            k = roll - 9000
            for rate, level, mod, func, src, thread, code, body in _NEEDLES:
                if k < rate:
                    break
                k -= rate
            errcode = f"[errcode={code}]"
            if level == "EDIAG":
                cur_trace = needle_trace
        else:
            mod, func, src, thread, body = _INFO[roll % len(_INFO)]
            level, errcode = "INFO", ""
        thread = thread.replace("{t}", str(t))
        text = (f"{prefix}{ts.microsecond:06d}] {level:<5} {mod}{' ' if mod else ''}{func} ({src}) [{tid}][{thread}][T{t}]"
                f"[{cur_trace}] [lt={n % 97}]{errcode} " + body.format(t=t, n=n, m=m, trace=trace) + "\n")
        if level in ("WARN", "ERROR"):
            wf.append(text)
        size += len(text)
        yield ts, text


def _stamp(ts: datetime) -> str:
    return ts.strftime("%Y%m%d%H%M%S") + f"{ts.microsecond // 1000:03d}"


def generate(out: Path, total_bytes: int, seed: int = 7) -> list[Path]:
    """Write the corpus; returns every file written. Same seed and size -> same bytes."""
    written: list[Path] = []
    per_server = total_bytes // len(SERVERS)
    for index, ip in enumerate(SERVERS):
        rng = random.Random(f"{seed}:{ip}")
        folder = out / "logs" / ip
        folder.mkdir(parents=True, exist_ok=True)
        ts = START
        # observer.log gets 85% of the bytes, rootservice.log 15%; files rotate at a scaled 256 MiB
        for family, share, step in (("observer", 0.85, 800), ("rootservice", 0.15, 4500)):
            budget = int(per_server * share)
            file_size = max(min(256 << 20, budget // 4), 1 << 16)
            count = max(1, budget // file_size)
            wf: list[str] = []
            file_ts = ts
            for i in range(count):
                live = i == count - 1
                lines = []
                last = file_ts
                for last, text in _lines(ip, rng, file_ts, file_size, (index + 1) << 40 | i << 24, wf, step):
                    lines.append(text)
                data = "".join(lines).encode()
                name = f"{family}.log" if live else f"{family}.log.{_stamp(last)}"
                path = folder / name
                # a compressed subset: the oldest rotated file of each family
                if not live and i == 0:
                    if family == "observer":
                        path = path.with_name(name + ".gz")
                        path.write_bytes(gzip.compress(data, compresslevel=1, mtime=0))
                    else:
                        import zstandard

                        path = path.with_name(name + ".zst")
                        path.write_bytes(zstandard.ZstdCompressor(level=1).compress(data))
                else:
                    path.write_bytes(data)
                written.append(path)
                file_ts = last + timedelta(microseconds=1)
            (folder / f"{family}.log.wf").write_text("".join(wf))
            written.append(folder / f"{family}.log.wf")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "corpus")
    parser.add_argument("--size", default="2G", help="total bytes, e.g. 300M, 2G (default 2G)")
    args = parser.parse_args()
    print(f"wrote {len(generate(args.out, parse_size(args.size)))} files under {args.out}")


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper()
    if text[-1:] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


if __name__ == "__main__":
    main()
