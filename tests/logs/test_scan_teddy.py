"""The Teddy kernels (``teddy512``, ``teddy2``: nibble-table fingerprints, literals anchored
anywhere inside themselves) against the scalar kernel and a Python reference, on random literal
sets: 1-16 literals of 1-32 bytes, some overlapping others (a piece of one, one grown from
another), planted at line starts, line ends and the buffer's first and last bytes, in line mode,
record mode with and without a header filter, and count mode; every fingerprint length."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .test_scan import _scan, expected

TEDDY = [k for k in _scan.KERNELS if k.startswith("teddy")]
pytestmark = pytest.mark.skipif(not TEDDY, reason="no Teddy kernel on this CPU (x86 without AVX2)")
OTHERS = [k for k in _scan.KERNELS if k != "scalar"]

BYTES = b"ab=-40916[] \x00\xffTYW"
HEADERS = (b"[2024-03-18 08:00:00.000001] WDIAG [RS] f (a.cpp:1) [7][T1002_X][T1002][Y0-0] ",
           b"[2024-03-18 08:00:00.000002] INFO [STORAGE] g (b.cpp:2) [8][T1_Y][T1][Y0-0] ",
           b"[2024-03-18 08:00:00.000003] WARN  [RS] f (a.cpp:1) [7][0][Y1-00000000000000AB] [lt=1] ",
           b"2024-03-18 08:00:00.000004|WARN|BACKUP|ret=-4016|")
raw_literal = st.binary(min_size=1, max_size=32).map(lambda b: bytes(BYTES[x % len(BYTES)] for x in b))


@st.composite
def literal_sets(draw):
    lits = [draw(raw_literal)]
    for _ in range(draw(st.integers(0, 15))):
        if draw(st.booleans()):
            lits.append(draw(raw_literal))
            continue
        base = draw(st.sampled_from(lits))  # overlapping: a piece of an earlier one, or it grown by a byte
        lo = draw(st.integers(0, len(base) - 1))
        piece = base[lo:draw(st.integers(lo + 1, len(base)))]
        if draw(st.booleans()) and len(piece) < 32:
            piece = piece + bytes([draw(st.sampled_from(BYTES))])
        lits.append(piece)
    return lits


@st.composite
def buffers(draw, lits):
    """Lines of headers, continuation text and filler, literals placed at their edges."""
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        head = draw(st.sampled_from((b"", b"", *HEADERS)))
        filler = draw(st.binary(max_size=90).map(lambda b: bytes(BYTES[x % len(BYTES)] for x in b)))
        where = draw(st.sampled_from(("none", "start", "end", "middle")))
        lit = draw(st.sampled_from(lits))
        if where == "start":
            filler = lit + filler
        elif where == "end":
            filler = filler + lit
        elif where == "middle":
            filler = filler[:len(filler) // 2] + lit + filler[len(filler) // 2:]
        lines.append(head + filler if where != "start" or head else filler)
    data = b"\n".join(lines)
    if draw(st.booleans()):
        data = draw(st.sampled_from(lits)) + data  # a literal at the very first byte
    if draw(st.booleans()):
        data += draw(st.sampled_from(lits))  # and at the very last
    return data + (b"\n" if draw(st.booleans()) else b"")


def python_records(data: bytes, start: int, end: int, lits) -> tuple[list[int], list[int]]:
    """(starts, stops) of the records (a header line and the lines up to the next header; lines
    before the first header are one record) of data[start:end] holding a literal."""
    from obdoctor.logs.reader import is_header

    records, pos = [], start
    while pos < end:
        nl = data.find(b"\n", pos, end)
        stop = end if nl < 0 else nl
        if not records or is_header(data, pos, end):
            records.append([pos, stop])
        else:
            records[-1][1] = stop
        pos = stop + 1
    held = [(a, b) for a, b in records if any(lit in data[a:b] for lit in lits)]
    return [a for a, _ in held], [b for _, b in held]


FILTERS = (((b"WDIAG", b"WARN"), None, None, None, None, None), ((b"WDIAG",), None, None, 1002, None, None),
           ((), None, None, None, b"T1_Y", None), ((b"INFO",), None, None, None, None, b"STORAGE"))


@settings(max_examples=400, deadline=None)
@given(data=st.data(), m=st.integers(0, 4), cut=st.tuples(st.integers(0, 3000), st.integers(0, 3000)))
def test_teddy_equals_scalar_and_python(data, m, cut):
    lits = data.draw(literal_sets())
    buf = data.draw(buffers(lits))
    start, end = sorted(min(c, len(buf)) for c in cut)
    if data.draw(st.booleans()):
        start, end = 0, len(buf)  # the whole buffer: literals at its first and last byte count
    old = _scan._set_teddy_m(m)
    try:
        scanner = _scan.Scanner(lits)
        want_lines = expected(buf, start, end, lits)
        want_starts, want_stops = python_records(buf, start, end, lits)
        scalar = scanner.records(buf, start, end, 1 << 20, "scalar")
        assert scalar[:2] == (want_starts, want_stops)
        flt = data.draw(st.sampled_from(FILTERS))
        filtered = _scan.Scanner(lits, filter=flt)
        want_filtered = filtered.records(buf, start, end, 1 << 20, "scalar")
        for kernel in OTHERS:
            assert scanner.scan(buf, start, end, kernel) == want_lines, kernel
            assert scanner.records(buf, start, end, 1 << 20, kernel) == scalar, kernel
            assert scanner.count(buf, start, end, 1 << 20, kernel) == len(want_starts), kernel
            assert filtered.records(buf, start, end, 1 << 20, kernel) == want_filtered, kernel
            assert filtered.count(buf, start, end, 1 << 20, kernel) == len(want_filtered[0]), kernel
    finally:
        _scan._set_teddy_m(old)


def test_literals_sharing_a_prefix_are_told_apart_on_a_long_buffer():
    """ret=-4016 / ret=-4018 / ret=-401: anchors where they differ; thousands of near misses
    (ret=-4017) must not be counted, a block-sized run of text must be crossed."""
    lits = [b"ret=-4016", b"ret=-4018", b"ret=-401", b"[errcode=-9040]"]
    line = b"[2024-03-18 08:00:00.000001] WDIAG x(ret=-4017) " + b"y" * 61 + b"\n"
    data = line * 3000 + b"z(ret=-4018)\n" + line * 100 + b"ret=-4016"
    for kernel in _scan.KERNELS:
        assert _scan.Scanner(lits[:2]).count(data, 0, len(data), 1 << 20, kernel) == 2
        assert _scan.Scanner(lits).count(data, 0, len(data), 1 << 20, kernel) == 3100  # ret=-401: every record (the two lines above are continuations)


def test_fingerprint_length_is_checked():
    for bad in (-1, 5):
        with pytest.raises(ValueError):
            _scan._set_teddy_m(bad)


@pytest.mark.parametrize("m", [0, 2, 3, 4])
def test_a_literal_cut_by_the_range_start_is_not_found(m):
    """A literal is anchored inside itself: the anchor may lie in the range while the literal
    starts before it (a region or segment boundary); only whole literals in the range count."""
    lits = [b"ret=-4016", b"backup can not start", b"[errcode=-9040]"]
    old = _scan._set_teddy_m(m)
    try:
        for lit in lits:
            data = b"x" * 70 + lit + b" tail\n" + b"y" * 100 + b"\n"
            for cut in range(70, 70 + len(lit) + 1):
                want = expected(data, cut, len(data), lits)
                for kernel in _scan.KERNELS:
                    scanner = _scan.Scanner(lits)
                    assert scanner.scan(data, cut, len(data), kernel) == want, (kernel, cut)
                    assert scanner.count(data, cut, len(data), 1 << 20, kernel) == len(want[0]), (kernel, cut)
    finally:
        _scan._set_teddy_m(old)
