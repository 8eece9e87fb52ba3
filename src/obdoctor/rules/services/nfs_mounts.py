"""How each server mounts a ``file://`` destination, against OceanBase's NFS requirements and each other.

Why: an NFS destination works only when every OBServer that writes or reads it mounts the same
share, with the options OceanBase's NFS deployment guide requires (``data/nfs_mounts.toml``:
NFS 4.1 or later, ``hard``, ``sync``, ``lookupcache=positive``, and the recommended sizes). A
server that mounts another export, a local directory, or the share without ``hard`` fails in
ways the error code alone does not tell (-9070 on one server, a backup that hangs, files "not
found"). This module only compares: the mounts are evidence (``Kind.MOUNTS``, each server's
``/proc/mounts``), the caller says which servers are involved and writes the finding.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from obdoctor.catalog import storage_errors
from obdoctor.catalog.data_files import data_toml
from obdoctor.evidence.records.cluster import Mount


@lru_cache(maxsize=1)
def facts() -> dict:
    """``data/nfs_mounts.toml``: the requirements, the documented options and their source."""
    return data_toml("nfs_mounts.toml")


destination_dir = storage_errors.file_path
"""``file:///data/nfs/backup?x=y`` -> ``/data/nfs/backup`` (the catalogue's one reading of a file:// URI)."""


def mount_of(path: str, mounts: list[Mount]) -> Mount | None:
    """The mount holding ``path``: the longest mount point that is ``path`` or one of its parent
    directories; among equal ones the last (a later mount hides an earlier one)."""
    best: Mount | None = None
    for m in mounts:
        point = m.mount_point
        if not point:
            continue
        inside = point == "/" or path == point or path.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best.mount_point or "")):
            best = m
    return best


def _version(text: str) -> tuple[int, ...] | None:
    try:
        parts = tuple(int(p) for p in text.split("."))
    except ValueError:
        return None
    return parts + (0,) * (2 - len(parts)) if parts else None


@dataclass
class ServerMount:
    """One server's mount of the destination, and what is wrong with it."""

    server: str
    mount: Mount | None = None
    error: str | None = None
    """Why its mounts could not be read (then ``mount`` is None)."""
    location: str | None = None
    """The destination as this server reaches it: the share plus the path below its mount point."""
    problems: list[str] = field(default_factory=list)
    """Required by the documentation and not met (or not NFS at all)."""
    advice: list[str] = field(default_factory=list)
    """Recommended and not met."""

    @property
    def is_nfs(self) -> bool:
        return self.mount is not None and (self.mount.fstype or "") in facts()["fstypes"]


@dataclass
class MountComparison:
    path: str
    servers: list[ServerMount]
    share: str | None = None
    """The location most NFS servers reach (what the others are compared with)."""

    @property
    def read(self) -> list[ServerMount]:
        return [s for s in self.servers if s.mount is not None]

    @property
    def unread(self) -> list[ServerMount]:
        return [s for s in self.servers if s.mount is None]

    @property
    def nfs(self) -> list[ServerMount]:
        """The servers read whose mount of the destination is NFS."""
        return [s for s in self.read if s.is_nfs]

    def other_share(self) -> list[ServerMount]:
        """NFS servers that reach another location than ``share``."""
        return [s for s in self.nfs if self.share and s.location != self.share]

    def not_nfs(self) -> list[ServerMount]:
        return [s for s in self.read if not s.is_nfs]

    def wrong(self) -> list[ServerMount]:
        """Servers whose mount differs from the share or misses a requirement."""
        others = {s.server for s in self.other_share()}
        return [s for s in self.read if s.problems or s.server in others]

    def all_good(self) -> bool:
        return bool(self.read) and not self.wrong() and not any(s.advice for s in self.read)


