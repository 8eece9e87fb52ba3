"""How every obdoctor parser refuses a command line: one plain line, the command's usage code.

A module of its own so that ``python -m obdoctor.cli.main`` (where main is ``__main__``) and the
command modules share one :class:`UsageError` class.
"""

from __future__ import annotations

import argparse
import re

from obdoctor.exit_codes import ExitCode


class UsageError(Exception):
    """A command line argparse refused: shown as one line by :func:`main`, never argparse's
    usage block (a screen of brackets before the one line that says what was wrong)."""

    def __init__(self, prog: str, message: str, code: int):
        super().__init__(message)
        self.prog, self.message, self.code = prog, message, code


class Parser(argparse.ArgumentParser):
    """Every obdoctor parser (subparsers inherit the class): a refused command line raises
    :class:`UsageError` with this command's usage exit code, in plainer words than argparse's."""

    usage_exit: int = ExitCode.USAGE

    def format_help(self) -> str:
        """argparse's help, then the command's examples (``data/help_examples.toml``) as written:
        a DBA copies a line, argparse's wrapping would break it."""
        from obdoctor.catalog.data_files import data_toml

        examples = data_toml("help_examples.toml")["commands"].get(self.prog.removeprefix("obdoctor").strip(), [])
        text = super().format_help()
        return text + ("\nexamples:\n" + "".join(f"  {line}\n" for line in examples) if examples else "")

    def error(self, message: str):  # noqa: D401 - argparse's signature
        raise UsageError(self.prog, plain_usage_message(message), int(self.usage_exit))


def plain_usage_message(message: str) -> str:
    """argparse's message without its grammar: ``argument --job: invalid int value: 'abc'`` is
    ``--job: 'abc' is not a whole number``."""
    message = re.sub(r"^argument ", "", message)
    message = re.sub(r"invalid int value: ('.*')$", r"\1 is not a whole number", message)
    message = re.sub(r"invalid float value: ('.*')$", r"\1 is not a number", message)
    m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
    if m:
        import difflib

        choices = re.findall(r"'([^']*)'", m.group(2))
        near = difflib.get_close_matches(m.group(1), choices, n=1)
        guess = f": did you mean '{near[0]}'?" if near else f" is not one of {', '.join(choices)}"
        message = message[: m.start()] + f"'{m.group(1)}'{guess}"
    return message
