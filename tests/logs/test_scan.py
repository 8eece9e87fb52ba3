"""``obdoctor.logs._scan``, the C line search: every kernel against the obvious Python answer.

The SIMD loops read ahead of the position they test (a literal's second byte may sit 30 bytes
on), stop short of the end and hand over to a scalar tail; hypothesis varies buffer sizes,
ranges and literal shapes around exactly those edges."""

import mmap
import platform
import shutil
import sysconfig
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.logs import reader

BUILDABLE = shutil.which("cc") is not None and (Path(sysconfig.get_paths()["include"]) / "Python.h").exists()
if BUILDABLE:
    from obdoctor.logs import _scan  # a compiler and headers are here: the build must have produced it
else:
    _scan = pytest.importorskip("obdoctor.logs._scan")

KERNELS = list(_scan.KERNELS)  # every kernel this CPU runs: avx512, avx2, vec16, scalar


def expected(data: bytes, start: int, end: int, literals):
    """(line starts, newlines before each, newlines in range) the slow obvious way."""
    starts, before = [], []
    pos = start
    while pos < end:
        nl = data.find(b"\n", pos, end)
        stop = end if nl < 0 else nl
        line = data[pos:stop]
        if any(lit in line for lit in literals):
            starts.append(pos)
            before.append(data.count(b"\n", start, pos))
        pos = stop + 1
    return starts, before, data.count(b"\n", start, end)


ALPHABET = b"ab=-\n[]9 \x00\xff"
literal = st.binary(min_size=1, max_size=40).map(lambda b: bytes(ALPHABET[x % len(ALPHABET)] for x in b).replace(b"\n", b"a"))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400).map(lambda b: bytes(ALPHABET[x % len(ALPHABET)] for x in b)),
       literals=st.lists(literal, min_size=1, max_size=16),
       cut=st.tuples(st.integers(0, 400), st.integers(0, 400)),
       kernel=st.sampled_from(KERNELS))
def test_every_kernel_equals_the_obvious_scan(data, literals, cut, kernel):
    start, end = sorted(min(c, len(data)) for c in cut)
    scanner = _scan.Scanner(literals)
    assert scanner.scan(data, start, end, kernel) == expected(data, start, end, literals)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=3000), start=st.integers(0, 3000))
def test_newline_count_equals_bytes_count(data, start):
    start = min(start, len(data))
    assert _scan.count_newlines(data, start, len(data)) == data.count(b"\n", start)


def test_long_lines_and_literals_at_the_very_end():
    line = b"x" * 70000 + b"ret=-4016"
    data = b"head\n" + line + b"\n" + line  # the last literal ends at the buffer's last byte
    for kernel in KERNELS:
        starts, before, total = _scan.Scanner([b"ret=-4016", b"[errcode=-9040]"]).scan(data, 0, len(data), kernel)
        assert starts == [5, 5 + len(line) + 1] and before == [1, 2] and total == 2


def test_one_report_per_line_whatever_the_hits_on_it():
    data = b"ret=-4016 ret=-4016 ret=-9043\nnothing\nret=-9043\n" * 3
    got = _scan.Scanner([b"ret=-4016", b"ret=-9043"]).scan(data, 0, len(data))
    assert got == expected(data, 0, len(data), [b"ret=-4016", b"ret=-9043"])
    assert len(got[0]) == 6


def test_every_buffer_kind(tmp_path):
    data = b"[2024-03-18 08:00:00.000001] WDIAG x (ret=-9043)\nINFO\n" * 1000
    path = tmp_path / "observer.log.20240318080000123"
    path.write_bytes(data)
    want = expected(data, 10, len(data) - 10, [b"ret=-9043"])
    scanner = _scan.Scanner([b"ret=-9043"])
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for buf in (data, bytearray(data), memoryview(data), mm):
            assert scanner.scan(buf, 10, len(data) - 10) == want


@pytest.mark.parametrize("literals", [[], [b""], [b"a\nb"], [b"x"] * 17, ["text"]])
def test_refused_literals(literals):
    with pytest.raises((ValueError, TypeError)):
        _scan.Scanner(literals)


@pytest.mark.parametrize("start,end", [(-1, 3), (3, 2), (0, 11)])
def test_a_range_outside_the_buffer_is_an_error_not_a_read(start, end):
    with pytest.raises(ValueError):
        _scan.Scanner([b"a"]).scan(b"0123456789", start, end)
    with pytest.raises(ValueError):
        _scan.count_newlines(b"0123456789", start, end)


