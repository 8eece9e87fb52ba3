"""Exit codes: one enum per domain, signal codes named, and no bare integers in the CLI."""

from __future__ import annotations

import ast
import signal
from pathlib import Path

from obdoctor import exit_codes
from obdoctor.exit_codes import CheckExit, ExitCode, ProcessExit, SearchExit, for_signal

CLI = Path(exit_codes.__file__).parent / "cli"


def test_signals_end_with_the_shells_codes():
    assert for_signal(signal.SIGINT) == ProcessExit.INTERRUPTED == 130
    assert for_signal(signal.SIGTERM) == ProcessExit.TERMINATED == 143
    assert for_signal(signal.SIGHUP) == ProcessExit.HANGUP == 129
    assert for_signal(signal.SIGUSR1) == 128 + signal.SIGUSR1  # no name: still the shell's code


def test_each_domain_keeps_its_documented_values():
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5]
    assert [int(c) for c in SearchExit] == [0, 1, 2]  # grep's
    assert [int(c) for c in CheckExit] == [0, 1, 2, 3]  # Nagios'


def _exit_literals(path: Path) -> list[str]:
    """Integer literals returned or passed to an exit-code enum/exit() in a CLI module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and type(node.value.value) is int:
            found.append(f"{path.name}:{node.lineno}: return {node.value.value}")
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Constant) and type(a.value) is int for a in node.args):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in {"exit", "ExitCode", "CheckExit", "SearchExit", "ProcessExit"}:
                found.append(f"{path.name}:{node.lineno}: {name}(<int>)")
    return found


def test_no_integer_exit_codes_in_the_cli():
    offenders = [hit for p in sorted(CLI.glob("*.py")) for hit in _exit_literals(p)]
    assert offenders == []
