"""``obdoctor watch``: poll running backups, keep their history, raise stalls with a diagnosis.

Exit codes (``--once``, or when the loop ends): 0 nothing stalled or failed; 1 a stall or a
FAILED job was seen and its cause named; 3 one was seen but no cause named; 5 the running jobs
could not be read at all (cluster unreachable); 2 bad options, an unusable history file or a
``--prometheus`` file that cannot be written (docs/watch.md).
"""

from __future__ import annotations

import argparse
import sqlite3
import time

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def _duration(text: str) -> float:
    from obdoctor.watch.durations import parse_duration

    try:
        seconds = parse_duration(text, unit_required=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return seconds


def _positive_duration(text: str) -> float:
    seconds = _duration(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return seconds


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add(sub) -> None:
    from obdoctor.cli.diagnose import add_live_options

    parser = sub.add_parser(
        "watch", help="watch running backups, raise a stall or failure with its diagnosis",
        description="Poll the running backup jobs, set tasks and ls tasks; store every sample in a local "
                    "SQLite history; raise a stall when nothing moves for --stall-after, and diagnose it "
                    "(or a FAILED job) on the spot. Durations need a unit: s, m, h or d (90s, 30m, 1h30m).",
        epilog="exit codes: 0 healthy; 1 a stall or FAILED job with its cause named; 2 bad options, unusable "
               "history or --prometheus file; 3 a stall or failure with no cause named; 5 the running jobs "
               "could not be read (cluster unreachable).",
    )
    parser.add_argument("--db", metavar="FILE", help="history file (default: the user data dir; see: obdoctor docs watch)")
    parser.add_argument("--stall-after", type=_positive_duration, default=1800.0, metavar="DURATION",
                        help="no progress this long is a stall (default 30m; e.g. 90s, 45m, 2h)")
    parser.add_argument("--interval", type=_duration, default=60.0, metavar="DURATION",
                        help="time between polls (default 60s)")
    parser.add_argument("--rate-window", type=_positive_duration, default=300.0, metavar="DURATION",
                        help="rates and ETA over this much history (default 5m)")
    parser.add_argument("--keep", type=_positive_duration, default=14 * 86400.0, metavar="DURATION",
                        help="forget samples older than this (default 14d; events and diagnoses are kept)")
    parser.add_argument("--once", action="store_true", help="poll once and exit with the status (for cron)")
    parser.add_argument("--polls", type=_count, metavar="N", help="stop after N polls")
    parser.add_argument("--json", action="store_true",
                        help="write one JSON line per sample and event (and per poll) instead of the live view")
    parser.add_argument("--prometheus", metavar="FILE",
                        help="write a node-exporter textfile-collector file (atomically) after every poll; "
                             "its directory is created; a failed write is exit 2")
    parser.add_argument("--tenant", type=int, metavar="ID", help="only this tenant's backups")
    add_live_options(parser)
    parser.set_defaults(handler=run, job=None)


def make_source(args, env: Environment):
    """A function opening the source to poll, returning ``(source, description)``; or an ``ExitCode``.

    Kept apart so the source can be swapped (tests pass a fake). The live source is the one
    ``obdoctor diagnose`` uses: the sys tenant over SQL, logs over SSH (or read directly when a
    server is this machine). The configuration (and a prompted password) is resolved once;
    the opener is called again to reconnect after a poll that could not read the cluster.
    """
    from obdoctor.cli.diagnose import load_config
    from obdoctor.sources.live import LiveSource
    from obdoctor.sources.mysql import MySqlSource

    config = load_config(args, env, purpose="watch", need_db=True)
    if isinstance(config, ExitCode):
        return config
    quiet = args.quiet or not (args.json or args.once)  # per-server progress would tear the live view

    def progress(server: str, message: str) -> None:
        if not quiet:
            print(f"obdoctor: [{server}] {message}", file=env.stderr, flush=True)

    def opener():
        sql = MySqlSource(config, tenant_id=args.tenant)
        return LiveSource.from_config(config, sql, progress=progress, local_reads=args.log_access), config.describe()

    try:
        opener()[0].close()  # bad values (a tenant id...) show now, not at the first poll
    except ValueError as exc:
        env.error(str(exc))
        return ExitCode.USAGE
    return opener


class RenewingSource:
    """Delegates to a source it reopens after a poll that could not read the running jobs.

    The SQL reader gives up on a connection once it is lost (right for one diagnosis, wrong
    for a watcher that runs for days): a fresh source per failed poll reconnects.
    """

    def __init__(self, opener):
        self._opener = opener
        self.current, self.name = opener()

    def renew(self) -> None:
        self.close()
        self.current, self.name = self._opener()

    def close(self) -> None:
        close = getattr(self.current, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # a dead connection may fail to close: nothing left to release
                pass

    def info(self):
        return self.current.info()

    def read_table(self, name: str):
        return self.current.read_table(name)

    def search_logs(self, query):
        return self.current.search_logs(query)


def run(args, env: Environment) -> ExitCode:
    from obdoctor.watch.store import History, HistoryError, default_path

    db = args.db or str(default_path())
    if args.prometheus:  # before connecting: a path that cannot be written is a usage error now
        from obdoctor.watch import prometheus

        try:
            prometheus.prepare(args.prometheus)
        except OSError as exc:
            env.error(f"cannot write --prometheus {args.prometheus}: {exc}")
            return ExitCode.USAGE
    try:
        history = History(db)
    except HistoryError as exc:
        env.error(str(exc))
        return ExitCode.USAGE
    try:
        opener = make_source(args, env)
        if isinstance(opener, ExitCode):
            return opener
        source = RenewingSource(opener)
        try:
            return _loop(args, env, history, source, db)
        finally:
            source.close()
    finally:
        history.close()


def _loop(args, env: Environment, history, source: RenewingSource, db: str) -> ExitCode:
    from obdoctor.watch.watcher import Watcher

    watcher = Watcher(source, history, clock=env.now, stall_after=args.stall_after, rate_window=args.rate_window,
                      keep=args.keep, source_name=source.name)
    polls = 1 if args.once else args.polls
    console = env.console()
    live_view = not args.json and not args.once and console.is_terminal
    code = ExitCode.NOTHING_WRONG
    done = 0
    live = None
    from obdoctor.watch.view import EventLog

    log = EventLog()
    try:
        if live_view:
            from rich.live import Live

            live = Live(console=console, auto_refresh=False, transient=False)
            live.start()
        while True:
            started = time.monotonic()
            done += 1
            try:
                outcome = watcher.poll()
            except sqlite3.Error as exc:  # locked past the busy timeout, disk full, file removed...
                env.error(f"history {db}: poll not stored: {exc}")
                code, outcome = ExitCode.USAGE, None
            if outcome is not None:
                code = outcome.exit_code
                log.add(outcome.snapshot.at, outcome.events)
                if not _emit(args, env, outcome, log, live, db) and code == ExitCode.NOTHING_WRONG:
                    code = ExitCode.USAGE  # the metrics file is stale: an alerting setup must hear it
            if polls is not None and done >= polls:
                break
            if outcome is not None and not outcome.snapshot.usable:
                source.renew()
            time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        pass
    finally:
        if live is not None:
            live.stop()
    return code


def _emit(args, env: Environment, outcome, log, live, db: str) -> bool:
    """Show the poll; False when the --prometheus file could not be written."""
    from obdoctor.watch import jsonlines, prometheus, view

    written = True
    if args.prometheus:
        try:
            prometheus.write(args.prometheus, prometheus.render(outcome))
        except OSError as exc:
            env.error(f"cannot write {args.prometheus}: {exc}")
            written = False
    if args.json:
        env.stdout.write(jsonlines.dumps(outcome))
        env.stdout.flush()
        return written
    rendered = view.render(outcome, log, stall_after=args.stall_after, db=db)
    if live is not None:
        live.update(rendered, refresh=True)
        return written
    console = env.console()
    if args.once:
        console.print(rendered)
        for reason in outcome.reasons:
            console.print(f"exit {int(outcome.exit_code)}: {reason}", highlight=False, markup=False)
        if not written:
            console.print(f"exit {int(ExitCode.USAGE)}: the --prometheus file could not be written",
                          highlight=False, markup=False)
        return written
    _print_lines(env, outcome)
    return written


def _print_lines(env: Environment, outcome) -> None:
    """Not a terminal (a log file, journald): one line per poll and per event, no redrawing."""
    from obdoctor.watch.durations import format_bytes, format_duration

    at = outcome.snapshot.at.strftime("%Y-%m-%d %H:%M:%S")
    out = env.stdout
    if not outcome.snapshot.usable:
        out.write(f"{at} poll {outcome.poll_id}: cannot read the running jobs: {'; '.join(outcome.snapshot.problems)}\n")
    jobs = ", ".join(
        f"tenant {j.sample.tenant_id} job {j.sample.job_id} {j.sample.stage or j.sample.status}"
        + (f" {j.sample.progress_ratio():.1%}" if j.sample.progress_ratio() is not None else "")
        + (f" {format_bytes(j.rate.bytes_per_s)}/s" if j.rate.bytes_per_s is not None else "")
        + (f" ETA {format_duration(j.rate.eta_s)}" if j.rate.eta_s is not None else "")
        + (" STALLED" if j.stalled or j.stalled_ls else "" if j.baseline else " (first sight: no baseline yet)")
        for j in outcome.jobs) or "no backup job running"
    out.write(f"{at} poll {outcome.poll_id}: {jobs}\n")
    for event in outcome.events:
        out.write(f"{at} {event.kind}: {event.message}\n")
        if event.diagnosis is not None:
            out.write(f"{at}   diagnosis #{event.diagnosis.id}: {event.diagnosis.headline()}\n")
    out.flush()
