"""``collect`` then ``analyze`` reaches the findings ``diagnose`` reaches on the live cluster.

The bundle holds only what the rules read: views and matching log lines, secrets masked,
with a manifest saying what is in it and what is missing.
"""

from __future__ import annotations

import tarfile
import tomllib
from pathlib import Path

import pytest

from obdoctor.sources.bundle import Bundle
from obdoctor.sources.collect import RecordingSource, write_archive
from tests.live import livekit
from tests.live.livekit import NAMES, finding_keys, live_over_bundle_tables, run
from tests.live.simssh import simssh  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    return livekit.build_bundles(tmp_path_factory.mktemp("scenarios"))


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


@pytest.mark.parametrize("name", NAMES)
def test_collect_then_analyze_gives_the_diagnose_findings(simdb, simssh, bundles, run_cli, tmp_path, name):
    livekit.load_scenario(simdb, simssh, name, bundles[name])
    config = livekit.write_config(tmp_path / "obdoctor.toml", simdb, simssh)
    live = run_cli("diagnose", "--config", config, "--format", "json", "-q", "--log-access", "ssh")
    out = tmp_path / f"{name}.tar.gz"
    collected = run_cli("collect", "--config", config, "-o", out, "-q", "--log-access", "ssh")
    assert collected.code == 0, collected.err
    assert f"wrote {out}" in collected.err
    again = run_cli("analyze", out, "--format", "json")
    assert finding_keys(again.json()) == finding_keys(live.json())
    assert again.code == live.code
    files = members(out)
    assert simdb.password.encode() not in b"".join(files.values())
    manifest = tomllib.loads(files["manifest.toml"].decode())
    assert manifest["collect"]["tables"] and manifest["cluster"]["version"]
    # only matching lines travel into the bundle: far smaller than the logs themselves
    logs_in = sum(len(v) for k, v in files.items() if k.startswith("logs/"))
    logs_there = sum(p.stat().st_size for p in (bundles[name] / "logs").rglob("*") if p.is_file()) \
        if (bundles[name] / "logs").is_dir() else 0
    assert logs_in <= max(logs_there // 5, 10_000)


def test_bundle_layout_and_manifest(simssh, bundles, tmp_path):
    """Views as jsonl, lines under their real file names in file order, missing views listed with why."""
    bundle = bundles["failed-41-chain"]
    simssh.load_bundle(bundle)
    source, _ssh = live_over_bundle_tables(simssh, bundle)
    with source:
        recording = RecordingSource(source)
        run(recording)
        summary = write_archive(recording, tmp_path / "b.tar.gz")
    files = members(tmp_path / "b.tar.gz")
    assert "sql/CDB_OB_BACKUP_JOB_HISTORY.jsonl" in files and "logs/127.0.0.3/observer.log" in files
    assert not any(k.startswith("logs/127.0.0.4") for k in files)
    observer = files["logs/127.0.0.3/observer.log"].decode().splitlines()
    assert observer and observer == sorted(observer)  # file order (time order here)
    manifest = tomllib.loads(files["manifest.toml"].decode())
    assert manifest["cluster"]["collected_at"].isoformat() == "2023-09-26T15:00:00"
    assert "CDB_OB_BACKUP_TASKS" in manifest["collect"]["missing"]
    assert summary.log_lines == manifest["collect"]["log_lines"] > 0


def test_secrets_are_masked_in_views_and_lines(simssh, bundles, tmp_path):
    bundle = tmp_path / "secret"
    import shutil

    shutil.copytree(bundles["failed-41-chain"], bundle)
    history = bundle / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.txt"
    history.write_text(history.read_text().replace("file:///data/nfs/backup",
                                                   "oss://bucket/backup?host=oss.example&access_id=AKID42&access_key=SK42"))
    log = bundle / "logs" / "127.0.0.3" / "observer.log"
    log.write_text(log.read_text().replace('failed to do backup(ret=-9082',
                                           'failed to do backup(access_key=SK42, ret=-9082'))
    simssh.load_bundle(bundle)
    source, _ = live_over_bundle_tables(simssh, bundle)
    with source:
        recording = RecordingSource(source)
        report, _ = run(recording)
        summary = write_archive(recording, tmp_path / "b.tar.gz")
    data = b"".join(members(tmp_path / "b.tar.gz").values())
    assert b"SK42" not in data and b"AKID42" not in data and summary.redacted >= 2
    with Bundle(tmp_path / "b.tar.gz") as collected:
        again, _ = run(collected)
    assert finding_keys(again) == finding_keys(report)


def test_compressed_rotated_logs_are_stored_as_plain_lines(simssh, bundles, tmp_path):
    import gzip
    import shutil

    bundle = tmp_path / "rotated"
    shutil.copytree(bundles["failed-41-chain"], bundle)
    log = bundle / "logs" / "127.0.0.3" / "observer.log"
    log.with_name("observer.log.20230926150000000.gz").write_bytes(gzip.compress(log.read_bytes()))
    log.write_text("")
    simssh.load_bundle(bundle)
    source, _ = live_over_bundle_tables(simssh, bundle)
    with source:
        recording = RecordingSource(source)
        report, _ = run(recording)
        write_archive(recording, tmp_path / "b.tar.gz")
    files = members(tmp_path / "b.tar.gz")
    assert files["logs/127.0.0.3/observer.log.20230926150000000"].count(b"\n") >= 2
    with Bundle(tmp_path / "b.tar.gz") as collected:
        again, _ = run(collected)
    assert finding_keys(again) == finding_keys(report)


def test_collect_refuses_a_directory_and_a_missing_parent(run_cli, tmp_path):
    assert run_cli("collect", "-o", tmp_path, "--db-host", "127.0.0.1").code == 2
    result = run_cli("collect", "-o", tmp_path / "no" / "x.tar.gz", "--db-host", "127.0.0.1")
    assert result.code == 2 and "no directory" in result.err
