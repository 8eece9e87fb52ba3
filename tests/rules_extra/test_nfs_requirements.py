"""The documented NFS requirements travel with file:// destination, clean and restore findings
(issue 15.5), and stay off findings about an object-storage destination."""

from __future__ import annotations

from obdoctor.knowledge.causes import all_causes
from tests.conftest import EXAMPLES

CAUSES = ("dest_unreachable", "nfs_not_mounted_everywhere", "dest_format_file_missing", "clean_failed", "clean_stuck",
          "restore_failed")


def _nfs_steps(steps) -> list[str]:
    return [s for s in steps if s.startswith("NFS: what OceanBase documents")]


def test_the_causes_carry_the_requirements() -> None:
    causes = all_causes()
    for cause_id in CAUSES:
        [step] = _nfs_steps(causes[cause_id].next_steps)
        for fact in ("same path on every OBServer", "NFS 4.1", "hard", "sync", "lookupcache=positive", "rsize/wsize",
                     "/proc/mounts"):
            assert fact in step, (cause_id, fact)


def test_an_nfs_finding_shows_them_and_an_object_storage_one_does_not(run_cli) -> None:
    nfs = run_cli("analyze", EXAMPLES / "dest-nfs-not-mounted", "--format", "json").json()
    assert any(_nfs_steps(f["next_steps"]) for f in nfs["findings"])
    oss = run_cli("analyze", EXAMPLES / "dest-oss-host-not-resolved", "--format", "json").json()
    assert oss["findings"] and not any(_nfs_steps(f["next_steps"]) for f in oss["findings"])