def test_reader_counts_the_same_without_the_extension(monkeypatch):
    data = (b"line\n" * 5000 + b"x" * 100000 + b"\n") * 5
    fast = reader.count_newlines(data, 3, len(data) - 3)
    monkeypatch.setattr(reader, "_scan", None)
    assert reader.count_newlines(data, 3, len(data) - 3) == fast == data.count(b"\n", 3, len(data) - 3)


def test_the_extension_is_built_where_a_compiler_and_headers_are():
    """``setup.py`` marks it optional; on this kind of machine it must not silently vanish."""
    from obdoctor.logs import patterns

    if not BUILDABLE:
        pytest.skip("no C compiler or Python headers: the optional extension is not expected")
    assert patterns.simd_available() and _scan.SIMD == _scan.KERNELS[0]
    assert {"vec16", "scalar"} <= set(_scan.KERNELS)  # portable: built by GCC and Clang on every CPU
    assert ("avx2" in _scan.KERNELS) <= (platform.machine() in ("x86_64", "AMD64"))


GUARD_CHECK = r"""
import ctypes, mmap, sys
from obdoctor.logs import _scan
page = mmap.PAGESIZE
area = mmap.mmap(-1, 3 * page)
libc = ctypes.CDLL(None, use_errno=True)
address = ctypes.addressof(ctypes.c_char.from_buffer(area))
assert libc.mprotect(ctypes.c_void_p(address + 2 * page), page, 0) == 0  # PROT_NONE: a read there faults
literals = [b"ret=-4016", b"[errcode=-9040]", b"x" * 33, b"q"]
for size in range(1, 2 * page, 37):
    for tail in (b"ret=-4016", b"\n", b"ret=-401", b"x" * 33, b"\n[2024", b"\n2024-03-1ret=-4016"):
        data = (b"y" * size + tail)[-2 * page:]
        start = 2 * page - len(data)
        area[start:2 * page] = data
        for kernel in sys.argv[1:]:
            _scan.Scanner(literals).scan(area, 0, 2 * page, kernel)  # ends right before the guard page
            _scan.Scanner(literals).records(area, start, 2 * page, 1 << 20, kernel)
            _scan.Scanner(literals).count(area, start, 2 * page, 1 << 20, kernel)
            _scan.Scanner(literals[:1]).count(area, start, 2 * page, 1 << 20, kernel)
            _scan.count_newlines(area, start, 2 * page)
print("ok")
"""


def test_never_reads_past_the_end_of_the_range():
    """The data ends right before a page that faults on any read: a read past ``end`` kills it."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", GUARD_CHECK, *KERNELS], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


LINE_KINDS = [
    b"[2024-03-18 08:00:00.000001] INFO [STORAGE] run (a.cpp:1) [7][T1_X][T1][Y0-0] tick(ret=-4016)",
    b"[2024-03-18 08:00:00.000002] WDIAG [STORAGE] run (a.cpp:1) [7][T1_X][T1][Y0-0] quiet",
    b"2024-03-18 08:00:00.000003|WARN|BACKUP|ret=-4016|alert",  # alert.log header
    b"from dual where ret=-4016",  # continuation lines
    b"  more text",
    b"[2024",  # a cut header: not a header
    b"\x00\xff garbage ret=-40",
    b"",
]


@settings(max_examples=200, deadline=None)
@given(kinds=st.lists(st.integers(0, len(LINE_KINDS) - 1), max_size=60),
       window=st.integers(64, 2000), max_record=st.integers(1, 400), final_newline=st.booleans())
def test_records_expand_like_the_python_engine(tmp_path_factory, kinds, window, max_record, final_newline):
    """The C record expansion against search.py's Python one (record by record: its bulk path for
    dense hits groups records longer than ``MAX_RECORD`` its own way), over region edges and
    cut records."""
    from obdoctor.logs import patterns, search

    data = b"\n".join(LINE_KINDS[k] for k in kinds) + (b"\n" if final_newline and kinds else b"")
    path = tmp_path_factory.mktemp("scan") / "observer.log.20240318080000123"
    path.write_bytes(data)
    pats = patterns.Patterns(("ret=-4016", "quiet"))
    old = reader.WINDOW, search.MAX_RECORD, search.DENSE
    reader.WINDOW, search.MAX_RECORD, search.DENSE = window, max_record, 0
    try:
        simd = list(search._raw_hits(path, None, patterns.compile_patterns(pats)))
        python = list(search._raw_hits(path, None, patterns.compile_patterns(pats, engine="find")))
    finally:
        reader.WINDOW, search.MAX_RECORD, search.DENSE = old
    assert simd == python
