"""Render a ``LogRecord`` the way each OceanBase version prints it (the parser's inverse).

Why: property tests render generated records in every grammar and parse them back; the
benchmark corpus and scenarios can print lines that are right by construction. Format strings
are those of ``ob_log.cpp`` quoted in ``ob_log_format.md``.
"""

from __future__ import annotations

from obdoctor.logs.record import LogRecord

FORMATS = ("4.x", "4.0", "3.x", "trace", "alert")


def _ts(record: LogRecord) -> str:
    return record.ts.strftime("%Y-%m-%d %H:%M:%S.%f") if record.ts else "1970-01-01 00:00:00.000000"


def _body(record: LogRecord) -> str:
    body = record.body
    if record.backtrace is not None:
        body = f"{body} BACKTRACE:{record.backtrace}"
    if record.rate_limited:
        body = f" REACH SYSLOG RATE LIMIT [{record.rate_limited}]"
    return body


def render(record: LogRecord, fmt: str | None = None) -> str:
    fmt = fmt or record.format
    module = f"[{record.module}] " if record.module else ""
    if fmt in ("4.x", "4.0"):
        cluster = f"[C{record.cluster_id}]" if record.cluster_id is not None else ""
        tenant = f"[T{record.tenant_id}]" if record.tenant_id is not None else ""
        errcode = f"[errcode={record.errcode}]" if fmt == "4.x" and record.errcode is not None else ""
        return (f"[{_ts(record)}] {record.level:<5} {module}{record.func} ({record.src_file}:{record.src_line}) "
                f"[{record.tid}][{record.thread}]{cluster}{tenant}[{record.trace_id}] [lt={record.lt}]{errcode} {_body(record)}")
    if fmt == "3.x":
        where = (f"{record.func} ({record.src_file}:{record.src_line})" if record.func
                 else f"{record.src_file}:{record.src_line}")
        return (f"[{_ts(record)}] {record.level:<5} {module}{where} [{record.tid}][0][{record.trace_id}] "
                f"[lt={record.lt}] [dc=0] {_body(record)}")
    if fmt == "trace":
        tenant = f"[T{record.tenant_id}]" if record.tenant_id is not None else ""
        return f"[{_ts(record)}] [{record.tid}][{record.thread}]{tenant}[{record.trace_id}] {record.body}"
    if fmt == "alert":
        return "|".join((
            _ts(record), record.level or "", record.module or "", record.event or "",
            "" if record.errcode is None else str(record.errcode),
            "" if record.tenant_id is None else str(record.tenant_id),
            "" if record.tid is None else str(record.tid), record.thread or "", record.trace_id or "",
            record.func or "", f"{record.src_file or ''}:{'' if record.src_line is None else record.src_line}",
            record.body,
        ))
    return record.raw
