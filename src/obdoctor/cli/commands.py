"""Sub-commands. Each ``add_*`` declares its arguments and points at its handler."""

from __future__ import annotations

import argparse
import dataclasses

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


# Each module ``obdoctor.cli.<name>`` has ``add(subparsers)``; listed in help order.
COMMAND_MODULES = ("analyze", "diagnose", "collect", "check", "watch", "history", "explain", "logs", "docs", "scenarios")


def named_in(argv: list[str] | None) -> str | None:
    """The command ``argv`` runs, when its first word is one (options before it: not guessed)."""
    return argv[0] if argv and argv[0] in COMMAND_MODULES else None


def register(sub, only: str | None = None, then: str | None = None) -> None:
    """Each command's parser, or ``only``'s. A command module with sub-commands lists them in
    ``SUBCOMMANDS`` and takes ``add(sub, only=...)``: when ``then`` (the word after the command)
    names one, only that one is built (``logs search`` builds neither ``trace`` nor ``codes``)."""
    import importlib
    import importlib.util

    for name in (only,) if only else COMMAND_MODULES:
        module_name = f"obdoctor.cli.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue  # a command not built yet
        module = importlib.import_module(module_name)
        if only and then and then in getattr(module, "SUBCOMMANDS", ()):
            module.add(sub, only=then)
        else:
            module.add(sub)


def add_report_options(parser: argparse.ArgumentParser) -> None:
    from obdoctor.cli.main import parse_time
    from obdoctor.report import formats

    choices = formats.names()
    parser.add_argument("--format", choices=choices, default=None,
                        help=f"report format (default: the one -o FILE's name asks for, .json .md .html; "
                             f"else {choices[0]})")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument("--tenant", type=int, metavar="ID", help="only this tenant")
    parser.add_argument("--job", type=int, metavar="ID", help="only this backup job")
    parser.add_argument("--since", type=parse_time, metavar="TIME", help="ignore what happened before TIME (2h, 30m: before the "
                        "evidence's now; YYYY-MM-DD HH:MM, +08:00 or Z: on the cluster's zone)")
    parser.add_argument("--until", type=parse_time, metavar="TIME", help="ignore what happened after TIME")
    parser.add_argument("--all-jobs", action="store_true",
                        help="diagnose every failed job, not only each tenant's latest")
    parser.add_argument("--redact-hosts", action="store_true", help="replace IPs and host names by stable aliases")
    parser.add_argument("--full", action="store_true",
                        help="text format: every row, and long log lines whole (by default the middle of a "
                             "line over 1,200 characters is cut, and the report says so)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="text format: colour (auto: only on a terminal, and not when NO_COLOR is set)")


def add_bundle_options(parser: argparse.ArgumentParser) -> None:
    """How far an archive bundle may expand on disk (``sources.bundle``: an archive bomb stops there)."""
    from obdoctor.sources.bundle import DEFAULT_MAX_EXTRACT_BYTES, DEFAULT_MAX_EXTRACT_FILES

    parser.add_argument("--max-extract", type=_size, default=DEFAULT_MAX_EXTRACT_BYTES, metavar="SIZE",
                        help="most an archive bundle may expand to on disk (default 4G; e.g. 20G)")
    parser.add_argument("--max-extract-files", type=_count, default=DEFAULT_MAX_EXTRACT_FILES, metavar="N",
                        help=f"most members an archive bundle may hold (default {DEFAULT_MAX_EXTRACT_FILES:,})")


def bundle_limits(args) -> dict:
    """The ``Bundle`` keyword arguments of ``add_bundle_options``."""
    from obdoctor.sources.bundle import DEFAULT_MAX_EXTRACT_BYTES, DEFAULT_MAX_EXTRACT_FILES

    return {"max_extract_bytes": getattr(args, "max_extract", DEFAULT_MAX_EXTRACT_BYTES),
            "max_extract_files": getattr(args, "max_extract_files", DEFAULT_MAX_EXTRACT_FILES)}


def _size(text: str) -> int:
    from obdoctor.sources.bundle import parse_size

    try:
        return parse_size(text)
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4G, 500M)") from None


def _count(text: str) -> int:
    if not text.strip().isdigit() or len(text) > 12 or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive count: {text!r}")
    return int(text)


def _report_format(args, env: Environment) -> str:
    """``--format`` when given, else the one ``-o``'s file name asks for, else text. A format
    given against the name (``-o x.html --format json``) is written as asked, and said."""
    from obdoctor.report import formats

    named = formats.for_file(args.output) if args.output else None
    if args.format is None:
        return named or formats.names()[0]
    if named and named != args.format:
        env.error(f"writing {args.format} to {args.output}, as --format asks (its name says {named})")
    return args.format


def emit_report(report, args, env: Environment) -> ExitCode:
    from obdoctor.exit_codes import for_report
    from obdoctor.report import render

    from obdoctor.cli import screen

    shown_on = screen.detect(env, color_choice=getattr(args, "color", "auto"), full=getattr(args, "full", False))
    if args.output:  # a file: no colour unless asked, whatever the terminal
        shown_on = dataclasses.replace(shown_on, color=getattr(args, "color", "auto") == "always")
    text = render.render(report, _report_format(args, env), env, redact_hosts=getattr(args, "redact_hosts", False),
                         screen=shown_on)
    if args.output:
        from obdoctor.atomic import OutputRefused, write_text

        try:  # whole or not at all; never over the bundle being read (obdoctor.atomic)
            write_text(args.output, text, inputs=[getattr(args, "bundle", None)])
        except OutputRefused as exc:
            env.error(str(exc))
            return ExitCode.USAGE
        except OSError as exc:
            env.error(f"cannot write {args.output}: {exc.strerror or exc}")
            return ExitCode.USAGE
    elif text:
        env.stdout.write(text)
    return for_report(report)


def diagnose_source(source, args, env: Environment) -> ExitCode:
    """What ``analyze`` and ``diagnose`` do once their source is open: relative times and zones
    resolved on the source's clock, the rules run for the asked scope, the report emitted."""
    from obdoctor.cli.main import resolve_for
    from obdoctor.engine import diagnose
    from obdoctor.evidence import Evidence
    from obdoctor.rules.base import RuleOptions

    refused = resolve_for(args, source.info())  # --since 2h / +08:00 on the source's clock
    if refused:
        env.error(refused)
        return ExitCode.USAGE
    options = RuleOptions(tenant_id=args.tenant, job_id=args.job, since=args.since, until=args.until,
                          all_jobs=args.all_jobs)
    report = diagnose(Evidence(source, since=args.since, until=args.until), options)
    return emit_report(report, args, env)
