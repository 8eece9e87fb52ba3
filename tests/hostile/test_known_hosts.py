"""known_hosts never fails open. Before: one malformed line made the whole file unreadable, every
host looked unlisted, and ``--accept-unknown-hosts`` connected to a host whose key had changed.
Unit tests on the reader, then the real sshd's of the simulated cluster (tests/live)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from obdoctor.evidence import LogQuery
from obdoctor.sources.known_hosts import KnownHosts
from obdoctor.sources.ssh import SshLogSearcher, SshOptions
from tests.conftest import EXAMPLES

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAru1hSNtI0Nm3IJEgIRhFc/hkdu61hNfH1xEkqNtq2"
MALFORMED = [
    "garbage",
    "127.0.0.9",
    "127.0.0.9 ssh-ed25519",
    "127.0.0.9 ssh-ed25519 !!!not-base64!!!",
    "@bogus-marker 127.0.0.9 " + KEY,
    "|1|notbase64|x " + KEY,
    "\x00\x01\x02",
    "127.0.0.9 ssh-rsa AAAAB3NzaC1yc2E",
]


def _file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "known_hosts"
    path.write_text("".join(line + "\n" for line in lines))
    return path


@pytest.mark.parametrize("bad", MALFORMED)
def test_a_malformed_line_is_skipped_with_a_warning_and_the_rest_is_read(tmp_path: Path, bad: str) -> None:
    known = KnownHosts(_file(tmp_path, "# comment", "", bad, f"[127.0.0.2]:2022 {KEY}"))
    assert known.status("127.0.0.2", 2022).state == "listed"
    assert known.status("127.0.0.7", 22).state == "unknown"
    assert len(known.warnings) <= 1 and all("line 3" in w and "malformed" in w for w in known.warnings)


def test_a_host_named_only_by_an_unreadable_line_is_not_unknown(tmp_path: Path) -> None:
    known = KnownHosts(_file(tmp_path, "127.0.0.5 ssh-ed25519 AAAAbroken", f"[127.0.0.6]:2022 ssh-ed25519 AAAA!!",
                             f"127.0.0.7 {KEY}"))
    assert known.status("127.0.0.5", 22).state == "unreadable"
    assert known.status("127.0.0.6", 2022).state == "unreadable"
    status = known.status("127.0.0.7", 22)
    assert status.state == "listed" and status.lines == [3]


def test_hashed_names_and_markers(tmp_path: Path) -> None:
    hashed = subprocess.run(["ssh-keygen", "-H", "-f", "-"], input=f"127.0.0.8 {KEY}\n", capture_output=True,
                            text=True)
    lines = [l for l in hashed.stdout.splitlines() if l.startswith("|1|")] if hashed.returncode == 0 else []
    known = KnownHosts(_file(tmp_path, *lines, f"@revoked 127.0.0.4 {KEY}"))
    if lines:
        assert known.status("127.0.0.8", 22).state == "listed"
    assert known.status("127.0.0.4", 22).state == "listed"  # listed as revoked: asyncssh refuses it


def test_an_unreadable_file_is_not_an_empty_one(tmp_path: Path) -> None:
    directory = tmp_path / "known_hosts"
    directory.mkdir()  # reading a directory fails: not "no entries"
    assert KnownHosts(directory).status("127.0.0.2", 22).state == "unreadable"
    assert KnownHosts(tmp_path / "missing").status("127.0.0.2", 22).state == "unknown"


# -- against the real sshd's --------------------------------------------------------------------
QUERY = LogQuery(servers=("127.0.0.2", "127.0.0.3"), kinds=("observer", "rootservice"), any_of=("ret=-9082",))


def _searcher(cluster, known_hosts: Path, warnings: list[str], **options) -> SshLogSearcher:
    opts = SshOptions(known_hosts=str(known_hosts), local_reads="never", connect_timeout=5, **options)
    return SshLogSearcher(cluster.targets(), opts, warn=warnings.append)


def _other_key(tmp_path: Path) -> list[str]:
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    return other.with_suffix(".pub").read_text().split()[:2]


@pytest.mark.live
def test_malformed_lines_and_a_changed_key_refused_even_with_accept_unknown_hosts(simssh, tmp_path: Path) -> None:
    simssh.load_bundle(EXAMPLES / "failed-41-chain")
    node = simssh.nodes["127.0.0.3"]
    kind, key = _other_key(tmp_path)
    lines = simssh.known_hosts.read_text().replace(node.known_hosts_line(), f"[127.0.0.3]:{node.port} {kind} {key}\n")
    known_hosts = _file(tmp_path, *MALFORMED, *lines.splitlines())
    warnings: list[str] = []
    with _searcher(simssh, known_hosts, warnings, accept_unknown_hosts=True) as ssh:
        result = ssh.search(QUERY)
    assert result.total_matches == 2 and {r.server for r in result.records} == {"127.0.0.2"}  # still answered
    assert len(result.unchecked) == 1
    assert "127.0.0.3" in result.unchecked[0] and "CHANGED" in result.unchecked[0] and "refused" in result.unchecked[0]
    assert len([w for w in warnings if "malformed" in w]) == len(MALFORMED)
    assert not ssh.notes  # nothing was accepted unverified


@pytest.mark.live
def test_a_host_named_only_by_a_broken_line_is_refused_even_with_accept_unknown_hosts(simssh, tmp_path) -> None:
    simssh.load_bundle(EXAMPLES / "failed-41-chain")
    node = simssh.nodes["127.0.0.3"]
    broken = f"[127.0.0.3]:{node.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAbroken"
    known_hosts = _file(tmp_path, *simssh.known_hosts.read_text().replace(node.known_hosts_line(), broken + "\n")
                        .splitlines())
    with _searcher(simssh, known_hosts, [], accept_unknown_hosts=True) as ssh:
        result = ssh.search(QUERY)
    assert len(result.unchecked) == 1 and "cannot be read" in result.unchecked[0] and "127.0.0.3" in result.unchecked[0]
    assert result.total_matches == 2


@pytest.mark.live
def test_an_unverified_host_is_named_on_stderr(simssh, tmp_path: Path, capsys) -> None:
    simssh.load_bundle(EXAMPLES / "failed-41-chain")
    known_hosts = _file(tmp_path, "garbage")
    opts = SshOptions(known_hosts=str(known_hosts), local_reads="never", connect_timeout=5, accept_unknown_hosts=True)
    with SshLogSearcher(simssh.targets(), opts) as ssh:  # the default warning goes to stderr, --quiet or not
        result = ssh.search(QUERY)
    err = capsys.readouterr().err
    assert result.total_matches == 4
    assert "line 1: malformed" in err
    for ip in ("127.0.0.2", "127.0.0.3"):
        assert f"server {ip}: host key of {ip}:" in err and "not verified" in err
