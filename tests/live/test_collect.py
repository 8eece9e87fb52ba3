"""``collect``: the bundle a live diagnosis leaves (every scenario's collect-then-analyze check is in
test_diagnose.py, sharing its scenario load).

The bundle holds only what the rules read: views and matching log lines, secrets masked,
with a manifest saying what is in it and what is missing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from obdoctor.sources.bundle import Bundle
from obdoctor.sources.collect import RecordingSource, write_archive
from tests.live import livekit
from tests.live.livekit import finding_keys, live_over_bundle_tables, members, run
from tests.live.simssh import simssh  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    return livekit.build_bundles(tmp_path_factory.mktemp("scenarios"))


def diagnose_and_collect(simssh, bundle: Path, archive: Path, **options):
    """Serve ``bundle`` as the live cluster, diagnose it through a recording source and write
    what was read to ``archive``: (live report dict, exit code, collect summary)."""
    simssh.load_bundle(bundle)
    source, _ssh = live_over_bundle_tables(simssh, bundle)
    with source:
        recording = RecordingSource(source)
        report, code = run(recording)
        summary = write_archive(recording, archive, **options)
    return report, code, summary


def test_bundle_layout_and_manifest(simssh, bundles, tmp_path):
    """Views as jsonl, lines under their real file names in file order, missing views listed with why."""
    bundle = bundles["failed-41-chain"]
    _, _, summary = diagnose_and_collect(simssh, bundle, tmp_path / "b.tar.gz")
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
    report, _, summary = diagnose_and_collect(simssh, bundle, tmp_path / "b.tar.gz")
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
    report, _, _ = diagnose_and_collect(simssh, bundle, tmp_path / "b.tar.gz")
    files = members(tmp_path / "b.tar.gz")
    assert files["logs/127.0.0.3/observer.log.20230926150000000"].count(b"\n") >= 2
    with Bundle(tmp_path / "b.tar.gz") as collected:
        again, _ = run(collected)
    assert finding_keys(again) == finding_keys(report)


def log_citations(report: dict) -> list[tuple]:
    """Every log line a finding cites: (server, file name, line number)."""
    return sorted((p.get("server"), p["name"], p.get("line")) for f in report["findings"] for e in f["evidence"]
                  for p in e["provenance"] if p["kind"] == "log")


def test_a_collected_bundle_cites_the_servers_lines_not_its_own(simssh, bundles, tmp_path):
    """The bundle keeps only matching lines (decompressed), but a finding made from it names
    the file and line number a DBA finds on the server with grep -n: logs/origins.tsv."""
    import gzip
    import shutil

    bundle = tmp_path / "rotated"
    shutil.copytree(bundles["failed-41-chain"], bundle)
    log = bundle / "logs" / "127.0.0.3" / "observer.log"
    padding = "".join(f"[2023-09-26 14:00:{i % 60:02d}.000000] INFO [SERVER] tick (a.cpp:1) [1][T1_X][T1]"
                      f"[Y0-0000000000000000-0-0] [lt=1] tick(i={i})\n" for i in range(500))
    log.with_name("observer.log.20230926150000000.gz").write_bytes(gzip.compress((padding + log.read_text()).encode()))
    log.write_text("")
    live, _, _ = diagnose_and_collect(simssh, bundle, tmp_path / "b.tar.gz")
    cited = log_citations(live)
    assert ("127.0.0.3", "observer.log.20230926150000000.gz") in {c[:2] for c in cited}
    assert all(line > 500 for server, name, line in cited if name.startswith("observer.log"))
    files = members(tmp_path / "b.tar.gz")
    assert b"origin_file" in files["logs/origins.tsv"]
    with Bundle(tmp_path / "b.tar.gz") as collected:
        again, _ = run(collected)
        assert not any("origins" in n for n in collected.info().notes)
    assert log_citations(again) == cited


def test_collect_refuses_a_directory_and_a_missing_parent(run_cli, tmp_path):
    assert run_cli("collect", "-o", tmp_path, "--db-host", "127.0.0.1").code == 2
    result = run_cli("collect", "-o", tmp_path / "no" / "x.tar.gz", "--db-host", "127.0.0.1")
    assert result.code == 2 and "no directory" in result.err


def test_the_alert_log_stays_in_alert(simssh, bundles, tmp_path):
    """4.2's log/alert/alert.log: found over SSH, named as a bundle names it, collected under alert/."""
    import shutil

    from obdoctor.evidence import LogQuery

    bundle = tmp_path / "alert"
    shutil.copytree(bundles["failed-41-chain"], bundle)
    alert = bundle / "logs" / "127.0.0.2" / "alert" / "alert.log"
    alert.parent.mkdir()
    alert.write_text("2023-09-26 14:37:36.822000|ERROR|BACKUP|backup failed|-9082|1002|127788|T1001_BackupDat|"
                     "YB427F000002-0005E98EBF8D9DC7-0-0|process|ob_backup_data_scheduler.cpp:935|"
                     "failed to process backup job(ret=-9082)\n"
                     "2023-09-26 14:38:00.000000|INFO|SERVER|heartbeat|0|1|1|T1_Occam||run|ob_server.cpp:1|ok\n")
    simssh.load_bundle(bundle)
    query = LogQuery(servers=("127.0.0.2",), kinds=("alert",), any_of=("ret=-9082",), purpose="alert")
    source, _ = live_over_bundle_tables(simssh, bundle)
    with source, Bundle(bundle) as offline:
        recording = RecordingSource(source)
        live = recording.search_logs(query)
        expected = offline.search_logs(query)
        summary = write_archive(recording, tmp_path / "b.tar.gz")
    assert live.total_matches == expected.total_matches == 1
    assert live.files_searched == expected.files_searched == ["127.0.0.2/alert.log"]
    assert live.records[0].errcode == -9082 and live.records[0].line_no == 1
    files = members(tmp_path / "b.tar.gz")
    assert "logs/127.0.0.2/alert/alert.log" in files and summary.log_lines == 1
    with Bundle(tmp_path / "b.tar.gz") as collected:
        again = collected.search_logs(query)
    assert [r.raw for r in again.records] == [r.raw for r in live.records]


