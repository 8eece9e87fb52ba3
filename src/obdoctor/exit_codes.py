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


def for_report(report) -> ExitCode:
    """0 is earned: no finding, the deciding views read (``rules/coverage.py``), the scope matched."""
    if report.internal_errors:
        return ExitCode.INTERNAL_ERROR
    if not report.findings:
        return ExitCode.NOTHING_WRONG if report.decided else ExitCode.UNDIAGNOSED
    return ExitCode.DIAGNOSED if report.diagnosed else ExitCode.UNDIAGNOSED
