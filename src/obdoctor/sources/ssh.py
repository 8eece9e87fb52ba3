"""Search the logs of named observers over SSH, pushing the grep to the servers.

Why this shape:

- **Only matching lines travel.** ``obdoctor.logs.remote`` compiles the query into a
  ``grep -aF`` / ``gzip -dc`` / ``zstd -dc`` pipeline run on the observer host, on only the
  files whose time span meets the query's window.
- **Servers in parallel, each on its own clock.** One asyncio task per server, each with a
  connect timeout and a command timeout. A node that is down, hangs, refuses the login or
  shows an unknown host key becomes a reason in ``LogSearchResult.unchecked`` naming it; the
  other servers' lines still come back.
- **Host keys are verified** against known_hosts, read line by line so that a malformed line
  never makes a listed host look unlisted (``sources.known_hosts``). A host with no entry is
  refused unless the user opted in (``accept_unknown_hosts``; then named on stderr); a host
  whose key *differs* from its entry ("host key changed") is always refused.
- **Read-only.** The remote commands only list and read files under ``<home_path>/log``.
- **Local shortcut.** When the server's IP belongs to this machine and its log directory is
  readable, files are read directly with ``obdoctor.logs.search`` (no SSH at all).

The class has a synchronous face (rules are synchronous): it runs its own event loop in a
daemon thread and keeps one SSH connection and one remote shell per server for all the
queries of a run (``RemoteShell``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from obdoctor.evidence import LogQuery, LogSearchResult
from obdoctor.logs import Patterns, Records, SearchReport, discover, overlaps, parse_line, remote, search_files
from obdoctor.sources.known_hosts import KnownHosts

Progress = Callable[[str, str], None]
"""``progress(server, message)``: one line of per-server progress (the CLI prints it on stderr)."""


@dataclass(frozen=True)
class SshTarget:
    """How to reach one observer host and where its logs are."""

    ip: str
    port: int = 22
    user: str = "admin"
    password: str | None = field(default=None, repr=False)
    key_file: str | None = None
    home_path: str = "/home/admin/oceanbase"

    def __repr__(self) -> str:  # never show the password
        return f"SshTarget({self.user}@{self.ip}:{self.port}, home={self.home_path})"


@dataclass
class SshOptions:
    known_hosts: str | None = None
    """known_hosts file; None means ``~/.ssh/known_hosts``."""
    accept_unknown_hosts: bool = False
    """Connect to hosts without a known_hosts entry (a *changed* key is still refused)."""
    connect_timeout: float = 10.0
    """Seconds to connect and log in, per server."""
    command_timeout: float = 300.0
    """Seconds for one remote listing or search, per server."""
    local_reads: str = "auto"
    """``auto``: read directly when the IP is this machine's and the log dir is readable; ``never``: always SSH."""
    max_bytes: int = 512 << 20
    """Most bytes of matching lines taken from one server for one query; beyond, the result is partial."""


@dataclass
class ServerStats:
    """What one server cost: for the progress display and the benchmark."""

    mode: str = "ssh"
    connect_seconds: float = 0.0
    commands: int = 0
    bytes_received: int = 0
    lines_received: int = 0
    files_searched: int = 0
    failure: str | None = None


class SshError(Exception):
    """A server could not be searched; the message names it and says why (never a password)."""


