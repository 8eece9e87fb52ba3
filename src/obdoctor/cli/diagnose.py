"""``obdoctor diagnose``: the runbook against a live cluster (sys tenant over SQL, logs over SSH).

Same rules, output options and exit codes as ``analyze``; only the source differs. With no
config option, obdiag's ``~/.obdiag/config.yml`` is used when it exists. Nothing is written
to the cluster: SQL is read-only (``sources.mysql.check_read_only``) and the SSH commands only
list and grep ``<home_path>/log``.
"""

from __future__ import annotations

import argparse

from obdoctor.cli.commands import add_report_options, diagnose_source
from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    parser = sub.add_parser(
        "diagnose", help="diagnose a backup failure on a live cluster (SQL + SSH)",
        description="Diagnose a backup failure on a live cluster: views from the sys tenant, logs of the "
                    "servers the evidence names over SSH. Uses ~/.obdiag/config.yml when no --config is given.")
    add_report_options(parser)
    add_live_options(parser)
    parser.set_defaults(handler=run)


def add_live_options(parser: argparse.ArgumentParser) -> None:
    """Connection options (``cli.connection``) plus how logs are reached and progress shown."""
    from obdoctor.cli import connection

    connection.add_arguments(parser)
    parser.add_argument("--log-access", choices=("auto", "ssh"), default="auto",
                        help="auto: read a server's logs directly when it is this machine, else SSH (default); "
                             "ssh: always SSH")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-server progress on standard error")


def load_config(args, env: Environment, *, purpose: str, need_db: bool = False):
    """The cluster config from the flags, environment and config file (a password prompted only
    on a terminal); ``ExitCode.USAGE`` after a clear message when there is none to use."""
    from obdoctor.sources import config as cfg

    try:
        isatty = env.stdin.isatty() if hasattr(env.stdin, "isatty") else False
    except (ValueError, OSError):
        isatty = False
    try:
        config = cfg.from_args(args, env.env, stdin_isatty=isatty)
    except cfg.ConfigError as exc:
        env.error(str(exc))
        return ExitCode.USAGE
    if not config.db_host and (need_db or not config.servers):
        env.error(f"no cluster to {purpose}: give --config FILE (obdoctor TOML or obdiag config.yml) or --db-host, "
                  "or set up ~/.obdiag/config.yml (see: obdoctor docs live)")
        return ExitCode.USAGE
    return config


def open_live(args, env: Environment):
    """A ``LiveSource`` from the flags, environment and config file; ``ExitCode.USAGE`` when unusable."""
    from obdoctor.sources.live import LiveSource
    from obdoctor.sources.mysql import MySqlSource

    config = load_config(args, env, purpose="diagnose")
    if isinstance(config, ExitCode):
        return config
    try:
        sql = MySqlSource(config, tenant_id=args.tenant, job_id=args.job) if config.db_host else None
    except ValueError as exc:
        env.error(str(exc))
        return ExitCode.USAGE

    def progress(server: str, message: str) -> None:
        if not args.quiet:
            print(f"obdoctor: [{server}] {message}", file=env.stderr, flush=True)

    return LiveSource.from_config(config, sql, progress=progress, local_reads=args.log_access)


def run(args, env: Environment) -> ExitCode:
    source = open_live(args, env)
    if isinstance(source, ExitCode):
        return source
    with source:
        unreachable = cannot_read(source)
        if unreachable:
            env.error(unreachable)
            return ExitCode.UNREACHABLE
        return diagnose_source(source, args, env)


def cannot_read(source) -> str | None:
    """One line when nothing at all can be read: the database refused (or never answered) and no
    server is configured for its logs. A report would list every view with the same error and
    say nothing; the DBA needs the reason and what to check (exit 5, apart from 3)."""
    sql = getattr(source, "sql", None)
    reader = getattr(sql, "reader", None)
    searcher = getattr(source, "searcher", None)
    if reader is None or (searcher is not None and searcher.targets) or getattr(source, "unusable", None):
        return None
    error = reader.facts().error
    if not error:
        return None
    if "1045" in error or "access denied" in error.lower():
        check = "--db-user (root@sys, or root@sys#cluster through obproxy) and OBDOCTOR_DB_PASSWORD"
    elif "no answer" in error or "timed out" in error:
        check = "the address, firewalls between here and it, or raise --connect-timeout"
    else:
        check = "--db-host and --db-port (2881 direct, 2883 through obproxy), and that the observer is up"
    return (f"the cluster could not be read: {error}; check {check} "
            "(no server is configured for logs either; see: obdoctor docs live)")
