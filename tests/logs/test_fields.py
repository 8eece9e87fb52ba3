"""Selecting records by header fields (``logs search --level/--since/--tenant/--thread/--module``):
the C scanner's filter, the Python engines and a straightforward reference (parse every record,
``RecordFilter.accepts``) select the same records, on generated files of every grammar."""

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.logs.fields import FieldError, RecordFilter, parse_levels, parse_tenant
from obdoctor.logs.files import LogFile
from obdoctor.logs.parser import parse_line
from obdoctor.logs.record import LogRecord
from obdoctor.logs.render import render
from obdoctor.logs import Count, Patterns, search_files
from obdoctor.logs.search import _search_batches, read_records

from .conftest import available_engines

START = datetime(2024, 3, 18, 8, 0)
THREADS = ("T1002_BackupDat", "T1_BACKUP_SC", "DeliverWorker", "T1001_L0_G0")
MODULES = (None, "RS", "RS.LB", "STORAGE", "rs", "ARCHIVE")
LEVEL_SETS = {"4.x": ("ERROR", "WARN", "INFO", "EDIAG", "WDIAG", "TRACE"), "3.x": ("ERROR", "WARN", "INFO", "USER_ERR"),
              "alert": ("ERROR", "WARN", "INFO"), "4.0": ("ERROR", "USER_ERR", "WARN", "INFO")}


@st.composite
def record_lines(draw, fmt: str, ts: datetime) -> list[str]:
    level = draw(st.sampled_from(LEVEL_SETS.get(fmt, ("INFO",))))
    tenant = draw(st.sampled_from((None, 1, 1001, 1002)))
    if fmt == "alert" and tenant is None:
        tenant = 1
    rec = LogRecord(raw="", ts=ts, level=level, module=draw(st.sampled_from(MODULES)), func="do_it",
                    src_file="ob_x.cpp", src_line=12, tid=draw(st.integers(1, 99999)),
                    thread=draw(st.sampled_from(THREADS)), tenant_id=tenant,
                    trace_id="YB420A00000B-00060F0000000001" + ("" if fmt == "3.x" else "-0-0"), lt=3,
                    errcode=-4016 if fmt == "4.x" and level in ("WDIAG", "ERROR") else None,
                    body=draw(st.sampled_from(("tick(ret=-4016)", "] WDIAG in a body [T1002][", "x][T1_BACKUP_SC][y",
                                               "backup ok"))), format=fmt, event="EV" if fmt == "alert" else None)
    if fmt == "3.x":
        rec.thread = rec.tenant_id = None
    lines = [render(rec)]
    if draw(st.integers(0, 5)) == 0:  # a continuation line, sometimes looking like a header's middle
        lines.append(draw(st.sampled_from(("  from dual where x=1", "] ERROR [T1002][", "[T1001_L0_G0]"))))
    return lines


@st.composite
def files(draw, name: str) -> str:
    """Records of one grammar (alert.log's own in alert.log), some 4.x ones mixed in elsewhere."""
    fmt = "alert" if name == "alert.log" else draw(st.sampled_from(("4.x", "4.0", "3.x", "trace")))
    n = draw(st.integers(0, 40))
    out = []
    if draw(st.booleans()):
        out.append("lines before the first header")
    ts = START
    for i in range(n):
        ts += timedelta(seconds=draw(st.integers(0, 120)))
        if draw(st.integers(0, 15)) == 0:
            out.append(f"[{ts:%Y-%m-%d %H:%M:%S.%f}] INFO  New syslog file info: [address:x]")
            continue
        out.extend(draw(record_lines(fmt if draw(st.integers(0, 9)) or fmt == "alert" else "4.x", ts)))
    return "".join(line + "\n" for line in out)


filters = st.builds(
    RecordFilter,
    levels=st.sampled_from((frozenset(), frozenset({"WDIAG", "ERROR"}), frozenset({"INFO"}), frozenset({"WARN", "WDIAG"}),
                            frozenset({"USER_ERR", "EDIAG"}))),
    since=st.sampled_from((None, START + timedelta(minutes=10), START + timedelta(minutes=30, microseconds=5))),
    until=st.sampled_from((None, START + timedelta(minutes=20), START + timedelta(hours=2))),
    tenant=st.sampled_from((None, 1, 1002)),
    thread=st.sampled_from((None, "T1002_BackupDat", "T1_BACKUP_SC")),
    module=st.sampled_from((None, "RS", "rs", "STORAGE", "RS.LB")),
)
patterns = st.sampled_from(((), ("ret=-4016",), ("backup ok", "WDIAG")))


