"""Exit codes of every obdoctor command (documented in the README)."""

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
    """The cluster could not be read (``watch``: the running jobs could not be read at all), which
    says nothing about the backups; apart from 3 so an alert can tell the two apart."""


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
