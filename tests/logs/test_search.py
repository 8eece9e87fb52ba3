"""The search engine: same answers as a brute-force scan, on every kind of file, with garbage."""

import gzip
import os

import pytest

from obdoctor.logs import reader
from obdoctor.logs.files import LogFile, classify, discover
from obdoctor.logs.patterns import Matcher, Patterns, compile_patterns, hyperscan_available
from obdoctor.logs.reader import LogReadError
from obdoctor.logs import Count, Records, SearchReport, search_files
from obdoctor.logs.search import read_records, search_file

from .conftest import TRACE, make_lines, write


def brute(lines, patterns):
    """(line number of the record, raw) the slow obvious way: join continuation lines."""
    records, current = [], None
    physical = 0
    for line in lines:
        for piece_no, piece in enumerate(line.split("\n")):
            physical += 1
            if piece.startswith("[20") and piece_no == 0:
                current = [physical, piece]
                records.append(current)
            else:
                current[1] += "\n" + piece
    return [(n, raw) for n, raw in records if any(p in raw for p in patterns)]


def lf(path, server=None):
    return classify(path, server) or LogFile(path, "observer", False, None, None, server)


@pytest.mark.parametrize("name,compress", [("observer.log", None), ("observer.log.20240318080000123", None),
                                           ("observer.log.20240318080000123.gz", "gz"), ("rootservice.log.20240318080000123.zst", "zst")])
@pytest.mark.parametrize("patterns", [("ret=-9043",), ("ret=-9043", TRACE), ("from dual",), ("no such thing",)])
def test_search_equals_brute_force(tmp_path, lines, name, compress, patterns, engine):
    path = write(tmp_path / name, lines, compress)
    assert compile_patterns(Patterns(patterns)).engine == engine
    got = [(r.line_no, r.raw) for r in search_file(lf(path), Patterns(patterns))]
    assert got == brute(lines, patterns)


def test_offsets_point_at_the_record(tmp_path, lines):
    path = write(tmp_path / "observer.log.20240318080000123", lines)
    data = path.read_bytes()
    for r in search_file(lf(path), Patterns(("ret=-9043",))):
        assert data[r.offset:r.offset + len(r.raw.encode())].decode() == r.raw
        assert r.path == str(path) and r.level == "WDIAG"


def test_small_blocks_cross_every_boundary(tmp_path, lines, monkeypatch):
    """Regions far smaller than a file: records straddling region edges are neither lost nor doubled."""
    monkeypatch.setattr(reader, "WINDOW", 4096 * 3)
    monkeypatch.setattr(reader, "BLOCK", 5000)
    for name in ("observer.log", "observer.log.20240318080000123"):
        path = write(tmp_path / name, lines)
        got = [(r.line_no, r.raw) for r in search_file(lf(path), Patterns(("ret=-9043", "tick(i=1")))]
        assert got == brute(lines, ("ret=-9043", "tick(i=1"))


def test_engines_agree(tmp_path, lines, engine):
    data = "".join(x + "\n" for x in lines).encode()
    pats = Patterns(("ret=-9043", "i=11,", TRACE))
    fallback = Matcher(pats).hits(data, 0, len(data))
    matcher = compile_patterns(pats)
    assert matcher.engine == engine
    assert fallback and matcher.hits(data, 0, len(data)) == fallback
    starts, before, total = matcher.scan(data, 0, len(data))
    assert starts == fallback
    if before is not None:  # an engine that counts as it scans: the counts are right
        assert before == [data.count(b"\n", 0, s) for s in starts] and total == data.count(b"\n")


def test_the_fastest_engine_built_is_the_default():
    from obdoctor.logs.patterns import simd_available

    pats = Patterns(("ret=-9043",))
    expected = "simd" if simd_available() else "hyperscan" if hyperscan_available() else "find"
    assert compile_patterns(pats).engine == expected
    many = Patterns(tuple(f"ret=-{4000 + i}" for i in range(40)))  # more literals than simd takes
    assert compile_patterns(many).engine == ("hyperscan" if hyperscan_available() else "find")