def selected(log, pats, flt, workers=1):
    return [(n, data) for _, batch in _search_batches([log], Patterns(any_of=pats, fields=flt), workers=workers)
            for n, _, data in batch]


def reference(log, pats, flt):
    out = []
    for record in read_records(log):
        raw = record.raw.encode()
        if pats and not any(p.encode() in raw for p in pats):
            continue
        if flt is None or flt.accepts(parse_line(record.raw)):
            out.append((record.line_no, raw))
    return out


@st.composite
def named_files(draw):
    name = draw(st.sampled_from(("observer.log", "observer.log", "alert.log", "trace.log")))
    return name, draw(files(name))


@pytest.mark.parametrize("engine_name", available_engines())
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(named=named_files(), flt=filters, pats=patterns)
def test_field_filters_select_what_the_reference_selects(tmp_path_factory, engine_name, named, flt, pats):
    from obdoctor.logs import patterns as engines

    name, text = named
    saved = engines.ENGINES
    engines.ENGINES = saved[saved.index(engine_name):]
    try:
        path = tmp_path_factory.mktemp("f") / name
        path.write_bytes(text.encode())
        log = LogFile(path, name.split(".")[0], False, None, None)
        want = reference(log, pats, flt)
        got = selected(log, pats, flt)
        assert [(n, d.rstrip(b"\n")) for n, d in got] == want
        assert search_files([log], Patterns(any_of=pats, fields=flt), Count(), workers=1) == len(want)
    finally:
        engines.ENGINES = saved


def test_levels_widen_and_unknown_ones_are_refused():
    assert parse_levels(["warn", "Error"]) == {"WARN", "WDIAG", "ERROR", "EDIAG"}
    assert parse_levels(["wdiag,info"]) == {"WDIAG", "INFO"}
    with pytest.raises(FieldError):
        parse_levels(["WARNING"])
    assert parse_tenant("T1002") == parse_tenant("1002") == 1002
    with pytest.raises(FieldError):
        parse_tenant("tenant-x")


def test_c_filter_reads_each_grammar():
    from obdoctor.logs import patterns as engines

    if not engines.simd_available():
        pytest.skip("C extension not built")
    from obdoctor.logs import _scan

    lines = [
        b"[2024-03-18 08:00:00.000001] WDIAG [RS.LB] f (a.cpp:1) [7][T1002_BackupDat][T1002][YB42-00000000000000AA-0-0] "
        b"[lt=1][errcode=-4016] x",
        b"[2024-03-18 08:00:01.000001] WARN  [RS] f (a.cpp:1) [7][3][YB42-00000000000000AA] [lt=1] [dc=0] 3.x line",
        b"[2024-03-18 08:00:02.000001] [7][T1002_BackupDat][T1002][YB42-00000000000000AA-0-0] trace.log line",
        b"2024-03-18 08:00:03.000001|WDIAG|RS|EV|-4016|1002|7|T1002_BackupDat|Y0-0|f|a.cpp:1|alert line",
        b"[2024-03-18 08:00:04.000001] INFO  New syslog file info: [x]",
    ]
    data = b"\n".join(lines) + b"\n"

    def picked(**kw):
        flt = RecordFilter(**kw)
        starts = _scan.Scanner([], filter=flt.c_spec()).records(data, 0, len(data), 1 << 20)[0]
        return [data.count(b"\n", 0, s) for s in starts]

    assert picked(levels=frozenset({"WDIAG"})) == [0, 3]
    assert picked(tenant=1002) == [0, 2, 3]
    assert picked(thread="T1002_BackupDat") == [0, 2, 3]
    assert picked(module="rs") == [0, 1, 3]
    assert picked(module="RS.LB") == [0]
    assert picked(since=datetime(2024, 3, 18, 8, 0, 2), until=datetime(2024, 3, 18, 8, 0, 3, 1)) == [2, 3]
