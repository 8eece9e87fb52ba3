"""One real ``sshd`` per simulated observer (127.0.0.2, .3, .4), serving that observer's log dir.

Why real sshd: host-key checking, key login, timeouts and the remote grep pipeline are the
parts most likely to break against a real cluster; a fake server would test our assumptions,
not OpenSSH. Everything is per run: host keys, the client key, authorized_keys and the
known_hosts file live in a temp dir, each sshd listens on one loopback address and a free
port, and all are stopped at the end of the session.

Use ``ssh_cluster()`` (one shared instance per session) or the ``simssh`` fixture; load a
scenario's logs with ``cluster.load_bundle(bundle_dir)``.
"""

from __future__ import annotations

import atexit
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
IPS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")


def available() -> str | None:
    """None when sshd and ssh-keygen can be used, else why not."""
    if not os.path.exists(SSHD):
        return "sshd not installed (apt-get install openssh-server)"
    if shutil.which("ssh-keygen") is None:
        return "ssh-keygen not installed"
    return None


def free_port(ip: str) -> int:
    with socket.socket() as probe:
        probe.bind((ip, 0))
        return probe.getsockname()[1]


def keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "obdoctor-test", "-f", str(path)],
                   check=True, stdin=subprocess.DEVNULL)


def _die_with_parent() -> None:
    """Linux: the sshd gets SIGTERM when the test process dies, even by SIGKILL (no strays)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


FAKE_MOUNTS = """#!/bin/sh
# Test fixture only: when the test gave this node a mounts file ($1), every remote command reads it
# in place of /proc/mounts (the commands of the long-lived shell pass through sed); else unchanged.
# When it gave the node a zone (a file tz beside it), the node's shell runs with TZ set to it.
fake="$1"
zone="$(dirname "$1")/tz"
if [ -f "$zone" ]; then
    TZ="$(cat "$zone")"
    export TZ
fi
if [ -f "$fake" ]; then
    if [ "$SSH_ORIGINAL_COMMAND" = "exec sh" ]; then
        exec sh -c "sed -u 's#/proc/mounts#$fake#g' | sh"
    fi
    exec sh -c "$(printf '%s' "$SSH_ORIGINAL_COMMAND" | sed "s#/proc/mounts#$fake#g")"