class SshLogSearcher:
    def __init__(self, targets: dict[str, SshTarget], options: SshOptions | None = None,
                 progress: Progress | None = None, warn: Callable[[str], None] | None = None):
        self.targets = dict(targets)
        self.options = options or SshOptions()
        self.progress = progress or (lambda _server, _message: None)
        self.warn = warn or _warn_on_stderr
        """Security warnings (a host accepted unverified, a known_hosts line skipped): on standard
        error even with ``--quiet``, the one thing a quiet run must still say."""
        self._known_hosts: dict[str, KnownHosts] = {}
        self.stats: dict[str, ServerStats] = {}
        self.notes: list[str] = []
        self.sent: list[tuple[str, str]] = []
        """Every command sent, ``(server, command)``: an audit trail (and what the tests inspect)."""
        self._conns: dict[str, object] = {}
        self._shells: dict[str, RemoteShell] = {}
        self._listings: dict[str, list[remote.RemoteFile]] = {}
        self._failed: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def _run(self, coro):
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="obdoctor-ssh", daemon=True)
            self._thread.start()
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:  # Ctrl-C, SIGTERM: stop the work in the loop too (close() waits for it)
            future.cancel()
            raise

    def close(self) -> None:
        if self._loop is None:
            return

        async def _close_all():
            # An interrupted search may still be connecting or reading: cancel it and let it
            # unwind while the loop runs, or asyncssh's cleanup would meet a closed loop and
            # print its traceback on the user's terminal.
            running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in running:
                task.cancel()
            if running:
                await asyncio.wait(running, timeout=2)
            for shell in list(self._shells.values()):
                shell.close()
            for conn in list(self._conns.values()):
                conn.close()  # type: ignore[attr-defined]
            for conn in list(self._conns.values()):
                try:
                    await asyncio.wait_for(conn.wait_closed(), 2)  # type: ignore[attr-defined]
                except (asyncio.TimeoutError, OSError):
                    pass
            # the resolver's threads (getaddrinfo runs in the loop's executor) end with the loop:
            # left alive, they made every later log search start its workers by forkserver
            try:
                await asyncio.wait_for(asyncio.get_running_loop().shutdown_default_executor(), 2)
            except asyncio.TimeoutError:  # a lookup still hanging: its thread is a daemon
                pass

        try:
            self._run(_close_all())
        finally:
            self._conns.clear()
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(5)
            self._loop.close()
            self._loop = None

    def __enter__(self) -> "SshLogSearcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- searching ----------------------------------------------------------------------------
    def search(self, query: LogQuery) -> LogSearchResult:
        """Search ``query.servers`` (or every configured server when it names none). Never raises."""
        result = LogSearchResult(query)
        wanted = self._wanted(query, result)
        if not wanted:
            return result
        try:
            _check_patterns(query)
        except remote.UnsafeValue as exc:
            result.unchecked.append(f"logs of {', '.join(wanted)} not searched: {exc}")
            return result
        parts = self._run(self._search_all(wanted, query))
        for part in parts:
            result.total_matches += part.total_matches
            result.files_searched.extend(part.files_searched)
            result.unchecked.extend(part.unchecked)
            result.records.extend(part.records)
        result.records.sort(key=lambda r: (r.ts is None, r.ts or datetime.min))
        del result.records[query.limit:]
        return result

    def _wanted(self, query: LogQuery, result: LogSearchResult) -> list[str]:
        """``query.servers`` (every configured one when it names none) that can be searched; why
        not for the others, in ``result.unchecked``."""
        wanted: list[str] = []
        for server in dict.fromkeys(list(query.servers) or sorted(self.targets)):
            reason = self._not_searchable(server)
            if reason:
                result.unchecked.append(reason)
            else:
                wanted.append(server)
        return wanted

    def _not_searchable(self, server: str) -> str | None:
        try:
            ipaddress.ip_address(server)
        except ValueError:
            return f"{str(server)[:80]!r} is not an IP address: no log searched there"
        if server not in self.targets:
            return (f"server {server} is not in the configuration (servers.nodes): its logs were not searched; "
                    "add it to the config to let obdoctor reach it")
        return None

    async def _search_all(self, servers: list[str], query: LogQuery) -> list[LogSearchResult]:
        return list(await asyncio.gather(*(self._search_server(s, query) for s in servers)))

    async def _reach(self, server: str, query: LogQuery, part: LogSearchResult, stats: ServerStats):
        """How ``server``'s logs are read: None when they cannot be (said in ``part``),
        ``(directory, None, [])`` when they are readable on this machine, else ``(directory,
        connection, the files query's kinds and window choose)``."""
        target = self.targets[server]
        if server in self._failed:
            part.unchecked.append(self._failed[server])
            return None
        try:
            directory = remote.log_dir(target.home_path)
        except remote.UnsafeValue as exc:
            self._fail(server, part, f"server {server}: {exc}")
            return None
        if self._local_dir(server, directory):
            stats.mode = "local"
            return directory, None, []
        async with self._locks.setdefault(server, asyncio.Lock()):
            try:
                conn = await self._connect(server, target, stats)
                files = await self._list(server, conn, target, stats)
            except SshError as exc:
                self._fail(server, part, str(exc))
                return None
        chosen = remote.choose(files, query.kinds, query.since, query.until)
        if not chosen:
            part.unchecked.append(f"no {'/'.join(query.kinds)} log of server {server} in {directory} "
                                  f"for the time asked")
            return None
        return directory, conn, chosen

    async def _search_server(self, server: str, query: LogQuery) -> LogSearchResult:
        part = LogSearchResult(query)
        target = self.targets[server]
        stats = self.stats.setdefault(server, ServerStats())
        reached = await self._reach(server, query, part, stats)
        if reached is None:
            return part
        directory, conn, chosen = reached
        if conn is None:
            await asyncio.get_running_loop().run_in_executor(None, _search_local, Path(directory), server, query, part)
            stats.files_searched += len(part.files_searched)
            self.progress(server, f"read locally: {len(part.files_searched)} file(s), {part.total_matches} matching line(s)")
            return part
        lock = self._locks[server]
        self.progress(server, f"searching {len(chosen)} file(s) ({sum(max(f.size, 0) for f in chosen) / 1e6:.1f} MB) "
                              f"for {query.purpose or 'lines'}")
        try:
            command = remote.search_command(target.home_path, [f.name for f in chosen], query.any_of, query.all_of)
        except remote.UnsafeValue as exc:
            part.unchecked.append(f"logs of server {server} not searched: {exc}")
            return part
        def keep(index: int, raw: bytes) -> None:
            for _kind, number, value in remote.parse_output((raw,)):
                stats.lines_received += 1
                self._keep(server, chosen[index], directory, number, value, query, part)  # type: ignore[arg-type]

        async with lock:  # one command at a time on a server's shell
            await self._run_search(server, conn, command, chosen, part, stats, keep)
        self.progress(server, f"{part.total_matches} matching line(s) from {len(part.files_searched)} file(s)")
        return part

    # -- error codes tallied on each server (logs codes --live) -------------------------------
    def tally_codes(self, query: LogQuery, fields=None, names: dict[bytes, int] | None = None
                    ) -> tuple[list[tuple[str, str, int, dict]], LogSearchResult]:
        """``logs codes --live``: every server's files tallied where they are (``remote.CODES_AWK``
        over the same SSH, same choice of files, same priority and quoting as a search), only
        the tallies coming back. Returns ``([(server, file name, bytes on disk, {code: CodeTally})],
        what was searched and what could not be)``, tallies labelled ``server:file:line`` as a
        bundle's are; ``fields`` (a ``RecordFilter``) narrows the
        records on the server. Never raises."""
        from obdoctor.logs import RecordFilter

        fields = fields or RecordFilter()
        result = LogSearchResult(query)
        wanted = self._wanted(query, result)
        if not wanted:
            return [], result

        async def every() -> list:
            return list(await asyncio.gather(*(self._codes_server(s, query, fields, names) for s in wanted)))

        tallies = []
        for found, part in self._run(every()):
            tallies.extend(found)
            result.files_searched.extend(part.files_searched)
            result.unchecked.extend(part.unchecked)
        return tallies, result

    async def _codes_server(self, server: str, query: LogQuery, fields, names) -> tuple[list, LogSearchResult]:
        from obdoctor.logs import tallies_from_rows

        part = LogSearchResult(query)
        target = self.targets[server]
        stats = self.stats.setdefault(server, ServerStats())
        reached = await self._reach(server, query, part, stats)
        if reached is None:
            return [], part
        directory, conn, chosen = reached
        if conn is None:
            found = await asyncio.get_running_loop().run_in_executor(
                None, _codes_local, Path(directory), server, query, fields, names, part)
            return found, part
        lock = self._locks[server]

        def stamp(moment):
            return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if moment else None

        try:
            command = remote.codes_command(target.home_path, [f.name for f in chosen], fields.levels,
                                           stamp(fields.since), stamp(fields.until), fields.tenant, fields.thread,
                                           fields.module, names)
        except remote.UnsafeValue as exc:
            part.unchecked.append(f"logs of server {server} not tallied: {exc}")
            return [], part
        self.progress(server, f"tallying error codes in {len(chosen)} file(s) "
                              f"({sum(max(f.size, 0) for f in chosen) / 1e6:.1f} MB)")
        rows: dict[int, list[bytes]] = {}

        def keep(index: int, raw: bytes) -> None:
            for _kind, _number, row in remote.codes_events((raw,)):
                rows.setdefault(index, []).append(row)  # type: ignore[arg-type]

        async with lock:
            await self._run_search(server, conn, command, chosen, part, stats, keep)
        read = {name.removesuffix(" (partly)") for name in part.files_searched}
        found = []
        for i, f in enumerate(chosen):
            if f"{server}/{f.log.name}" in read:
                tallies = tallies_from_rows(rows.get(i, ()), names)
                for tally in tallies.values():
                    tally.relabel(server, f.log.name)  # as a bundle's file is named
                found.append((server, f.log.name, max(f.size, 0), tallies))
        return found, part

    def _fail(self, server: str, part: LogSearchResult, reason: str) -> LogSearchResult:
        self._failed[server] = reason
        self.stats.setdefault(server, ServerStats()).failure = reason
        self.progress(server, f"FAILED: {reason}")
        part.unchecked.append(reason)
        return part

    def _local_dir(self, server: str, directory: str) -> bool:
        if self.options.local_reads != "auto":
            return False
        return is_local_address(server) and os.access(directory, os.R_OK | os.X_OK)

    # -- SSH steps ----------------------------------------------------------------------------
    async def _connect(self, server: str, target: SshTarget, stats: ServerStats):
        if server in self._conns:
            return self._conns[server]
        import asyncssh

        known_hosts_path = os.path.expanduser(self.options.known_hosts or "~/.ssh/known_hosts")
        known_hosts = self._host_keys(server, target, known_hosts_path)
        kwargs: dict = {
            "host": target.ip, "port": target.port, "username": target.user, "known_hosts": known_hosts,
            "connect_timeout": self.options.connect_timeout, "login_timeout": self.options.connect_timeout,
            "keepalive_interval": 30,
        }
        key = os.path.expanduser(target.key_file) if target.key_file else None
        if key and os.path.exists(key):
            kwargs["client_keys"] = [key]
        if target.password:
            kwargs["password"] = target.password
        self.progress(server, f"connecting to {target.user}@{_hostport(target)}")
        started = asyncio.get_running_loop().time()
        try:
            conn = await asyncio.wait_for(asyncssh.connect(**kwargs), self.options.connect_timeout + 1)
        except asyncio.TimeoutError:
            raise SshError(f"server {server}: no SSH answer from {_hostport(target)} within "
                           f"{self.options.connect_timeout:g}s (node down or hanging)") from None
        except asyncssh.HostKeyNotVerifiable as exc:
            raise SshError(f"server {server}: host key of {_hostport(target)} has CHANGED: it does not match "
                           f"{known_hosts_path}: refused ({exc.reason}). Someone may be intercepting the "
                           "connection, or the server was reinstalled: verify the new key, then replace the old "
                           "one (ssh-keygen -R); --accept-unknown-hosts never overrides this") from None
        except asyncssh.PermissionDenied:
            raise SshError(f"server {server}: SSH login as {target.user} refused (key/password not accepted)") from None
        except ConnectionRefusedError:
            raise SshError(f"server {server}: connection refused on {_hostport(target)} (sshd not running?)") from None
        except asyncssh.Error as exc:
            raise SshError(f"server {server}: SSH failed: {exc.reason}") from None
        except OSError as exc:
            raise SshError(f"server {server}: cannot connect to {_hostport(target)}: {exc.strerror or exc}") from None
        stats.connect_seconds = asyncio.get_running_loop().time() - started
        if known_hosts is None:
            key_seen = conn.get_server_host_key()
            fingerprint = key_seen.get_fingerprint() if key_seen is not None else "?"
            note = (f"host key of {_hostport(target)} not verified ({fingerprint}): accepted because of "
                    "--accept-unknown-hosts")
            self.notes.append(note)
            self.warn(f"server {server}: {note}")
        self._conns[server] = conn
        return conn

    def _host_keys(self, server: str, target: SshTarget, path: str):
        """What ``asyncssh.connect`` gets as ``known_hosts``: the readable entries when the host
        is listed (a different key is then refused), None (no check) only for a host no line
        names and only when the user accepts unknown hosts (``sources.known_hosts``)."""
        if path not in self._known_hosts:
            self._known_hosts[path] = KnownHosts(path)
            for warning in self._known_hosts[path].warnings:
                self.warn(warning)
        known = self._known_hosts[path]
        status = known.status(target.ip, target.port)
        if status.state == "listed":
            return status.trusted
        if status.state == "unreadable":
            where = f"line(s) {', '.join(map(str, status.lines))} of {path}" if status.lines else path
            why = f" ({known.unreadable})" if known.unreadable else ""
            raise SshError(f"server {server}: the known_hosts entry of {_hostport(target)} cannot be read ({where}"
                           f"{why}): refused, --accept-unknown-hosts or not (fix or remove the entry)")
        if not self.options.accept_unknown_hosts:
            raise SshError(
                f"server {server}: host key of {_hostport(target)} is not in {path}: refused "
                "(verify it, add it with ssh-keyscan, or pass --accept-unknown-hosts)")
        return None

    async def _shell(self, server: str, conn) -> RemoteShell:
        shell = self._shells.get(server)
        if shell is None or shell.broken:
            try:
                shell = await asyncio.wait_for(RemoteShell.open(conn), self.options.connect_timeout)
            except asyncio.TimeoutError:
                raise SshError(f"server {server}: no shell within {self.options.connect_timeout:g}s") from None
            except Exception as exc:  # asyncssh.ChannelOpenError, connection lost
                self._conns.pop(server, None)
                raise SshError(f"server {server}: cannot start a remote shell: {_reason(exc)}") from None
            self._shells[server] = shell
        return shell

    async def _list(self, server: str, conn, target: SshTarget, stats: ServerStats) -> list[remote.RemoteFile]:
        if server in self._listings:
            return self._listings[server]
        command = remote.list_command(target.home_path)
        stats.commands += 1
        self.sent.append((server, command))
        shell = await self._shell(server, conn)
        lines: list[bytes] = []
        status, _stderr, cut = await shell.run(command, lambda line: lines.append(line) or True,
                                               self.options.command_timeout)
        if cut:
            raise SshError(f"server {server}: listing {remote.log_dir(target.home_path)} failed: {cut}")
        if status == 3:
            raise SshError(f"server {server}: no log directory {remote.log_dir(target.home_path)} "
                           "(check home_path in the config)")
        text = b"".join(lines).decode("utf-8", "replace")
        files, _skipped = remote.parse_listing(text, server)
        stats.bytes_received += len(text)
        self._listings[server] = files
        self.progress(server, f"{len(files)} log file(s) in {remote.log_dir(target.home_path)}")
        return files

    async def _run_search(self, server: str, conn, command: str, chosen: list[remote.RemoteFile],
                          part: LogSearchResult, stats: ServerStats, handle: Callable[[int, bytes], None]) -> None:
        """Run ``command`` (``@@F``/``@@S`` markers around each file's output): ``handle(file
        index, line)`` for each line between them; ``part`` told which files were read whole."""
        stats.commands += 1
        self.sent.append((server, command))
        current: int | None = None
        statuses: dict[int, int] = {}
        received = 0
        try:
            shell = await self._shell(server, conn)
        except SshError as exc:
            part.unchecked.append(f"{exc}: logs not searched")
            return

        def on_line(raw: bytes) -> bool:
            nonlocal current, received
            received += len(raw)
            if received > self.options.max_bytes:
                return False
            if raw.startswith((b"@@F ", b"@@S ")):
                for kind, number, value in remote.parse_output((raw,)):
                    if kind == "file":
                        current = number
                    else:
                        statuses[number] = value  # type: ignore[assignment]
            elif current is not None and current < len(chosen):
                handle(current, raw)
            return True

        _status, stderr_text, cut = await shell.run(command, on_line, self.options.command_timeout)
        if cut == "stopped reading":
            cut = f"more than {self.options.max_bytes:,} bytes of matching lines: the rest was not read (narrow the search)"
        elif cut:
            if cut.startswith(("connection lost", "the connection closed")):
                self._conns.pop(server, None)  # the next search reconnects
            cut = f"search {cut}"
        stats.bytes_received += received
        errors = remote.errors_by_file(stderr_text)
        for index, file in enumerate(chosen):
            name = f"{server}/{file.log.name}"  # the base name, as a bundle reports it (alert/alert.log -> alert.log)
            status = statuses.get(index)
            problems = errors.get(index)
            if status is None:
                if cut and (current is None or index >= current):
                    part.unchecked.append(f"{name}: {cut}")
                    if index == current:
                        part.files_searched.append(f"{name} (partly)")
                continue
            if problems or status >= 2:
                part.unchecked.append(f"{name}: {'; '.join(problems or [f'grep exit status {status}'])[:300]}")
                part.files_searched.append(f"{name} (partly)")
            else:
                part.files_searched.append(name)
        stats.files_searched += len(part.files_searched)

    @staticmethod
    def _keep(server: str, file: remote.RemoteFile, directory: str, line_no: int, raw: bytes, query: LogQuery,
              part: LogSearchResult) -> None:
        text = raw.decode("utf-8", "replace")
        if not query.matches_text(text):  # the remote grep keeps a superset; decide here, exactly
            return
        record = parse_line(text)
        if not query.keeps(record):
            return
        part.total_matches += 1
        if len(part.records) < query.limit:
            record.server, record.path, record.line_no = server, f"{directory}/{file.name}", line_no
            part.records.append(record)


