"""A live cluster as an evidence source: views over MySQL (sys tenant), logs over SSH.

Rules cannot tell it from a bundle: ``read_table`` goes to the SQL reader, ``search_logs`` to
the SSH searcher. Only the servers a query names are contacted (rules name them from
RS_SVR_IP, svr_ip, destination, COMMENT addr or a decoded trace id); a query naming none
falls back to the configured servers, never to anything else. A server IP is mapped to its
config node for user, port, key and ``home_path``.
"""

from __future__ import annotations

import dataclasses
import getpass
import ipaddress
from typing import Protocol

from obdoctor.addresses import server_ip
from obdoctor.evidence import LogQuery, LogSearchResult, SourceInfo, TableResult
from obdoctor.evidence.kinds import MOUNTS_SOURCE
from obdoctor.evidence.clock import ClockShift, anchor_views, from_zones, infer_from, search_on_views
from obdoctor.catalog.versions import scope_headline, scope_note
from obdoctor.logs import decode_addr
from obdoctor.sources.ssh import Progress, SshLogSearcher, SshOptions, SshTarget


def host_of(server: str) -> str | None:
    """``10.0.0.1:2882`` / ``[::1]:2882`` (as views and COMMENT addr print them) -> the IP
    (``addresses.server_ip``, not strict: the server is one the evidence already names)."""
    return server_ip(server, strict=False)


class SqlReader(Protocol):
    """What LiveSource needs of the SQL side (``obdoctor.sources.mysql``)."""

    def info(self) -> SourceInfo: ...

    def read_table(self, name: str) -> TableResult: ...


def targets_from_config(config) -> tuple[dict[str, SshTarget], dict[str, str]]:
    """SSH targets per configured node, and nodes that cannot be searched with why.

    ``config`` is a ``sources.config.ClusterConfig``; passwords are revealed only here, into
    the target that opens the connection.
    """
    targets: dict[str, SshTarget] = {}
    unusable: dict[str, str] = {}
    for node in getattr(config, "servers", []) or []:
        try:
            address = ipaddress.ip_address(node.ip)
        except ValueError:
            unusable[str(node.ip)] = f"configured server {node.ip!r} is not an IP address"
            continue
        if not node.home_path:
            unusable[node.ip] = (f"server {node.ip}: no home_path in the config (servers.global.home_path or the "
                                 "node's own): its logs cannot be found")
            continue
        password = node.ssh_password.reveal() if node.ssh_password else None
        targets[str(address)] = SshTarget(
            ip=str(address), port=int(node.ssh_port or 22), user=node.ssh_username or getpass.getuser(),
            password=password, key_file=node.ssh_key_file, home_path=node.home_path,
        )
    return targets, unusable


def ssh_options(config, *, local_reads: str = "auto") -> SshOptions:
    return SshOptions(
        known_hosts=getattr(config, "known_hosts", None),
        accept_unknown_hosts=bool(getattr(config, "accept_unknown_hosts", False)),
        connect_timeout=float(getattr(config, "connect_timeout", 10.0) or 10.0),
        command_timeout=float(getattr(config, "ssh_timeout", 300.0) or 300.0),
        local_reads=local_reads,
    )


