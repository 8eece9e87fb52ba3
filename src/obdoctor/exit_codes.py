"""Exit codes of every obdoctor command (documented in the README), one enum per domain.

A command picks its codes from one domain only: the diagnosis commands (``analyze``,
``diagnose``, ``watch``...) from :class:`ExitCode`, the grep-style ``logs`` commands from
:class:`SearchExit`, the Nagios-style ``check`` from :class:`CheckExit`. Whatever the command,
a signal ends it with the shell's code for that signal (:class:`ProcessExit`).
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    NOTHING_WRONG = 0
    """The evidence shows no failed or stuck backup."""
    DIAGNOSED = 1
    """At least one problem was found and its cause named (confirmed or likely)."""
    USAGE = 2
    """Bad arguments, or input that cannot be opened at all."""
    UNDIAGNOSED = 3
    """A problem was found but its cause could not be named, or there was no usable evidence."""
    INTERNAL_ERROR = 4
    """A bug in obdoctor: please report it with the command line."""
    UNREACHABLE = 5
    """The cluster could not be read (``watch``: the running jobs could not be read at all;
    ``diagnose``: the database not, and no server configured for logs), which says nothing about
    the backups; apart from 3 so an alert can tell the two apart."""


DiagnosisExit = ExitCode
"""The diagnosis domain's name; ``ExitCode`` stays the short spelling used everywhere."""


def for_report(report) -> ExitCode:
    """0 is earned: no finding, the deciding views read (``rules/coverage.py``), the scope matched."""
    if report.internal_errors:
        return ExitCode.INTERNAL_ERROR
    if not report.findings:
        return ExitCode.NOTHING_WRONG if report.decided else ExitCode.UNDIAGNOSED
    return ExitCode.DIAGNOSED if report.diagnosed else ExitCode.UNDIAGNOSED


class CheckExit(enum.IntEnum):
    """Exit codes of ``obdoctor check``: Nagios' plugin codes, so it runs as a Nagios/Icinga check as is."""

    OK = 0
    """Every check passed."""
    WARNING = 1
    """At least one warning, no critical."""
    CRITICAL = 2
    """At least one check is critical."""
    UNKNOWN = 3
    """A check could not run and nothing worse was found, or a usage error (bad option, unreadable bundle)."""


class SearchExit(enum.IntEnum):
    """Exit codes of ``obdoctor logs search``/``trace``/``codes``: grep's, so scripts test them as grep's."""

    MATCHED = 0
    """At least one record matched."""
    NO_MATCH = 1
    """Nothing matched (the search itself ran)."""
    ERROR = 2
    """Bad arguments or input that cannot be read at all."""


class ProcessExit(enum.IntEnum):
    """Codes that end any command the same way, whatever its domain; a signal's is the shell's
    128 + its number (SIGHUP 1, SIGINT 2, SIGTERM 15)."""

    OK = 0
    """Output cut short by a reader that went away (``| head``), or ``--help``: not an error."""
    HANGUP = 129
    """SIGHUP (the terminal closed): 129, the shell's 128 + signal number."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT): 130."""
    TERMINATED = 143
    """SIGTERM (``kill``, a service manager stopping the run): 143."""


SIGNAL_BASE = 128
"""The shell reports a process ended by signal N as 128 + N."""


def for_signal(signum: int) -> int:
    """The exit code for a command ended by signal ``signum``: the named member when there is
    one, else the shell's 128 + number (a platform's other signal)."""
    try:
        return ProcessExit(SIGNAL_BASE + signum)
    except ValueError:
        return SIGNAL_BASE + signum
