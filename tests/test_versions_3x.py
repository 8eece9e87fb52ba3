"""A 3.x cluster or bundle is recognised (issue 11 item 8): the report says which version and what
obdoctor reads there, never "no usable evidence" nor a bare all-clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from obdoctor.catalog.versions import is_3x, is_3x_view, scope_headline
from obdoctor.sources.live import LiveSource
from tests.test_server_facts import NOW, _source
from obdoctor.sources.mysql import VERSION_QUERY, TIME_ZONE_QUERY

PROGRESS = """\
+--------+-----------+---------------+--------+
| job_id | tenant_id | backup_set_id | status |
+--------+-----------+---------------+--------+
|      3 |      1001 |             5 | FAILED |
+--------+-----------+---------------+--------+
"""
LINE_3X = ("[2021-09-08 15:49:10.123456] WARN  [STORAGE] do_backup (ob_partition_backup.cpp:1200) [1234][0]"
           "[YB420A000001-0005CB47F8E1A2B3] [lt=5] [dc=0] failed to backup(ret=-9012)\n")


def _bundle(tmp_path: Path, version: str | None) -> Path:
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "CDB_OB_BACKUP_PROGRESS.txt").write_text(PROGRESS)
    (tmp_path / "logs" / "10.0.0.1").mkdir(parents=True)
    (tmp_path / "logs" / "10.0.0.1" / "observer.log").write_text(LINE_3X)
    if version:
        (tmp_path / "manifest.toml").write_text(f'[cluster]\nversion = "{version}"\n')
    return tmp_path


def test_names() -> None:
    assert is_3x("3.2.4.5") and is_3x("v3.1") and not is_3x("4.2.1.0") and not is_3x(None)
    assert is_3x_view("cdb_ob_backup_progress") and not is_3x_view("CDB_OB_BACKUP_JOBS")
    assert scope_headline("4.2.1.0", []) is None


@pytest.mark.parametrize("version, said", [("3.2.4.5", "OceanBase 3.2.4.5"), (None, "OceanBase 3.x")])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_a_3x_bundle_says_which_version_and_what_is_read(run_cli, tmp_path, version, said, fmt) -> None:
    result = run_cli("analyze", _bundle(tmp_path, version), "--format", fmt)
    assert result.code == 3  # not an all-clear
    out = " ".join(result.out.split())  # the terminal wraps lines
    assert f"{said}: outside the 4.x backups obdoctor diagnoses" in out
    assert "No failed or stuck backup found" not in out and "No usable evidence" not in out
    assert "it does not read the 3.x backup views" in out
    assert "is not a view obdoctor knows" not in out  # recognised, not an unknown file


def test_a_bundle_of_3x_logs_only_is_recognised(run_cli, tmp_path) -> None:
    (tmp_path / "logs" / "10.0.0.1").mkdir(parents=True)
    (tmp_path / "logs" / "10.0.0.1" / "observer.log").write_text(LINE_3X)
    result = run_cli("analyze", tmp_path, "--format", "json")
    source = result.json()["source"]
    assert source["version_scope"].startswith("OceanBase 3.x: outside the 4.x")
    assert any("its log lines are in the 3.x format" in n for n in source["notes"])


def test_a_4x_bundle_is_not_taken_for_3x() -> None:
    from obdoctor.sources.bundle import Bundle
    from tests.conftest import EXAMPLES

    for example in sorted(EXAMPLES.iterdir()):
        with Bundle(example) as bundle:
            assert bundle.info().version_scope is None, example.name


def test_a_3x_cluster_live_says_it_too() -> None:
    sql = _source({"NOW(6)": NOW, VERSION_QUERY: [("5.7.25-OceanBase-v3.2.4.5",)],
                   TIME_ZONE_QUERY: [("+08:00", "CST", 28800)]})
    info = LiveSource(sql, None).info()
    assert info.version == "3.2.4.5" and info.version_scope.startswith("OceanBase 3.2.4.5: outside the 4.x")
    assert any("it does not read the 3.x backup views" in n for n in info.notes)