def judge(mount: Mount) -> tuple[list[str], list[str]]:
    """(required options not met, recommended options not met) of one NFS mount."""
    problems: list[str] = []
    advice: list[str] = []
    for req in facts()["requirement"]:
        out = problems if req["level"] == "required" else advice
        if "flag" in req:
            if mount.option(req["flag"]) is None:
                opposite = " (soft)" if req["flag"] == "hard" and mount.option("soft") is not None else ""
                out.append(f"no {req['shown']}{opposite}")
            continue
        value = mount.option(req["option"])
        if "at_least" in req:
            have, need = _version(value or ""), _version(req["at_least"])
            if value is None:
                out.append(f"its NFS version is not shown (needs {req['shown']})")
            elif have is None or have < need:
                out.append(f"{req['option']}={value}, needs {req['shown']}")
        elif value not in req["equals"]:
            shown = f"{req['option']}={value}" if value is not None else f"{req['option']} {req.get('absent', 'not set')}"
            out.append(f"{shown}, documented {req['shown']}")
    return problems, advice


def _location(path: str, mount: Mount) -> str:
    below = path[len(mount.mount_point or ""):].strip("/") if mount.mount_point != "/" else path.strip("/")
    device = (mount.device or "?").rstrip("/")
    return f"{device}/{below}" if below else (mount.device or "?")


def compare(path: str, servers: list[str], mounts: list[Mount]) -> MountComparison:
    """Each of ``servers``' mount of ``path`` from their ``/proc/mounts`` lines, judged."""
    by_server: dict[str, list[Mount]] = {}
    for m in mounts:
        by_server.setdefault(m.svr_ip or "", []).append(m)
    result: list[ServerMount] = []
    for server in servers:
        lines = by_server.get(server)
        if not lines:
            result.append(ServerMount(server, error="its /proc/mounts is not in the evidence (live: not a configured "
                                                    "server; a bundle: no mounts/<ip> for it)"))
            continue
        errors = [m.error for m in lines if m.error and not m.mount_point]
        found = mount_of(path, [m for m in lines if m.mount_point])
        if found is None:
            result.append(ServerMount(server, error=errors[0] if errors else f"no mount holds {path}"))
            continue
        entry = ServerMount(server, found, location=_location(path, found))
        if entry.is_nfs:
            entry.problems, entry.advice = judge(found)
        else:
            entry.problems = ["not NFS"]  # ``describe`` shows the mount itself before it
        result.append(entry)
    locations = Counter(s.location for s in result if s.is_nfs)
    share = max(locations, key=lambda loc: (locations[loc], loc)) if locations else None
    return MountComparison(path, result, share)


def describe(server: ServerMount, share: str | None) -> str:
    """``10.0.0.2: nfs4 10.0.0.9:/export on /data/nfs, no hard (soft)`` (``ok`` when nothing is wrong)."""
    m = server.mount
    if m is None:
        return f"{server.server}: not read ({server.error})"
    what = [*server.problems]
    if server.is_nfs and share and server.location != share:
        what.insert(0, f"reaches {server.location}, the others {share}")
    what += [f"{a} (recommended)" for a in server.advice]
    head = f"{server.server}: {m.fstype} {m.device} on {m.mount_point}"
    return f"{head}, {'; '.join(what)}" if what else f"{head}, ok"


def remount_advice(server: ServerMount, share: str | None, path: str) -> str:
    """The command to consider on a server whose mount is wrong: mount the share again with the
    documented options. Nothing is run; backup and archive should be stopped first."""
    m = server.mount
    options = facts()["mount_options"]
    if server.is_nfs and (not share or server.location == share):  # the right share, wrong options
        command = f"sudo umount {m.mount_point} && sudo mount -t nfs4 -o {options} {m.device} {m.mount_point}"
        point = m.mount_point
    else:  # another export, or not NFS: the share the other servers reach, at the destination's path
        umount = f"sudo umount {m.mount_point} && " if server.is_nfs else ""
        command = f"{umount}sudo mount -t nfs4 -o {options} {share or '<nfs-server>:<export>'} {path}"
        point = path
    return (f"On {server.server}, once backup and archive are stopped: {command} "
            f"(check first, read-only: grep ' {point} ' /proc/mounts)")
