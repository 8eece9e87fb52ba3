"""``obdoctor check`` on the simulated cluster gives what it gives on the same evidence as a bundle.

Every case of tests/check/cases.toml is loaded into MariaDB (its dropped views left out, so they
answer 1146 as a missing view does) and checked through the whole command, live; the statuses and
summaries must be the offline ones, and the exit code Nagios'.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.kit import BY_NAME, CASE_NAMES, bundle, omitted, scenario
from tests.live.simssh import simssh  # noqa: F401  (fixture)


def _config(path: Path, db) -> Path:
    path.write_text("\n".join([
        "[cluster]", 'name = "obcluster"',
        "[db]", 'host = "127.0.0.1"', f"port = {db.port}", 'user = "root@sys"', f'password = "{db.password}"',
        "connect_timeout = 5", "read_timeout = 10",
    ]) + "\n")
    return path


def _statuses(result) -> list[tuple]:
    return [(c["check"], c["tenant_id"], c["status"], c["summary"]) for c in result.json()["checks"]]


# A view the column catalogue does not know, declared with no row, cannot be created in MariaDB
# (no column to create it with): live it is missing, offline it is an empty file.
NOT_COMPARABLE = {"clean-no-policy"}


@pytest.mark.parametrize("name", [n for n in CASE_NAMES if n not in NOT_COMPARABLE])
def test_live_check_matches_offline(simdb, run_cli, tmp_path, name):
    case = BY_NAME[name]
    try:
        simdb.load(scenario(case), omit=omitted(case))
    except ValueError as exc:
        pytest.skip(f"the simulated database cannot hold case {name}: {exc}")
    config = _config(tmp_path / "obdoctor.toml", simdb)
    extra = ["--restore-to", case["restore_to"]] if case.get("restore_to") else []
    live = run_cli("check", "--config", config, "-q", "--format", "json", "--db", tmp_path / "no-history", *extra)
    offline = run_cli("check", bundle(case, tmp_path), "--format", "json", "--db", tmp_path / "no-history", *extra)
    assert live.json()["source"]["kind"] == "live"
    live_checks = [c for c in _statuses(live) if c[0] != "destination_space"]
    offline_checks = _statuses(offline)
    # unknown summaries name the view; the reasons differ (1146 live, "not in the bundle" offline)
    assert [c[:3] for c in live_checks] == [c[:3] for c in offline_checks]
    assert [c[3] for c in live_checks if c[2] != "unknown"] == [c[3] for c in offline_checks if c[2] != "unknown"]
    expected = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}[live.json()["status"]]
    assert live.code == expected
    assert simdb.password not in live.out


def test_live_file_destination_space_is_unknown_with_its_command(simdb, run_cli, tmp_path):
    simdb.load(scenario(BY_NAME["destination-ok"]))
    result = run_cli("check", "--config", _config(tmp_path / "obdoctor.toml", simdb), "-q", "--format", "json",
                     "--db", tmp_path / "no-history")
    space = [c for c in result.json()["checks"] if c["check"] == "destination_space"]
    assert len(space) == 1 and space[0]["status"] == "unknown" and "df -P" in space[0]["query"]
    assert result.code == 3, "a check that could not run, nothing worse: UNKNOWN"


def test_live_without_a_cluster_is_unknown(run_cli, tmp_path):
    result = run_cli("check", "--format", "nagios", env={"HOME": str(tmp_path)})
    assert result.code == 3 and "no cluster" in result.err


def test_live_space_of_a_file_destination_over_ssh(simdb, simssh, run_cli, tmp_path):
    """df and /proc/mounts over the real sshd's: a directory of this machine is no shared NFS share."""
    from tests.live import livekit

    destination = tmp_path / "nfs" / "backup"
    destination.mkdir(parents=True)
    case = {"name": "space", "replace": {"CDB_OB_BACKUP_PARAMETER": [
        {"TENANT_ID": 1002, "NAME": "data_backup_dest", "VALUE": f"file://{destination}"}]}}
    simdb.load(scenario(case))
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    result = run_cli("check", "--config", config, "-q", "--format", "json", "--log-access", "ssh",
                     "--db", tmp_path / "no-history")
    space = next(c for c in result.json()["checks"] if c["check"] == "destination_space")
    servers = {step["provenance"][0]["server"] for step in space["evidence"] if step["provenance"]}
    assert servers == set(simssh.nodes), space
    assert space["status"] in ("warning", "critical") and "not an NFS share" in space["summary"]
    mine = [s for s in space["details"]["servers"] if s["path"] == str(destination)]
    assert len(mine) == 3 and all(s["free_percent"] is not None and s["error"] is None for s in mine), mine
    # the archive destination of the base (/data/nfs/archive) does not exist here: said per server
    assert all("No such file" in s["error"] for s in space["details"]["servers"] if s["path"] == "/data/nfs/archive")
