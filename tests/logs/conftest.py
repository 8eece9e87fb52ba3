import gzip
import random
from datetime import datetime, timedelta

import pytest

from obdoctor.logs.record import LogRecord
from obdoctor.logs.render import render

TRACE = "YB42AC1E0B5C-00060F1A2B3C4D5E-0-0"


def make_lines(n: int, seed: int = 1, start: datetime = datetime(2024, 3, 18, 8, 0)) -> list[str]:
    """``n`` realistic 4.x lines; every 50th holds ret=-9043, every 70th the trace id, every
    90th has a continuation line."""
    rng = random.Random(seed)
    out = []
    ts = start
    for i in range(n):
        ts += timedelta(milliseconds=rng.randrange(1, 500))
        level, errcode, body = "INFO", None, f"tick(i={i}, v={rng.randrange(10**6)})"
        if i % 50 == 7:
            level, errcode, body = "WDIAG", -9043, f"backup failed(ret=-9043, i={i})"
        if i % 90 == 3:
            body = f"sql(q=select {i}\nfrom dual where x=1)"
        rec = LogRecord(raw="", ts=ts, level=level, module="STORAGE", func="run", src_file="a.cpp", src_line=1, tid=7,
                        thread="T1_X", tenant_id=1, trace_id=TRACE if i % 70 == 5 else "Y0-0000000000000000-0-0",
                        lt=1, errcode=errcode, body=body, format="4.x")
        out.append(render(rec))
    return out


def available_engines() -> list[str]:
    from obdoctor.logs import patterns

    names = ["simd"] if patterns.simd_available() else []
    if patterns.hyperscan_available():
        names.append("hyperscan")
    return names + ["find"]


@pytest.fixture(params=available_engines())
def engine(request, monkeypatch):
    """Run the test once per matcher engine built here: every engine must give the same answers."""
    from obdoctor.logs import patterns

    monkeypatch.setattr(patterns, "ENGINES", patterns.ENGINES[patterns.ENGINES.index(request.param):])
    return request.param


@pytest.fixture
def lines():
    return make_lines(2000)


def write(path, lines, compress=None):
    data = "".join(line + "\n" for line in lines).encode()
    if compress == "gz":
        data = gzip.compress(data, mtime=0)
    elif compress == "zst":
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path
