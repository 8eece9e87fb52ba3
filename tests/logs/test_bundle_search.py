"""``Bundle.search_logs`` on top of the engine: levels, window, limit, partly-read files."""

from datetime import datetime

from obdoctor.evidence import LogQuery
from obdoctor.logs import Records, SearchReport, search_files
from obdoctor.logs.files import discover
from obdoctor.logs.patterns import Patterns
from obdoctor.sources.bundle import Bundle

from .conftest import make_lines, write


def make_bundle(tmp_path):
    root = tmp_path / "bundle"
    for i, ip in enumerate(("10.0.0.1", "10.0.0.2")):
        d = root / "logs" / ip
        d.mkdir(parents=True)
        write(d / "observer.log.20240318080500000.gz", make_lines(400, seed=i), "gz")
        write(d / "observer.log", make_lines(400, seed=i + 5, start=datetime(2024, 3, 18, 9)))
    # a truncated rotated file on the second server
    bad = root / "logs" / "10.0.0.2" / "observer.log.20240318080600000.gz"
    data = write(bad, make_lines(3000, seed=9, start=datetime(2024, 3, 18, 8, 5)), "gz").read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    return root


def test_bundle_search_levels_window_limit_and_partial_files(tmp_path):
    with Bundle(make_bundle(tmp_path)) as bundle:
        everything = bundle.search_logs(LogQuery(servers=(), any_of=("ret=-9043",)))
        assert everything.total_matches > 0 and all(r.level == "WDIAG" for r in everything.records)
        assert any("(partly)" in f for f in everything.files_searched)
        assert any("truncated gzip" in u for u in everything.unchecked)
        times = [r.ts for r in everything.records]
        assert times == sorted(times)
        assert everything.records[0].path.startswith("logs/")
        late = bundle.search_logs(LogQuery(servers=(), any_of=("ret=-9043",), since=datetime(2024, 3, 18, 9)))
        assert 0 < late.total_matches < everything.total_matches and all(r.ts >= datetime(2024, 3, 18, 9) for r in late.records)
        assert not any("20240318080500000" in f for f in late.files_searched)  # rotated before the window
        limited = bundle.search_logs(LogQuery(servers=("10.0.0.1",), any_of=("tick",), limit=5))
        assert len(limited.records) == 5 and limited.total_matches > 5
        infos = bundle.search_logs(LogQuery(servers=("10.0.0.1",), any_of=("ret=-9043", "tick"), levels=("INFO",)))
        assert infos.records and all(r.level == "INFO" for r in infos.records)
        missing = bundle.search_logs(LogQuery(servers=("10.9.9.9",), any_of=("x",)))
        assert missing.unchecked and not missing.files_searched


def test_parallel_search_reports_a_truncated_file(tmp_path, monkeypatch):
    from obdoctor.logs import search

    monkeypatch.setattr(search, "_size", lambda log: 64 << 20)
    root = make_bundle(tmp_path)
    files = [f for ip in ("10.0.0.1", "10.0.0.2") for f in discover(root / "logs" / ip, ip)[0]]
    report = SearchReport()
    got = list(search_files(files, Patterns(("ret=-9043",)), Records(), workers=2, report=report))
    assert report.workers == 2 and got
    assert [f.name for f, _ in report.failed] == ["observer.log.20240318080600000.gz"]
    assert "truncated gzip" in report.failed[0][1] and len(report.searched) == len(files) - 1


def test_collected_lines_get_their_servers_file_line_and_offset_back(tmp_path):
    """``logs/origins.tsv`` (written by collect): a stored line's place on its server; a bad row
    is a note, and its line keeps the bundle's number."""
    from obdoctor.rules.base import log_provenance

    root = tmp_path / "collected"
    d = root / "logs" / "10.0.0.1"
    d.mkdir(parents=True)
    lines = make_lines(120)
    hits = [line for line in lines if "ret=-9043" in line][:3]
    write(d / "observer.log.20240318080500000", hits)
    (root / "logs" / "origins.tsv").write_text(
        "server\tfile\tline\torigin_file\torigin_line\torigin_offset\n"
        "10.0.0.1\tobserver.log.20240318080500000\t1\tobserver.log.20240318080500000.gz\t4512\t99\n"
        "10.0.0.1\tobserver.log.20240318080500000\t2\tobserver.log.20240318080500000.gz\t4600\t\n"
        "10.0.0.1\tobserver.log.20240318080500000\tthree\tobserver.log.20240318080500000.gz\t5000\t1\n")
    with Bundle(root) as bundle:
        found = bundle.search_logs(LogQuery(servers=("10.0.0.1",), any_of=("ret=-9043",)))
        assert [(r.origin, r.line_no, r.offset) for r in found.records] == [
            ("observer.log.20240318080500000.gz", 4512, 99), ("observer.log.20240318080500000.gz", 4600, None),
            (None, 3, found.records[2].offset)]
        assert any("1 malformed row" in n for n in bundle.info().notes)
    first = log_provenance(found.records[0])
    assert first.describe() == "10.0.0.1:observer.log.20240318080500000.gz:4512"
    assert first.location == "logs/10.0.0.1/observer.log.20240318080500000"  # where it is in the bundle
