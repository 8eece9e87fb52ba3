"""Tally every OceanBase error code in log files, in one pass: ``obdoctor logs codes``.

Why: "which error codes are in these logs, how often, where, since when" is the first question
of an incident, and obdiag's answer copies every file to scratch, reads it line by line in
Python and drops WDIAG lines and codes it does not know. Here the C scanner finds the records
holding ``ret=-``, ``errcode=-``, ``ret_code=-``, ``result=-`` or ``ret="OB_`` (with the field
filter, if any, applied in C), each worker tallies its files, and only the tallies cross a
process: memory is bounded by the number of distinct codes, not of records.

What counts as a code: ``ret=-N``, ``errcode=-N``, ``ret_code=-N``, ``result=-N`` with no letter,
digit or ``_`` before the key (``tmp_ret=`` is another variable) and no digit after ``N``, and
the same keys with a name, ``ret="OB_NAME"`` (named by the catalogue ``names`` the caller gives;
a name it does not know is tallied under its name). A record is counted once per code it holds, whatever the spelling.

This module knows no catalogue (``logs`` and ``knowledge`` are separate layers): the CLI joins
names, messages, causes and the noise list.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from obdoctor.logs.fields import RecordFilter
from obdoctor.logs.files import LogFile
from obdoctor.logs.search import Patterns, SearchReport, search_files
from obdoctor.logs.sinks import Fold

LITERALS = ("ret=-", "errcode=-", "ret_code=-", "result=-", '="OB_')
_CODE = re.compile(rb'\b(?:ret(?:_code)?|errcode|result)=(?:(-\d{1,7})(?![0-9])|"(OB_[A-Z0-9_]+)")')
"""``\b`` before the key: no letter, digit or ``_`` (bytes patterns are ASCII); factored so ``re``
finds its first byte fast (4x the lookbehind spelling)."""
_HEAD = re.compile(rb"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3,6})\] (?:([A-Z_]+)\s+(?:\[([A-Za-z0-9_.]+)\] )?)?")
_THREAD = re.compile(rb"\[\d+\]\[([^\]\n]{0,64})\](?:\[C\d+\])?(?:\[T(\d+)\])?\[[YZ]")
_HEADER = re.compile(rb"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\] ([A-Z_]+)\s+(?:\[([A-Za-z0-9_.]+)\] )?"
                     rb"[^\n]{0,1024}?\) \[\d+\]\[([^\]\n]{0,64})\](?:\[C\d+\])?(?:\[T(\d+)\])?\[[YZ]")
"""A 4.x header: ts, level, module, thread, tenant in one match (the common case)."""
_DIGITS = re.compile(r"\d+")
SAMPLE = 400
"""Characters of the sample line kept per code."""


@dataclass
class CodeTally:
    """One code's records: how many, where, when, and one of them to show."""

    key: int | str
    """The code (negative), or an ``OB_...`` name the catalogue does not know."""
    count: int = 0
    servers: Counter = field(default_factory=Counter)
    files: Counter = field(default_factory=Counter)
    """``server/file`` -> records."""
    tenants: Counter = field(default_factory=Counter)
    modules: Counter = field(default_factory=Counter)
    levels: Counter = field(default_factory=Counter)
    threads: Counter = field(default_factory=Counter)
    """Thread names with their numbers folded (``T1001_L0_G12`` -> ``T#_L#_G#``)."""
    first: tuple[str, str] | None = None
    """(time, ``server:file:line``) of the earliest record with a time."""
    last: tuple[str, str] | None = None
    sample: tuple[str, str] | None = None
    """(``server:file:line``, the first line of the earliest record, cut at ``SAMPLE``)."""

    def merge(self, other: CodeTally) -> None:
        self.count += other.count
        for mine, theirs in ((self.servers, other.servers), (self.files, other.files), (self.tenants, other.tenants),
                             (self.modules, other.modules), (self.levels, other.levels),
                             (self.threads, other.threads)):
            mine.update(theirs)
        # ties on time broken by location: the same answer whichever worker finished first
        if other.first and (self.first is None or other.first < self.first):
            self.first, self.sample = other.first, other.sample
        elif self.first is None and other.sample and (self.sample is None or other.sample < self.sample):
            self.sample = other.sample  # no time on either side: the first location, not the first to arrive
        if other.last and (self.last is None or other.last > self.last):
            self.last = other.last

    def relabel(self, server: str, name: str) -> None:
        """A worker tallies one file without knowing its server: name it here."""
        where = f"{server}:{name}" if server else name
        self.servers = Counter({server or "-": self.count})
        self.files = Counter({f"{server}/{name}" if server else name: self.count})
        self.first = (self.first[0], f"{where}:{self.first[1]}") if self.first else None
        self.last = (self.last[0], f"{where}:{self.last[1]}") if self.last else None
        self.sample = (f"{where}:{self.sample[0]}", self.sample[1]) if self.sample else None


