"""``obdoctor check [BUNDLE]``: grade each tenant's backup health, for people and for monitoring.

Without BUNDLE, the live cluster from the usual config (as ``diagnose``); with it, offline.
Exit codes are Nagios' (``exit_codes.CheckExit``): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; a
usage error is 3 too, so a monitoring system never reads a broken command line as "warning".
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from obdoctor.cli.environment import Environment
from obdoctor.cli.usage import Parser
from obdoctor.exit_codes import CheckExit


class CheckParser(Parser):
    """Usage errors exit 3 (Nagios' UNKNOWN), not argparse's 2 (which Nagios reads as CRITICAL)."""

    usage_exit = CheckExit.UNKNOWN

    def parse_known_args(self, args=None, namespace=None):
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:  # the top-level parser would report them, with its exit code 2
            self.error("unrecognized arguments: " + " ".join(extras))
        return parsed, extras


def add(sub) -> None:
    from obdoctor.check.formats import FORMATS
    from obdoctor.cli.diagnose import add_live_options
    from obdoctor.cli.main import parse_time
    from obdoctor.cli.watch import _positive_duration as _duration

    parser = sub.add_parser(
        "check", help="grade each tenant's backup health (Nagios/Prometheus ready)",
        description="Grade each tenant's backup health from a live cluster (no BUNDLE) or a bundle: last successful "
                    "backup, log archive, restorable window, destinations, running work. Exit codes follow Nagios: "
                    "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for usage errors). See docs/check.md.")
    parser.__class__ = CheckParser  # argparse builds sub-parsers itself; only this one exits 3 on errors
    parser.add_argument("bundle", metavar="BUNDLE", nargs="?", help="bundle directory, .tar.gz or .zip (default: the live cluster)")
    parser.add_argument("--tenant", type=int, metavar="ID", help="only this tenant")
    parser.add_argument("--max-backup-age", type=_duration, metavar="DURATION",
                        help="a last successful backup older than this is critical (default 26h)")
    parser.add_argument("--max-archive-lag", type=_duration, metavar="DURATION",
                        help="archive checkpoint lag that is a warning (default: the destination's lag_target, else 10m)")
    parser.add_argument("--stall-after", type=_duration, metavar="DURATION",
                        help="no progress this long in the watch history is critical (default 30m)")
    parser.add_argument("--restore-to", type=parse_time, metavar="TIME",
                        help="preview a restore to TIME (cluster local time): which backup set and pieces")
    parser.add_argument("--format", choices=tuple(FORMATS), default=next(iter(FORMATS)),
                        help=f"output format (default {next(iter(FORMATS))})")
    parser.add_argument("--prometheus", metavar="FILE",
                        help="also write the Prometheus textfile-collector file FILE (atomically)")
    parser.add_argument("--db", metavar="FILE",
                        help="obdoctor watch history to judge progress with (default: watch's file when it exists)")
    add_live_options(parser)
    parser.set_defaults(handler=run, job=None, since=None, until=None)


def run(args, env: Environment) -> CheckExit:
    from obdoctor.check import CheckOptions, run_checks
    from obdoctor.check.formats import render
    from obdoctor.evidence import Evidence

    options = CheckOptions(tenant_id=args.tenant, max_backup_age=args.max_backup_age,
                           max_archive_lag=args.max_archive_lag, stall_after=args.stall_after,
                           restore_to=args.restore_to, live=args.bundle is None)
    _read_history(args, env, options)
    source = _open(args, env)
    if isinstance(source, CheckExit):
        return source
    with source:
        evidence = Evidence(source)
        if options.live:
            _probe_space(source, evidence, options)
        report = run_checks(evidence, options)
    run_at = time.time()
    output = render(report, args.format, run_at)
    if args.prometheus:
        from obdoctor.check.formats import prometheus
        from obdoctor.watch.prometheus import write

        try:
            write(args.prometheus, output if args.format == "prometheus" else prometheus(report, run_at))
        except OSError as exc:
            env.error(f"cannot write {args.prometheus}: {exc}")
            return CheckExit.UNKNOWN
    env.stdout.write(output)
    return CheckExit(report.status.severity)


def _open(args, env: Environment):
    """The bundle, or the live cluster; ``CheckExit.UNKNOWN`` after a message when unusable."""
    if args.bundle is not None:
        from obdoctor.sources.bundle import Bundle, BundleError

        try:
            return Bundle(args.bundle)
        except BundleError as exc:
            env.error(str(exc))
            return CheckExit.UNKNOWN
    from obdoctor.cli.diagnose import open_live

    source = open_live(args, env)
    return CheckExit.UNKNOWN if not hasattr(source, "read_table") else source


def _read_history(args, env: Environment, options) -> None:
    """What ``obdoctor watch`` saw of running work: quiet time per job and ls task (read-only).

    A history whose last poll is older than twice the stall threshold says nothing about now:
    it is not used, and the check says why.
    """
    from obdoctor.check import ProgressMark
    from obdoctor.watch.store import History, HistoryError, default_path

    path = args.db or str(default_path())
    if not Path(path).exists():
        if args.db:
            options.progress_problem = f"{path} does not exist"
        return
    try:
        with History(path, readonly=True) as history:
            tracks = [t for t in history.load_tracks().values() if not t.done]
    except (HistoryError, OSError, Exception) as exc:  # sqlite3 errors on a damaged file
        options.progress_problem = f"{path} unreadable: {exc}"
        return
    if not tracks:
        return
    newest = max(t.last_seen for t in tracks)
    stale_after = 2 * (options.stall_after or 1800.0)
    if env.now().timestamp() - newest > stale_after:
        options.progress_problem = (f"{path}: the last poll was at {datetime.fromtimestamp(newest):%Y-%m-%d %H:%M:%S}, "
                                    "too long ago to judge progress now (is obdoctor watch running?)")
        return
    options.progress = [ProgressMark(t.tenant_id, t.job_id, t.ls_id, max(t.last_seen - t.changed_at, 0.0),
                                     datetime.fromtimestamp(t.last_seen), path) for t in tracks]


def _probe_space(source, evidence, options) -> None:
    """Live: free space and mount of each ``file://`` destination on every configured server."""
    from obdoctor.check.base import CheckContext
    from obdoctor.check.destination import data_destination, log_destination
    from obdoctor.check.runner import tenants
    from obdoctor.sources.space import local_path, probe

    ctx = CheckContext(evidence, options)
    uris: set[str] = set()
    for tenant_id in tenants(evidence, options.tenant_id)[0]:
        data = data_destination(ctx, tenant_id)
        for uri in (data.value if data else None, log_destination(ctx, tenant_id)):
            if uri and uri.lower().startswith("file://"):
                uris.add(uri)
    if not uris:
        return
    searcher = getattr(source, "searcher", None)
    servers = sorted(searcher.targets) if searcher is not None else []
    if not servers:
        options.space_problem = "no server configured to look at (servers.nodes in the config)"
        return
    options.space = {}
    for uri in sorted(uris):
        path = local_path(uri)
        options.space[uri] = probe(searcher, servers, path) if path else []
