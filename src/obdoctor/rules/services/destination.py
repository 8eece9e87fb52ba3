"""The backup destination: why a server could not use it (NFS or object storage).

A service, not a rule: shared by the code family in ``rules/codes/destination.py`` (a FAILED
or stuck backup whose code is a destination code), the log archive rule (an INTERRUPTED
archive), the clean and restore rules and rule D1 (``rules/destination.py``, the root
service's own connectivity checks).

What it proves, in the order a DBA would check:
1. which destination (``file://`` = NFS, ``oss://``, ``cos://``, ``s3://``...), from the job's
   PATH or the tenant's ``data_backup_dest`` / archive path (credentials masked);
2. the line with the code on the executing server, and the storage detail next to it (curl
   code, OSS SDK status, HTTP status, service error), decoded;
3. for NFS, on which servers the same error appears: some servers failing while others do not
   is an NFS share missing on those servers (-9051, or -9070 on part of the cluster);
4. for NFS, how every involved server mounts the destination (``Kind.MOUNTS``, their
   ``/proc/mounts``), against OceanBase's NFS requirements and each other
   (``services/nfs_mounts.py``): the server that mounts another share, no NFS, or lacks ``hard``
   is named, with the mount command to consider; all agreeing is said too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.catalog.cause_ids import (
    DEST_FORMAT_FILE_MISMATCH, DEST_FORMAT_FILE_MISSING, DEST_OUT_OF_SPACE, DEST_PERMISSION_DENIED,
    DEST_UNREACHABLE, ERROR_CODE, NFS_MOUNT_NOT_AS_REQUIRED, NFS_NOT_MOUNTED_EVERYWHERE,
    OBJECT_STORAGE_ACCESS_DENIED,
    OBJECT_STORAGE_ERROR, OBJECT_STORAGE_NOT_FOUND, OBJECT_STORAGE_UNREACHABLE,
)
from obdoctor.evidence import LogFamily
from obdoctor.addresses import address_order, server_ip
from obdoctor.evidence.kinds import Kind
from obdoctor.findings import LineRef, Verdict
from obdoctor.catalog import storage_errors
from obdoctor.catalog.causes import sole_causes
from obdoctor.security.redaction import redact_text
from obdoctor.logs import LogRecord
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, Requirement, RuleContext, code_text, search
from obdoctor.rules.services import nfs_mounts
from obdoctor.rules.services.failure import Explanation

NFS_CODES = (-9051,)
CONNECT_CODES = (-9070, -9115)
PERMISSION_CODES = (-9071, -9116)
FORMAT_MISSING, FORMAT_MISMATCH, OUT_OF_SPACE = -9080, -9081, -9082
CATCH_ALL_CODES = (-9003, -9060, -9105, -9073, -9114, -9117, -9118, -9061, -9063)
MOUNT_NEEDS: tuple[Kind, ...] = (Kind.MOUNTS, Kind.LS_META, Kind.SERVERS)
"""What the mount check reads: a rule that calls ``diagnose`` adds these to its ``needs``."""
DESTINATION_CODES: tuple[int, ...] = (*NFS_CODES, *CONNECT_CODES, *PERMISSION_CODES, FORMAT_MISSING, FORMAT_MISMATCH,
                                      OUT_OF_SPACE, *CATCH_ALL_CODES)

_FIXED_CAUSE = sole_causes("destination")
"""-9051, -9080, -9081, -9082: the code alone names the cause (``data/causes/destination.toml``)."""
_NFS_SENSITIVE = (DEST_UNREACHABLE, NFS_NOT_MOUNTED_EVERYWHERE, DEST_FORMAT_FILE_MISSING, DEST_PERMISSION_DENIED)
_WHAT = {
    DEST_UNREACHABLE: "the destination could not be reached",
    NFS_NOT_MOUNTED_EVERYWHERE: "the NFS share is not mounted on every server",
    DEST_PERMISSION_DENIED: "no permission to write to the destination",
    DEST_FORMAT_FILE_MISSING: "the destination's format file is missing",
    DEST_FORMAT_FILE_MISMATCH: "the destination belongs to another cluster, tenant or purpose",
    DEST_OUT_OF_SPACE: "the destination is out of space",
    OBJECT_STORAGE_UNREACHABLE: "the object storage endpoint could not be reached",
    OBJECT_STORAGE_ACCESS_DENIED: "the object storage refused the credentials",
    OBJECT_STORAGE_NOT_FOUND: "the bucket does not exist",
    OBJECT_STORAGE_ERROR: "the object storage failed the request",
}


@dataclass
class DestinationProblem:
    """What the caller knows about a failure on the destination."""

    code: int
    tenant_id: int | None
    servers: tuple[str, ...] = ()
    """Servers that executed the failing work (first = where to look first); empty = unknown."""
    since: datetime | None = None
    until: datetime | None = None
    lines: tuple[LogRecord, ...] = ()
    """Lines already found for the failure (the storage detail is often among them)."""
    path: str | None = None
    purpose: str = "backup"
    """``backup``, ``archive``, ``restore`` or ``clean``: which destination to look up."""
    path_record: object | None = None
    """The record ``path`` came from (for its provenance)."""
    kinds: tuple[str, ...] = ("observer",)
    """Log families where the failing work logs (the root service's checks log to rootservice.log)."""


def is_destination_code(code: int | None) -> bool:
    return code in DESTINATION_CODES


def destination_path(ctx: RuleContext, tenant_id: int | None, purpose: str = "backup") -> tuple[str | None, object | None]:
    """The tenant's destination for ``purpose`` and the record it came from."""
    if purpose == "archive":
        for r in ctx.evidence.get(Kind.ARCHIVELOG):
            if r.tenant_id == tenant_id and r.path:
                return r.path, r
        names = ("log_archive_dest", "log_archive_dest_1")
    else:
        names = ("data_backup_dest",)
    for p in ctx.evidence.get(Kind.PARAMETERS):
        if p.tenant_id == tenant_id and p.name in names and p.value:
            value = p.value
            if value.lower().startswith("location="):
                value = value.split("=", 1)[1].split()[0]
            return value, p
    return None, None


def diagnose(ctx: RuleContext, chain: Chain, problem: DestinationProblem) -> Explanation:
    """Name the destination cause of ``problem.code``, adding the proving steps to ``chain``."""
    path = problem.path
    record = problem.path_record
    if not path:
        path, record = destination_path(ctx, problem.tenant_id, problem.purpose)
    kind = storage_errors.storage_kind(path)
    chain.destination_kind = kind
    if path:
        shown = redact_text(path)
        chain.step(record.provenance.name if record is not None else "the destination",
                   f"the {problem.purpose} destination is {shown}"
                   + (f" ({'NFS' if kind == 'nfs' else kind + ' object storage'})" if kind else ""),
                   provenance=[record.provenance] if record is not None else [])
    else:
        chain.could_not_check("which destination the tenant uses", "no PATH, data_backup_dest or archive path in the evidence")

    lines = list(problem.lines)
    details, detail_line = _details(lines)
    if not details:
        found = _search_detail(ctx, chain, problem)
        fresh = [r for r in found if r not in lines and f"ret={problem.code}" in r.raw]
        if fresh and problem.servers:
            chain.log_step(f"{'/'.join(problem.kinds)}.log* on {problem.servers[0]}: grep 'ret={problem.code}'",
                           f"{len(fresh)} line(s); first: {fresh[0].message[:200]}", fresh)
        lines += [r for r in found if r not in lines]
        details, detail_line = _details(found)
    if details:
        chain.log_step("the storage error next to the code",
                       "; ".join(d.describe() for d in details), [detail_line])
    code_lines = [r for r in lines if r.ret() == problem.code or f"ret={problem.code}" in r.raw
                  or f"ret_code={problem.code}" in r.raw]
    failing, clean = _servers_with_code(ctx, chain, problem, path) if kind in ("nfs", None) and problem.code in (
        *NFS_CODES, *CONNECT_CODES, FORMAT_MISSING) else ([], [])

    mounts = check_mounts(ctx, chain, path, problem.tenant_id, problem.servers) if kind == "nfs" else None
    unmounted = [s.server for s in mounts.not_nfs()] if mounts and mounts.nfs else []

    cause = _FIXED_CAUSE.get(problem.code)
    if problem.code in CONNECT_CODES:
        if (failing and clean) or unmounted:
            cause = NFS_NOT_MOUNTED_EVERYWHERE
        elif details:
            cause = details[0].cause
        else:
            cause = DEST_UNREACHABLE
    elif problem.code in PERMISSION_CODES:
        cause = OBJECT_STORAGE_ACCESS_DENIED if (kind not in ("nfs", None) and details) else DEST_PERMISSION_DENIED
    elif problem.code in CATCH_ALL_CODES:
        cause = details[0].cause if details else OBJECT_STORAGE_ERROR

    by_mounts = cause == NFS_NOT_MOUNTED_EVERYWHERE and unmounted and not (failing and clean)
    if by_mounts:  # the mounts say it: the servers without the share, and those with it
        failing, clean = unmounted, [s.server for s in mounts.nfs]
    proof = bool(code_lines or details or by_mounts)
    verdict = Verdict.CONFIRMED if proof else Verdict.LIKELY
    if cause is None:  # a code outside the destination families (a permission check event says so)
        return Explanation(ERROR_CODE, verdict, f"it failed with {code_text(problem.code)}")
    if cause == OBJECT_STORAGE_ERROR and not details:
        verdict = Verdict.LIKELY
    summary = _WHAT[cause]
    if details:
        summary += f" ({details[0].describe()})"
    if cause == NFS_NOT_MOUNTED_EVERYWHERE and failing:
        if by_mounts:
            summary += f": {_servers_do(failing, 'does not', 'do not')} mount it"
            summary += f" ({_servers_do(clean, 'does', 'do')})" if clean else ""
        else:
            summary += f": {_servers_do(failing, 'fails', 'fail')}"
            summary += f" while {_servers_do(clean, 'writes', 'write')} to it" if clean else ""

    steps: list[str] = []
    if cause in _NFS_SENSITIVE and (kind == "nfs" or cause == NFS_NOT_MOUNTED_EVERYWHERE):
        steps += nfs_requirement_steps(ctx.evidence.version, most=2)
    if failing:
        steps.insert(0, f"Fix the destination on: {', '.join(failing)}.")
    steps += remount_steps(mounts)
    return Explanation(cause, verdict, summary, steps)


def _servers_do(servers: list[str], one: str, many: str) -> str:
    """'127.0.0.4 does not' / '127.0.0.2, 127.0.0.3 do not': the verb agrees with the list."""
    return f"{', '.join(servers)} {one if len(servers) == 1 else many}"


def nfs_requirement_steps(version: str | None, most: int | None = None) -> list[Requirement]:
    """What an NFS destination needs on ``version`` (mount options, mounted everywhere), as next
    steps listed after the cause's own (:class:`~obdoctor.rules.base.Requirement`)."""
    return [Requirement(f"NFS requirement for OceanBase {version or '(version unknown)'}: {t}")
            for t in storage_errors.nfs_requirements(version)[:most]]


def remount_steps(mounts: nfs_mounts.MountComparison | None) -> list[str]:
    """The mount command to consider on each server whose mount ``check_mounts`` found wrong."""
    if mounts is None:
        return []
    return [nfs_mounts.remount_advice(s, mounts.share, mounts.path) for s in mounts.wrong()]


def mount_servers(ctx: RuleContext, tenant_id: int | None, named: tuple[str, ...] = ()) -> tuple[list[str], str]:
    """The servers that use the tenant's destination, and how they were chosen: those of its log
    stream replicas (``__all_virtual_ls_meta_table``), else every server of DBA_OB_SERVERS; plus
    the servers the failure names."""
    named_ips = [server_ip(s, strict=False) or s for s in named if s]
    replicas = sorted({r.svr_ip for r in ctx.evidence.get(Kind.LS_META) if r.tenant_id == tenant_id and r.svr_ip})
    if replicas:
        return list(dict.fromkeys([*named_ips, *replicas])), f"tenant {tenant_id}'s log stream replicas"
    servers = list(cluster_servers(ctx, tuple(named_ips)))
    return servers, ("the servers of DBA_OB_SERVERS" if len(servers) > len(set(named_ips)) else "the servers named by the failure")


def check_mounts(ctx: RuleContext, chain: Chain, uri: str | None, tenant_id: int | None,
                 named: tuple[str, ...] = ()) -> nfs_mounts.MountComparison | None:
    """How each server that uses the tenant's ``file://`` destination ``uri`` mounts it (plus the
    ``named`` servers), as a step, or why it could not be checked; None for another scheme. A rule
    that calls it adds ``MOUNT_NEEDS`` to its ``needs``; ``remount_steps`` gives the advice."""
    path = nfs_mounts.destination_dir(uri)
    if path is None:
        return None
    servers, chosen = mount_servers(ctx, tenant_id, named)
    what = f"how the servers mount {path}"
    if not servers:
        chain.could_not_check(what, "no server is known: DBA_OB_SERVERS and the log stream replicas are not in the evidence")
        return None
    found = ctx.evidence.get(Kind.MOUNTS)
    if not found.available:
        chain.could_not_check(what, f"{', '.join(servers)}: {found.reason}")
        return None
    comparison = nfs_mounts.compare(path, servers, list(found))
    for s in comparison.unread:
        chain.could_not_check(f"how {s.server} mounts {path}", s.error or "not read")
    if not comparison.read:
        return comparison
    read = comparison.read
    wrong = comparison.wrong()
    if comparison.all_good():
        showed = (f"all {len(read)} server(s) mount {comparison.share} with the options OceanBase's NFS guide "
                  f"requires ({', '.join(r['shown'] for r in nfs_mounts.facts()['requirement'])})")
    elif wrong:
        showed = "; ".join(nfs_mounts.describe(s, comparison.share) for s in wrong)
        fine = [s.server for s in read if s not in wrong]
        if fine:
            showed += f"; {', '.join(fine)} mount {comparison.share} as required"
    else:
        showed = "; ".join(nfs_mounts.describe(s, comparison.share) for s in read)
    chain.step(f"/proc/mounts on {', '.join(s.server for s in read)} ({chosen}): the mount holding {path}", showed,
               provenance=[s.mount.provenance for s in read], lines=[LineRef(redact_text(s.mount.line or "")) for s in read])
    return comparison


@dataclass
class MountCause:
    """A ``file://`` destination that some server mounts against OceanBase's NFS requirements or
    not at all: the likely cause of a job that does not finish on it (``mount_cause``)."""

    cause: str
    """``nfs_not_mounted_everywhere`` (a server without the share, or another share) or
    ``nfs_mount_not_as_required`` (the share, mounted without a required option)."""
    servers: list[str]
    """The servers whose mount is wrong."""
    told: str
    """How each of them mounts it (``nfs_mounts.describe``)."""
    next_steps: list[str]
    """The mount command to consider on each (``remount_steps``)."""


def mount_cause(ctx: RuleContext, chain: Chain, uri: str | None, tenant_id: int | None,
                named: tuple[str, ...] = ()) -> MountCause | None:
    """For a job that does not finish on the ``file://`` destination ``uri``: the servers whose
    mount of it is wrong, through ``check_mounts`` (its step, or what could not be checked, is
    added to ``chain``). None when the mounts are fine, unread, no server mounts NFS there at all,
    or ``uri`` is not ``file://``. Shared by the stuck clean (C1) and the stuck backup (P2)."""
    mounts = check_mounts(ctx, chain, uri, tenant_id, named)
    if mounts is None or not mounts.nfs:
        return None
    astray = [*mounts.not_nfs(), *mounts.other_share()]
    wrong = astray or [s for s in mounts.read if s.problems]
    if not wrong:
        return None
    return MountCause(NFS_NOT_MOUNTED_EVERYWHERE if astray else NFS_MOUNT_NOT_AS_REQUIRED,
                      [s.server for s in wrong], "; ".join(nfs_mounts.describe(s, mounts.share) for s in wrong),
                      remount_steps(mounts))


def _details(lines: list[LogRecord]) -> tuple[list, LogRecord | None]:
    for line in lines:
        details = storage_errors.decode(line.raw)
        if details:
            return details, line
    return [], None


def _search_detail(ctx: RuleContext, chain: Chain, problem: DestinationProblem) -> list[LogRecord]:
    """The lines around the failure on the executing server that carry the code or a storage detail."""
    servers = problem.servers[:1] if problem.servers else ()
    patterns = (f"ret={problem.code}", *storage_errors.signatures())
    result = search(ctx, chain, servers=servers, kinds=problem.kinds, any_of=patterns,
                    since=problem.since, until=problem.until, purpose=f"destination errors ({problem.code})")
    return result.records


def cluster_servers(ctx: RuleContext, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The cluster's servers as DBA_OB_SERVERS names them (plus ``extra``): the only ones a
    cross-server search may ask for, so a live run contacts no server the evidence does not name."""
    ips = {s.svr_ip for s in ctx.evidence.get(Kind.SERVERS) if s.svr_ip} | {ip for ip in extra if ip}
    return tuple(sorted(ips, key=address_order))  # not the view's row order: a query without ORDER BY


def _servers_with_code(ctx: RuleContext, chain: Chain, problem: DestinationProblem,
                       path: str | None) -> tuple[list[str], list[str]]:
    """Which servers fail with the code, and which used the same destination without it.

    "Used without it" needs a positive sign (a line naming the destination path and no error),
    not just silence: a server whose log says nothing proves nothing.
    """
    servers = cluster_servers(ctx, problem.servers)
    if len(servers) < 2:
        chain.could_not_check("whether the other servers reach the destination",
                              "DBA_OB_SERVERS does not list the cluster's servers")
        return [], []
    base = path.split("?", 1)[0].rstrip("/") if path else None
    patterns = (f"ret={problem.code}",) + ((base,) if base else ())
    result = search(ctx, chain, servers=servers, kinds=(LogFamily.OBSERVER,), any_of=patterns,
                    since=problem.since, until=problem.until, purpose=f"servers failing with {problem.code}")
    failing = sorted({r.server for r in result.records if r.server and f"ret={problem.code}" in r.raw})
    used = sorted({r.server for r in result.records if r.server and base and base in r.raw
                   and r.level not in PROBLEM_LEVELS and r.server not in failing})
    if failing:
        shown = _one_per_server([r for r in result.records if r.server in failing and f"ret={problem.code}" in r.raw])
        shown += _one_per_server([r for r in result.records if r.server in used])
        chain.log_step(f"observer.log* on {', '.join(servers)}: grep 'ret={problem.code}'"
                       + (f" and '{base}'" if base else ""),
                       f"the error appears on {', '.join(failing)}"
                       + (f"; {', '.join(used)} used {base} without it" if used else "; no other server shows using the destination"),
                       shown)
    return failing, used


def _one_per_server(records: list[LogRecord]) -> list[LogRecord]:
    seen: dict[str, LogRecord] = {}
    for r in records:
        seen.setdefault(r.server or "?", r)
    return list(seen.values())
