"""Parse one OceanBase log line in any of its grammars (ob_log_format.md).

``parse_line`` never raises and never drops a line: what no grammar matches is returned as a
``raw`` record with the text intact.
"""

from __future__ import annotations

import re
from datetime import datetime

from obdoctor.logs.record import LogRecord

_TS = r"\[(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6})\]"

# 4.0 .. 4.3 main logs; [C<cluster>] only on arbitration servers; [T<tenant>] absent in seekdb.
_V4 = re.compile(
    _TS + r" (?P<level>ERROR|WARN|INFO|EDIAG|WDIAG|TRACE|DEBUG|USER_ERR)\s+"
    r"(?:\[(?P<module>[A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\] )?"
    r"(?P<func>.*?) \((?P<file>[^\s():]+):(?P<line>\d+)\) "
    r"\[(?P<tid>\d+)\]\[(?P<tname>[^\]]*)\](?:\[C(?P<cluster>\d+)\])?(?:\[T(?P<tenant>\d+)\])?"
    r"\[(?P<trace>[YZ][0-9A-F]*-[0-9A-F]{16}(?:-[0-9a-f]+-[0-9a-f]+)?)\] "
    r"\[lt=(?P<lt>-?\d+)\](?:\[errcode=(?P<errcode>-?\d+)\])? ?(?P<body>.*)$",
    re.DOTALL,
)

# 3.x: [tid][co_id][Y..-..] [lt=] [dc=]; INFO/TRACE/DEBUG lines carry file:line without func.
_V3 = re.compile(
    _TS.replace(r"\d{6}", r"\d{3,6}") + r" (?P<level>ERROR|USER_ERR|WARN|INFO|TRACE|DEBUG)\s+"
    r"(?:\[(?P<module>[A-Z0-9_.]+)\] )?"
    r"(?:(?P<func>.*?) \((?P<file>[^\s():]+):(?P<line>\d+)\)|(?P<file2>[^\s():]+):(?P<line2>\d+)) "
    r"\[(?P<tid>\d+)\]\[(?P<co>\d+)\]\[(?P<trace>Y[0-9A-F]*-[0-9A-F]{16})\] "
    r"\[lt=(?P<lt>-?\d+)\](?: \[dc=(?P<dc>\d+)\])? ?(?P<body>.*)$",
    re.DOTALL,
)

# trace.log short header.
_TRACE = re.compile(
    _TS + r" \[(?P<tid>\d+)\]\[(?P<tname>[^\]]*)\]\[T(?P<tenant>\d+)\]"
    r"\[(?P<trace>[YZ][0-9A-F]*-[0-9A-F]{16}(?:-[0-9a-f]+-[0-9a-f]+)?)\] ?(?P<body>.*)$",
    re.DOTALL,
)

# 4.2 alert/alert.log, pipe separated.
_ALERT = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6})\|(?P<level>[A-Z_]+)\|(?P<module>[^|]*)\|"
    r"(?P<event>[^|]*)\|(?P<errcode>-?\d*)\|(?P<tenant>\d*)\|(?P<tid>\d*)\|(?P<tname>[^|]*)\|"
    r"(?P<trace>[^|]*)\|(?P<func>[^|]*)\|(?P<file>[^|:]*):(?P<line>\d*)\|(?P<body>.*)$",
    re.DOTALL,
)


def parse_ts(text: str) -> datetime | None:
    """``2023-05-19 13:23:25.238790`` -> datetime, by slicing (strptime is slow)."""
    try:
        frac = text[20:]
        micro = int(frac.ljust(6, "0")[:6]) if frac else 0
        return datetime(
            int(text[0:4]), int(text[5:7]), int(text[8:10]),
            int(text[11:13]), int(text[14:16]), int(text[17:19]), micro,
        )
    except (ValueError, IndexError):
        return None


def _int(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return None


def looks_like_header(line: str) -> bool:
    """Whether a line starts a new record (continuation lines belong to the record above)."""
    return (len(line) > 27 and line[0] == "[" and line[1:5].isdigit() and line[5] == "-") or (
        len(line) > 27 and line[0:4].isdigit() and line[4] == "-" and "|" in line[:40]
    )


def parse_line(line: str) -> LogRecord:
    text = line.rstrip("\r\n")
    try:
        return _parse(text)
    except Exception:  # outside input: never let a parser bug lose the line
        return LogRecord(raw=text, body=text)


def _parse(text: str) -> LogRecord:
    if text.startswith("["):
        m = _V4.match(text)
        if m:
            level = m["level"]
            return LogRecord(
                raw=text, ts=parse_ts(m["ts"]), level=level, module=m["module"], func=m["func"],
                src_file=m["file"], src_line=_int(m["line"]), tid=_int(m["tid"]), thread=m["tname"],
                tenant_id=_int(m["tenant"]), trace_id=m["trace"], lt=_int(m["lt"]),
                errcode=_int(m["errcode"]), body=m["body"],
                format="4.0" if level == "USER_ERR" or m["errcode"] is None and level in ("ERROR", "WARN") else "4.x",
            )
        m = _V3.match(text)
        if m:
            return LogRecord(
                raw=text, ts=parse_ts(m["ts"]), level=m["level"], module=m["module"], func=m["func"],
                src_file=m["file"] or m["file2"], src_line=_int(m["line"] or m["line2"]),
                tid=_int(m["tid"]), trace_id=m["trace"], lt=_int(m["lt"]), body=m["body"], format="3.x",
            )
        m = _TRACE.match(text)
        if m:
            return LogRecord(
                raw=text, ts=parse_ts(m["ts"]), tid=_int(m["tid"]), thread=m["tname"],
                tenant_id=_int(m["tenant"]), trace_id=m["trace"], body=m["body"], format="trace",
            )
        # a header we do not know: keep the timestamp at least
        if len(text) > 28 and text[27] == "]":
            return LogRecord(raw=text, ts=parse_ts(text[1:27]), body=text[28:].lstrip())
        return LogRecord(raw=text, body=text)
    m = _ALERT.match(text)
    if m:
        return LogRecord(
            raw=text, ts=parse_ts(m["ts"]), level=m["level"], module=m["module"] or None,
            func=m["func"], src_file=m["file"], src_line=_int(m["line"]), tid=_int(m["tid"]),
            thread=m["tname"], tenant_id=_int(m["tenant"]), trace_id=m["trace"] or None,
            errcode=_int(m["errcode"]), body=m["body"], format="alert",
        )
    return LogRecord(raw=text, body=text)
