"""``/proc/mounts`` of every server, read live over the sshd's, in the destination diagnosis.

Each simulated server serves its own fake mounts file (the sshd fixture's ``ForceCommand``
substitutes it for ``/proc/mounts`` in the remote commands: ``SimSsh.serve_mounts``); obdoctor
itself runs its one read-only ``cat /proc/mounts``. Scenario ``dest-nfs-not-mounted``: backup
job 5 failed with -9070 on 127.0.0.4, whose share is mounted ``soft`` here.
"""

from __future__ import annotations

import pytest

from obdoctor.scenarios import generator, model
from tests.live import livekit
from tests.live.simssh import simssh  # noqa: F401  (fixture)

NAME = "dest-nfs-not-mounted"
ROOT = "/dev/vda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
OPTIONS = "rw,sync,relatime,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,lookupcache=pos"
GOOD = ROOT + f"10.0.0.9:/export/ob /data/nfs nfs4 {OPTIONS} 0 0\n"
SOFT = ROOT + f"10.0.0.9:/export/ob /data/nfs nfs4 {OPTIONS.replace('hard', 'soft')} 0 0\n"


@pytest.fixture
def served(simdb, simssh, tmp_path):
    bundle = generator.write_bundle(model.load(livekit.ROOT / "scenarios" / f"{NAME}.toml"), tmp_path / NAME)
    livekit.load_scenario(simdb, simssh, NAME, bundle)
    yield simssh
    simssh.serve_mounts({})


def _mount_step(finding: dict) -> dict:
    return next(s for s in finding["evidence"] if s["looked_at"].startswith("/proc/mounts on"))


def test_the_server_mounting_without_hard_is_named_live_and_offline_after_collect(served, simdb, run_cli, tmp_path):
    served.serve_mounts({"127.0.0.2": GOOD, "127.0.0.3": GOOD, "127.0.0.4": SOFT})
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, served)
    live = run_cli("diagnose", "--config", config, "--format", "json", "--log-access", "ssh", "-q")
    finding = next(f for f in live.json()["findings"] if f["cause"] == "nfs_not_mounted_everywhere")
    step = _mount_step(finding)
    assert step["showed"].startswith("127.0.0.4: nfs4 10.0.0.9:/export/ob on /data/nfs, no hard (soft)"), step
    assert "127.0.0.2, 127.0.0.3 mount 10.0.0.9:/export/ob/backup as required" in step["showed"]
    assert {(p["server"], p["kind"], p["location"]) for p in step["provenance"]} == {
        (ip, "file", f"cat /proc/mounts on {ip}") for ip in ("127.0.0.2", "127.0.0.3", "127.0.0.4")}
    advice = [s for s in finding["next_steps"] if "umount" in s]
    assert len(advice) == 1 and advice[0].startswith("On 127.0.0.4, once backup and archive are stopped"), advice

    out = tmp_path / "collected.tar.gz"
    collected = run_cli("collect", "--config", config, "-o", out, "-q", "--log-access", "ssh")
    assert collected.code == 0, collected.err
    files = livekit.members(out)
    assert files["mounts/127.0.0.4"].decode() == SOFT
    again = run_cli("analyze", out, "--format", "json")
    offline = next(f for f in again.json()["findings"] if f["cause"] == "nfs_not_mounted_everywhere")
    assert _mount_step(offline)["showed"] == step["showed"]


def test_a_server_that_cannot_be_reached_is_unchecked_by_name(served, simdb, run_cli, tmp_path):
    served.serve_mounts({"127.0.0.2": GOOD, "127.0.0.3": GOOD, "127.0.0.4": GOOD})
    served.nodes["127.0.0.3"].stop()
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, served)
    live = run_cli("diagnose", "--config", config, "--format", "json", "--log-access", "ssh", "-q")
    finding = next(f for f in live.json()["findings"] if f["code"] == -9070)
    unchecked = {u["what"]: u["why"] for u in finding["unchecked"]}
    assert "127.0.0.3" in unchecked.get("how 127.0.0.3 mounts /data/nfs/backup", ""), finding["unchecked"]
    assert "127.0.0.2, 127.0.0.4" in _mount_step(finding)["looked_at"]
