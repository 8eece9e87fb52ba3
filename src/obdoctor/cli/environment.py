"""Everything a command touches outside itself, injected so tests drive the CLI without patching."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

TYPE_CHECKING = False  # typing itself costs ~2 ms that ``logs search`` need not pay
if TYPE_CHECKING:  # rich costs ~0.1 s to import: only commands that print rich text pay for it
    from typing import TextIO

    from rich.console import Console


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    now: Callable[[], datetime] = datetime.now
    color: bool | None = None
    utf8_mode: bool = field(default_factory=lambda: bool(sys.flags.utf8_mode))
    """Python runs in UTF-8 mode: with no PYTHONUTF8 set, the locale was C/POSIX (cli.screen)."""

    def console(self) -> "Console":
        from rich.console import Console

        tty = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False
        return Console(
            file=self.stdout, force_terminal=self.color if self.color is not None else None,
            no_color=("NO_COLOR" in self.env) or (self.color is False),
            width=None if tty else 120, highlight=False, soft_wrap=False,
        )

    def error(self, message: str) -> None:
        """One message on stderr, secrets masked like every other output (a reason quoting a
        URI or a command line must not print its password), control characters shown as
        escapes (a file name quoted must not drive the terminal)."""
        from obdoctor.security.controls import visible
        from obdoctor.security.redaction import redact_text

        print(f"obdoctor: {visible(redact_text(message))}", file=self.stderr)
