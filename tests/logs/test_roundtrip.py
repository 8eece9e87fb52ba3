"""Generated records → rendered in each version's grammar → parsed back identical."""

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.logs.parser import parse_line
from obdoctor.logs.record import LogRecord
from obdoctor.logs.render import render

LEVELS = {"4.x": ("ERROR", "WARN", "INFO", "EDIAG", "WDIAG", "TRACE", "DEBUG"), "4.0": ("ERROR", "USER_ERR", "WARN", "INFO", "TRACE", "DEBUG"),
          "3.x": ("ERROR", "USER_ERR", "WARN", "INFO", "TRACE", "DEBUG")}
ident = st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True)
module = st.one_of(st.none(), st.from_regex(r"[A-Z]{2,8}(\.[A-Z]{2,8})?", fullmatch=True))
hexs = st.integers(0, (1 << 48) - 1)
timestamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))
scalar = st.one_of(st.integers(-10**12, 10**12).map(str), st.sampled_from(["true", "false", "NULL", "{id:1001}", "[1, 2]", "{val:1, v:0}"]),
                   st.from_regex(r'"[a-z ,=():]{0,20}"', fullmatch=True))
bodies = st.tuples(st.from_regex(r"[a-z][a-z ,']{0,30}[a-z]", fullmatch=True),
                   st.lists(st.tuples(ident, scalar), max_size=5))


def _body(parts):
    message, kvs = parts
    return (message + "(" + ", ".join(f"{k}={v}" for k, v in kvs) + ")") if kvs else message


@st.composite
def records(draw, fmt):
    level = draw(st.sampled_from(LEVELS.get(fmt, ("INFO",))))
    seq = draw(hexs)
    trace = f"Y{draw(hexs):X}-{seq:016X}" + ("" if fmt == "3.x" else "-0-0")
    rec = LogRecord(raw="", ts=draw(timestamps), trace_id=trace, tid=draw(st.integers(0, 10**7)), body=_body(draw(bodies)), format=fmt)
    if fmt in ("4.x", "4.0", "3.x", "alert"):
        rec.level, rec.module = level, draw(module)
        rec.func = draw(ident) if (fmt != "3.x" or level not in ("INFO", "TRACE", "DEBUG")) else None
        rec.src_file, rec.src_line = draw(ident) + ".cpp", draw(st.integers(1, 99999))
    if fmt in ("4.x", "4.0", "trace", "alert"):
        rec.thread = draw(st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True))
        rec.tenant_id = draw(st.one_of(st.none(), st.integers(0, 10**6))) if fmt != "alert" else draw(st.integers(0, 10**6))
    if fmt in ("4.x", "4.0", "3.x"):
        rec.lt = draw(st.integers(0, 10**6))
    if fmt == "4.x":
        rec.errcode = draw(st.integers(-10000, 0)) if level in ("ERROR", "WARN", "EDIAG", "WDIAG") else None
        rec.cluster_id = draw(st.one_of(st.none(), st.integers(1, 99)))
        if level == "EDIAG" and draw(st.booleans()):
            rec.backtrace = "0x1a2b 0x3c4d"
    if fmt == "alert":
        rec.event = draw(st.from_regex(r"[A-Z_]{1,20}", fullmatch=True))
        rec.errcode = draw(st.integers(-10000, 0))
    return rec


def _same(original: LogRecord, parsed: LogRecord):
    text = render(original)
    for name in ("ts", "level", "module", "func", "src_file", "src_line", "tid", "thread", "tenant_id", "trace_id", "lt",
                 "errcode", "body", "cluster_id", "event", "backtrace"):
        assert getattr(parsed, name) == getattr(original, name), (name, text)
    # a 4.0 INFO/TRACE/DEBUG line is byte-for-byte a 4.1+ one: only its level/errcode tell 4.0
    expected = "4.x" if original.format == "4.0" and original.level not in ("USER_ERR", "ERROR", "WARN") else original.format
    assert parsed.format == expected, text
    assert parsed.raw == text
    # the body's key/values survive too
    assert parsed.fields == LogRecord(raw="", body=original.body).fields


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(["4.x", "4.0", "3.x", "trace", "alert"]).flatmap(records))
def test_render_then_parse_is_identity(record):
    _same(record, parse_line(render(record)))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_raises_nor_drops(text):
    r = parse_line(text)
    assert r.raw == text.rstrip("\r\n")
    r.fields, r.message, r.ret()


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_parser_takes_any_bytes(data):
    r = parse_line(data.decode("utf-8", "replace"))
    assert isinstance(r.raw, str)
