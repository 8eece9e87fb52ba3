"""Sub-commands. Each ``add_*`` declares its arguments and points at its handler."""

from __future__ import annotations

import argparse

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


# Each module ``obdoctor.cli.<name>`` has ``add(subparsers)``; listed in help order.
COMMAND_MODULES = ("analyze", "diagnose", "collect", "watch", "history", "explain", "logs", "scenarios")


def named_in(argv: list[str] | None) -> str | None:
    """The command ``argv`` runs, when its first word is one (options before it: not guessed)."""
    return argv[0] if argv and argv[0] in COMMAND_MODULES else None


def register(sub, only: str | None = None) -> None:
    import importlib
    import importlib.util

    for name in (only,) if only else COMMAND_MODULES:
        module_name = f"obdoctor.cli.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue  # a command not built yet
        importlib.import_module(module_name).add(sub)


def add_report_options(parser: argparse.ArgumentParser) -> None:
    from obdoctor.cli.main import parse_time

    parser.add_argument("--format", choices=("text", "json", "markdown", "html"), default="text",
                        help="report format (default: text for a terminal)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument("--tenant", type=int, metavar="ID", help="only this tenant")
    parser.add_argument("--job", type=int, metavar="ID", help="only this backup job")
    parser.add_argument("--since", type=parse_time, metavar="TIME", help="ignore what happened before TIME (2h, 30m: before the "
                        "evidence's now; YYYY-MM-DD HH:MM, +08:00 or Z: on the cluster's zone)")
    parser.add_argument("--until", type=parse_time, metavar="TIME", help="ignore what happened after TIME")
    parser.add_argument("--all-jobs", action="store_true",
                        help="diagnose every failed job, not only each tenant's latest")
    parser.add_argument("--redact-hosts", action="store_true", help="replace IPs and host names by stable aliases")


def emit_report(report, args, env: Environment) -> ExitCode:
    from obdoctor.exit_codes import for_report
    from obdoctor.report import render

    text = render.render(report, args.format, env, redact_hosts=getattr(args, "redact_hosts", False))
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            env.error(f"cannot write {args.output}: {exc}")
            return ExitCode.USAGE
    elif text:
        env.stdout.write(text)
    return for_report(report)
