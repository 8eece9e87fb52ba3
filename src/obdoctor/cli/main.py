"""``obdoctor``: analyze a bundle, explain a code, search logs, diagnose a live cluster."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import datetime

from obdoctor import __version__
from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``argv`` naming a command, only that command's (declaring every
    command imports what their options need: ~50 ms that a 0.3 s log search should not pay)."""
    parser = argparse.ArgumentParser(
        prog="obdoctor",
        description="Find out why an OceanBase physical backup failed or is stuck, with the evidence.",
        epilog="Documentation: obdoctor docs (the topics shipped with obdoctor).",
    )
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version, the Python and the log search engine in use, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from obdoctor.cli import commands

    commands.register(sub, only=commands.named_in(argv))
    return parser


class _Version(argparse.Action):
    """``--version``: also which log search engine runs, so a slow search on a machine where the C
    extension could not be built (no compiler at install) is explained, not a mystery."""

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version_text())
        parser.exit()


def version_text() -> str:
    import platform

    from obdoctor.logs import patterns, reader

    if patterns.simd_available():
        engine = f"C extension, {patterns.describe_engine('simd')}"
    else:
        fallback = "hyperscan" if patterns.hyperscan_available() else "pure Python"
        counting = "numpy" if reader.load_numpy() else "bytes.count"
        engine = (f"{fallback} with {counting} line counting: the C extension is not built (no C compiler or "
                  "Python headers at install; same answers, slower)")
    return (f"obdoctor {__version__} (Python {platform.python_version()}, {sys.executable})\n"
            f"log search: {engine}\n")


def parse_time(text: str) -> datetime:
    """``2023-05-19 13:23``, ``2023-05-19T13:23:25`` or ``2023-05-19``."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (use YYYY-MM-DD[ HH:MM[:SS]])") from exc


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
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum, _frame):
        raise Terminated(signum)

    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, raise_terminated) for s in wanted}
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
    except SystemExit as exc:  # argparse: --help (0) or usage error (2)
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help(env.stdout)
        return ExitCode.USAGE
    try:
        with _terminate_like_interrupt():
            return int(args.handler(args, env))
    except KeyboardInterrupt:
        env.error("interrupted")
        return 130
    except Terminated as exc:
        env.error(f"terminated ({exc.name})")
        return 128 + exc.signum
    except BrokenPipeError:
        return 0
    except Exception as exc:  # pragma: no cover - last resort, keeps tracebacks off the DBA's screen
        env.error(f"internal error: {type(exc).__name__}: {exc} (please report this; OBDOCTOR_DEBUG=1 shows the traceback)")
        if env.env.get("OBDOCTOR_DEBUG"):
            raise
        return ExitCode.INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
