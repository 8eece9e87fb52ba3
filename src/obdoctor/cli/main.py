"""``obdoctor``: analyze a bundle, explain a code, search logs, diagnose a live cluster."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from datetime import datetime, timedelta, timezone, tzinfo

from obdoctor import __version__
from obdoctor.cli.environment import Environment
from obdoctor.cli.usage import Parser, UsageError
from obdoctor.exit_codes import ExitCode, ProcessExit, for_signal


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``argv`` naming a command, only that command's (declaring every
    command imports what their options need: ~50 ms that a 0.3 s log search should not pay)."""
    parser = Parser(
        prog="obdoctor",
        description="Find out why an OceanBase physical backup failed or is stuck, with the evidence.",
        epilog="Documentation: obdoctor docs (the topics shipped with obdoctor).",
    )
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version, the Python and the log search engine in use, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from obdoctor.cli import commands

    only = commands.named_in(argv)
    commands.register(sub, only=only, then=argv[1] if only and len(argv) > 1 else None)
    return parser


class _Version(argparse.Action):
    """``--version``: also which log search engine runs, so a slow search on a machine where the C
    extension could not be built (no compiler at install) is explained, not a mystery."""

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version_text())
        parser.exit()


def version_text() -> str:
    import platform

    from obdoctor.logs import engine_summary

    return (f"obdoctor {__version__} (Python {platform.python_version()}, {sys.executable})\n"
            f"log search: {engine_summary()}\n")