fi
exec sh -c "${SSH_ORIGINAL_COMMAND:-exec sh}"
"""
"""The sshd's ``ForceCommand``: how each simulated server serves its own fake ``/proc/mounts``
(``SimSsh.serve_mounts``) and runs on its own time zone (``SimSsh.serve_zones``) without any
production option to read another file or zone."""


class Node:
    def __init__(self, base: Path, ip: str, authorized_keys: Path):
        self.ip = ip
        self.dir = base / ip
        self.home = self.dir / "oceanbase"
        (self.home / "log").mkdir(parents=True)
        self.port = free_port(ip)
        self.host_key = self.dir / "host_ed25519"
        keygen(self.host_key)
        self.config = self.dir / "sshd_config"
        self.log = self.dir / "sshd.log"
        self.config.write_text("\n".join([
            f"ListenAddress {ip}:{self.port}",
            f"HostKey {self.host_key}",
            f"PidFile {self.dir / 'sshd.pid'}",
            f"AuthorizedKeysFile {authorized_keys}",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UsePAM no",
            "LogLevel ERROR",
            "MaxStartups 50:30:100",
            f"ForceCommand /bin/sh {base / 'fake_mounts.sh'} {self.dir / 'mounts'}",
            "",
        ]))
        self.process: subprocess.Popen | None = None

    def known_hosts_line(self) -> str:
        kind, key, *_ = self.host_key.with_suffix(".pub").read_text().split()
        return f"[{self.ip}]:{self.port} {kind} {key}\n"

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.process = subprocess.Popen([SSHD, "-D", "-f", str(self.config), "-E", str(self.log)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd on {self.ip} exited: {self.log.read_text(errors='replace')[-500:]}")
            try:
                with socket.create_connection((self.ip, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"sshd on {self.ip}:{self.port} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class SimSsh:
    """The three sshd's, their keys and known_hosts, and a way to swap the logs they serve."""

    def __init__(self, ips=IPS):
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
        self._tmp = tempfile.TemporaryDirectory(prefix="obdoctor-simssh-")
        self.base = Path(self._tmp.name)
        self.client_key = self.base / "client_ed25519"
        keygen(self.client_key)
        self.authorized_keys = self.base / "authorized_keys"
        shutil.copy(self.client_key.with_suffix(".pub"), self.authorized_keys)
        self.user = getpass.getuser()
        (self.base / "fake_mounts.sh").write_text(FAKE_MOUNTS)
        self.nodes = {ip: Node(self.base, ip, self.authorized_keys) for ip in ips}
        self.known_hosts = self.base / "known_hosts"
        self.known_hosts.write_text("".join(n.known_hosts_line() for n in self.nodes.values()))
        for node in self.nodes.values():
            node.start()

    def targets(self, **overrides):
        """``{ip: SshTarget}`` for the SSH source."""
        from obdoctor.sources.ssh import SshTarget

        return {ip: SshTarget(ip=ip, port=n.port, user=self.user, key_file=str(self.client_key),
                              home_path=str(n.home), **overrides) for ip, n in self.nodes.items()}

    def load_bundle(self, bundle: Path) -> None:
        """Make each observer's ``log/`` hold the bundle's ``logs/<ip>/`` files (empty when absent),
        and serve its ``mounts/<ip>`` as that node's ``/proc/mounts`` (the real file when absent)."""
        mounts = Path(bundle) / "mounts"
        self.serve_mounts({p.name: p.read_text() for p in mounts.iterdir()} if mounts.is_dir() else {})
        for ip, node in self.nodes.items():
            log = node.home / "log"
            shutil.rmtree(log)
            source = Path(bundle) / "logs" / ip
            if source.is_dir():
                shutil.copytree(source, log)
            else:
                log.mkdir()

    def serve_mounts(self, texts: dict[str, str]) -> None:
        """Each named node answers ``cat /proc/mounts`` with its text; every other node with the real
        file. ``serve_mounts({})`` puts every node back on the real file."""
        self._serve("mounts", texts)

    def serve_zones(self, zones: dict[str, str]) -> None:
        """Each named node's shell runs with ``TZ`` set to its zone (a POSIX TZ string such as
        ``JST-9``, or a tz database name); every other node on the machine's. ``serve_zones({})``
        puts every node back."""
        self._serve("tz", zones)

    def _serve(self, name: str, texts: dict[str, str]) -> None:
        """The file ``name`` the ForceCommand wrapper reads, written for each node named, removed for the others."""
        for ip, node in self.nodes.items():
            path = node.dir / name
            if ip in texts:
                path.write_text(texts[ip])
            else:
                path.unlink(missing_ok=True)

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()
        self._tmp.cleanup()


class HangingListener:
    """A TCP port that accepts connections and never says a word: a hung node."""

    def __init__(self, ip: str = "127.0.0.5"):
        self.sock = socket.socket()
        self.sock.bind((ip, 0))
        self.sock.listen(16)
        self.ip, self.port = self.sock.getsockname()
        self._held: list[socket.socket] = []
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self._held.append(conn)
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        for conn in self._held:
            conn.close()
        self.sock.close()


_SHARED: SimSsh | None = None


def ssh_cluster() -> SimSsh:
    """The session's sshd's, started on first use and stopped when the interpreter exits."""
    global _SHARED
    reason = available()
    if reason:
        pytest.skip(reason)
    if _SHARED is None:
        _SHARED = SimSsh()
        atexit.register(_SHARED.stop)
    for node in _SHARED.nodes.values():  # a failure test may have stopped one
        node.start()
    return _SHARED


@pytest.fixture
def simssh() -> SimSsh:
    return ssh_cluster()
