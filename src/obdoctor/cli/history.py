"""``obdoctor history``: what the watcher recorded: jobs, samples with rates over time, events, diagnoses."""

from __future__ import annotations

import argparse
import json

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError("must be 2 or more")
    return value


def add(sub) -> None:
    parser = sub.add_parser("history", help="show what obdoctor watch recorded: samples, rates, stalls, diagnoses",
                            description="Show the watch history: the jobs seen, or one job's samples with its "
                                        "rates over time, its events and the diagnoses run for it.")
    parser.add_argument("--db", metavar="FILE", help="history file (default: the one obdoctor watch uses)")
    parser.add_argument("--tenant", type=int, metavar="ID", help="only this tenant")
    parser.add_argument("--job", type=int, metavar="ID", help="one job: its samples, rates, events and diagnoses")
    parser.add_argument("--limit", type=_limit, default=40, metavar="N",
                        help="show at most N samples of a job, evenly spread (default 40)")
    parser.add_argument("--report", type=int, metavar="ID", help="print the stored JSON report of diagnosis ID")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args, env: Environment) -> ExitCode:
    from obdoctor.watch.store import History, HistoryError, default_path

    try:
        history = History(args.db or default_path(), readonly=True)
    except HistoryError as exc:
        env.error(str(exc))
        return ExitCode.USAGE
    with history:
        if args.report is not None:
            return _report(args, env, history)
        if args.job is not None:
            return _job(args, env, history)
        return _jobs(args, env, history)


def _report(args, env: Environment, history) -> ExitCode:
    row = history.db.execute("SELECT report, error FROM diagnoses WHERE id=?", (args.report,)).fetchone()
    if row is None:
        env.error(f"no diagnosis #{args.report} in {history.path}")
        return ExitCode.UNDIAGNOSED
    if row["report"] is None:
        env.error(f"diagnosis #{args.report} has no report: {row['error']}")
        return ExitCode.UNDIAGNOSED
    env.stdout.write(json.dumps(json.loads(row["report"]), indent=2, ensure_ascii=False) + "\n")
    return ExitCode.NOTHING_WRONG


def _row(table, *cells: str) -> None:
    """Cells as plain text: a status or comment from the cluster is not rich markup."""
    from rich.text import Text

    table.add_row(*(Text(c) for c in cells))


def _fmt_ts(ts: float | None) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts is not None else "-"


def _jobs(args, env: Environment, history) -> ExitCode:
    jobs = history.jobs(args.tenant)
    events = [e for e in history.events(args.tenant) if e["kind"] in ("stall", "failed")]
    if args.format == "json":
        env.stdout.write(json.dumps({
            "db": str(history.path),
            "jobs": [{**dict(j), "first": _fmt_ts(j["first_ts"]), "last": _fmt_ts(j["last_ts"])} for j in jobs],
            "problems": [dict(e) for e in events],
        }, indent=2, ensure_ascii=False, default=str) + "\n")
        return ExitCode.NOTHING_WRONG
    from rich.table import Table

    console = env.console()
    if not jobs and not events:
        console.print(f"no job recorded in {history.path}" + (f" for tenant {args.tenant}" if args.tenant else ""),
                      markup=False)
        return ExitCode.NOTHING_WRONG
    table = Table(title=f"jobs watched ({history.path})")
    for column in ("tenant", "job", "first seen", "last seen", "samples", "last status", "events", "diagnoses"):
        table.add_column(column, no_wrap=True)
    for j in jobs:
        _row(table, str(j["tenant_id"]), str(j["job_id"]), _fmt_ts(j["first_ts"]), _fmt_ts(j["last_ts"]),
                      str(j["samples"]), (j["status"] or "") + (f" / {j['stage']}" if j["stage"] else ""),
                      str(j["events"]), str(j["diagnoses"]))
    console.print(table)
    for e in events:
        console.print(f"{e['at']}  {e['kind']:<7} {e['message']}"
                      + (f"  (diagnosis #{e['diagnosis_id']})" if e["diagnosis_id"] else ""), highlight=False, markup=False)
    console.print("obdoctor history --job ID shows one job's samples, rates and diagnoses.", style="dim")
    return ExitCode.NOTHING_WRONG


def _spread(rows: list, limit: int) -> list:
    """At most ``limit`` rows, evenly spaced, first and last always kept."""
    if len(rows) <= limit:
        return rows
    step = (len(rows) - 1) / (limit - 1)
    return [rows[round(i * step)] for i in range(limit)]