class RemoteShell:
    """One long-lived ``sh`` per server: commands go in on stdin, each answer ends with a marker.

    Why: every SSH ``exec`` makes sshd set up a session and start a login shell (hundreds of ms
    on a busy host, more with PAM); a diagnosis sends a handful of searches to the same server.
    One shell per server pays that once. Each command runs in a subshell with stdin from
    ``/dev/null`` (it can neither exit the shell nor eat the next command); its end is
    ``@@END <nonce> <status>`` on stdout and ``@@END <nonce>`` on stderr. A shell that timed out,
    overflowed or lost its connection is closed, and the next command opens a fresh one.
    """

    def __init__(self, process):
        self.process = process
        self.broken = False
        self._count = 0

    @classmethod
    async def open(cls, conn) -> "RemoteShell":
        return cls(await conn.create_process("exec sh", encoding=None))

    def close(self) -> None:
        self.broken = True
        try:
            self.process.close()
        except Exception:  # already gone
            pass

    async def run(self, command: str, on_line: Callable[[bytes], bool], timeout: float) -> tuple[int | None, str, str | None]:
        """Run ``command``; ``on_line`` gets each stdout line and returns False to stop reading.

        Returns (exit status or None when cut short, stderr text, why it was cut short).
        """
        self._count += 1
        nonce = f"{os.getpid():x}{id(self):x}{self._count:x}"
        end = f"@@END {nonce}".encode()
        script = (f"( {command} ) </dev/null; s=$?; printf '%s %d\\n' '@@END {nonce}' \"$s\"; "
                  f"printf '%s\\n' '@@END {nonce}' >&2\n")
        status: int | None = None
        cut: str | None = None
        errors: list[bytes] = []

        async def read_stdout():
            nonlocal status, cut
            while True:
                line = await self.process.stdout.readline()
                if not line:
                    cut = "the connection closed during the command"
                    return
                if line.startswith(end):
                    status = int(line[len(end):].strip() or b"0")
                    return
                if not on_line(line):
                    cut = "stopped reading"
                    return

        async def read_stderr():
            size = 0
            while True:
                line = await self.process.stderr.readline()
                if not line or line.startswith(end):
                    return
                if size < (1 << 20):
                    errors.append(line)
                    size += len(line)

        try:
            self.process.stdin.write(script.encode())
            await asyncio.wait_for(asyncio.gather(read_stdout(), read_stderr()), timeout)
        except asyncio.TimeoutError:
            cut = f"took more than {timeout:g}s: stopped"
        except Exception as exc:  # connection lost, channel closed
            cut = f"connection lost: {_reason(exc)}"
        if cut:
            self.close()
        return status, b"".join(errors).decode("utf-8", "replace"), cut


