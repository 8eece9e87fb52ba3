"""Parse one OceanBase log line in any of its grammars (``ob_log_format.md``).

Grammars: 4.1+ (ERROR/WARN/INFO/EDIAG/WDIAG/TRACE/DEBUG, optional ``[C<cluster>]``, optional
``[T<tenant>]`` (seekdb drops it), ``[errcode=]``), 4.0 (USER_ERR, no errcode), 3.x (two
forms: with ``func (file:line)`` and INFO's bare ``file:line``; ``[tid][co_id]``, 2-part trace
id, ``[dc=]``), ``trace.log``'s short header, 4.2 ``alert.log`` pipe format. Tails: EDIAG's
``BACKTRACE:`` addresses are cut off the body into ``backtrace``; a rate-limited line's body
(``REACH SYSLOG RATE LIMIT [bandwidth]``) sets ``rate_limited``. Text copied from ``grep``
output keeps working: a ``observer.log.2023...:`` (or ``name:line:``) prefix is recognised.

``parse_line`` never raises and never drops a line: what no grammar matches is returned as a
``raw`` record with the text intact.
"""

from __future__ import annotations

import re
from datetime import datetime

from obdoctor.logs.record import LogRecord


class _Lazy:
    """A grammar compiled on its first use, which then takes this placeholder's place in the
    module's globals (later look-ups cost nothing extra). Compiling them all costs ~3 ms of
    start-up that ``logs search --count`` never uses: it imports this module for ``parse_ts``
    and counts in the C scanner without parsing a line."""

    __slots__ = ("_name", "_args")

    def __init__(self, name: str, pattern: str, flags: int = 0):
        self._name = name
        self._args = (pattern, flags)

    def __getattr__(self, attr: str):
        compiled = re.compile(*self._args)
        globals()[self._name] = compiled
        return getattr(compiled, attr)


_TS = r"\[(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6})\]"
_TRACE_ID = r"[YZ][0-9A-F]{0,16}-[0-9A-F]{1,16}(?:-[0-9a-fA-F]{1,16}-[0-9a-fA-F]{1,16})?"
_TRACE_ID_V4 = r"[YZ][0-9A-F]{0,16}-[0-9A-F]{1,16}-[0-9a-fA-F]{1,16}-[0-9a-fA-F]{1,16}"  # 4.x: always 4 parts

# 4.0 .. 4.3 main logs; [C<cluster>] only on arbitration servers; [T<tenant>] absent in seekdb.
_V4 = _Lazy("_V4",
    _TS + r" (?P<level>ERROR|WARN|INFO|EDIAG|WDIAG|TRACE|DEBUG|USER_ERR)\s+"
    r"(?:\[(?P<module>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\] )?"
    r"(?P<func>[^\n]{0,1024}?) \((?P<file>[^\s():]+):(?P<line>\d+)\) "
    r"\[(?P<tid>\d+)\]\[(?P<tname>[^\]]*)\](?:\[C(?P<cluster>\d+)\])?(?:\[T(?P<tenant>\d+)\])?"
    r"\[(?P<trace>" + _TRACE_ID_V4 + r")\] "
    r"\[lt=(?P<lt>-?\d+)\](?:\[errcode=(?P<errcode>-?\d+)\])?(?: (?P<body>.*))?$",
    re.DOTALL,
)

# 3.x: [tid][co_id][Y..-..] [lt=] [dc=]; INFO/TRACE/DEBUG lines carry file:line without func.
_V3 = _Lazy("_V3",
    _TS.replace(r"\d{6}", r"\d{3,6}") + r" (?P<level>ERROR|USER_ERR|WARN|INFO|TRACE|DEBUG)\s+"
    r"(?:\[(?P<module>[A-Za-z0-9_.]+)\] )?"
    r"(?:(?P<func>[^\n]{0,1024}?) \((?P<file>[^\s():]+):(?P<line>\d+)\)|(?P<file2>[^\s():]+):(?P<line2>\d+)) "
    r"\[(?P<tid>\d+)\]\[(?P<co>\d+)\]\[(?P<trace>Y[0-9A-F]{0,16}-[0-9A-F]{1,16})\] "
    r"\[lt=(?P<lt>-?\d+)\](?: \[dc=(?P<dc>\d+)\])?(?: (?P<body>.*))?$",
    re.DOTALL,
)