def test_collect_with_the_database_down_writes_what_it_knows_and_says_so(simssh, run_cli, tmp_path):
    from tests.live.simdb import free_port

    class Closed:
        port = free_port()
        password = "not-this-one"

    config = livekit.write_config(tmp_path / "obdoctor.toml", Closed, simssh, connect_timeout=2)
    out = tmp_path / "down.tar.gz"
    result = run_cli("collect", "--config", config, "-o", out, "-q")
    # 3 and "no usable evidence", unless the nodes' logs (left by an earlier test) were collected:
    # with no job history, the rules search every server's logs for a failure (issue 11)
    assert "Traceback" not in result.err
    assert (result.code == 3 and "no usable evidence" in result.err) or (result.code == 0 and "log line" in result.err)
    manifest = tomllib.loads(members(out)["manifest.toml"].decode())
    assert any("cannot connect" in why for why in manifest["collect"]["missing"].values())
    assert "not-this-one" not in str(manifest)


def _without_hosts(report: dict) -> list[tuple]:
    return sorted((f["rule_id"], f["cause"], f["code"], f["tenant_id"], f["job_id"], len(f["servers"]),
                   len(f["trace_ids"]), f["verdict"]) for f in report["findings"])


@pytest.mark.parametrize("scenario", ["failed-41-chain", "failed-42-comment", "server-inactive-4554"])
def test_redact_hosts_bundle_has_no_address_and_analyses_the_same(simssh, bundles, tmp_path, scenario):
    """--redact-hosts: no real IP anywhere (rows, lines, trace ids, directory names), yet the
    same causes, on as many (aliased) servers, with as many traces."""
    bundle = bundles[scenario]
    report, code, summary = diagnose_and_collect(simssh, bundle, tmp_path / "b.tar.gz", redact_hosts=True)
    files = members(tmp_path / "b.tar.gz")
    for ip in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        hex_ip = "7F00000" + ip[-1]  # how the address sits inside a trace id
        for name, data in files.items():
            assert ip not in name and ip.encode() not in data, f"{ip} left in {name}"
            if name != "manifest.toml":
                assert f"YB42{hex_ip}".encode() not in data, f"a trace id of {ip} left in {name}"
    manifest = tomllib.loads(files["manifest.toml"].decode())
    assert manifest["collect"]["hosts_aliased"] is True
    assert manifest["collect"]["redacted"].get("ip", 0) + manifest["collect"]["redacted"].get("trace_id", 0) > 0
    with Bundle(tmp_path / "b.tar.gz") as collected:
        again, again_code = run(collected)
    assert _without_hosts(again) == _without_hosts(report) and again_code == code
    assert all(s.startswith("192.0.2.") for f in again["findings"] for s in f["servers"])


def test_manifest_checksums_match_the_files(simssh, bundles, tmp_path):
    import hashlib

    bundle = bundles["failed-41-chain"]
    diagnose_and_collect(simssh, bundle, tmp_path / "b.tar.gz")
    files = members(tmp_path / "b.tar.gz")
    sums = tomllib.loads(files["manifest.toml"].decode())["collect"]["checksums"]
    assert set(sums) == set(files) - {"manifest.toml"}
    for name, digest in sums.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