# -- helpers --------------------------------------------------------------------------------------
def _check_patterns(query: LogQuery) -> None:
    for pattern in (*query.any_of, *query.all_of):
        remote.check_pattern(pattern)


def _warn_on_stderr(message: str) -> None:
    print(f"obdoctor: warning: {message}", file=sys.stderr, flush=True)


def _hostport(target: SshTarget) -> str:
    return f"{target.ip}:{target.port}"


def _reason(exc: BaseException) -> str:
    return getattr(exc, "reason", None) or str(exc) or type(exc).__name__


_LOCAL_CACHE: dict[str, bool] = {}


def is_local_address(ip: str) -> bool:
    """Whether ``ip`` is an address of this machine (binding to it succeeds)."""
    if ip not in _LOCAL_CACHE:
        try:
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.bind((ip, 0))
            _LOCAL_CACHE[ip] = True
        except OSError:
            _LOCAL_CACHE[ip] = False
    return _LOCAL_CACHE[ip]


def _choose_local(directory: Path, server: str, query: LogQuery) -> list:
    """The files of a log directory on this machine a query reads (a bundle's rule: ``.wf``
    twins only without their main file; only files whose span meets the window)."""
    files, _skipped = discover(directory, server)
    chosen = []
    for kind in query.kinds:
        family = [f for f in files if f.family == kind]
        main = [f for f in family if not f.wf]
        chosen.extend(f for f in (main or family) if overlaps(f, query.since, query.until))
    return chosen


