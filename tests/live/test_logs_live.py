"""``obdoctor logs search|trace --live``: the cluster's logs over real sshd, same lines as on files.

The simulated observers on 127.0.0.2-4 serve a scenario's ``logs/<ip>/``; searching them over
SSH must print exactly what searching the bundle's copies prints (same servers, file names,
line numbers, text), and an unreachable server is named, not hidden.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live import livekit
from tests.live.simssh import free_port, simssh  # noqa: F401  (simssh: fixture)

RS_TRACE = "YB427F000002-0005E98EBF8D9DC7-0-0"  # failed-41-chain: the root service's trace


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return livekit.build_bundles(tmp_path_factory.mktemp("scenarios"))["failed-41-chain"]


def ssh_only_config(path: Path, cluster, *, down: str | None = None) -> Path:
    """A config with no database: ``logs --live`` needs only the servers."""
    lines = ["[ssh]", f'username = "{cluster.user}"', f'key_file = "{cluster.client_key}"',
             f'known_hosts = "{cluster.known_hosts}"', "timeout = 20"]
    for ip, node in cluster.nodes.items():
        port = free_port(ip) if ip == down else node.port  # nothing listens there: refused
        lines += ["[[servers]]", f'ip = "{ip}"', f"port = {port}", f'home_path = "{node.home}"']
    path.write_text("\n".join(lines) + "\n")
    return path


def test_trace_live_prints_what_the_files_hold(simssh, bundle, run_cli, tmp_path):
    simssh.load_bundle(bundle)
    config = ssh_only_config(tmp_path / "ssh.toml", simssh)
    live = run_cli("logs", "trace", RS_TRACE, "--live", "--config", config, "-q", "--log-access", "ssh")
    offline = run_cli("logs", "trace", RS_TRACE, bundle)
    assert live.code == offline.code == 0, live.err
    assert live.out == offline.out and live.out.count("\n") >= 2
    assert "started by 127.0.0.2:2882" in live.err


def test_search_live_equals_the_bundle_and_filters_levels(simssh, bundle, run_cli, tmp_path):
    simssh.load_bundle(bundle)
    config = ssh_only_config(tmp_path / "ssh.toml", simssh)
    common = ("-e", "ret=-9082", "--level", "WDIAG")
    live = run_cli("logs", "search", *common, "--live", "--config", config, "-q", "--log-access", "ssh")
    offline = run_cli("logs", "search", *common, bundle)
    assert live.code == offline.code == 0, live.err
    assert sorted(live.out.splitlines()) == sorted(offline.out.splitlines())
    assert {line.split(":")[0] for line in live.out.splitlines()} == {"127.0.0.2", "127.0.0.3"}
    counted = run_cli("logs", "search", *common, "--count", "--live", "--config", config, "-q", "--log-access", "ssh")
    assert counted.out.strip() == str(len(live.out.splitlines()))


def test_count_live_is_exact_past_the_records_brought_back(simssh, bundle, run_cli, tmp_path, monkeypatch):
    from obdoctor.cli import logs

    simssh.load_bundle(bundle)
    config = ssh_only_config(tmp_path / "ssh.toml", simssh)
    offline = run_cli("logs", "search", "--count", "-e", "ret=", bundle)
    monkeypatch.setattr(logs, "LIVE_LIMIT", 3)  # fewer records brought back than there are matches
    live = run_cli("logs", "search", "--count", "-e", "ret=", "--live", "--config", config, "-q", "--log-access", "ssh")
    assert int(offline.out) > 3 and live.out == offline.out, live.err
    level_only = run_cli("logs", "search", "--count", "--level", "WDIAG", "--live", "--config", config, "-q",
                         "--log-access", "ssh")
    assert level_only.out == run_cli("logs", "search", "--count", "--level", "WDIAG", bundle).out, level_only.err


def test_an_unreachable_server_is_named_and_the_others_still_answer(simssh, bundle, run_cli, tmp_path):
    simssh.load_bundle(bundle)
    config = ssh_only_config(tmp_path / "ssh.toml", simssh, down="127.0.0.4")
    live = run_cli("logs", "search", "-e", "ret=-9082", "--live", "--config", config, "-q", "--log-access", "ssh",
                   "--accept-unknown-hosts")  # so that what stops 127.0.0.4 is the closed port, not its key
    assert live.code == 0 and live.out
    assert "127.0.0.4" in live.err and "refused" in live.err, live.err


def test_paths_or_live_not_both_not_neither(simssh, bundle, run_cli, tmp_path):
    config = ssh_only_config(tmp_path / "ssh.toml", simssh)
    neither = run_cli("logs", "search", "-e", "x")
    both = run_cli("logs", "trace", RS_TRACE, bundle, "--live", "--config", config)
    assert neither.code == both.code == 2
    assert "--live" in neither.err and "not both" in both.err
    nothing = run_cli("logs", "search", "-e", "x", "--live", env={"HOME": str(tmp_path)})  # no config anywhere
    assert nothing.code == 2 and "no cluster" in nothing.err


def test_codes_live_tallies_on_each_server_what_the_files_hold(simssh, bundle, run_cli, tmp_path):
    """``logs codes --live``: awk tallies each server's files where they are, only tallies come
    back over SSH, and the merged table is the bundle's (every code, count, server, file,
    tenant, module, first/last, sample), filters included."""
    import json

    simssh.load_bundle(bundle)
    config = ssh_only_config(tmp_path / "ssh.toml", simssh)
    live_args = ("--live", "--config", config, "-q", "--log-access", "ssh")
    for extra in ((), ("--level", "WDIAG"), ("--tenant", "1")):
        live = run_cli("logs", "codes", "--format", "json", *extra, *live_args)
        offline = run_cli("logs", "codes", "--format", "json", *extra, bundle)
        assert live.code == offline.code == 0, live.err
        got, want = json.loads(live.out), json.loads(offline.out)
        assert got["codes"] == want["codes"] and len(got["codes"]) >= (1 if extra else 2), extra
        assert sorted(got["files_searched"]) == sorted(p.split("logs/", 1)[1] for p in want["files_searched"])
    local = run_cli("logs", "codes", "--format", "json", "--live", "--config", config, "-q", "--log-access", "auto")
    assert json.loads(local.out)["codes"] == json.loads(run_cli("logs", "codes", "--format", "json", bundle).out)["codes"]
    text = run_cli("logs", "codes", *live_args).out.splitlines()
    assert text[1:] == run_cli("logs", "codes", bundle).out.splitlines()[1:]
    assert "of 3 server(s)" in text[0] or "of 2 server(s)" in text[0]
