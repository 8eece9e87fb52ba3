"""Free space and mount of a ``file://`` backup destination on each server (``obdoctor check``),
and each server's ``/proc/mounts`` for the diagnosis (``read_mounts``).

Over the SSH connections the log search already has (or read directly when the server is this
machine). Read-only commands: ``df -P -k -- PATH``, ``cat /proc/mounts`` and (for ``collect``)
``date '+%z %Z'``. The path comes
from the cluster's views, so it is treated as hostile: only an absolute path of ordinary
characters is accepted, and it is single-quoted in the command. ``read_mounts`` sends no path at
all: the rules find the destination's mount in the lines (``sources/mounts.py`` parses them).
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

from obdoctor.catalog import storage_errors
from obdoctor.check.model import SpaceProbe
from obdoctor.sources import mounts as proc_mounts
from obdoctor.sources.ssh import ServerStats, SshError, SshLogSearcher, is_local_address

_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/+@:=,~-]*$")
_MOUNTS_MARK = "@@obdoctor-mounts"
MOUNTS_COMMAND = "cat /proc/mounts"


def local_path(uri: str) -> str | None:
    """``file:///data/nfs/backup?x=y`` -> ``/data/nfs/backup``; None when not a safe file:// path
    (the path comes from the cluster's views and goes into a shell command: ordinary characters only)."""
    if not uri or any(c < " " for c in uri):
        return None
    path = storage_errors.file_path(uri)
    return path if path and _SAFE_PATH.match(path) else None


def command(path: str) -> str:
    """The probe for ``path`` (one ``local_path`` accepted: no quote can be in it), always single-quoted."""
    if not _SAFE_PATH.match(path):
        raise ValueError(f"unsafe path {path!r}")
    return f"df -P -k -- '{path}' 2>&1; printf '%s\\n' '{_MOUNTS_MARK}'; cat /proc/mounts"


def parse(server: str, path: str, text: str) -> SpaceProbe:
    """The df line for ``path`` and the /proc/mounts line of its mount point."""
    df_part, _, mounts = text.partition(_MOUNTS_MARK + "\n")
    lines = [l for l in df_part.splitlines() if l.strip()]
    if len(lines) < 2 or not lines[0].startswith("Filesystem"):
        return SpaceProbe(server, path, error=f"df -P {path}: {' '.join(lines)[:200] or 'no output'}")
    fields = lines[-1].split()
    try:
        size_kb, avail_kb = int(fields[1]), int(fields[3])
    except (IndexError, ValueError):
        return SpaceProbe(server, path, error=f"df -P {path}: unreadable line {lines[-1][:200]!r}")
    mount_point = fields[5] if len(fields) > 5 else None
    probe = SpaceProbe(server, path, size_kb=size_kb, avail_kb=avail_kb, mount_point=mount_point,
                       df_line=lines[-1])
    for m in proc_mounts.parse(mounts)[0]:
        if m.mount_point == mount_point:  # the last one wins: mounts stack
            probe.device, probe.fstype, probe.options, probe.mount_line = m.device, m.fstype, m.options, m.raw
    return probe


def probe(searcher: SshLogSearcher, servers: list[str], path: str) -> list[SpaceProbe]:
    """One probe per server (its error when it could not be read); never raises."""
    async def all_servers():
        return await asyncio.gather(*(_one(searcher, s, path) for s in servers))

    return list(searcher._run(all_servers()))


async def _one(searcher: SshLogSearcher, server: str, path: str) -> SpaceProbe:
    if _reads_locally(searcher, server):
        return await asyncio.get_running_loop().run_in_executor(None, _local, server, path)
    output, error = await _remote(searcher, server, command(path), "df/mounts")
    return SpaceProbe(server, path, error=error) if output is None else parse(server, path, output)


def _reads_locally(searcher: SshLogSearcher, server: str) -> bool:
    """A configured server that is this machine is read directly, as the log search does."""
    return searcher.targets.get(server) is not None and searcher.options.local_reads == "auto" and is_local_address(server)


async def _remote(searcher: SshLogSearcher, server: str, text: str, what: str) -> tuple[str | None, str | None]:
    """``text`` run on ``server`` in its shell: (output, None), or (None, why not)."""
    target = searcher.targets.get(server)
    if target is None:
        return None, f"server {server} is not in the configuration"
    stats = searcher.stats.setdefault(server, ServerStats())
    lock = searcher._locks.setdefault(server, asyncio.Lock())
    async with lock:
        try:
            conn = await searcher._connect(server, target, stats)
            shell = await searcher._shell(server, conn)
        except SshError as exc:
            return None, str(exc)
        stats.commands += 1
        searcher.sent.append((server, text))
        lines: list[bytes] = []
        status, stderr, cut = await shell.run(text, lambda line: lines.append(line) or len(lines) < 100_000,
                                              searcher.options.connect_timeout * 3)
    if cut:
        return None, f"server {server}: {what} {cut}"
    output = b"".join(lines).decode("utf-8", "replace")
    stats.bytes_received += len(output)
    if status not in (0, None) and not output:
        return None, f"server {server}: {text} exited {status}: {stderr.strip()[:200] or 'no output'}"
    return output, None


def read_mounts(searcher: SshLogSearcher, servers: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Each server's ``/proc/mounts`` text, or why it could not be read; never raises."""
    async def one(server: str) -> tuple[str | None, str | None]:
        if _reads_locally(searcher, server):
            try:
                return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace"), None
            except OSError as exc:
                return None, f"/proc/mounts on this machine: {exc}"
        return await _remote(searcher, server, MOUNTS_COMMAND, "/proc/mounts")

    async def all_servers():
        return await asyncio.gather(*(one(s) for s in servers))

    return dict(zip(servers, searcher._run(all_servers())))


ZONE_COMMAND = "date '+%z %Z'"
"""Each server's OS zone as its clock shows it now: the offset (``+0800``) and its abbreviation."""
_ZONE_LINE = re.compile(r"^([+-]\d{4}) ?([A-Za-z0-9+_-]{0,16})$")


def read_zones(searcher: SshLogSearcher, servers: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Each server's zone as ``+08:00 CST`` (offset, abbreviation as its ``date`` prints them), or
    why it could not be read; never raises. This machine's own when the server is it."""
    async def one(server: str) -> tuple[str | None, str | None]:
        if _reads_locally(searcher, server):
            from datetime import datetime

            output = datetime.now().astimezone().strftime("%z %Z")
        else:
            output, why = await _remote(searcher, server, ZONE_COMMAND, "date")
            if output is None:
                return None, why
        return parse_zone(server, output)

    async def all_servers():
        return await asyncio.gather(*(one(s) for s in servers))

    return dict(zip(servers, searcher._run(all_servers())))


def parse_zone(server: str, output: str) -> tuple[str | None, str | None]:
    """``+0800 CST`` as ``date '+%z %Z'`` prints it -> (``+08:00 CST``, None); anything else
    (a shell's banner, an error) -> (None, why), its text quoted, cut and never trusted."""
    m = _ZONE_LINE.match(output.strip())
    if not m or int(m.group(1)[1:3]) > 14 or int(m.group(1)[3:]) > 59:
        shown = repr(output.strip()[:60])  # escapes can make 60 characters 600
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        return None, f"server {server}: {ZONE_COMMAND} printed {shown}, not an offset"
    offset = m.group(1)
    return f"{offset[:3]}:{offset[3:]} {m.group(2)}".strip(), None


def _local(server: str, path: str) -> SpaceProbe:
    try:
        df = subprocess.run(["df", "-P", "-k", "--", path], capture_output=True, text=True, timeout=30)
        mounts = Path("/proc/mounts").read_text()
    except (OSError, subprocess.SubprocessError) as exc:
        return SpaceProbe(server, path, error=f"df {path} on this machine: {exc}")
    return parse(server, path, df.stdout + df.stderr + _MOUNTS_MARK + "\n" + mounts)