def _search_local(directory: Path, server: str, query: LogQuery, part: LogSearchResult) -> None:
    """The observer runs here: search its files directly, as a bundle's are searched."""
    chosen = _choose_local(directory, server, query)
    if not chosen:
        part.unchecked.append(f"no {'/'.join(query.kinds)} log of server {server} in {directory} for the time asked")
        return
    patterns = Patterns(query.any_of, query.all_of)
    for log in chosen:
        report = SearchReport()
        for record in search_files([log], patterns, Records(), workers=1, report=report):
            if not query.keeps(record):
                continue
            part.total_matches += 1
            if len(part.records) < query.limit:
                part.records.append(record)
        if report.failed:  # truncated, corrupt or unreadable: what could be read is kept
            part.unchecked.append(f"{server}/{log.name}: {report.failed[0][1]}")
            part.files_searched.append(f"{server}/{log.name} (partly)")
        else:
            part.files_searched.append(f"{server}/{log.name}")



def _codes_local(directory: Path, server: str, query: LogQuery, fields, names, part: LogSearchResult) -> list:
    """The observer runs here: tally its files directly, as a bundle's are tallied."""
    from obdoctor.logs import tally_codes

    chosen = _choose_local(directory, server, query)
    found = []
    for log in chosen:
        report = tally_codes([log], fields, names=names, workers=1)
        failed = dict(report.search.failed)
        if log in failed:
            part.unchecked.append(f"{server}/{log.name}: {failed[log]}")
        part.files_searched.append(f"{server}/{log.name}" + (" (partly)" if log in failed else ""))
        try:
            size = os.path.getsize(log.path)
        except OSError:
            size = 0
        found.append((server, log.name, size, report.codes))
    return found
