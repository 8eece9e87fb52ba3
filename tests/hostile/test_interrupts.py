"""Stopping obdoctor is clean: Ctrl-C (or SIGTERM) while a live search waits on a hanging node
exits 130 (143) with one line, not asyncssh's traceback; absurd input is a usage error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live.simssh import HangingListener


@pytest.mark.live
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_stopping_a_live_search_on_a_hanging_node(simssh, tmp_path: Path, signum: int, code: int) -> None:
    hang = HangingListener("127.0.0.5")
    try:
        node = simssh.nodes["127.0.0.2"]
        known_hosts = tmp_path / "known_hosts"  # listed, so the wait is for the banner that never comes
        known_hosts.write_text(node.known_hosts_line().replace(f"[127.0.0.2]:{node.port}", f"[127.0.0.5]:{hang.port}"))
        config = tmp_path / "ssh.toml"
        config.write_text("\n".join([
            "[ssh]", f'username = "{simssh.user}"', f'key_file = "{simssh.client_key}"',
            f'known_hosts = "{known_hosts}"', "timeout = 60",
            "[[servers]]", 'ip = "127.0.0.5"', f"port = {hang.port}", f'home_path = "{tmp_path}"']) + "\n")
        run = subprocess.Popen([sys.executable, "-m", "obdoctor.cli.main", "logs", "search", "-e", "ret=", "--live",
                                "--config", str(config), "--log-access", "ssh"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "OBDOCTOR_CONNECT_TIMEOUT": "60"})
        try:
            assert "connecting to" in run.stderr.readline()
            time.sleep(0.5)  # inside asyncssh's connect, waiting for the banner
            run.send_signal(signum)
            _out, err = run.communicate(timeout=30)
        finally:
            if run.poll() is None:
                run.kill()
    finally:
        hang.close()
    assert run.returncode == code, err
    assert "Traceback" not in err and "Task was destroyed" not in err and "Event loop is closed" not in err, err
    assert err.strip().splitlines()[-1] in ("obdoctor: interrupted", "obdoctor: terminated (SIGTERM)")


@pytest.mark.parametrize("argv", [["9" * 5000], ["-" + "9" * 5000], ["ret=-" + "1" * 30], ["x " * 3000]])
def test_absurd_explain_input_is_a_usage_error(run_cli, argv: list[str]) -> None:
    result = run_cli("explain", "--", *argv)
    assert result.code == 2 and "internal error" not in result.err
    assert len(result.err) < 300  # the input is not echoed back
