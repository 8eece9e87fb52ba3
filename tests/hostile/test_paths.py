"""Nothing outside the bundle is read: server names from evidence never become paths unless they
are addresses or the bundle's own server directories, and links pointing out are refused with a
note, in directory bundles as in archives (sources.bundle)."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from obdoctor.evidence import LogQuery
from obdoctor.sources.bundle import Bundle
from tests.conftest import EXAMPLES

CHAIN = EXAMPLES / "failed-41-chain"  # 127.0.0.3's observer.log holds the proving ret=-9082 line
SECRET = "ret=-9082 OUTSIDE-THE-BUNDLE"

TRAVERSALS = ["../../evil", "..", ".", "../evil", "/etc", "/", "127.0.0.3/../../../evil", "127.0.0.3/..",
              "..\\..\\evil", "fe80::1%/../../evil", "fe80::1%eth0", "127.0.0.3\x00", "~", "$(id)", "",
              "logs", "127.0.0.3:2882/../../evil", "[::1]/../evil", "host-1.invalid/../../evil"]


def _outside(tmp_path: Path) -> Path:
    """A directory beside the bundle holding a log that must never be read."""
    evil = tmp_path / "evil"
    evil.mkdir(exist_ok=True)
    (evil / "observer.log").write_text(
        f"[2023-09-26 14:37:36.000000] WARN  [STORAGE] x (a.cpp:1) [1][T1002_BACKUP][Y0-0] {SECRET}\n")
    return evil


@pytest.mark.parametrize("name", TRAVERSALS)
def test_a_traversal_name_never_becomes_a_path(tmp_path: Path, name: str) -> None:
    bundle_dir = tmp_path / "b" / "bundle"
    shutil.copytree(CHAIN, bundle_dir)
    _outside(tmp_path)
    _outside(tmp_path / "b")
    with Bundle(bundle_dir) as bundle:
        result = bundle.search_logs(LogQuery(servers=(name,), any_of=("OUTSIDE-THE-BUNDLE",)))
    assert result.records == [] and result.total_matches == 0 and result.files_searched == []
    assert len(result.unchecked) == 1


def test_an_address_with_its_port_is_the_server_directory() -> None:
    with Bundle(CHAIN) as bundle:
        result = bundle.search_logs(LogQuery(servers=("127.0.0.3:2882",), any_of=("ret=-9082",)))
    assert result.total_matches > 0 and not result.unchecked


def test_traversal_names_in_view_rows_read_nothing_outside(tmp_path: Path, run_cli) -> None:
    """Rows and log lines naming the executing server ``../../evil``: before, the rules read
    ``logs/../../evil/observer.log``, outside the bundle, and cited its line."""
    bundle_dir = tmp_path / "case" / "bundle"
    shutil.copytree(CHAIN, bundle_dir)
    for path in [*bundle_dir.joinpath("sql").iterdir(), *bundle_dir.joinpath("logs").rglob("*.log")]:
        path.write_text(path.read_text().replace("127.0.0.3", "../../evil"))
    shutil.move(bundle_dir / "logs" / "127.0.0.3", tmp_path / "case" / "evil")  # = logs/../../evil
    result = run_cli("analyze", bundle_dir, "--format", "json")
    report = json.loads(result.out)
    cited = [p for f in report["findings"] for step in f["evidence"] for p in step["provenance"]]
    assert cited and not any("observer.log" in str(p.get("location")) for p in cited)  # nothing from evil/
    said = json.dumps(report)  # refused as a path, or earlier as a malformed address cell
    assert "not used as a path" in said or "is not a server address" in said
    assert result.code in (1, 3)
    # the same bundle with the server's logs where they belong: its line is cited (the test can fail)
    shutil.move(tmp_path / "case" / "evil", bundle_dir / "logs" / "127.0.0.3")
    for path in [*bundle_dir.joinpath("sql").iterdir(), *bundle_dir.joinpath("logs").rglob("*.log")]:
        path.write_text(path.read_text().replace("../../evil", "127.0.0.3"))
    report = json.loads(run_cli("analyze", bundle_dir, "--format", "json").out)
    assert any("observer.log" in str(p.get("location")) for f in report["findings"] for step in f["evidence"]
               for p in step["provenance"])


# -- links --------------------------------------------------------------------------------------
def _linked_bundle(tmp_path: Path) -> Path:
    """failed-41-chain with every kind of link pointing outside it."""
    evil = _outside(tmp_path)
    (evil / "DBA_OB_TENANTS.txt").write_text("TENANT_ID: 1002\nTENANT_NAME: OUTSIDE-THE-BUNDLE\n")
    (evil / "manifest.toml").write_text('[cluster]\nname = "OUTSIDE-THE-BUNDLE"\n')
    bundle_dir = tmp_path / "bundle"
    shutil.copytree(CHAIN, bundle_dir)
    (bundle_dir / "sql" / "DBA_OB_TENANTS.txt").unlink()
    (bundle_dir / "sql" / "DBA_OB_TENANTS.txt").symlink_to(evil / "DBA_OB_TENANTS.txt")
    (bundle_dir / "manifest.toml").unlink()
    (bundle_dir / "manifest.toml").symlink_to(evil / "manifest.toml")
    shutil.rmtree(bundle_dir / "logs" / "127.0.0.3")
    (bundle_dir / "logs" / "127.0.0.3").symlink_to(evil, target_is_directory=True)  # a directory link out
    (bundle_dir / "logs" / "127.0.0.2" / "observer.log").symlink_to(evil / "observer.log")  # a file link out
    (bundle_dir / "logs" / "127.0.0.2" / "inside.log").symlink_to("rootservice.log")  # a link inside: fine
    return bundle_dir


def _assert_nothing_outside_was_read(bundle: Bundle) -> None:
    info = bundle.info()
    assert bundle.manifest == {} and info.cluster is None
    assert not bundle.read_table("DBA_OB_TENANTS").available
    assert "127.0.0.3" not in info.servers
    result = bundle.search_logs(LogQuery(servers=("127.0.0.2", "127.0.0.3"), kinds=("observer", "rootservice"),
                                         any_of=("OUTSIDE-THE-BUNDLE", "ret=")))
    assert all("OUTSIDE" not in r.raw for r in result.records)
    assert any(r.server == "127.0.0.2" for r in result.records)  # the inside files are still read
    notes = " ".join([*info.notes, *result.unchecked])
    for what in ("manifest.toml", "sql/DBA_OB_TENANTS.txt", "logs/127.0.0.3/", "127.0.0.2/observer.log"):
        assert what in notes, what
    assert "pointing outside the bundle" in notes


def test_links_out_of_a_directory_bundle_are_refused_with_a_note(tmp_path: Path) -> None:
    with Bundle(_linked_bundle(tmp_path)) as bundle:
        _assert_nothing_outside_was_read(bundle)


def test_links_out_of_an_archive_are_refused_with_a_note(tmp_path: Path) -> None:
    """Absolute and ``..`` links inside a tar: not extracted (noted); the rest is."""
    archive = tmp_path / "b.tar.gz"
    evil = _outside(tmp_path)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(CHAIN, arcname="bundle")
        for name, target in (("bundle/logs/127.0.0.2/observer.log", str(evil / "observer.log")),
                             ("bundle/logs/127.0.0.4", "../../../evil"),
                             ("bundle/sql/CDB_OB_BACKUP_JOBS.txt", "/etc/passwd")):
            link = tarfile.TarInfo(name)
            link.type, link.linkname = tarfile.SYMTYPE, target
            tar.addfile(link)
        hard = tarfile.TarInfo("bundle/logs/127.0.0.2/trace.log")
        hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
        tar.addfile(hard)
        data = b"x"
        for name in ("../escaped.txt", "/tmp/absolute-obdoctor-test.txt"):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    with Bundle(archive) as bundle:
        notes = " ".join(bundle.info().notes)
        assert notes.count("refused, not extracted") >= 5, notes
        assert "127.0.0.4" not in bundle.info().servers
        assert not bundle.read_table("CDB_OB_BACKUP_JOBS").available
        result = bundle.search_logs(LogQuery(servers=("127.0.0.3",), any_of=("ret=-9082",)))
        assert result.total_matches > 0  # the regular members were extracted
    assert not (tmp_path / "escaped.txt").exists() and not Path("/tmp/absolute-obdoctor-test.txt").exists()


def test_collect_writes_nothing_outside_its_bundle(tmp_path: Path) -> None:
    """Server and file names in what a live source returned become paths of the collected
    bundle only when they stay one level where they are written."""
    from obdoctor.evidence import LogSearchResult, SourceInfo
    from obdoctor.logs.parser import parse_line
    from obdoctor.sources.collect import RecordingSource, write_bundle

    class Source:
        def info(self):
            return SourceInfo(kind="live", location="x")

        def search_logs(self, query):
            result = LogSearchResult(query)
            for server, path in (("../../escaped", "observer.log"), ("127.0.0.2", "../../escaped.log"),
                                 ("127.0.0.2", "observer.log")):
                record = parse_line("[2023-09-26 14:37:36.000000] WARN  x (a.cpp:1) [1][T1][Y0-0] ret=-9082")
                record.server, record.path, record.line_no = server, path, 1
                result.records.append(record)
            return result

    recording = RecordingSource(Source())
    recording.search_logs(LogQuery(servers=(), any_of=("ret=",)))
    summary = write_bundle(recording, tmp_path / "out" / "bundle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bundle"]
    assert len([u for u in summary.log_unchecked if "left out" in u]) == 1  # the server named ../../escaped
    assert summary.log_files == 2 and (tmp_path / "out" / "bundle" / "logs" / "127.0.0.2" / "escaped.log").is_file()
