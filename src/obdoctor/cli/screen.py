"""What the text report is shown on: its width, whether it takes colour, whether it shows UTF-8.

Width: ``COLUMNS`` when set, else the terminal's (standard output's, or standard error's or
input's when output is piped into ``less`` or a file: the person reading still has that
terminal), else 80. Colour: ``--color always|never``, or with ``auto`` only when standard output
is a terminal, ``NO_COLOR`` is not set (no-color.org) and ``TERM`` is not ``dumb``. Characters:
UTF-8 only when the locale says so (``LC_ALL``, else ``LC_CTYPE``, else ``LANG``) and the output
stream can encode it; plain ASCII otherwise.
"""

from __future__ import annotations

import os

from obdoctor.cli.environment import Environment
from obdoctor.report.terminal import Screen

DEFAULT_WIDTH = 80
MIN_WIDTH = 40


def width(env: Environment) -> int:
    columns = env.env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    for stream in (env.stdout, env.stderr, env.stdin):
        try:
            return max(os.get_terminal_size(stream.fileno()).columns, MIN_WIDTH)
        except (AttributeError, OSError, ValueError):
            continue
    return DEFAULT_WIDTH


def is_tty(env: Environment) -> bool:
    try:
        return bool(env.stdout.isatty())
    except (AttributeError, ValueError):
        return False


def color(env: Environment, choice: str = "auto") -> bool:
    if choice == "always":
        return True
    if choice == "never" or env.color is False:
        return False
    if env.color is True:
        return True
    return is_tty(env) and not env.env.get("NO_COLOR") and env.env.get("TERM") != "dumb"


def unicode(env: Environment) -> bool:
    """The locale is UTF-8. Python itself turns a C/POSIX locale into C.UTF-8 (PEP 538) and
    then runs in UTF-8 mode (PEP 540): that is a terminal of the C locale, so ASCII."""
    if env.utf8_mode and "PYTHONUTF8" not in env.env:
        return False
    locale = next((env.env[k] for k in ("LC_ALL", "LC_CTYPE", "LANG") if env.env.get(k)), "")
    if "utf-8" not in locale.lower() and "utf8" not in locale.lower():
        return False
    encoding = (getattr(env.stdout, "encoding", None) or "utf-8").lower().replace("_", "-")
    return encoding in ("utf-8", "utf8")


def detect(env: Environment, *, color_choice: str = "auto", full: bool = False) -> Screen:
    return Screen(width=width(env), color=color(env, color_choice), unicode=unicode(env), full=full)
