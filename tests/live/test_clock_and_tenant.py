"""Issue 11 items 4 and 7 on the simulated cluster (MariaDB + the sshd's).

- one clock: the cluster's session zone is +08:00 (``SET GLOBAL time_zone``: every view time and
  NOW()), mariadbd's OS zone (``@@system_time_zone``) is UTC like the sshd's log lines; diagnose
  reads both variables, says the offset, finds the proving lines, and collect records the zones
  in the bundle's manifest so analyze agrees;
- ``--tenant`` filters rows and never changes the login (``root@sys``); ``--db-tenant`` takes names.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.live import livekit
from tests.live.simssh import simssh  # noqa: F401  (fixture)

SKEW = "clock-skew-utc-logs"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    return livekit.build_bundles(tmp_path_factory.mktemp("scenarios"))


def _diagnose(run_cli, config: Path, *extra: str):
    return run_cli("diagnose", "--config", config, "--format", "json", "--log-access", "ssh", "-q", *extra)


def test_skewed_cluster_is_confirmed_with_the_offset_the_server_says(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, SKEW, bundles[SKEW])
    with simdb.admin() as conn, conn.cursor() as cur:
        cur.execute("SELECT @@global.time_zone, @@system_time_zone")
        zone, system = cur.fetchone()
    assert zone == "+08:00" and system == "UTC", (zone, system)  # what makes this cluster skewed
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    result = _diagnose(run_cli, config)
    report = result.json()
    finding, = report["findings"]
    assert (finding["cause"], finding["verdict"], finding["servers"]) == ("dest_permission_denied", "confirmed",
                                                                          ["127.0.0.3"])
    note, = [n for n in report["source"]["notes"] if "behind the views'" in n]
    assert "log times are 8 h behind the views' (servers' zone UTC, views' zone +08:00, as the server says" in note
    assert report["source"]["collected_at"].startswith("2023-09-26 15:00:00")  # NOW() on the session's zone

    out = tmp_path / "skew.tar.gz"
    simssh.serve_zones({ip: "UTC0" for ip in simssh.nodes})  # the servers' shells on UTC, as @@system_time_zone
    try:
        assert run_cli("collect", "--config", config, "-o", out, "-q", "--log-access", "ssh").code == 0
    finally:
        simssh.serve_zones({})
    manifest = tomllib.loads(livekit.members(out)["manifest.toml"].decode())
    assert (manifest["cluster"]["time_zone"], manifest["cluster"]["system_time_zone"]) == ("+08:00", "UTC")
    assert manifest["cluster"]["collected_at"].utcoffset().total_seconds() == 8 * 3600
    assert manifest["cluster"]["server_time_zones"]["127.0.0.3"] == "+00:00"
    again = run_cli("analyze", out, "--format", "json").json()
    assert [(f["cause"], f["verdict"]) for f in again["findings"]] == [("dest_permission_denied", "confirmed")]
    # the zone read on the server decides before system_time_zone (both say UTC here)
    assert any("127.0.0.3: log times are 8 h behind the views' (servers' zone +00:00, views' zone +08:00, the zone "
               "read on 127.0.0.3 at collection" in n for n in again["source"]["notes"]), again["source"]["notes"]


def test_tenant_filters_rows_and_the_login_stays_root_at_sys(simdb, simssh, bundles, run_cli, tmp_path):
    livekit.load_scenario(simdb, simssh, "failed-42-comment", bundles["failed-42-comment"])
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    mine = _diagnose(run_cli, config, "--tenant", "1002").json()
    assert mine["source"]["location"].endswith(" as root@sys")  # not root@1002: the login never changes
    assert [(f["cause"], f["tenant_id"]) for f in mine["findings"]] == [("dest_permission_denied", 1002)]
    other = _diagnose(run_cli, config, "--tenant", "1004")
    assert other.json()["source"]["location"].endswith(" as root@sys")
    assert other.json()["findings"] == []  # filtered out, read with the same login
    # a login as root@1002 would have been refused (the server knows root@sys only): the rows
    # were read, so the connection was root@sys
    assert not any("could not be read" in n for n in other.json()["source"]["notes"])


def test_db_tenant_takes_a_name_not_an_id(simdb, simssh, run_cli, tmp_path):
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    refused = _diagnose(run_cli, config, "--db-tenant", "1002")
    assert refused.code == 2 and "--db-tenant takes the name" in refused.err  # one line on the command's stderr
    named = _diagnose(run_cli, config, "--db-tenant", "sys")
    assert named.json()["source"]["location"].endswith(" as root@sys")
