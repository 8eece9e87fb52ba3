"""Property: whatever bytes a log file holds, plain or compressed, the search returns exactly
the records a naive line-by-line scan finds (records = a header line and the non-header
lines after it; lines before the first header form one record)."""

import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.logs import reader
from obdoctor.logs.files import LogFile
from obdoctor.logs import search
from obdoctor.logs.search import DENSE, Patterns, read_records, search_file

HEADER = b"[2024-03-18 08:00:00.000001] INFO  f (a.cpp:1) [1][T][T1][Y0-0000000000000000-0-0] [lt=1] "
ALERT = b"2024-03-18 08:00:00.000001|INFO|M|E|0|1|2|t|Y0-0-0-0|f|a.cpp:1|"
piece = st.one_of(
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from([b"ret=-9043", b"\x00\x00", b"\xff\xfe", b"caf\xc3\xa9", b"(a=1, b={x:[1, 2]})", b"   "]),
)
line = st.tuples(st.sampled_from([b"", HEADER, HEADER, ALERT, b"[", b"2024-"]), st.lists(piece, max_size=4)).map(
    lambda t: t[0] + b"".join(t[1]))


def naive(data: bytes, needle: bytes):
    lines = data.split(b"\n") if data else []
    if data.endswith(b"\n"):
        lines.pop()
    records = []
    for no, ln in enumerate(lines, 1):
        header = (ln[:1] == b"[" and ln[1:5].isdigit() and ln[5:6] == b"-") or (
            ln[:4].isdigit() and ln[4:5] == b"-" and b"|" in ln[:40])
        if header or not records:
            records.append([no, ln])
        else:
            records[-1][1] += b"\n" + ln
    # a record's raw text is kept without its trailing line ends (trailing blank lines included)
    return [(no, raw.rstrip(b"\r\n").decode("utf-8", "replace")) for no, raw in records if needle is None or needle in raw]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, max_size=40), trailing=st.booleans(), kind=st.sampled_from([None, "gz", "zst", "rotated"]),
       needle=st.sampled_from([b"ret=-9043", b"\x00", b"a=1", b"INFO", b"\xc3\xa9"]))
def test_search_equals_naive_scan_on_any_bytes(tmp_path_factory, lines, trailing, kind, needle):
    data = b"\n".join(lines) + (b"\n" if trailing and lines else b"")
    folder = tmp_path_factory.mktemp("fuzz")
    name = {"gz": "observer.log.20240318080000000.gz", "zst": "observer.log.20240318080000000.zst",
            "rotated": "observer.log.20240318080000000", None: "observer.log"}[kind]
    blob = data
    if kind == "gz":
        blob = gzip.compress(data)
    elif kind == "zst":
        import zstandard

        blob = zstandard.ZstdCompressor().compress(data)
    (folder / name).write_bytes(blob)
    log = LogFile(folder / name, "observer", False, None, kind if kind in ("gz", "zst") else None)
    pattern = needle.decode("utf-8", "surrogateescape")
    if not needle.isascii():
        return  # patterns are text; non-ASCII needles are covered by the plain-bytes engine tests
    for dense in (0, 1 << 40):  # never / always take the bulk path for many hits
        search.DENSE = dense
        try:
            got = [(r.line_no, r.raw) for r in search_file(log, Patterns((pattern,)))]
        finally:
            search.DENSE = DENSE
        assert got == naive(data, needle), dense
    assert [(r.line_no, r.raw) for r in read_records(log)] == naive(data, None)
    if kind == "rotated":  # two workers sharing the file: segments cut anywhere tile it
        from obdoctor.logs.search import _raw_hits

        for cut in (1, len(data) // 3, len(data) // 2, len(data) - 1):
            parts = [h for seg in ((0, cut), (cut, len(data))) for h in _raw_hits(folder / name, None, None, segment=seg)]
            assert parts == list(_raw_hits(folder / name, None, None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, max_size=40), trailing=st.booleans(), piece_size=st.integers(1, 50), kind=st.sampled_from(["chunks", "stream", "mmap"]))
def test_regions_start_at_records_whatever_the_block_size(tmp_path_factory, monkeypatch, lines, trailing, piece_size, kind):
    """Tiny decoded chunks / read blocks / mmap windows: regions still tile the file and each
    starts at a record, so records are never split (unless bigger than the buffer)."""
    data = b"\n".join(lines) + (b"\n" if trailing and lines else b"")
    folder = tmp_path_factory.mktemp("regions")
    if kind == "chunks":
        source = reader._chunk_regions(iter([data[i:i + piece_size] for i in range(0, len(data), piece_size)]))
    else:
        monkeypatch.setattr(reader, "BLOCK", piece_size)
        monkeypatch.setattr(reader, "WINDOW", piece_size * 4096)
        name = "observer.log" if kind == "stream" else "observer.log.20240318080000000"
        (folder / name).write_bytes(data)
        source = reader.regions(folder / name)
    found, pieces = [], []
    for r in source:  # a region's buffer is only valid until the next one
        found.append(r)
        pieces.append(bytes(r.buf[r.start:r.end]))
    assert b"".join(pieces) == data
    assert [r.offset for r in found] == [sum(len(p) for p in pieces[:i]) for i in range(len(pieces))]
    starts = {no for no, _ in naive(data, None)}
    line_of = lambda off: data.count(b"\n", 0, off) + 1
    assert all(line_of(r.offset) in starts and (r.offset == 0 or data[r.offset - 1:r.offset] == b"\n") for r in found)