def test_all_of_and_every_line(tmp_path, lines):
    path = write(tmp_path / "observer.log", lines)
    both = list(search_file(lf(path), Patterns(all_of=("WDIAG", "i=107"))))
    assert [r.get("i") for r in both] == ["107"]
    every = list(read_records(lf(path)))
    assert len(every) == len(lines) and every[3].body.endswith("from dual where x=1)")


def test_parallel_equals_serial(tmp_path):
    files = []
    for i in range(4):
        path = write(tmp_path / f"observer.log.2024031808000{i}123", make_lines(3000, seed=i))
        files.append(lf(path, "s1"))
    write(tmp_path / "observer.log.20240318090000123.gz", make_lines(3000, seed=9), "gz")
    files.append(lf(tmp_path / "observer.log.20240318090000123.gz", "s1"))
    pats = Patterns(("ret=-9043", TRACE))
    serial = sorted((r.path, r.line_no, r.raw) for f in files for r in search_file(f, pats))
    report = SearchReport()
    parallel = sorted((r.path, r.line_no, r.raw) for r in search_files(files, pats, Records(), workers=2, report=report))
    assert parallel == serial and len(report.searched) == len(files) and not report.failed


def test_parallel_path_is_exercised(tmp_path, monkeypatch):
    from obdoctor.logs import search

    monkeypatch.setattr(search, "_size", lambda log: 64 << 20)  # pretend the files are big
    files = [lf(write(tmp_path / f"observer.log.2024031808000{i}123", make_lines(500, seed=i))) for i in range(3)]
    report = SearchReport()
    got = list(search_files(files, Patterns(("ret=-9043",)), Records(), workers=2, report=report))
    assert report.workers == 2 and len(got) == 30 and len(report.searched) == 3


# -- garbage ---------------------------------------------------------------------------------------
def test_nul_bytes_and_invalid_utf8_do_not_stop_the_search(tmp_path):
    path = tmp_path / "observer.log"
    path.write_bytes(b"\x00\x00binary\xff\xfe junk ret=-9043\n" + b"[2024-03-18 08:00:00.000001] INFO  f (a.cpp:1) [1][T][T1]"
                     b"[Y0-0000000000000000-0-0] [lt=1] bad \xc3\x28 utf8 ret=-9043 \x00 nul\n" + b"\xff" * 100 + b" ret=-9043\n")
    got = list(search_file(lf(path), Patterns(("ret=-9043",))))
    # a line before any header stands alone; garbage after a header is its continuation
    assert [r.line_no for r in got] == [1, 2]
    assert got[0].format == "raw" and "\x00" in got[0].raw
    assert got[1].level == "INFO" and "\ufffd" in got[1].raw and got[1].raw.count("\n") == 1