def _tally_batches(batches, names: dict[bytes, int] | None = None) -> dict:
    """The fold run in each worker: ``{code: CodeTally}`` of one file's hits (locations are
    line numbers until ``relabel``). Per record: one expression for the codes, one for the
    header; records are counted per (code, tenant, module, level, thread) first and spread
    into the per-field counters once at the end: the per-record work is a few dict updates."""
    names = names or {}
    groups: Counter = Counter()
    first: dict = {}
    last: dict = {}
    sample: dict = {}
    folded: dict = {None: None}
    for batch in batches:
        for line_no, _offset, data in batch:
            keys = {int(number) if number else names.get(name, name) for number, name in _CODE.findall(data)}
            keys.discard(0)
            if not keys:
                continue
            nl = data.find(b"\n")
            line = data if nl < 0 else data[:nl]
            m = _HEADER.match(line)
            if m is not None:
                ts, level, module, thread, tenant = m.groups()
            else:
                ts, level, module, thread, tenant = _other_header(line)
            thread_class = folded.get(thread)
            if thread_class is None and thread is not None:
                thread_class = folded[thread] = _DIGITS.sub("#", thread.decode("utf-8", "replace"))
            signature = (tenant, module, level, thread_class)
            for key in keys:
                groups[(key, signature)] += 1
                if ts is not None:
                    seen = first.get(key)
                    if seen is None or ts < seen[0]:
                        first[key] = (ts, line_no)
                        sample[key] = (line_no, line)
                    seen = last.get(key)
                    if seen is None or ts >= seen[0]:
                        last[key] = (ts, line_no)
                elif key not in sample:
                    sample[key] = (line_no, line)
    return _tallies(groups, first, last, sample)


def _tallies(groups: Counter, first: dict, last: dict, sample: dict) -> dict:
    """``{code: CodeTally}`` from records counted per (code, (tenant, module, level, folded
    thread)), with each code's first/last (time, line) and sample (line, text), as bytes."""
    out: dict = {}
    for (key, (tenant, module, level, thread_class)), n in groups.items():
        if isinstance(key, bytes):
            key = key.decode()
        tally = out.get(key)
        if tally is None:
            tally = out[key] = CodeTally(key)
        tally.count += n
        if tenant:
            tally.tenants[int(tenant)] += n
        if module:
            tally.modules[module.decode()] += n
        if level:
            tally.levels[level.decode()] += n
        if thread_class:
            tally.threads[thread_class] += n
    for raw_key in set(sample):
        tally = out[raw_key.decode() if isinstance(raw_key, bytes) else raw_key]
        line_no, line = sample[raw_key]
        tally.sample = (str(line_no), line[:SAMPLE].decode("utf-8", "replace"))
        if raw_key in first:
            tally.first = (first[raw_key][0].decode(), str(first[raw_key][1]))
            tally.last = (last[raw_key][0].decode(), str(last[raw_key][1]))
    return out


def _other_header(line: bytes) -> tuple:
    """(ts, level, module, thread, tenant) of a line the 4.x header expression missed: 3.x,
    trace.log, alert.log, the rotation banner, or no header at all."""
    ts = level = module = thread = tenant = None
    head = _HEAD.match(line)
    if head:
        ts, level, module = head.groups()
    elif line[:4].isdigit() and line.count(b"|") >= 11:  # alert.log
        parts = line.split(b"|", 8)
        ts, level, module, tenant, thread = parts[0], parts[1] or None, parts[2] or None, parts[5] or None, parts[7]
        return ts, level, module, thread or None, tenant if tenant and tenant.isdigit() else None
    found = _THREAD.search(line, 0, 2048)
    if found:
        thread, tenant = found.groups()
    return ts, level, module, thread, tenant


@dataclass
class CodesReport:
    codes: dict = field(default_factory=dict)
    """code (or unknown ``OB_`` name) -> CodeTally, over every file."""
    search: SearchReport = field(default_factory=SearchReport)
    files: list[LogFile] = field(default_factory=list)


def tally_codes(files: Iterable[LogFile], fields: RecordFilter | None = None, names: dict[bytes, int] | None = None,
                workers: int | None = 2) -> CodesReport:
    """Every error code of ``files`` (records passing ``fields``), tallied in one pass."""
    report = CodesReport(files=list(files))
    fold = functools.partial(_tally_batches, names=names)
    patterns = Patterns(any_of=LITERALS, fields=fields)
    for log, partial in search_files(report.files, patterns, Fold(fold), workers=workers, report=report.search):
        for key, tally in partial.items():
            tally.relabel(log.server or "", log.path.name)
            mine = report.codes.get(key)
            if mine is None:
                report.codes[key] = tally
            else:
                mine.merge(tally)
    return report


def tallies_from_rows(rows: Iterable[bytes], names: dict[bytes, int] | None = None) -> dict:
    """``{code: CodeTally}`` of one file from what ``logs.remote.CODES_AWK`` printed for it (its
    tab-separated ``G``/``F``/``L``/``S`` rows): the same tallies ``_tally_batches`` makes of the
    file's records here, thread names folded here too. A malformed row is skipped."""
    names = names or {}
    groups: Counter = Counter()
    first: dict = {}
    last: dict = {}
    sample: dict = {}
    folded: dict = {}

    def key_of(raw: bytes):
        if raw.startswith(b"OB_"):
            return names.get(raw, raw)
        return int(raw)

    for row in rows:
        parts = row.rstrip(b"\n").split(b"\t")
        try:
            kind, key = parts[0], key_of(parts[1])
            if kind == b"G" and len(parts) == 7:
                tenant, module, level, thread = (x or None for x in parts[2:6])
                if thread is not None and thread not in folded:
                    folded[thread] = _DIGITS.sub("#", thread.decode("utf-8", "replace"))
                groups[(key, (tenant, module, level, folded.get(thread)))] += int(parts[6])
            elif kind in (b"F", b"L") and len(parts) == 4:
                (first if kind == b"F" else last)[key] = (parts[2], int(parts[3]))
            elif kind == b"S" and len(parts) >= 4:
                sample[key] = (int(parts[2]), b"\t".join(parts[3:]))
        except (ValueError, IndexError):
            continue
    known = {key for key, _signature in groups}
    return _tallies(groups, {k: v for k, v in first.items() if k in known and k in last},
                    last, {k: v for k, v in sample.items() if k in known})