# Patterns, not compiled at import: ``re`` compiles them on the first --since/--until (start-up).
_RELATIVE = (r"^(\d{1,7}(?:\.\d{1,6})?)\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|"
              r"d|day|days|w|week|weeks)(?:\s+ago)?$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SPACED_OFFSET = r"\s+(?=[+-]\d{2}:?\d{2}$|Z$)"
TIME_HELP = "YYYY-MM-DD[ HH:MM[:SS]][+08:00|Z], or relative: 30m, 2h, 1d (before now)"


def parse_time(text: str) -> datetime | timedelta:
    """A ``--since``/``--until`` value: ``2023-05-19 13:23``, ``2023-05-19T13:23:25+08:00``,
    ``2023-05-19T05:23:25Z``, ``2023-05-19``; or relative, ``30m``, ``2h``, ``1d``, ``2h ago``
    (a timedelta: before the evidence's "now", see :func:`resolve_times`). Anything else is a
    usage error, never a crash."""
    value = str(text).strip()
    m = re.match(_RELATIVE, value, re.IGNORECASE)
    if m:
        unit = _UNIT[m.group(2)[0].lower()]
        try:
            span = timedelta(**{unit: float(m.group(1))})
        except OverflowError:
            span = None
        if span is None or span > timedelta(days=36_600):
            raise argparse.ArgumentTypeError(f"not a time: {text!r} (more than a century ago)")
        return span
    if value.lower() == "now":
        return timedelta(0)
    try:
        return datetime.fromisoformat(re.sub(_SPACED_OFFSET, "", value))
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (use {TIME_HELP})") from exc


def resolve_times(args, now: datetime | None, zone: tzinfo | None) -> None:
    """``args.since``/``args.until`` as naive times on the evidence's clock: relative spans before
    ``now`` (the evidence's "now": collected_at, the server's NOW()), times with an offset moved
    to ``zone`` (the cluster's session zone; the machine's when None)."""
    for name in ("since", "until"):
        value = getattr(args, name, None)
        if isinstance(value, timedelta):
            try:
                value = (now or datetime.now()) - value
            except OverflowError:
                value = datetime.min
        elif isinstance(value, datetime) and value.tzinfo is not None:
            try:
                value = value.astimezone(zone).replace(tzinfo=None)
            except (OverflowError, ValueError):  # year 1 or 9999 moved past the calendar's edge
                value = (datetime.min if name == "since" else datetime.max)
        if hasattr(args, name):
            setattr(args, name, value)


def resolve_for(args, info) -> str | None:
    """:func:`resolve_times` on a source's clock (``SourceInfo``): its "now" and session zone (a
    named one at each time; UTC when unknown, as epoch columns are: never the analyst's zone).

    A relative time needs the source's "now": a bundle that does not say when it was collected
    has none, and this machine's clock may be years after it (the window would hold no row):
    the reason is returned, a usage error. A live source whose NOW() was not read falls back on
    this machine's clock, and says so in its notes."""
    from obdoctor.evidence.clock import views_zone

    relative = [n for n in ("since", "until") if isinstance(getattr(args, n, None), timedelta)]
    if relative and info.collected_at is None:
        if info.kind != "live":
            return no_collected_at(relative[0])
        info.notes.append(f"--{relative[0]} is taken before this machine's clock: the cluster's NOW() was not read")
    given = {n: getattr(args, n, None) for n in ("since", "until")}
    resolve_times(args, info.collected_at, views_zone(info) or timezone.utc)
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if isinstance(since, datetime) and isinstance(until, datetime) and since > until:
        resolved = "" if (given["since"], given["until"]) == (since, until) else f" ({since} > {until})"
        return (f"--since {_as_typed(given['since'])} is after --until {_as_typed(given['until'])}{resolved}: "
                "nothing happens in between; swap them")
    return None


def no_collected_at(name: str) -> str:
    """The usage error for a relative ``--since``/``--until`` on a bundle with no ``collected_at``
    (also :mod:`obdoctor.cli.logs_clock`'s)."""
    return (f"--{name} relative to 'now': the bundle does not say when it was collected "
            "(manifest collected_at); give a time (YYYY-MM-DD HH:MM) instead")


def _as_typed(value) -> str:
    """A --since/--until value roughly as typed: ``2h`` for a span, the time otherwise."""
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"
    return str(value)


def _group(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The parser of ``command`` (``scenarios`` typed alone shows its own help), else ``parser``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return action.choices[command]
    return parser


def _help_command(prog: str, argv: list[str] | None) -> str:
    """The command whose ``--help`` answers a refused line: the top-level parser reports
    unrecognised options of every subcommand, so its ``obdoctor`` becomes ``obdoctor analyze``
    when the line named one."""
    words = sys.argv[1:] if argv is None else argv
    if prog == "obdoctor" and words and not words[0].startswith("-"):
        from obdoctor.cli import commands

        if commands.named_in(words[:1]):
            return f"obdoctor {words[0]}"
    return prog


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised like Ctrl-C's KeyboardInterrupt so that every ``with`` and
    ``finally`` on the way out runs: an extracted bundle's temporary directory, a half-written
    output's temporary file and open SSH connections are cleaned up as on Ctrl-C. A
    BaseException, so that no ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int):
        import signal

        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def _terminate_like_interrupt():
    """SIGTERM and SIGHUP raise :class:`Terminated` while a command runs (main thread only;
    the previous handlers come back afterwards)."""
    import signal

    def raise_terminated(signum, _frame):
        raise Terminated(signum)

    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    try:  # ValueError off the main thread (asking ``threading`` first costs ~1 ms of start-up)
        previous = {s: signal.signal(s, raise_terminated) for s in wanted}
    except ValueError:
        previous = None
    if previous is None:
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version (0)
        return int(exc.code or ProcessExit.OK)
    except UsageError as exc:
        env.error(f"{exc.message} (see: {_help_command(exc.prog, argv)} --help)")
        return exc.code
    if not getattr(args, "handler", None):  # no command, or a group without its action
        _group(parser, getattr(args, "command", None)).print_help(env.stdout)
        return ExitCode.USAGE
    try:
        with _terminate_like_interrupt():
            return int(args.handler(args, env))
    except KeyboardInterrupt:
        env.error("interrupted")
        return ProcessExit.INTERRUPTED
    except Terminated as exc:
        env.error(f"terminated ({exc.name})")
        return for_signal(exc.signum)
    except BrokenPipeError:
        return ProcessExit.OK
    except Exception as exc:  # pragma: no cover - last resort, keeps tracebacks off the DBA's screen
        env.error(f"internal error: {type(exc).__name__}: {exc} (please report this; OBDOCTOR_DEBUG=1 shows the traceback)")
        if env.env.get("OBDOCTOR_DEBUG"):
            raise
        return ExitCode.INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
