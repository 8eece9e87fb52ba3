"""Evidence that is not a collected bundle: a folder of whatever a DBA saved, or one paste.

Every text file under the folder (links pointing outside refused by the caller's ``inside``)
is read for what it holds: query outputs (``paste.split_text``) and OceanBase log lines. Log
files are copied, under their own names, into a staging directory laid out as a bundle's
``logs/<server>/`` so the log search reads them as it reads collected ones; a file's server
is taken, in order, from an IP-address folder on its path, a folder named after a manifest
alias, the only server the evidence names, the server's own address in the log; else the
lines are kept under ``server unknown`` and still searched.
"""

from __future__ import annotations

import bz2
import gzip
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from obdoctor.sources.paste import Block, looks_like_log, split_text

UNKNOWN_SERVER = "server unknown"
_COMPRESSED = (".gz", ".zst", ".bz2")
_ADDRESS_COLUMNS = ("SVR_IP", "RS_SVR_IP")
_HEAD_BYTES = 1 << 20


@dataclass
class Loose:
    """What was found: blocks per view (with where each came from), staged log files per server."""

    blocks: list[tuple[Block, str]] = field(default_factory=list)
    logs: list[tuple[Path, str, str]] = field(default_factory=list)
    """(staged path, original location, how the server was decided)."""
    notes: list[str] = field(default_factory=list)
    read: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    """View -> why its output in the folder or paste could not be read (the query failed...)."""
    mixed: list[Path] = field(default_factory=list)
    """Staged files of pasted lines: their families are mixed, every search reads them."""


def gather(root: Path | None, stdin: bytes | None, staging: Path, inside: Callable[[Path], bool],
           aliases: dict[str, str], paste_name: str = "<stdin>") -> Loose:
    """Read ``root`` (a folder) or ``stdin`` (a paste, or one file's bytes named ``paste_name``) into ``staging``."""
    from obdoctor.sources.bundle import decode_text

    found = Loose()
    pending: list[tuple[Path | None, str, str, bytes | None]] = []  # log sources: (file, shown, text head, paste)
    sources: list[tuple[str, bytes | None, Path | None]] = []
    if stdin is not None:
        sources.append((paste_name, stdin, None))
    if root is not None:
        for path in sorted(root.rglob("*")):
            shown = path.relative_to(root).as_posix()
            if not inside(path):
                found.notes.append(f"{shown}: a link pointing outside the folder: refused, not read")
                continue
            if path.is_file():
                sources.append((shown, None, path))
            elif not path.is_dir():  # a FIFO would block the read, a device never end
                found.notes.append(f"{shown}: not a regular file (a FIFO, device, socket or broken link): not read")
    for shown, data, path in sources:
        if path is not None:
            if path.name.endswith(_COMPRESSED):
                head = _decompressed_head(path)
                if head is None:
                    found.notes.append(f"{shown}: compressed and unreadable: not read")
                elif looks_like_log(decode_text(head)[0]):
                    pending.append((path, shown, decode_text(head)[0], None))
                else:
                    found.notes.append(f"{shown}: compressed, and not an OceanBase log: not read")
                continue
            data, why = _read_file(path, shown)
            if data is None:
                found.notes.append(why)
                continue
        assert data is not None
        if not data.strip():
            found.notes.append(f"{shown}: empty: nothing read")
            continue
        if b"\0" in data[:8192]:
            found.notes.append(f"{shown}: a binary file, not text: not read")
            continue
        text, encoding = decode_text(data)
        if encoding != "utf-8":
            found.notes.append(f"{shown} is not UTF-8: read as {encoding}")
        if looks_like_log(text):
            pending.append((path, shown, text[:_HEAD_BYTES], data if path is None else None))
            found.read += 1
            continue
        split = split_text(text, hint=shown)
        understood = False
        for block in split.blocks:
            if block.problem:
                found.notes.append(f"{shown}: line {max(block.first_line, 1)}: {block.problem}")
                if block.view:
                    found.failed.setdefault(block.view.upper(), f"{shown} line {max(block.first_line, 1)}: {block.problem}")
                continue
            found.blocks.append((block, shown))
            understood = True
        hosts = list(dict.fromkeys(h for _, _, h in split.log_lines))
        for host in hosts:  # one staged file per host a shell prompt names (None: no prompt said)
            lines = "\n".join(l for _, l, h in split.log_lines if h == host) + "\n"
            where = f"{shown} (its log lines after a prompt on {host})" if host else f"{shown} (its log lines)"
            pending.append((None, where, lines, lines.encode("utf-8")))
            understood = True
        if understood:
            found.read += 1
        elif not any(n.startswith(f"{shown}:") for n in found.notes):
            found.notes.append(f"{shown}: neither a query output nor OceanBase log lines: not understood")
    named = _servers_named(found.blocks) if pending else []  # read again only when a log needs it
    for number, (path, shown, head, paste) in enumerate(pending):
        server, how = attribute(shown, head, named, aliases)
        directory = staging / "logs" / server
        directory.mkdir(parents=True, exist_ok=True)
        name = _log_name(path.name if path is not None else "observer.log", directory)
        target = directory / name
        if path is not None:
            try:  # a link, not a copy: logs are big; it resolves inside the folder, as the search requires
                target.symlink_to(path.resolve())
            except OSError:
                shutil.copyfile(path, target)
        else:
            target.write_bytes(paste)
        found.logs.append((target, shown, how))
        if path is None:
            found.mixed.append(target)
        if how.startswith("guessed") or server == UNKNOWN_SERVER:
            found.notes.append(f"{shown}: log lines of {server} ({how})" if server != UNKNOWN_SERVER else
                               f"{shown}: log lines of no known server ({how}): searched and shown as server unknown")
    return found