class LiveSource:
    """``EvidenceSource`` over a running cluster. Never writes anything anywhere."""

    def __init__(self, sql: SqlReader | None, searcher: SshLogSearcher | None, *,
                 unusable_servers: dict[str, str] | None = None, location: str = "live cluster"):
        self.sql = sql
        self.searcher = searcher
        self.unusable = dict(unusable_servers or {})
        self.location = location
        self._info: SourceInfo | None = None
        self._clock: ClockShift | None = None
        self._clock_decided = False
        self.clock_servers: list[str] = []
        """Servers contacted to infer the clock (those that made the anchors' trace ids)."""

    @classmethod
    def from_config(cls, config, sql: SqlReader | None, *, progress: Progress | None = None,
                    local_reads: str = "auto") -> "LiveSource":
        targets, unusable = targets_from_config(config)
        searcher = SshLogSearcher(targets, ssh_options(config, local_reads=local_reads), progress)
        location = f"live {config.describe()}" if hasattr(config, "describe") else "live cluster"
        return cls(sql, searcher, unusable_servers=unusable, location=location)

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        close = getattr(self.sql, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> "LiveSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- EvidenceSource ---------------------------------------------------------------------------
    def info(self) -> SourceInfo:
        if self._info is None:
            base = self.sql.info() if self.sql is not None else SourceInfo(kind="live", location=self.location)
            servers = sorted({*(self.searcher.targets if self.searcher else {}), *self.unusable})
            notes = list(base.notes) + [self.unusable[ip] for ip in sorted(self.unusable)]
            if not servers:
                notes.append("no servers configured: logs cannot be searched (servers.nodes in the config)")
            scope = scope_note(base.version, [])  # a 3.x cluster: which version, what is read
            if scope:
                notes.append(scope)
            self._clock_decided, self._clock, note = from_zones(
                base, "as the server says: @@time_zone, @@system_time_zone of the server answering SQL, "
                      "taken to be every server's")
            if note:
                notes.append(note)
            elif not self._clock_decided and base.system_time_zone and servers:
                notes.append(f"the servers' zone {base.system_time_zone!r} cannot be resolved to an offset: log times "
                             f"are taken to be on the views' clock ({base.time_zone or '?'})")
            self._info = dataclasses.replace(base, kind="live", location=base.location or self.location,
                                             servers=servers, notes=notes,
                                             version_scope=base.version_scope or scope_headline(base.version, []))
        return self._info

    def read_table(self, name: str) -> TableResult:
        """Read now, every time (``watch`` polls the same source: no cache here)."""
        if name == MOUNTS_SOURCE:
            return self._read_mounts()
        if self.sql is None:
            return TableResult(name, available=False, reason="no SQL connection configured")
        try:
            return self.sql.read_table(name)
        except Exception as exc:  # the reader promises not to raise; a bug there must not stop the run
            return TableResult(name, available=False, reason=f"reading {name} failed: {type(exc).__name__}: {exc}")

    def _read_mounts(self) -> TableResult:
        """The servers' ``/proc/mounts`` over their SSH connections (``space.read_mounts``: ``cat
        /proc/mounts``, nothing else); a server that is not read is a row saying why. A live run
        contacts no server the evidence does not name: the configured servers DBA_OB_SERVERS names,
        or, when it cannot be read, those the log searches already went to."""
        from obdoctor.sources import mounts, space

        configured = sorted({*(self.searcher.targets if self.searcher else {}), *self.unusable})
        servers_view = self.read_table("DBA_OB_SERVERS")
        if servers_view.available and servers_view.rows:
            named = {host_of(str(r.get("SVR_IP"))) for r in servers_view.rows}
            skipped = "not in DBA_OB_SERVERS: not contacted"
        else:
            named = set(self.searcher.stats if self.searcher else ())
            skipped = "DBA_OB_SERVERS could not be read and no log search went to it: not contacted"
        read: dict[str, tuple[str | None, str | None]] = {
            ip: (None, self.unusable[ip] if ip in self.unusable else skipped) for ip in configured
            if ip in self.unusable or ip not in named}
        servers = [ip for ip in configured if ip not in read]
        if servers:
            read.update(space.read_mounts(self.searcher, servers))
        if not read:
            return TableResult(MOUNTS_SOURCE, available=False,
                               reason="no server configured: /proc/mounts is read over SSH (servers in the config)")
        return mounts.table(dict(sorted(read.items())), {ip: f"{space.MOUNTS_COMMAND} on {ip}" for ip in read})

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        """On the servers' clock: the window moved there, the lines brought back (evidence.clock)."""
        info = self.info()
        if not self._clock_decided:
            self._clock_decided = True
            self._clock, note = self._infer_clock()
            if note:
                info.notes.append(note)
        return search_on_views(query, self._clock, info.servers, self._search_logs)

    def _infer_clock(self) -> tuple[ClockShift | None, str | None]:
        """The views' zone known, the servers' not (``@@system_time_zone`` like ``CST``): the offset
        from trace ids in rows and in their lines, searched only on the servers that made those
        traces (a trace id names its server), never on every configured one."""
        if self.searcher is None or not self.searcher.targets or self.info().time_zone is None:
            return None, None
        read: dict[str, TableResult] = {}  # each anchor view read once here (the rules read their own)

        def available(name: str) -> bool:
            read[name] = self.read_table(name)
            return read[name].available

        tables = [read[n] for n in anchor_views(available)]

        def search(traces: tuple[str, ...]):
            servers = sorted({host_of(a) for a in map(decode_addr, traces) if a} & set(self.searcher.targets))
            if not servers:
                return []
            self.clock_servers = servers
            query = LogQuery(tuple(servers), kinds=("observer", "rootservice"), any_of=traces,
                             purpose="the clock's anchors")
            return self.searcher.search(query).records

        return infer_from(tables, search)

    def _search_logs(self, query: LogQuery) -> LogSearchResult:
        result = LogSearchResult(query)
        servers = [host_of(s) for s in query.servers] or sorted(self.searcher.targets if self.searcher else {})
        if not servers:
            result.unchecked.append("no server to search: none named by the evidence and none configured")
            return result
        reachable = []
        for server in dict.fromkeys(servers):
            if server in self.unusable:
                result.unchecked.append(self.unusable[server])
            else:
                reachable.append(server)
        if reachable and self.searcher is not None:
            found = self.searcher.search(dataclasses.replace(query, servers=tuple(reachable)))
            result.records, result.total_matches = found.records, found.total_matches
            result.files_searched, result.unchecked = found.files_searched, result.unchecked + found.unchecked
        if self.searcher is not None and self._info is not None:
            for note in self.searcher.notes:
                if note not in self._info.notes:
                    self._info.notes.append(note)
        return result
