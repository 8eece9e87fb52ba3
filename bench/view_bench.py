"""Benchmark: read a bundle view of 200,000 rows (a script, not a test; issue 12's target: < 2 s, < 300 MB).

The view is DBA_OB_ROOTSERVICE_EVENT_HISTORY as obclient prints it (a ``+---+`` table, every cell
padded to the grid, a COMMENT-like EXTRA_INFO holding ``|`` and CJK text in some rows) or as CSV.
Each run is a fresh child process (its peak RSS, VmHWM, is the read's, not this script's) that opens
the bundle and reads the view (``Bundle.read_table``: the target), then builds the typed events
(``Evidence.rs_events``), the rest of the path ``obdoctor analyze`` takes. Exit 1 when the read
misses the target.

    .venv/bin/python bench/view_bench.py                 # 200,000 rows, table and csv
    .venv/bin/python bench/view_bench.py --rows 50000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from obdoctor.scenarios import render_sql

COLUMNS = ["TIMESTAMP", "MODULE", "EVENT", "NAME1", "VALUE1", "NAME2", "VALUE2", "NAME3", "VALUE3",
           "EXTRA_INFO", "RS_SVR_IP", "RS_SVR_PORT"]


def rows(count: int) -> list[dict]:
    out = []
    for i in range(count):
        out.append({
            "TIMESTAMP": f"2026-11-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000000:06d}",
            "MODULE": "backup_data", "EVENT": "start_backup_data" if i % 3 else "deal with failed job",
            "NAME1": "tenant_id", "VALUE1": str(1002 + i % 8), "NAME2": "job_id", "VALUE2": str(i),
            "NAME3": "result", "VALUE3": "0" if i % 5 else "-9071",
            "EXTRA_INFO": "" if i % 4 else ("备份 | 失败" if i % 8 else "a | b"),
            "RS_SVR_IP": f"10.0.{i % 3}.{1 + i % 200}", "RS_SVR_PORT": 2882,
        })
    return out


CHILD = """
import json, os, sys, time
def cpu():
    t = os.times()
    return t.user + t.system
def peak():
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report its parent's
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
from obdoctor.evidence import Evidence
from obdoctor.evidence.kinds import Kind
from obdoctor.sources.bundle import Bundle
with Bundle(sys.argv[1]) as bundle:
    started, cpu_started = time.perf_counter(), cpu()
    evidence = Evidence(bundle)
    table = evidence.table("DBA_OB_ROOTSERVICE_EVENT_HISTORY")
    read, read_cpu, read_peak = time.perf_counter() - started, cpu() - cpu_started, peak()
    events = evidence.get(Kind.RS_EVENTS)
    typed = time.perf_counter() - started
print(json.dumps({"rows": len(table.rows), "events": len(events), "problems": len(table.problems),
                  "read": round(read, 3), "read_cpu": round(read_cpu, 3), "read_peak": read_peak, "typed": round(typed, 3), "typed_peak": peak()}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = rows(args.rows)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'format':<6} {'rows':>8} {'file MB':>8} {'read s':>7} {'read CPU s':>11} {'read MiB':>9} {'+typed s':>9} "
          f"{'+typed MiB':>11}   (median of runs; peak RSS of the child)")
    failed = False
    for fmt in ("table", "csv"):
        with tempfile.TemporaryDirectory(prefix="obdoctor-viewbench-") as tmp:
            ext, text = render_sql.render(fmt, COLUMNS, data)
            (Path(tmp) / "sql").mkdir()
            path = Path(tmp) / "sql" / f"DBA_OB_ROOTSERVICE_EVENT_HISTORY.{ext}"
            path.write_text(text, encoding="utf-8")
            runs = []
            for _ in range(args.runs):
                out = subprocess.run([sys.executable, "-c", CHILD, tmp], capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout))
            runs.sort(key=lambda r: r["read"])
            mid = runs[len(runs) // 2]
            assert mid["rows"] == args.rows and mid["problems"] == 0, mid
            print(f"{fmt:<6} {mid['rows']:>8} {path.stat().st_size / 1e6:>8.1f} {mid['read']:>7.2f} {mid['read_cpu']:>11.2f} "
                  f"{max(r['read_peak'] for r in runs):>9.1f} {mid['typed']:>9.2f} {max(r['typed_peak'] for r in runs):>11.1f}")
            failed |= mid["read"] >= 2 or max(r["read_peak"] for r in runs) >= 300
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