def _read_file(path: Path, shown: str) -> tuple[bytes | None, str | None]:
    """A loose file's bytes, or why not: a log is known from its head (its lines are searched
    from the file, streamed); anything else is read whole up to a view output's limit (a sparse
    file claims gigabytes for free)."""
    from obdoctor.sources.bundle import MAX_VIEW_BYTES, decode_text, read_regular

    head, why = read_regular(path, shown, _HEAD_BYTES, head=True)
    if head is None:
        return None, why
    if len(head) == _HEAD_BYTES:
        head = head[:head.rfind(b"\n") + 1] or head  # whole lines: a character cut in two is no encoding
    if looks_like_log(decode_text(head)[0]):
        return head, None
    return read_regular(path, shown, MAX_VIEW_BYTES)


def _log_name(name: str, directory: Path) -> str:
    """A staged name the log search recognises (observer.log, rootservice.log...), kept unique;
    a name OceanBase writes (``observer.log.20230926143000``, ``rootservice.log.wf``) is kept."""
    from obdoctor.logs import classify

    if classify(Path(name)) is not None and not (directory / name).exists():
        return name
    families = ("observer", "rootservice", "election", "trace", "alert")
    family = next((f for f in families if f in name), "observer")
    suffix = next((s for s in _COMPRESSED if name.endswith(s)), "")
    base = f"{family}.log"
    candidate, n = base + suffix, 1
    while (directory / candidate).exists():
        candidate = f"{base}.{20000101000000 + n}{suffix}"  # a rotated-file name: read as one more file
        n += 1
    return candidate


def _decompressed_head(path: Path) -> bytes | None:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path) as handle:
                return handle.read(1 << 16)
        if path.name.endswith(".bz2"):
            with bz2.open(path) as handle:
                return handle.read(1 << 16)
        import zstandard

        with path.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as handle:
            return handle.read(1 << 16)
    except Exception:  # outside input: a truncated or foreign archive is a note, never a traceback
        return None


def _servers_named(blocks: list[tuple[Block, str]]) -> list[str]:
    from obdoctor.sources.sqltext import iter_cells

    seen: list[str] = []
    for block, _ in blocks:
        problems: list[str] = []
        for _, header, values in iter_cells(block.text, block.ext, problems):
            row = dict(zip(header, values)) if header is not None else values
            for key, value in row.items():
                if str(key).upper() in _ADDRESS_COLUMNS and value and _is_ip(str(value)) and value not in seen:
                    seen.append(str(value))
    return seen


def _is_ip(text: str) -> bool:
    """An IP address without a port (what may name a server's folder: bundle._address_of)."""
    from obdoctor.sources.bundle import _address_of

    return _address_of(text) == text


def _own_address(head: str) -> tuple[str, str] | None:
    """The server whose address most trace ids of the log carry: a trace id encodes the server
    that made it (ob_log_format.md) and an observer's own timers and workers make most of the
    ids in its log. Taken only when one address holds more than half of them."""
    from collections import Counter

    from obdoctor.logs import TRACE_ID, decode_addr

    made = Counter(decode_addr(t) for t in TRACE_ID.findall(head[:_HEAD_BYTES]))
    made.pop(None, None)
    total = sum(made.values())
    if not total:
        return None
    address, count = made.most_common(1)[0]
    if count * 2 <= total:
        return None
    ip = address.rsplit(":", 1)[0].strip("[]")
    return ip, f"guessed: {count} of its {total} trace ids were made on {address}, its own address"


def attribute(shown: str, head: str, named: list[str], aliases: dict[str, str]) -> tuple[str, str]:
    """(server, how it was decided) for a log at ``shown`` (a relative path) beginning ``head``."""
    parts = shown.split("/")[:-1]
    prompt = re.search(r"after a prompt on (\S+)\)$", shown)
    if prompt:
        host = prompt.group(1)
        if _is_ip(host):
            return host, "from the shell prompt before its lines"
        if host in aliases:
            return aliases[host], f"guessed: the shell prompt's host {host} is that server"
    for part in reversed(parts):
        if _is_ip(part):
            return part, "from its logs/<ip>/ folder" if "logs" in parts else f"from its folder {part}/"
    named_in = re.search(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])", shown.split("/")[-1])
    if named_in and _is_ip(named_in.group(1)):
        return named_in.group(1), "from its file name"
    for part in reversed(parts):
        if part in aliases:
            return aliases[part], f"guessed: folder {part}/ is that server's host name"
    if len(named) == 1:
        return named[0], "guessed: the only server the evidence names"
    own = _own_address(head)
    if own:
        return own
    return UNKNOWN_SERVER, ("the evidence names no single server and the log does not say its address"
                            if not named else f"the evidence names {len(named)} servers")
