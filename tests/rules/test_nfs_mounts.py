"""Every server's mount of a file:// destination, compared with OceanBase's NFS requirements and the others.

Unit tests of ``rules/services/nfs_mounts.py`` (pure), then the destination diagnosis on bundles
whose ``mounts/<ip>`` files say how each server mounts ``/data/nfs/backup``: it names the server
that differs, says so when all agree, and says which servers could not be read.
"""

from __future__ import annotations

import pytest

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cluster import Mount
from obdoctor.rules.services import nfs_mounts
from tests.rules.runner import GENERATED_SERVERS as SERVERS, run_case

TRACE = "YB427F000002-0005F0A1C0DE0042-0-0"


def servers_table() -> list[dict]:
    return [{"SVR_IP": ip, "SVR_PORT": 2882, "ID": i, "ZONE": f"zone{i}", "SQL_PORT": 2881, "WITH_ROOTSERVER": "NO",
             "STATUS": "ACTIVE", "START_SERVICE_TIME": "2024-01-01 00:00:00.000000"} for i, ip in enumerate(SERVERS, 1)]


def line(ts: str, body: str, *, errcode: int | None = None) -> dict:
    return dict(ts=ts, body=body, level="WDIAG", errcode=errcode, tenant=1002, thread="T1002_BACKUP", trace=TRACE,
                src="ob_backup_task.cpp:100", module="STORAGE")


def run(tmp_path, *, sql: dict, logs: dict | None = None, rules: tuple[str, ...], files: dict | None = None):
    """The bundle as the example bundles are written (the runner's ``generated``), plus ``files``."""
    case = {"generated": True, "noise": 20, "collected_at": "2024-06-01 12:00:00", "sql": sql, "files": files or {},
            "logs": {server: {f"{family}.log": lines} for (server, family), lines in (logs or {}).items()}}
    return run_case(case, list(rules), tmp_path)


def causes(report) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.cause, f.verdict.value) for f in report.findings]


def evidence_text(report) -> str:
    return " | ".join(f"{s.looked_at}: {s.showed}" for f in report.findings for s in f.evidence)

GOOD = "rw,sync,relatime,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,lookupcache=pos"
SHARE = "10.0.0.9:/export/ob"
ROOT = "/dev/vda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"


def mount(server: str, point: str, options: str = GOOD, device: str = SHARE, fstype: str = "nfs4") -> Mount:
    return Mount(svr_ip=server, device=device, mount_point=point, fstype=fstype, options=tuple(options.split(",")),
                 line=f"{device} {point} {fstype} {options} 0 0", error=None,
                 provenance=Provenance("file", "/proc/mounts", server=server, line=2))


def mounts_file(options: str = GOOD, device: str = SHARE, point: str = "/data/nfs", fstype: str = "nfs4") -> str:
    return ROOT + f"{device} {point} {fstype} {options} 0 0\n"


# -- the comparison -------------------------------------------------------------------------------
def test_destination_dir_of_a_file_uri() -> None:
    assert nfs_mounts.destination_dir("file:///data/nfs/backup/") == "/data/nfs/backup"
    assert nfs_mounts.destination_dir("file:///data/nfs%20x?k=v") == "/data/nfs x"
    assert nfs_mounts.destination_dir("file://host/data") is None
    assert nfs_mounts.destination_dir("oss://bucket/p") is None


def test_the_longest_mount_point_holding_the_path_wins() -> None:
    root = mount("a", "/", "rw", "/dev/vda1", "ext4")
    data = mount("a", "/data")
    nested = mount("a", "/data/nfs")
    other = mount("a", "/data/nfs2")
    assert nfs_mounts.mount_of("/data/nfs/backup", [root, data, nested, other]) is nested
    assert nfs_mounts.mount_of("/data/nfs2x", [root, data, nested, other]) is data
    stacked = mount("a", "/data/nfs", device="10.0.0.8:/other")
    assert nfs_mounts.mount_of("/data/nfs/backup", [nested, stacked]) is stacked, "a later mount hides the earlier"


def test_a_documented_mount_meets_every_requirement() -> None:
    assert nfs_mounts.judge(mount("a", "/data/nfs")) == ([], [])


