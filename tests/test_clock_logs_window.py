"""``obdoctor logs search``/``logs codes`` on a bundle read ``--since``/``--until`` on the bundle's
clock, not on the machine the command runs on.

The case: views on +08:00, servers logging in UTC (OceanBase writes view times on the session
zone and log lines on the OS zone: docs "Time zone" pages of OceanBase 4.x, ``time_zone`` and
``system_time_zone``). A DBA on a laptop in a third zone types the times the report showed; the
window must land on the servers' lines 8 h earlier by their stamps, and say so on stderr. A
plain log file (no bundle) keeps grep's reading: times as written, relative to this machine.
"""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main

HEAD = "INFO  [RS] check_alive_ (ob_backup_task_scheduler.cpp:1394) [46090][T1_BACKUP_SC][T1]"
LINES = {
    # on the servers' clock (UTC): 14:29:03 on the views' clock (+08:00)
    "proof": f"[2023-09-26 06:29:03.270538] {HEAD}[YB427F000003-0002C77FFEFEDEB8-0-0] [lt=12] proof line(ret=-4016)\n",
    # the same wall time as the report's: 22:29:03 on the views' clock, outside the window
    "decoy": f"[2023-09-26 14:29:03.000001] {HEAD}[YB427F000003-0002C77FFEFEDEB9-0-0] [lt=12] decoy line(ret=-4018)\n",
}
MANIFEST = ('[cluster]\nname = "c"\ncollected_at = 2023-09-26T15:00:00\ntime_zone = "+08:00"\n'
            'system_time_zone = "UTC"\n')


def make_bundle(root, manifest: str = MANIFEST, servers=("127.0.0.3",)):
    for server in servers:
        logs = root / "logs" / server
        logs.mkdir(parents=True)
        (logs / "observer.log").write_text(LINES["proof"] + LINES["decoy"])
    (root / "manifest.toml").write_text(manifest)
    return root


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, env={"TZ": "America/Los_Angeles"}))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("window", [
    ("--since", "2023-09-26 14:29", "--until", "2023-09-26 14:30"),  # the report's times
    ("--since", "31m", "--until", "30m"),  # before collected_at (15:00 on the views' clock)
    ("--since", "2023-09-26T06:29:00Z", "--until", "2023-09-26T06:30:00+00:00"),  # instants
])
def test_a_bundle_window_is_read_on_the_views_clock_and_searched_on_the_servers(tmp_path, window):
    bundle = make_bundle(tmp_path / "b")
    code, out, err = run("logs", "search", "-e", "line", *window, str(bundle))
    assert code == 0, err
    assert "proof line" in out and "decoy" not in out
    said = [line for line in err.splitlines() if "clock" in line]
    assert len(said) == 1, err
    assert "+08:00" in said[0] and "UTC" in said[0] and "2023-09-26 06:29:00" in said[0], said


def test_an_archived_bundle_too(tmp_path):
    bundle = make_bundle(tmp_path / "b")
    archive = tmp_path / "b.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname="b")
    code, out, err = run("logs", "search", "-e", "line", "--since", "2023-09-26 14:29", "--until",
                         "2023-09-26 14:30", str(archive))
    assert code == 0, err
    assert "proof line" in out and "decoy" not in out


def test_logs_codes_on_a_bundle_counts_the_window_on_the_views_clock(tmp_path):
    bundle = make_bundle(tmp_path / "b")
    code, out, err = run("logs", "codes", "--format", "json", "--since", "2023-09-26 14:29", "--until",
                         "2023-09-26 14:30", str(bundle))
    assert code == 0, err
    assert [entry["code"] for entry in json.loads(out)["codes"]] == [-4016]
    assert "+08:00" in err


def test_a_plain_file_keeps_the_times_as_written(tmp_path):
    bundle = make_bundle(tmp_path / "b")
    code, out, err = run("logs", "search", "-e", "line", "--since", "2023-09-26 14:29", "--until",
                         "2023-09-26 14:30", str(bundle / "logs" / "127.0.0.3" / "observer.log"))
    assert code == 0, err
    assert "decoy" in out and "proof" not in out
    assert "clock" not in err


def test_relative_times_on_a_bundle_without_collected_at_are_a_usage_error(tmp_path):
    bundle = make_bundle(tmp_path / "b", manifest='[cluster]\ntime_zone = "+08:00"\n')
    code, out, err = run("logs", "search", "-e", "line", "--since", "2h", str(bundle))
    assert code == 2 and not out
    assert "collected_at" in err


def test_views_on_system_and_no_servers_zone_leave_the_times_as_written_and_say_so(tmp_path):
    bundle = make_bundle(tmp_path / "b", manifest='[cluster]\ncollected_at = 2023-09-26T15:00:00\n')
    code, out, err = run("logs", "search", "-e", "line", "--since", "2023-09-26 14:29", "--until",
                         "2023-09-26 14:30", str(bundle))
    assert code == 0, err
    assert "decoy" in out and "proof" not in out
    said = [line for line in err.splitlines() if "clock" in line]
    assert len(said) == 1 and "does not say" in said[0], err


def test_servers_on_different_recorded_zones_are_all_covered_and_said(tmp_path):
    manifest = MANIFEST + '[cluster.server_time_zones]\n"127.0.0.3" = "+00:00"\n"127.0.0.4" = "+09:00"\n'
    bundle = make_bundle(tmp_path / "b", manifest, servers=("127.0.0.3", "127.0.0.4"))
    (bundle / "logs" / "127.0.0.4" / "observer.log").write_text(LINES["proof"].replace("06:29:03", "15:29:03"))
    code, out, err = run("logs", "search", "-e", "proof", "--since", "2023-09-26 14:29", "--until",
                         "2023-09-26 14:30", str(bundle))
    assert code == 0, err
    assert "06:29:03" in out and "15:29:03" in out
    assert "2 zones" in err and "9:00:00" in err


def test_a_bundle_window_loads_no_pipeline_module(tmp_path):
    """The manifest is read with tomllib in the CLI layer: none of evidence, sources, rules."""
    from tests.logs.test_startup import NOT_ON_THE_SEARCH_PATH, _loaded, _modules

    bundle = make_bundle(tmp_path / "b")
    modules = _modules(tmp_path, "logs", "search", "--count", "-e", "line", "--since", "31m", str(bundle))
    allowed = {"tomllib", "typing"}  # a bundle's manifest (tomllib imports typing); plain files stay without both
    assert not [n for n in NOT_ON_THE_SEARCH_PATH if n not in allowed and _loaded(modules, n)]
