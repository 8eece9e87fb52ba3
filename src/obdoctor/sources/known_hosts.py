"""known_hosts read so that it never fails open.

asyncssh reads a known_hosts file whole: one malformed line makes it raise, and a line whose
key it cannot decode is silently dropped. Either way a host that *is* listed looked unlisted,
and ``--accept-unknown-hosts`` then connected to it without checking anything — a changed key
(OpenSSH's "REMOTE HOST IDENTIFICATION HAS CHANGED") was accepted. Here the file is read line
by line, as OpenSSH does: a malformed line is skipped with a warning, and a host is

* ``listed`` when a readable line names it: its key is verified against those lines only, a
  different key is refused whatever the options;
* ``unreadable`` when only lines that cannot be read name it: refused whatever the options
  (the entry exists; obdoctor cannot tell whether the key changed);
* ``unknown`` when no line names it: refused unless the user accepts unknown hosts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

_PROBE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAru1hSNtI0Nm3IJEgIRhFc/hkdu61hNfH1xEkqNtq2"
"""A well-formed public key put in place of a line's own to learn which hosts the line names
even when its key cannot be read (a key generated for this purpose, used for nothing else)."""


@dataclass
class _Line:
    number: int
    text: str
    names: object | None
    """The line's host field parsed with the probe key (None: not even the host field parses)."""
    entry: object | None
    """The line parsed as written (None: asyncssh refuses it)."""


@dataclass
class HostStatus:
    state: str
    """``listed``, ``unreadable`` or ``unknown``."""
    trusted: object | None = None
    """For ``listed``: an asyncssh ``SSHKnownHosts`` of the readable lines, for ``connect``."""
    lines: list[int] = field(default_factory=list)
    """The line numbers naming the host (for ``unreadable``: the unreadable ones)."""


class KnownHosts:
    """One known_hosts file, read once; ``warnings`` lists every line skipped and why."""

    def __init__(self, path: str | Path):
        import asyncssh

        self.path = str(path)
        self.warnings: list[str] = []
        self.missing = False
        self.unreadable: str | None = None
        self._lines: list[_Line] = []
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            self.missing = True
            return
        except OSError as exc:
            self.unreadable = exc.strerror or str(exc)
            return
        good = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            entry = _parse(asyncssh, line)
            if entry is not None and _empty(entry):  # asyncssh dropped a key it could not decode
                entry = None
            names = _parse(asyncssh, _with_probe_key(line))
            if entry is None or names is None:
                self.warnings.append(f"{self.path} line {number}: malformed, skipped")
            if entry is not None:
                good.append(line)
            self._lines.append(_Line(number, line, names, entry))
        self._trusted = _parse(asyncssh, "\n".join(good) + "\n") if good else None

    def status(self, host: str, port: int) -> HostStatus:
        if self.unreadable:
            return HostStatus("unreadable")
        naming = [line for line in self._lines if line.names is not None and _matches(line.names, host, port)]
        readable = [line for line in naming if line.entry is not None and _matches(line.entry, host, port)]
        if readable:
            return HostStatus("listed", self._trusted, [line.number for line in readable])
        if naming:
            return HostStatus("unreadable", lines=[line.number for line in naming])
        return HostStatus("unknown")


def _parse(asyncssh, text: str):
    try:
        return asyncssh.import_known_hosts(text)
    except (ValueError, asyncssh.KeyImportError, IndexError, TypeError):
        return None


def _empty(known) -> bool:
    """Whether a parsed line kept no entry (asyncssh drops undecodable keys without a word).
    Reads asyncssh's internals: when they change, every line counts as kept, and a host named
    only by a dropped line is then ``listed`` with no key that verifies: refused, never open."""
    exact, patterns = getattr(known, "_exact_entries", None), getattr(known, "_pattern_entries", None)
    if exact is None or patterns is None:
        return False
    return not exact and not patterns


def _with_probe_key(line: str) -> str:
    """The line with its key replaced by the probe key (markers and host field kept)."""
    parts = line.split()
    head = parts[:2] if parts and parts[0].startswith("@") else parts[:1]
    return " ".join(head + [_PROBE_KEY])


def _matches(known, host: str, port: int) -> bool:
    try:
        found = known.match(host, host, port)
    except (ValueError, TypeError):
        return False
    return any(found[:5])  # trusted keys, CA keys, revoked keys, trusted and revoked certificates