@pytest.mark.parametrize("options, required, recommended", [
    (GOOD.replace("hard", "soft"), ["no hard (soft)"], []),
    (GOOD.replace("sync,", ""), ["no sync"], []),
    (GOOD.replace(",lookupcache=pos", ""), ["lookupcache all (the default), documented lookupcache=positive"], []),
    (GOOD.replace("lookupcache=pos", "lookupcache=none"), ["lookupcache=none, documented lookupcache=positive"], []),
    (GOOD.replace("vers=4.1", "vers=4.0"), ["vers=4.0, needs nfsvers=4.1 or later"], []),
    (GOOD.replace("vers=4.1", "vers=3"), ["vers=3, needs nfsvers=4.1 or later"], []),
    (GOOD.replace("vers=4.1", "vers=4.2"), [], []),
    (GOOD.replace("vers=4.1,", ""), ["its NFS version is not shown (needs nfsvers=4.1 or later)"], []),
    (GOOD.replace("rsize=1048576", "rsize=524288"), [], ["rsize=524288, documented rsize=1048576"]),
])
def test_each_requirement_is_named_when_missing(options, required, recommended) -> None:
    assert nfs_mounts.judge(mount("a", "/data/nfs", options)) == (required, recommended)


def test_the_server_with_another_share_or_no_nfs_is_named() -> None:
    found = [mount("127.0.0.2", "/data/nfs"), mount("127.0.0.3", "/data/nfs"),
             mount("127.0.0.4", "/data/nfs", device="10.0.0.9:/export/other"),
             mount("127.0.0.5", "/", "rw,relatime", "/dev/vda1", "ext4")]
    result = nfs_mounts.compare("/data/nfs/backup", ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"], found)
    assert result.share == "10.0.0.9:/export/ob/backup"
    assert [s.server for s in result.other_share()] == ["127.0.0.4"]
    assert [s.server for s in result.not_nfs()] == ["127.0.0.5"]
    assert [s.server for s in result.wrong()] == ["127.0.0.4", "127.0.0.5"]
    assert [s.server for s in result.unread] == ["127.0.0.6"] and "not in the evidence" in result.unread[0].error
    assert not result.all_good()
    text = nfs_mounts.describe(result.servers[2], result.share)
    assert "reaches 10.0.0.9:/export/other/backup, the others 10.0.0.9:/export/ob/backup" in text
    advice = nfs_mounts.remount_advice(result.servers[3], result.share, result.path)
    assert advice.startswith("On 127.0.0.5") and "mount -t nfs4 -o rw,nfsvers=4.1,sync,lookupcache=positive,hard" in advice
    assert "10.0.0.9:/export/ob/backup /data/nfs/backup" in advice and "umount" not in advice


def test_the_same_share_mounted_at_different_depths_is_the_same_location() -> None:
    found = [mount("a", "/data/nfs"), mount("b", "/data/nfs/backup", device=SHARE + "/backup")]
    result = nfs_mounts.compare("/data/nfs/backup", ["a", "b"], found)
    assert result.all_good() and not result.wrong()


# -- the diagnosis, offline ------------------------------------------------------------------------
def _job(code: int = -9070) -> dict:
    return {"TENANT_ID": 1002, "JOB_ID": 7, "INCARNATION": 1, "BACKUP_SET_ID": 7, "BACKUP_TYPE": "FULL",
            "JOB_LEVEL": "USER_TENANT", "START_TIMESTAMP": "2024-06-01 10:00:00.000000",
            "END_TIMESTAMP": "2024-06-01 10:30:00.000000", "STATUS": "FAILED", "RESULT": code,
            "PATH": "file:///data/nfs/backup",
            "COMMENT": f"(SERVER)ls_id: 1001, addr: 127.0.0.3:2882, module: BACKUP_DATA, result: {code}(X), trace_id: {TRACE}"}


def _diagnose(tmp_path, mounts: dict[str, str], code: int = -9070):
    logs = {("127.0.0.3", "observer"): [line("2024-06-01 10:29:59.000000", f"open failed(ret={code})", errcode=code)]}
    return run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [_job(code)], "DBA_OB_SERVERS": servers_table()}, logs=logs,
               rules=("P3",), files={f"mounts/{ip}": text for ip, text in mounts.items()})


