"""``diagnose`` on a live cluster reaches the findings ``analyze`` reaches on the bundle.

Two layers:

- the SSH half alone (views from the scenario's bundle, logs from the real sshd's): every
  scenario, and the SSH failure modes (node down, hung, unknown host key, hostile trace id);
- the whole command (``obdoctor diagnose --config``) on the simulated cluster — MariaDB from
  ``tests/live/simdb.py`` plus the sshd's — every scenario, and the database failure modes.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from obdoctor.sources.ssh import SshTarget
from tests.live import livekit
from tests.live.livekit import NAMES, all_unchecked, finding_keys, live_over_bundle_tables, offline, run
from tests.live.simssh import HangingListener, simssh  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    return livekit.build_bundles(tmp_path_factory.mktemp("scenarios"))


# -- the SSH half -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_logs_over_ssh_give_the_bundle_findings(simssh, bundles, name):
    bundle = bundles[name]
    simssh.load_bundle(bundle)
    source, ssh = live_over_bundle_tables(simssh, bundle)
    with source:
        live, live_code = run(source)
    expected, expected_code = offline(bundle)
    assert finding_keys(live) == finding_keys(expected)
    assert live_code == expected_code
    # only the servers the queries named were contacted; all configured ones only for a query naming none
    searches = [r for r in live["sources_read"] if "log_search" in r]
    asked = {s for r in searches for s in r["servers"]}
    if any(not r["servers"] for r in searches):
        asked |= set(simssh.nodes)
    asked |= set(source.clock_servers)  # the servers that made the clock's anchor traces (evidence.clock)
    asked |= {p["server"] for f in live["findings"] for step in f["evidence"]  # a file:// destination's mounts
              if step["looked_at"].startswith("/proc/mounts on") for p in step["provenance"]}
    assert set(ssh.stats) <= asked


def test_failed_job_touches_only_the_two_servers_involved(simssh, bundles):
    simssh.load_bundle(bundles["failed-41-chain"])
    source, ssh = live_over_bundle_tables(simssh, bundles["failed-41-chain"])
    with source:
        report, code = run(source)
    assert code == 1 and set(ssh.stats) == {"127.0.0.2", "127.0.0.3"}
    assert all(s.bytes_received < 20_000 for s in ssh.stats.values())  # matching lines only, not 100 KB logs


def test_sshd_down_on_the_executing_node(simssh, bundles):
    simssh.load_bundle(bundles["failed-41-chain"])
    simssh.nodes["127.0.0.3"].stop()
    try:
        source, _ = live_over_bundle_tables(simssh, bundles["failed-41-chain"])
        with source:
            report, code = run(source)
    finally:
        simssh.nodes["127.0.0.3"].start()
    assert "127.0.0.3" in all_unchecked(report) and "connection refused" in all_unchecked(report)
    assert [(f["cause"], f["verdict"]) for f in report["findings"]] == [("dest_out_of_space", "likely")], \
        "the views alone still name the failure, unproven"
    assert code == 1


def test_hanging_node_is_reported_after_its_timeout(simssh, bundles):
    simssh.load_bundle(bundles["failed-41-chain"])
    hang = HangingListener("127.0.0.3")
    targets = simssh.targets()
    targets["127.0.0.3"] = SshTarget(ip="127.0.0.3", port=hang.port, user=simssh.user,
                                     key_file=str(simssh.client_key), home_path="/nonexistent")
    known = simssh.base / "known_hosts.hang"
    node = simssh.nodes["127.0.0.3"]
    known.write_text(simssh.known_hosts.read_text() + node.known_hosts_line().replace(f":{node.port} ", f":{hang.port} "))
    try:
        started = time.monotonic()
        source, _ = live_over_bundle_tables(simssh, bundles["failed-41-chain"], targets=targets, known_hosts=known,
                                            connect_timeout=1.5)
        with source:
            report, code = run(source)
        elapsed = time.monotonic() - started
    finally:
        hang.close()
    assert elapsed < 10, "one hung node must not hold the run for long"
    text = all_unchecked(report)
    assert "127.0.0.3" in text and "within 1.5s" in text
    assert report["findings"] and code in (1, 3)


def test_unknown_host_keys_are_refused(simssh, bundles, tmp_path):
    simssh.load_bundle(bundles["failed-41-chain"])
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    source, ssh = live_over_bundle_tables(simssh, bundles["failed-41-chain"], known_hosts=empty)
    with source:
        report, code = run(source)
    text = all_unchecked(report)
    assert "127.0.0.2" in text and "not in" in text and "refused" in text
    assert all(s.commands == 0 for s in ssh.stats.values()), "nothing was run on an unverified host"
    # the views still name the cause; without the log line that proves it, it is only "likely"
    assert [(f["cause"], f["verdict"]) for f in report["findings"]] == [("dest_out_of_space", "likely")]
    assert code == 1


def test_hostile_trace_id_in_the_evidence_is_never_run(simssh, bundles, tmp_path):
    bundle = tmp_path / "hostile"
    shutil.copytree(bundles["failed-41-chain"], bundle)
    canary = tmp_path / "CANARY"
    events = bundle / "sql" / "DBA_OB_ROOTSERVICE_EVENT_HISTORY.txt"
    rs_trace = "YB427F000002-0005E98EBF8D9DC7-0-0"
    hostile = f"Y1-$(touch {canary})"
    events.write_text(events.read_text().replace(rs_trace + " ", hostile + " ", 1))
    ls = bundle / "sql" / "__all_virtual_backup_ls_task_history.txt"
    ls.write_text(ls.read_text().replace("YB427F000002-0005E98EBF2D9DBE-0-0", f"Y2-'; touch {canary}; '"))
    simssh.load_bundle(bundle)
    source, ssh = live_over_bundle_tables(simssh, bundle)
    with source:
        report, code = run(source)
    assert not canary.exists()
    assert not any("touch" in command for _server, command in ssh.sent)
    assert code == 1 and report["findings"], "the failure is still found through the code in the logs"


# -- the whole command on the simulated cluster (MariaDB + sshd) ----------------------------------
def diagnose_cli(run_cli, config: Path, *extra: str, env: dict | None = None):
    return run_cli("diagnose", "--config", config, "--format", "json", "--log-access", "ssh", *extra, env=env or {})


@pytest.mark.parametrize("name", NAMES)
def test_diagnose_and_collect_give_the_findings_of_analyze(simdb, simssh, bundles, run_cli, tmp_path, name):
    """diagnose == analyze on the bundle, and collect then analyze == diagnose (one load per scenario)."""
    livekit.load_scenario(simdb, simssh, name, bundles[name])
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    live = diagnose_cli(run_cli, config, "-q")
    expected = run_cli("analyze", bundles[name], "--format", "json")
    assert live.err == "", live.err
    assert finding_keys(live.json()) == finding_keys(expected.json())
    assert live.code == expected.code
    assert live.json()["source"]["kind"] == "live"
    assert simdb.password not in live.out

    out = tmp_path / f"{name}.tar.gz"
    collected = run_cli("collect", "--config", config, "-o", out, "-q", "--log-access", "ssh")
    assert collected.code == 0 and f"wrote {out}" in collected.err, collected.err
    again = run_cli("analyze", out, "--format", "json")
    assert finding_keys(again.json()) == finding_keys(live.json())
    assert again.code == live.code
    livekit.check_collected(out, bundles[name], simdb.password)


def test_progress_per_server_on_stderr(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-41-chain", bundles["failed-41-chain"])
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    result = diagnose_cli(run_cli, config)
    assert result.code == 1
    assert "[127.0.0.2] connecting" in result.err and "[127.0.0.3]" in result.err
    assert "matching line(s)" in result.err and "127.0.0.4" not in result.err
    assert simdb.password not in result.err


def test_obdiag_config_is_used_when_no_config_is_given(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-42-comment", bundles["failed-42-comment"])
    livekit.write_obdiag_yaml(tmp_path, simdb, simssh)
    env = {"HOME": str(tmp_path), "OBDOCTOR_KNOWN_HOSTS": str(simssh.known_hosts)}
    # the global home_path is wrong on purpose: per-node values win, as in obdiag
    result = run_cli("diagnose", "--format", "json", "-q", "--log-access", "ssh", env=env)
    expected = run_cli("analyze", bundles["failed-42-comment"], "--format", "json")
    assert finding_keys(result.json()) == finding_keys(expected.json()) and result.code == expected.code


def test_a_missing_view_is_listed_not_fatal(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-41-chain", bundles["failed-41-chain"],
                          omit=["DBA_OB_ROOTSERVICE_EVENT_HISTORY", "__all_rootservice_event_history"])
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    result = diagnose_cli(run_cli, config, "-q")
    report = result.json()
    views = {s["view"]: s for s in report["sources_read"] if "view" in s}
    missing = views["DBA_OB_ROOTSERVICE_EVENT_HISTORY"]
    assert not missing["available"] and "1146" in missing["reason"]
    assert result.code in (1, 3) and report["findings"], "the job history still shows the FAILED job"


def test_mariadb_stopped_mid_run(private_simdb, simssh, bundles):
    """The database dies after the first views: the rest are 'could not check', logs still searched."""
    from obdoctor.sources.live import LiveSource
    from obdoctor.sources.mysql import MySqlSource

    livekit.load_scenario(private_simdb, simssh, "failed-41-chain", bundles["failed-41-chain"])
    sql = MySqlSource(private_simdb.config())
    reads = []

    class StopsAfterTwoReads:
        def info(self):
            return sql.info()

        def read_table(self, name):
            reads.append(name)
            if len(reads) == 3:
                private_simdb.stop()
            return sql.read_table(name)

    ssh = livekit.searcher(simssh)
    started = time.monotonic()
    with LiveSource(StopsAfterTwoReads(), ssh) as source:
        report, code = run(source)
    assert time.monotonic() - started < 30
    views = [s for s in report["sources_read"] if "view" in s]
    lost = [s for s in views if not s["available"]]
    assert lost and all("127.0.0.1" in s["reason"] for s in lost), lost
    assert any(s["available"] for s in views)
    assert code in (1, 3)
    assert private_simdb.password not in str(report)


def test_database_down_from_the_start_is_undiagnosed_not_a_crash(simdb, simssh, run_cli, tmp_path):
    from tests.live.simdb import free_port

    class Closed:
        port = free_port()
        password = "x"

    config = livekit.write_config(tmp_path / "obdoctor.toml", Closed, simssh, connect_timeout=2)
    result = diagnose_cli(run_cli, config, "-q")
    # 3, or 1 when the logs an earlier test left on the nodes prove a failure on their own (issue 11)
    assert result.code in (1, 3), result.err
    assert "Traceback" not in result.err and "cannot connect" in result.out


def test_on_the_observer_host_logs_are_read_directly(simdb, simssh, bundles, run_cli, tmp_path):
    """Every 127.x address is this machine: with the default --log-access auto, no SSH at all."""
    livekit.load_scenario(simdb, simssh, "failed-41-chain", bundles["failed-41-chain"])
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    text = run_cli("diagnose", "--config", config)
    assert text.code == 1 and "-9082" in text.out
    assert "read locally" in text.err and "connecting" not in text.err
    as_json = run_cli("diagnose", "--config", config, "--format", "json", "-q")
    expected = run_cli("analyze", bundles["failed-41-chain"], "--format", "json")
    assert finding_keys(as_json.json()) == finding_keys(expected.json()) and as_json.err == ""


def test_bad_config_is_a_usage_error(run_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[db]\nport = 'many'\n")
    result = run_cli("diagnose", "--config", bad)
    assert result.code == 2 and "port" in result.err and "Traceback" not in result.err
    assert run_cli("diagnose", "--config", tmp_path / "absent.toml").code == 2
    nothing = run_cli("diagnose", env={"HOME": str(tmp_path)})
    assert nothing.code == 2 and "no cluster to diagnose" in nothing.err


# -- failure modes through the whole command ---------------------------------------------------------
def _could_not_check(report: dict) -> str:
    return all_unchecked(report)


def test_cli_sshd_down_on_one_node(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-41-chain", bundles["failed-41-chain"])
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    simssh.nodes["127.0.0.3"].stop()
    try:
        result = diagnose_cli(run_cli, config)
        text = run_cli("diagnose", "--config", config, "-q", "--log-access", "ssh")
    finally:
        simssh.nodes["127.0.0.3"].start()
    assert result.code == 1
    assert "[127.0.0.3] FAILED" in result.err
    assert "127.0.0.3" in _could_not_check(result.json()) and "connection refused" in _could_not_check(result.json())
    assert [(f["cause"], f["verdict"]) for f in result.json()["findings"]] == [("dest_out_of_space", "likely")]
    assert "connection refused" in text.out, "the text report lists what could not be checked"


def test_cli_hung_node_times_out(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-41-chain", bundles["failed-41-chain"])
    hang = HangingListener("127.0.0.3")
    node = simssh.nodes["127.0.0.3"]
    known = tmp_path / "known_hosts"
    known.write_text(simssh.known_hosts.read_text() + node.known_hosts_line().replace(f":{node.port} ", f":{hang.port} "))
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh, known_hosts=known, connect_timeout=1.5,
                                  nodes={"127.0.0.3": (hang.port, node.home)})
    try:
        started = time.monotonic()
        result = diagnose_cli(run_cli, config, "-q")
        elapsed = time.monotonic() - started
    finally:
        hang.close()
    assert elapsed < 15
    assert result.code == 1 and "within 1.5s" in _could_not_check(result.json())


def test_cli_unknown_host_keys_refused(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-42-comment", bundles["failed-42-comment"])
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh, known_hosts=empty)
    refused = diagnose_cli(run_cli, config, "-q")
    assert "refused" in _could_not_check(refused.json()) and "--accept-unknown-hosts" in _could_not_check(refused.json())
    assert all(f["verdict"] != "confirmed" for f in refused.json()["findings"])
    accepted = diagnose_cli(run_cli, config, "-q", "--accept-unknown-hosts")
    expected = run_cli("analyze", bundles["failed-42-comment"], "--format", "json")
    assert finding_keys(accepted.json()) == finding_keys(expected.json())
    assert any("not verified" in n for n in accepted.json()["source"]["notes"])


def test_cli_hostile_trace_id_in_the_views(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-41-chain", bundles["failed-41-chain"])
    canary = tmp_path / "CANARY"
    simdb.execute_admin("UPDATE `oceanbase`.`DBA_OB_ROOTSERVICE_EVENT_HISTORY` SET `VALUE4` = %s "
                        "WHERE `EVENT` = 'deal with failed job'", (f"Y1-$(touch {canary})",))
    simdb.execute_admin("UPDATE `oceanbase`.`__all_virtual_backup_ls_task_history` SET `task_trace_id` = %s",
                        (f"Y2-'; touch {canary}; '",))
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    result = diagnose_cli(run_cli, config, "-q")
    assert not canary.exists()
    assert result.code == 1 and result.json()["findings"], "still found through the code in observer.log"
    assert "Traceback" not in result.err