# trace.log short header: [ts] [tid][tname][T<tenant>][trace] body
_TRACE = _Lazy("_TRACE",
    _TS + r" \[(?P<tid>\d+)\]\[(?P<tname>[^\]]*)\](?:\[T(?P<tenant>\d+)\])?"
    r"\[(?P<trace>" + _TRACE_ID + r")\](?: (?P<body>.*))?$",
    re.DOTALL,
)

# 4.2 alert/alert.log, pipe separated.
_ALERT = _Lazy("_ALERT",
    r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6})\|(?P<level>[A-Z_]+)\|(?P<module>[^|]*)\|"
    r"(?P<event>[^|]*)\|(?P<errcode>-?\d*)\|(?P<tenant>\d*)\|(?P<tid>\d*)\|(?P<tname>[^|]*)\|"
    r"(?P<trace>[^|]*)\|(?P<func>[^|]*)\|(?P<file>[^|]*?)(?::(?P<line>\d*))?\|(?P<body>.*)$",
    re.DOTALL,
)

# grep output: "observer.log.20220811114045:[2022-..." or "rootservice.log:123:[2022-..."
_GREP_PREFIX = _Lazy("_GREP_PREFIX", r"^(?P<name>[\w./-]{0,200}?[a-z]{1,20}\.log(?:\.wf)?(?:\.\d{14}|\.\d{17})?(?:\.gz|\.zst)?)(?::(?P<no>\d+))?[:-](?=\[\d{4}-|\d{4}-\d\d-\d\d )")

_LEVEL_ONLY = _Lazy("_LEVEL_ONLY", r" (?P<level>ERROR|WARN|INFO|EDIAG|WDIAG|TRACE|DEBUG|USER_ERR)\s+")
_RATE_LIMIT = _Lazy("_RATE_LIMIT", r"^\s*REACH SYSLOG RATE LIMIT \[(?P<kind>\w+)\]\s*$")
_BACKTRACE = _Lazy("_BACKTRACE", r" (?:PROBE_)?BACKTRACE:(?P<bt>[^\n]*)$")


def parse_ts(text: str) -> datetime | None:
    """``2023-05-19 13:23:25.238790`` -> datetime, by slicing (strptime is slow)."""
    try:
        if len(text) < 19 or text[4] != "-" or text[7] != "-" or text[13] != ":":
            return None
        frac = text[20:]
        micro = int(frac.ljust(6, "0")[:6]) if frac else 0
        return datetime(
            int(text[0:4]), int(text[5:7]), int(text[8:10]),
            int(text[11:13]), int(text[14:16]), int(text[17:19]), micro,
        )
    except (ValueError, IndexError):
        return None


def _ts_fast(text: str) -> datetime | None:
    """``parse_ts`` for text the header regex already shaped (digits in the right places)."""
    try:
        return datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]),
                        int(text[14:16]), int(text[17:19]), int(text[20:26]))
    except ValueError:  # month 13, Feb 30...
        return None