def _job(args, env: Environment, history) -> ExitCode:
    from obdoctor.watch.durations import format_bytes, format_duration
    from obdoctor.watch.rates import rate

    samples = history.job_samples(args.tenant, args.job)
    events = history.events(args.tenant, args.job)
    diagnoses = history.diagnoses(args.tenant, args.job)
    if not samples and not events:
        env.error(f"job {args.job}" + (f" of tenant {args.tenant}" if args.tenant else "")
                  + f" is not in {history.path}")
        return ExitCode.UNDIAGNOSED
    shown = _spread(samples, args.limit)
    rows = []
    for previous, current in zip([None, *shown[:-1]], shown):
        r = rate([previous, current]) if previous is not None else None
        rows.append((current, r))
    if args.format == "json":
        env.stdout.write(json.dumps({
            "tenant_id": args.tenant, "job_id": args.job, "samples_total": len(samples),
            "samples": [{**dict(s), "at": _fmt_ts(s["at_ts"]), "rate": r.to_dict() if r else None} for s, r in rows],
            "ls_tasks": [dict(t) for t in history.ls_latest(args.tenant, args.job)],
            "events": [dict(e) for e in events],
            "diagnoses": [{**{k: d[k] for k in d.keys() if k != "report"},
                           "report": json.loads(d["report"]) if d["report"] else None} for d in diagnoses],
        }, indent=2, ensure_ascii=False, default=str) + "\n")
        return ExitCode.NOTHING_WRONG
    from rich.table import Table

    console = env.console()
    title = f"job {args.job}" + (f" of tenant {args.tenant}" if args.tenant is not None else "")
    table = Table(title=f"{title}: {len(shown)} of {len(samples)} samples")
    for column in ("time", "status / stage", "progress", "read", "rate since previous", "turn", "stalled"):
        table.add_column(column, no_wrap=True)
    for s, r in rows:
        total, done = s["macro_block_count"], s["finish_macro_block_count"]
        progress = f"{done / total:.1%}" if total and done is not None else "-"
        _row(table, _fmt_ts(s["at_ts"]), (s["status"] or "") + (f" / {s['stage']}" if s["stage"] else ""),
                      progress, format_bytes(s["input_bytes"]),
                      (format_bytes(r.bytes_per_s) + "/s") if r and r.bytes_per_s is not None else "-",
                      str(s["turn_id"]) if s["turn_id"] is not None else "-", "yes" if s["stalled"] else "")
    console.print(table)
    ls_tasks = history.ls_latest(args.tenant, args.job)
    if ls_tasks:
        ls_table = Table(title="ls tasks, last sample")
        for column in ("ls", "status", "type", "server", "turn", "retry", "done", "read", "first seen", "stalls"):
            ls_table.add_column(column, no_wrap=True)
        for t in ls_tasks:
            total, done = t["macro_block_count"], t["finish_macro_block_count"]
            _row(ls_table, str(t["ls_id"]), t["status"] or "", t["stage"] or "", t["server"] or "-",
                 str(t["turn_id"]), str(t["retry_id"]), f"{done / total:.1%}" if total and done is not None else "-",
                 format_bytes(t["input_bytes"]), _fmt_ts(t["first_ts"]), str(t["stalls"] or ""))
        console.print(ls_table)
    for e in events:
        since = f" (no progress since {_fmt_ts(e['stalled_since'])})" if e["stalled_since"] and e["kind"] == "stall" else ""
        console.print(f"{e['at']}  {e['kind']:<9} {e['message']}{since}", highlight=False, markup=False)
    for d in diagnoses:
        console.print(f"diagnosis #{d['id']} at {d['at']} ({d['trigger']}, exit {d['exit_code']}): {d['headline']}",
                      highlight=False, markup=False)
    if diagnoses:
        console.print("obdoctor history --report ID prints a diagnosis's full JSON report.", style="dim")
    if samples:
        first, last = samples[0], samples[-1]
        span = last["at_ts"] - first["at_ts"]
        overall = rate([first, last])
        console.print(f"watched for {format_duration(span)}; average "
                      f"{format_bytes(overall.bytes_per_s) + '/s' if overall.bytes_per_s is not None else '-'}",
                      highlight=False, markup=False)
    return ExitCode.NOTHING_WRONG