def test_a_server_without_hard_is_named_with_the_mount_to_consider(tmp_path) -> None:
    report = _diagnose(tmp_path, {"127.0.0.2": mounts_file(), "127.0.0.3": mounts_file(),
                                  "127.0.0.4": mounts_file(GOOD.replace("hard", "soft"))})
    text = evidence_text(report)
    assert "127.0.0.4: nfs4 10.0.0.9:/export/ob on /data/nfs, no hard (soft)" in text
    assert "127.0.0.2, 127.0.0.3 mount 10.0.0.9:/export/ob/backup as required" in text
    steps = report.findings[0].next_steps
    advice = [s for s in steps if "sudo umount /data/nfs" in s]
    assert len(advice) == 1 and advice[0].startswith("On 127.0.0.4"), steps
    mount_step = next(s for s in report.findings[0].evidence if s.looked_at.startswith("/proc/mounts on"))
    assert {p.server for p in mount_step.provenance} == set(SERVERS)
    assert all(p.kind == "file" and p.location.startswith("mounts/") for p in mount_step.provenance)


def test_a_server_without_the_share_makes_it_not_mounted_everywhere(tmp_path) -> None:
    report = _diagnose(tmp_path, {"127.0.0.2": mounts_file(), "127.0.0.3": ROOT, "127.0.0.4": mounts_file()})
    assert causes(report) == [("P3", "nfs_not_mounted_everywhere", "confirmed")]
    assert "127.0.0.3 does not mount it (127.0.0.2, 127.0.0.4 do)" in report.findings[0].summary
    assert "127.0.0.3: ext4 /dev/vda1 on /, not NFS;" in evidence_text(report)


def test_all_servers_agreeing_is_said(tmp_path) -> None:
    report = _diagnose(tmp_path, {ip: mounts_file() for ip in SERVERS})
    assert causes(report) == [("P3", "dest_unreachable", "confirmed")], "the mounts are right: the cause stays"
    assert "all 3 server(s) mount 10.0.0.9:/export/ob/backup with the options OceanBase's NFS guide requires" \
        in evidence_text(report)
    assert not [s for s in report.findings[0].next_steps if "umount" in s]


def test_a_server_whose_mounts_were_not_read_is_unchecked_by_name(tmp_path) -> None:
    report = _diagnose(tmp_path, {"127.0.0.2": mounts_file(), "127.0.0.3": mounts_file()})
    unchecked = [(u.what, u.why) for f in report.findings for u in f.unchecked]
    assert ("how 127.0.0.4 mounts /data/nfs/backup", "its /proc/mounts is not in the evidence (live: not a configured "
            "server; a bundle: no mounts/<ip> for it)") in unchecked


def test_without_mounts_in_the_bundle_it_says_so_and_still_diagnoses(tmp_path) -> None:
    report = _diagnose(tmp_path, {})
    assert causes(report) == [("P3", "dest_unreachable", "confirmed")]
    unchecked = [f"{u.what}: {u.why}" for f in report.findings for u in f.unchecked]
    assert any(u.startswith("how the servers mount /data/nfs/backup: 127.0.0.2, 127.0.0.3, 127.0.0.4")
               and "no mounts/ folder" in u for u in unchecked), unchecked


def test_object_storage_reads_no_mounts(tmp_path) -> None:
    job = dict(_job(), PATH="oss://bucket/p?host=h")
    report = run(tmp_path, sql={"CDB_OB_BACKUP_JOB_HISTORY": [job], "DBA_OB_SERVERS": servers_table()}, rules=("P3",))
    assert "/proc/mounts" not in evidence_text(report)
    assert not [u for f in report.findings for u in f.unchecked if "mount" in u.what]


def test_the_verb_agrees_with_the_servers_named():
    """The summary read '127.0.0.4 do(es) not mount it' and '127.0.0.4 fail': a sentence a DBA
    reads at 3 a.m. says 'does not' for one server and 'do not' for two."""
    from obdoctor.rules.services.destination import _servers_do

    assert _servers_do(["127.0.0.4"], "does not", "do not") == "127.0.0.4 does not"
    assert _servers_do(["127.0.0.2", "127.0.0.3"], "fails", "fail") == "127.0.0.2, 127.0.0.3 fail"