def _int(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return None


def looks_like_header(line: str) -> bool:
    """Whether a line starts a new record (continuation lines belong to the record above).

    Same rule as the byte reader (``reader.is_header``): ``[YYYY-`` or ``YYYY-...|``."""
    if line[:1] == "[":
        return line[1:5].isdigit() and line[5:6] == "-"
    if line[:4].isdigit() and line[4:5] == "-":
        return "|" in line[:40].split("\n", 1)[0]
    return False


def parse_line(line: str) -> LogRecord:
    """One record (a line, or a header line plus its continuation lines) → ``LogRecord``."""
    if not isinstance(line, str):
        line = bytes(line).decode("utf-8", "replace")
    text = line.rstrip("\r\n")
    try:
        return _parse(text)
    except Exception:  # outside input: never let a parser bug lose the line
        return LogRecord(raw=text, body=text)


def _parse(text: str) -> LogRecord:
    record = _parse_header(text)
    if record.format == "raw":
        stripped = text.lstrip()
        if stripped and stripped is not text and stripped[0] in "[0123456789":
            # quoted in a document with indentation
            inner = _parse_header(stripped)
            if inner.format != "raw":
                inner.raw = text
                record = inner
        elif ".log" in text[:260]:
            m = _GREP_PREFIX.match(text[:300])  # bounded: a huge garbage line must not cost seconds
            if m:
                inner = _parse_header(text[m.end():])
                if inner.format != "raw":
                    inner.raw = text
                    inner.path = m["name"]
                    inner.line_no = _int(m["no"])
                    record = inner
    if record.format != "raw":
        _tails(record)
    return record


def _tails(record: LogRecord) -> None:
    body = record.body
    if "BACKTRACE:" in body:
        first, nl, rest = body.partition("\n")
        m = _BACKTRACE.search(first)
        if m:
            record.backtrace = m["bt"].strip()
            record.body = first[: m.start()] + nl + rest
    if "RATE LIMIT" in body:
        m = _RATE_LIMIT.match(body)
        if m:
            record.rate_limited = m["kind"]
            record.body = body.strip()


def _parse_header(text: str) -> LogRecord:
    if text.startswith("["):
        m = _V4.match(text)
        if m:  # the hot path: groups by position, ints without helper calls
            ts, level, module, func, file, line, tid, tname, cluster, tenant, trace, lt, errcode, body = m.groups()
            errcode = int(errcode) if errcode is not None else None
            fmt = "4.0" if level == "USER_ERR" or (errcode is None and level in ("ERROR", "WARN")) else "4.x"
            return LogRecord(
                text, _ts_fast(ts), level, module, func, file, int(line), int(tid), tname,
                int(tenant) if tenant is not None else None, trace, int(lt), errcode,
                (body or "").lstrip(" ") if _lead_space(body) else (body or ""),
                fmt, int(cluster) if cluster is not None else None,
            )
        m = _V3.match(text)
        if m:
            return LogRecord(
                raw=text, ts=parse_ts(m["ts"]), level=m["level"], module=m["module"], func=m["func"],
                src_file=m["file"] or m["file2"], src_line=_int(m["line"] or m["line2"]),
                tid=_int(m["tid"]), trace_id=m["trace"], lt=_int(m["lt"]), body=m["body"] or "", format="3.x",
            )
        m = _TRACE.match(text)
        if m:
            return LogRecord(
                raw=text, ts=parse_ts(m["ts"]), tid=_int(m["tid"]), thread=m["tname"],
                tenant_id=_int(m["tenant"]), trace_id=m["trace"], body=m["body"] or "", format="trace",
            )
        # a header we do not know (e.g. the rotation banner "[ts] INFO  New syslog file info: [...]"):
        # keep the timestamp and the level at least
        if len(text) > 28 and text[27] == "]":
            ts = parse_ts(text[1:27])
            if ts:
                m = _LEVEL_ONLY.match(text, 28)
                if m:
                    return LogRecord(raw=text, ts=ts, level=m["level"], body=text[m.end():])
                return LogRecord(raw=text, ts=ts, body=text[28:].lstrip())
        return LogRecord(raw=text, body=text)
    if text[:4].isdigit():
        m = _ALERT.match(text)
        if m:
            return LogRecord(
                raw=text, ts=parse_ts(m["ts"]), level=m["level"], module=m["module"] or None,
                func=m["func"] or None, src_file=m["file"] or None, src_line=_int(m["line"]), tid=_int(m["tid"]),
                thread=m["tname"] or None, tenant_id=_int(m["tenant"]), trace_id=m["trace"] or None,
                errcode=_int(m["errcode"]), body=m["body"], format="alert", event=m["event"] or None,
            )
    return LogRecord(raw=text, body=text)


def _lead_space(body: str | None) -> bool:
    """A rate-limited body is printed with a leading space (two spaces after the header)."""
    return bool(body) and body[0] == " " and "RATE LIMIT" in body[:40]
