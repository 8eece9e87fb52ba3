"""The OceanBase log engine: find log files, parse lines, search them fast. Everything a caller
outside this package uses is imported from here (``from obdoctor.logs import ...``); the
modules behind these names are the engine's own and may change (an import-linter contract
holds the rest of obdoctor to this, and another keeps this package free of obdoctor and rich).

One way to search: ``search_files(files, patterns, sink, workers=2, report=None)``, where the
sink says what becomes of the matching records and so which kernel path runs:

* ``Count()``: how many (counted inside the workers; no hit crosses a process);
* ``Records(ordered=True)``: an iterator of parsed ``LogRecord``s;
* ``Fold(fn)``: ``(file, fn(batches))`` per file, ``fn`` run inside the workers (a tally);
* ``Printer(out, ...)``: grep's output, or JSON lines (formatted in C a block at a time when
  no colour or redaction needs Python).

Names are loaded on first use: ``from obdoctor.logs import LogRecord`` does not import the
searcher, so commands that never search start no faster or slower than before.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    # searching
    "search_files": "search", "Patterns": "patterns", "SearchReport": "search", "LogReadError": "reader",
    "describe_engine": "patterns", "engine_summary": "patterns",
    # sinks
    "Count": "sinks", "Records": "sinks", "Fold": "sinks", "Printer": "printer", "record_text": "printer",
    # files
    "LogFile": "files", "FAMILIES": "files", "classify": "files", "discover": "files", "overlaps": "files",
    "open_bytes": "files",
    # records and their fields
    "LogRecord": "record", "parse_line": "parser", "parse_ts": "parser", "find_anywhere": "kv",
    "RecordFilter": "fields", "FieldError": "fields", "parse_levels": "fields", "parse_tenant": "fields",
    # trace ids
    "TRACE_ID": "traceid", "is_trace_id": "traceid", "decode_addr": "traceid", "encode": "traceid",
    # error codes in the logs (logs codes)
    "tally_codes": "codes", "tallies_from_rows": "codes",
    # sorting more than memory holds (logs trace)
    "SpillSort": "spill",
}
_MODULES = {
    "remote": "the same searches compiled into a shell pipeline that runs on the observer's host (SSH)",
}

__all__ = sorted([*_EXPORTS, *_MODULES])


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once: later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