def test_64k_lines_and_lines_without_end(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_LINE", 1 << 17)
    monkeypatch.setattr(reader, "BLOCK", 1 << 16)
    long_line = "[2024-03-18 08:00:00.000001] INFO  f (a.cpp:1) [1][T][T1][Y0-0000000000000000-0-0] [lt=1] x(v=" + "a" * 65536 + ", ret=-9043)"
    path = tmp_path / "observer.log"
    short = long_line[:100] + " ret=-9043"
    path.write_text(long_line + "\n" + short + "\n" + "z" * 300000 + " ret=-9043")  # last: huge, no newline
    got = list(search_file(lf(path), Patterns(("ret=-9043",))))
    assert got[0].raw == long_line and got[0].get("v") == "a" * 65536
    assert got[1].line_no == 2 and got[1].raw.startswith(short)
    assert got[-1].raw.endswith("z ret=-9043")  # the unterminated giant is found (cut in pieces)


def test_empty_files(tmp_path):
    for name, comp in [("observer.log", None), ("observer.log.20240318080000123", None)]:
        (tmp_path / name).write_bytes(b"")
        assert list(search_file(lf(tmp_path / name), Patterns(("x",)))) == []
    gz = tmp_path / "observer.log.20240318080000124.gz"
    gz.write_bytes(gzip.compress(b""))
    assert list(search_file(lf(gz), Patterns(("x",)))) == []
    files, skipped = discover(tmp_path)
    assert ("empty file" in reason for _, reason in skipped)


@pytest.mark.parametrize("compress,name", [("gz", "observer.log.20240318080000123.gz"), ("zst", "observer.log.20240318080000123.zst")])
def test_truncated_compressed_files_give_what_they_hold_then_say_so(tmp_path, compress, name):
    lines = make_lines(20000)
    full = write(tmp_path / name, lines, compress)
    data = full.read_bytes()
    full.write_bytes(data[: len(data) // 2])
    got = []
    with pytest.raises(LogReadError):
        for r in search_file(lf(full), Patterns(("ret=-9043",))):
            got.append((r.line_no, r.raw))
    expected = brute(lines, ("ret=-9043",))
    assert got and got == expected[: len(got)]
    report = SearchReport()
    assert list(search_files([lf(full)], Patterns(("ret=-9043",)), Records(), report=report))
    assert report.failed and not report.searched


@pytest.mark.parametrize("name", ["observer.log.20240318080000123.gz", "observer.log.20240318080000123.zst"])
def test_garbage_in_compressed_clothing(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(os.urandom(5000))
    with pytest.raises(LogReadError):
        list(search_file(lf(path), Patterns(("x",))))


def test_file_rotated_mid_read_keeps_every_line(tmp_path, monkeypatch):
    """OceanBase rotates by rename: the open file is read to its end, nothing lost."""
    monkeypatch.setattr(reader, "BLOCK", 4096)
    lines = make_lines(3000)
    live = write(tmp_path / "observer.log", lines)
    got = []
    for i, r in enumerate(search_file(lf(live), Patterns(("ret=-9043",)))):
        if i == 2:
            os.rename(live, tmp_path / "observer.log.20240318090000000")
            live.write_text("[2024-03-18 09:00:00.000001] INFO  New syslog file info: [x]\n")
        got.append((r.line_no, r.raw))
    assert got == brute(lines, ("ret=-9043",))


def test_file_truncated_mid_read_does_not_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "BLOCK", 4096)
    lines = make_lines(3000)
    live = write(tmp_path / "observer.log", lines)
    got = []
    for i, r in enumerate(search_file(lf(live), Patterns(("ret=-9043",)))):
        if i == 1:
            os.truncate(live, 0)
        got.append(r.line_no)
    assert got[:2] == [n for n, _ in brute(lines, ("ret=-9043",))][:2]


def test_unreadable_file_is_reported(tmp_path):
    missing = LogFile(tmp_path / "observer.log.20240318080000123", "observer", False, None, None, "s")
    report = SearchReport()
    assert list(search_files([missing], Patterns(("x",)), Records(), report=report)) == []
    assert report.failed and "No such file" in report.failed[0][1]


def test_memory_is_bounded_when_everything_matches(tmp_path, monkeypatch):
    """Records stream out: a consumer that stops early stops the reading."""
    monkeypatch.setattr(reader, "BLOCK", 1 << 16)
    path = write(tmp_path / "observer.log", make_lines(20000))
    it = search_file(lf(path), Patterns(("tick",)))
    first = [next(it) for _ in range(10)]
    it.close()
    assert [r.line_no for r in first][:3] == [1, 2, 3]


def test_pure_python_engine_gives_the_same_records(tmp_path, lines, monkeypatch):
    from obdoctor.logs import patterns

    path = write(tmp_path / "observer.log.20240318080000123", lines)
    pats = Patterns(("ret=-9043", TRACE, "from dual"))
    fast = [(r.line_no, r.raw) for r in search_file(lf(path), pats)]
    monkeypatch.setattr(patterns, "_hs", False)
    monkeypatch.setattr(patterns, "_scan", None)
    assert compile_patterns(pats).engine == "find"
    assert [(r.line_no, r.raw) for r in search_file(lf(path), pats)] == fast == brute(lines, pats.any_of)


def test_many_hits_take_the_bulk_path_with_the_same_answers(tmp_path, lines, monkeypatch):
    from obdoctor.logs import search

    for name, comp in [("observer.log", None), ("observer.log.20240318080000123", None), ("observer.log.20240318080000123.gz", "gz")]:
        path = write(tmp_path / name, lines, comp)
        for pats in [("tick",), ("ret=-9043",), ("from dual", "i=1")]:
            monkeypatch.setattr(search, "DENSE", 0)
            sparse = [(r.line_no, r.offset, r.raw) for r in search_file(lf(path), Patterns(pats))]
            monkeypatch.setattr(search, "DENSE", 1 << 40)
            dense = [(r.line_no, r.offset, r.raw) for r in search_file(lf(path), Patterns(pats))]
            monkeypatch.setattr(search, "DENSE_BLOCK", 700)  # blocks smaller than some records
            small = [(r.line_no, r.offset, r.raw) for r in search_file(lf(path), Patterns(pats))]
            monkeypatch.setattr(search, "DENSE_BLOCK", 4 << 20)
            assert dense == sparse == small and [(n, raw) for n, _, raw in sparse] == brute(lines, pats)


def test_segments_tile_a_file_exactly(tmp_path, lines):
    """Cut anywhere (inside a line, inside a multi-line record): consecutive segments give
    exactly the whole file's records, with the right line numbers and offsets."""
    from obdoctor.logs.search import _raw_hits

    path = write(tmp_path / "observer.log.20240318080000123", lines)
    size = path.stat().st_size
    whole = list(_raw_hits(path, None, compile_patterns(Patterns(("ret=-9043", "from dual", "i=1")))))
    everything = list(_raw_hits(path, None, None))
    for cuts in ([size // 2], [1, 2, 3], [size // 3, size // 3 + 1, 2 * size // 3], list(range(0, size, 997))):
        bounds = [0, *cuts, size]
        segs = list(zip(bounds, bounds[1:]))
        matcher = compile_patterns(Patterns(("ret=-9043", "from dual", "i=1")))
        assert [h for a, b in segs for h in _raw_hits(path, None, matcher, segment=(a, b))] == whole
        assert [h for a, b in segs for h in _raw_hits(path, None, None, segment=(a, b))] == everything


def test_one_big_file_is_shared_by_both_workers(tmp_path, monkeypatch):
    from obdoctor.logs import search

    monkeypatch.setattr(search, "SPLIT_MIN", 1)
    monkeypatch.setattr(search, "_size", lambda log: log.path.stat().st_size * 1000)  # "big" for the pool
    path = write(tmp_path / "observer.log.20240318080000123", make_lines(3000))
    log = lf(path)
    tasks = search._tasks([log], 2)
    assert [seg for _, seg in tasks] == [(0, (path.stat().st_size + 1) // 2), ((path.stat().st_size + 1) // 2, path.stat().st_size)]
    assert search._tasks([log], 2, split=False) == [(0, None)]
    report = SearchReport()
    pats = Patterns(("ret=-9043", TRACE))
    got = sorted((r.line_no, r.offset, r.raw) for r in search_files([log], pats, Records(ordered=False), workers=2, report=report))
    assert report.workers == 2 and report.searched == [log] and not report.failed
    assert got == [(r.line_no, r.offset, r.raw) for r in search_file(log, pats)]
    # ordered (the default): one worker takes the whole file, so its records come in file order
    ordered = SearchReport()
    in_order = [(r.line_no, r.offset, r.raw) for r in search_files([log], pats, Records(), workers=2, report=ordered)]
    assert in_order == got and ordered.workers == 1


@pytest.mark.parametrize("big", [False, True], ids=["one process", "workers"])
@pytest.mark.parametrize("pats", [Patterns(("ret=-9043", TRACE)), Patterns(("tick",)), Patterns(all_of=("WDIAG", "i=107")),
                                  Patterns()], ids=["sparse", "dense", "all-of", "everything"])
def test_count_hits_equals_counting_the_hits(tmp_path, monkeypatch, engine, big, pats):
    """``logs search --count`` counts where it searches; the number is the search's, truncated
    files included (what could be read counts, and the file is reported)."""
    from obdoctor.logs import search

    if big:
        monkeypatch.setattr(search, "SPLIT_MIN", 1)
        monkeypatch.setattr(search, "_size", lambda log: 64 << 20)
    files = [lf(write(tmp_path / "observer.log.20240318080000123", make_lines(3000, seed=1)))]
    files.append(lf(write(tmp_path / "observer.log", make_lines(700, seed=2))))
    gz = write(tmp_path / "observer.log.20240318070000123.gz", make_lines(2000, seed=3), "gz")
    gz.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])  # truncated
    files.append(lf(gz))
    counted, listed = SearchReport(), SearchReport()
    n = search_files(files, pats, Count(), workers=2, report=counted)
    assert n == sum(1 for _ in search_files(files, pats, Records(), workers=2, report=listed)) and n > 0
    assert counted.workers == (2 if big else 1)
    assert sorted(f.name for f in counted.searched) == sorted(f.name for f in listed.searched)
    assert [(f.name, why) for f, why in counted.failed] == [(f.name, why) for f, why in listed.failed]
    assert [f.name for f, _ in counted.failed] == [gz.name]


def test_workers_are_not_forked_from_a_threaded_process(tmp_path, monkeypatch):
    """With another thread alive (a live run's SSH loop), workers start by forkserver/spawn and
    still find every record; a lone thread keeps the fast fork."""
    import threading

    from obdoctor.logs import search

    methods = ["fork", "spawn", "forkserver"]
    with monkeypatch.context() as alone:  # whatever threads earlier tests left behind
        alone.setattr(threading, "active_count", lambda: 1)
        assert search._start_method(methods) == "fork"
    monkeypatch.setattr(search, "SPLIT_MIN", 1)
    monkeypatch.setattr(search, "_size", lambda log: log.path.stat().st_size * 1000)  # "big" for the pool
    log = lf(write(tmp_path / "observer.log.20240318080000123", make_lines(3000)))
    pats = Patterns(("ret=-9043", TRACE))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert search._start_method(methods) == "forkserver"
        assert search._start_method(["fork", "spawn"]) == "spawn"
        report = SearchReport()
        got = sorted((r.line_no, r.raw) for r in search_files([log], pats, Records(ordered=False), workers=2, report=report))
    finally:
        stop.set()
    assert report.workers == 2 and not report.failed
    assert got == [(r.line_no, r.raw) for r in search_file(log, pats)]


def test_a_parallel_count_forks_without_multiprocessing_and_names_a_dead_worker(tmp_path, monkeypatch):
    """A parallel ``--count`` runs on bare ``fork`` (no multiprocessing queues to import and
    start); a worker that dies on a file leaves that file in ``failed`` ("search worker died"),
    never a silent zero, and the other files are still counted."""
    import os

    from obdoctor.logs import search

    monkeypatch.setattr(search, "PARALLEL_MIN", 0)
    monkeypatch.setattr(search, "COUNT_PARALLEL_MIN", 0)
    monkeypatch.setattr(search, "_parallel", lambda *a, **k: pytest.fail("multiprocessing path taken"))
    files = [lf(write(tmp_path / f"observer.log.2024031808000012{i}", make_lines(500 + 100 * i, seed=i)))
             for i in range(4)]
    pats = Patterns(("tick",))
    want = sum(search_files([f], pats, Count(), workers=1) for f in files)
    report = SearchReport()
    assert search_files(files, pats, Count(), workers=2, report=report) == want > 0
    assert report.workers == 2 and set(report.searched) == set(files) and not report.failed

    real = search._count_hits

    def dies_on_one(path, *args):
        if str(path).endswith("1"):
            os._exit(7)
        return real(path, *args)

    monkeypatch.setattr(search, "_count_hits", dies_on_one)
    report = SearchReport()
    total = search_files(files, pats, Count(), workers=2, report=report)
    assert [(f.name, why) for f, why in report.failed] == [(files[1].name, "search worker died")]
    assert total == sum(search_files([f], pats, Count(), workers=1) for f in report.searched)


def test_a_parallel_search_leaves_no_thread_behind(tmp_path, monkeypatch):
    """The task queue's feeder thread outlived each parallel search, so every later search in the
    same process (analyze searches several times) started its workers by forkserver, not fork."""
    import gc
    import threading

    from obdoctor.logs import search

    monkeypatch.setattr(search, "_size", lambda log: 64 << 20)  # pretend the files are big
    files = [lf(write(tmp_path / f"observer.log.2024031808000{i}123", make_lines(500, seed=i))) for i in range(3)]
    before = set(threading.enumerate())
    report = SearchReport()
    gc.disable()  # only a collection that happened to come ended the thread
    try:
        got = list(search_files(files, Patterns(("ret=-9043",)), Records(), workers=2, report=report))
        left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
    finally:
        gc.enable()
    assert report.workers == 2 and len(got) == 30
    assert left == []
