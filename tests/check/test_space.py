"""destination_space: the df/mounts probe (hostile paths refused, output parsed) and its grading."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from obdoctor.check import CheckOptions, SpaceProbe, Status
from obdoctor.sources.space import command, local_path, parse
from tests.check.kit import BY_NAME, bundle, check_bundle, result_of

DF = ("Filesystem     1024-blocks      Used Available Capacity Mounted on\n"
      "10.0.0.9:/backup  1000000000 950000000  50000000      95% /data/nfs\n")
MOUNTS = ("proc /proc proc rw,nosuid 0 0\n"
          "10.0.0.9:/backup /data/nfs nfs4 rw,relatime,vers=4.1,hard,timeo=600 0 0\n")


def test_parse_df_and_mounts():
    probe = parse("127.0.0.2", "/data/nfs/backup", DF + "@@obdoctor-mounts\n" + MOUNTS)
    assert probe.error is None and probe.mount_point == "/data/nfs"
    assert probe.fstype == "nfs4" and probe.device == "10.0.0.9:/backup" and "vers=4.1" in probe.options
    assert round(probe.free_percent, 1) == 5.0


def test_df_error_is_kept():
    probe = parse("127.0.0.2", "/nope", "df: /nope: No such file or directory\n@@obdoctor-mounts\n" + MOUNTS)
    assert probe.error and "No such file" in probe.error


def test_hostile_paths_are_refused_and_quoted():
    assert local_path("file:///data/nfs/backup") == "/data/nfs/backup"
    assert local_path("file:///data/nfs/backup/?x=1") == "/data/nfs/backup"
    assert local_path("oss://bucket/x") is None
    for bad in ("file:///data/$(reboot)", "file:///data/x;rm -rf /", "file:///data/`id`", "file:///a b", "file://host/x\n"):
        assert local_path(bad) is None, bad
    assert "-- '/data/nfs/backup'" in command("/data/nfs/backup")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_parse_never_raises(text):
    probe = parse("s", "/p", text)
    assert probe.error is not None or probe.size_kb is not None


def _space(tmp_path, probes):
    path = bundle(BY_NAME["destination-ok"], tmp_path)
    space = {"file:///data/nfs/backup": probes, "file:///data/nfs/archive": probes}
    return result_of(check_bundle(path, CheckOptions(live=True, space=space)), "destination_space")


def _nfs(server, avail, device="10.0.0.9:/backup"):
    return SpaceProbe(server, "/data/nfs/backup", 1000, avail, "/data/nfs", device, "nfs4", "rw,hard", "df", "mount")


def test_grading(tmp_path):
    ok = _space(tmp_path / "a", [_nfs("127.0.0.2", 500), _nfs("127.0.0.3", 400)])
    assert ok.status is Status.OK and ok.value == 40.0 and ok.unit == "%"
    low = _space(tmp_path / "b", [_nfs("127.0.0.2", 40), _nfs("127.0.0.3", 400)])
    assert low.status is Status.CRITICAL and "127.0.0.2: 4.0% free" in low.summary
    split = _space(tmp_path / "c", [_nfs("127.0.0.2", 500), _nfs("127.0.0.3", 500, "10.0.0.8:/other")])
    assert split.status is Status.CRITICAL and "different shares" in split.summary
    local = SpaceProbe("127.0.0.4", "/data/nfs/backup", 1000, 500, "/", "/dev/sda1", "ext4", "rw", "df", "mount")
    assert _space(tmp_path / "d", [_nfs("127.0.0.2", 500), local]).status is Status.WARNING
    down = _space(tmp_path / "e", [SpaceProbe("127.0.0.2", "/data/nfs/backup", error="connection refused")])
    assert down.status is Status.UNKNOWN and "connection refused" in down.reason
    unprobed = result_of(check_bundle(bundle(BY_NAME["destination-ok"], tmp_path / "f"),
                                      CheckOptions(live=True, space_problem="no server configured")), "destination_space")
    assert unprobed.status is Status.UNKNOWN and "no server configured" in unprobed.reason
