"""``obdoctor logs search`` / ``obdoctor logs trace``: grep for OceanBase logs, that knows them.

Why not plain grep: it stops at NUL bytes ("binary file matches"), does not read ``.gz``/
``.zst`` rotations, does not know which rotated files cover a time window, and gives lines,
not records. These commands search every log file of a directory, a bundle or given files
with the same engine the rules use, and keep grep's exit codes: 0 something matched,
1 nothing matched, 2 usage or unreadable input.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode

SORT_BUFFER = 10000
"""Up to this many records are printed in file/line order; past it they stream as found."""


def add(sub) -> None:
    from obdoctor.cli.main import parse_time

    parser = sub.add_parser("logs", help="search OceanBase logs (rotated, compressed, every server) like grep")
    logs_sub = parser.add_subparsers(dest="logs_command", metavar="SUBCOMMAND")

    search = logs_sub.add_parser("search", help="lines holding any of the fixed strings (grep -F -e ... -e ...)")
    search.add_argument("-e", "--regexp", dest="patterns", action="append", metavar="PATTERN", required=True,
                        help="fixed string to find (repeat: a line matches when it holds any of them)")
    _common(search, parse_time)
    search.add_argument("--count", action="store_true", help="print only the number of matching records")
    search.add_argument("--stats", action="store_true",
                        help="say on stderr what was searched: files, bytes, time, engine, workers")
    _live(search)
    search.set_defaults(handler=run_search)

    trace = logs_sub.add_parser("trace", help="every line of one trace id across the servers' logs, in time order")
    trace.add_argument("trace_id", metavar="TRACE_ID")
    _common(trace, parse_time)
    _live(trace)
    trace.set_defaults(handler=run_trace)
    parser.set_defaults(handler=lambda args, env: _help(parser, env))


def _common(parser, parse_time) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="a log file, a log directory, or a bundle (directory or .tar.gz: searches logs/<ip>/); "
                             "none with --live")
    parser.add_argument("--since", type=parse_time, metavar="TIME", help="only records at or after TIME (2h, 30m, "
                        "YYYY-MM-DD HH:MM, +08:00 or Z: this machine's zone)")
    parser.add_argument("--until", type=parse_time, metavar="TIME", help="only records at or before TIME")
    parser.add_argument("--level", action="append", default=[], metavar="LEVEL",
                        help="only these levels (repeat or comma-separate: WDIAG,WARN,EDIAG,ERROR)")
    parser.add_argument("--json", action="store_true", help="one parsed record per line, as JSON")
    parser.add_argument("-j", "--jobs", type=int, default=2, metavar="N", help="worker processes (default 2)")


def _live(parser) -> None:
    from obdoctor.cli.diagnose import add_live_options

    parser.add_argument("--live", action="store_true",
                        help="search the cluster's servers over SSH (the config of diagnose: ~/.obdiag/config.yml, "
                             "--config, --server...) instead of PATHs")
    add_live_options(parser)


def _paths_or_live(args, env: Environment) -> bool:
    """PATHs or --live, not both, not neither (said on stderr)."""
    if args.live and args.paths:
        env.error("logs: give PATHs or --live, not both")
        return False
    if not args.live and not args.paths:
        env.error("logs: give a PATH (log file, log directory or bundle), or --live to search the cluster over SSH")
        return False
    return True


LIVE_LIMIT = 100_000
"""Most records one live search brings back (the count of all matches is still printed)."""


def _search_live(args, env: Environment, any_of: tuple[str, ...]):
    """(records, problems) from every configured server over SSH, or an ``ExitCode`` when there
    is no cluster to reach. The same searcher as ``diagnose`` (read-only, quoted, host keys
    checked); filtering by level and time is pushed to the servers where it can be."""
    from obdoctor.cli.diagnose import load_config
    from obdoctor.evidence import LogQuery
    from obdoctor.logs.files import FAMILIES
    from obdoctor.sources.live import LiveSource

    config = load_config(args, env, purpose="search")
    if isinstance(config, ExitCode):
        return config

    def progress(server: str, message: str) -> None:
        if not args.quiet:
            print(f"obdoctor: [{server}] {message}", file=env.stderr, flush=True)

    query = LogQuery(servers=(), kinds=FAMILIES, any_of=any_of, levels=tuple(sorted(_levels(args))),
                     since=args.since, until=args.until, purpose="logs --live", limit=LIVE_LIMIT)
    with LiveSource.from_config(config, None, progress=progress, local_reads=args.log_access) as source:
        result = source.search_logs(query)
    problems = list(result.unchecked)
    if result.total_matches > len(result.records):
        problems.append(f"{result.total_matches} matching records, the first {len(result.records)} printed")
    return result.records, problems


def _help(parser, env: Environment) -> ExitCode:
    parser.print_help(env.stdout)
    return ExitCode.USAGE


# -- which files --------------------------------------------------------------------------
def collect_files(paths: list[str], env: Environment, since: datetime | None, until: datetime | None):
    """(LogFiles to search, problems). Bundles and directories follow the bundle's file rules:
    every family, ``.wf`` twins only when their main file is missing, files overlapping the window."""
    from obdoctor.logs.files import classify, discover, overlaps

    files = []
    problems: list[str] = []
    keep: list = []  # bundles extracted from archives stay open until the search ends
    for text in paths:
        path = Path(text)
        if path.is_file() and path.name.endswith((".tar.gz", ".tgz", ".tar")):
            from obdoctor.sources.bundle import Bundle, BundleError  # only for archives: ~30 ms of imports

            try:
                bundle = Bundle(path)
            except BundleError as exc:
                problems.append(str(exc))
                continue
            keep.append(bundle)
            path = bundle.root
        if path.exists() and not path.is_dir():  # a file, a pipe, /dev/stdin...
            entry = classify(path) or discover(path)[0][0]
            files.append(entry)
            continue
        if not path.is_dir():
            problems.append(f"{text}: no such file or directory")
            continue
        for server, directory in _server_dirs(path):
            found, skipped = discover(directory, server)
            problems.extend(f"{p}: skipped: {reason}" for p, reason in skipped
                            if reason not in ("not an OceanBase log file name", "empty file"))
            for family in sorted({f.family for f in found}):
                members = [f for f in found if f.family == family]
                main = [f for f in members if not f.wf]
                files.extend(f for f in (main or members) if overlaps(f, since, until))
    return files, problems, keep


def _server_dirs(path: Path):
    """A bundle (``logs/<ip>/``), a directory of server directories, or one log directory."""
    base = path / "logs" if (path / "logs").is_dir() else path
    subdirs = sorted(p for p in base.iterdir() if p.is_dir() and p.name != "alert") if base.is_dir() else []
    if subdirs and not any(p.is_file() and p.name.startswith(("observer.log", "rootservice.log")) for p in base.iterdir()):
        return [(d.name, d) for d in subdirs]
    return [(None, base)]


def _levels(args) -> set[str]:
    out: set[str] = set()
    for item in args.level:
        out.update(x.strip().upper() for x in item.split(",") if x.strip())
    return out


def _keep(record, args, levels: set[str]) -> bool:
    if levels and (record.level or "") not in levels:
        return False
    if record.ts and ((args.since and record.ts < args.since) or (args.until and record.ts > args.until)):
        return False
    return True


def record_json(record) -> dict:
    from obdoctor.logs.traceid import decode_addr

    return {
        "server": record.server, "path": record.path, "line": record.line_no, "offset": record.offset,
        "origin": record.origin,
        "ts": record.ts.isoformat(sep=" ") if record.ts else None, "level": record.level,
        "module": record.module, "func": record.func, "src": f"{record.src_file}:{record.src_line}" if record.src_file else None,
        "tid": record.tid, "thread": record.thread, "tenant_id": record.tenant_id, "trace_id": record.trace_id,
        "trace_origin": decode_addr(record.trace_id) if record.trace_id else None,
        "lt": record.lt, "errcode": record.errcode, "format": record.format, "message": record.message,
        "fields": [[k, v] for k, v in record.fields], "backtrace": record.backtrace,
        "rate_limited": record.rate_limited, "raw": record.raw,
    }


def _print(record, args, env: Environment, prefix: bool) -> None:
    if args.json:
        env.stdout.write(json.dumps(record_json(record), ensure_ascii=False) + "\n")
    elif prefix:
        name = record.path.rsplit("/", 1)[-1] if record.path else "?"
        server = f"{record.server}:" if record.server else ""
        env.stdout.write(f"{server}{name}:{record.line_no}:{record.raw}\n")
    else:
        env.stdout.write(record.raw + "\n")


def _search(args, env: Environment, patterns, parse: bool = True, ordered: bool = True):
    """(files, problems, report, records or batches of hits, open bundles). Without filters,
    --json or a trace to sort, hits are not parsed: printing needs only the bytes."""
    from obdoctor.logs.search import SearchReport, search_batches, search_files

    files, problems, keep = collect_files(args.paths, env, args.since, args.until)
    report = SearchReport()
    levels = _levels(args)
    workers = max(1, args.jobs)
    if not parse:
        return files, problems, report, search_batches(files, patterns, workers=workers, report=report), keep
    records = (r for r in search_files(files, patterns, workers=workers, report=report, ordered=ordered)
               if _keep(r, args, levels))
    return files, problems, report, records, keep


def _finish(files, problems, report, keep, env: Environment, stats: tuple | None = None) -> bool:
    """Say what could not be read (and, with ``stats=(count, started)``, what was searched);
    True when there was nothing readable at all (exit 2)."""
    if stats is not None:
        env.stderr.write(_stats_line(files, report, *stats) + "\n")
    if not files and not problems:
        problems = ["no OceanBase log file (observer.log*, rootservice.log*, ...) in the given paths"]
    for log, reason in report.failed:
        env.error(f"{log.path}: read only in part: {reason}")
    for problem in problems:
        env.error(problem)
    for bundle in keep:
        bundle.close()
    return bool(problems) and not files


def _stats_line(files, report, count: int, started: float) -> str:
    import os
    import time

    from obdoctor.logs.patterns import describe_engine

    size = 0
    for log in files:
        try:
            size += os.path.getsize(log.path)
        except OSError:
            pass
    return (f"obdoctor: {count} matching record(s); {len(report.searched)} of {len(files)} file(s) searched, "
            f"{size / 1e6:,.1f} MB on disk, in {time.perf_counter() - started:.2f} s "
            f"({describe_engine(report.engine)}, {report.workers} worker(s))")


def run_search(args, env: Environment) -> ExitCode:
    import time

    from obdoctor.cli.main import resolve_times
    from obdoctor.logs.search import Patterns

    resolve_times(args, None, None)  # files: relative to this machine's now, offsets to its zone

    started = time.perf_counter()

    patterns = tuple(p for item in args.patterns for p in item.split("\n") if p)
    if not patterns:
        env.error("logs search: give at least one non-empty -e PATTERN")
        return ExitCode.USAGE
    if not _paths_or_live(args, env):
        return ExitCode.USAGE
    if args.live:
        return _print_live(args, env, patterns, sort_by_time=False)
    parse = bool(args.json or args.since or args.until or _levels(args))
    if args.count and not parse:  # counted where they are found: no hit crosses a process
        return _count_only(args, env, Patterns(any_of=patterns), started)
    files, problems, report, records, keep = _search(args, env, Patterns(any_of=patterns), parse=parse)
    prefix = len(files) > 1
    if not parse and not args.count:  # plain grep-like lines: bytes in, bytes out
        count = _print_hits(records, files, prefix, env)
        if _finish(files, problems, report, keep, env, (count, started) if args.stats else None):
            return ExitCode.USAGE
        return ExitCode(0) if count else ExitCode(1)
    order = {str(f.path): i for i, f in enumerate(files)}
    count = 0
    buffered: list = []
    streaming = False
    for record in records:
        count += 1
        if args.count:
            continue
        if streaming:
            _print(record, args, env, prefix)
            continue
        buffered.append(record)
        if len(buffered) >= SORT_BUFFER:
            _flush(buffered, order, args, env, prefix)
            streaming = True
    if not args.count:
        _flush(buffered, order, args, env, prefix)
    else:
        env.stdout.write(f"{count}\n")
    failed_all = _finish(files, problems, report, keep, env, (count, started) if args.stats else None)
    if failed_all:
        return ExitCode.USAGE
    return ExitCode(0) if count else ExitCode(1)


def _count_only(args, env: Environment, patterns, started: float) -> ExitCode:
    from obdoctor.logs.search import SearchReport, count_hits

    files, problems, keep = collect_files(args.paths, env, args.since, args.until)
    report = SearchReport()
    count = count_hits(files, patterns, workers=max(1, args.jobs), report=report)
    env.stdout.write(f"{count}\n")
    if _finish(files, problems, report, keep, env, (count, started) if args.stats else None):
        return ExitCode.USAGE
    return ExitCode(0) if count else ExitCode(1)


class _ByteSink:
    """Output lines as bytes, written in large pieces: a log line is printed as it is in the
    file (like grep), and a million matching lines cost one write per 256 KiB, not one each.
    A text-only stream (tests' StringIO) gets them decoded, invalid UTF-8 replaced."""

    def __init__(self, stream):
        self.stream = stream
        self.binary = getattr(stream, "buffer", None)
        self.parts: list[bytes] = []
        self.size = 0

    def write_all(self, lines) -> None:
        for line in lines:
            self.parts.append(line)
            self.size += len(line)
            if self.size >= 1 << 18:
                self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        if self.binary is not None:
            self.stream.flush()
            self.binary.write(data)
            self.binary.flush()
        else:
            self.stream.write(data.decode("utf-8", "replace"))


def _print_hits(batches, files, prefix: bool, env: Environment) -> int:
    """Print unparsed hits like grep (``server:file:line:`` before each when several files),
    in file and line order up to ``SORT_BUFFER`` of them, then as they come. Returns the count.
    Takes ``search_batches``: a list comprehension per batch, no object per line."""
    order = {str(f.path): i for i, f in enumerate(files)}
    sink = _ByteSink(env.stdout)
    buffered: list[tuple[int, int, bytes]] | None = []
    count = 0
    for log, batch in batches:
        count += len(batch)
        if prefix:
            server = f"{log.server}:" if log.server else ""
            head = f"{server}{log.path.name}:".encode()
            lines = [(n, head + b"%d:" % n + data.rstrip(b"\r\n") + b"\n") for n, _, data in batch]
        else:
            lines = [(n, data.rstrip(b"\r\n") + b"\n") for n, _, data in batch]
        if buffered is None:
            sink.write_all(line for _, line in lines)
            continue
        rank = order.get(str(log.path), 0)
        buffered.extend((rank, n, line) for n, line in lines)
        if len(buffered) >= SORT_BUFFER:
            buffered.sort(key=lambda item: item[:2])
            sink.write_all(line for _, _, line in buffered)
            buffered = None  # past the buffer: stream as found
    if buffered:
        buffered.sort(key=lambda item: item[:2])
        sink.write_all(line for _, _, line in buffered)
    sink.flush()
    return count


def _flush(buffered: list, order: dict, args, env: Environment, prefix: bool) -> None:
    buffered.sort(key=lambda r: (order.get(r.path, 0), r.line_no or 0))
    for record in buffered:
        _print(record, args, env, prefix)
    buffered.clear()


def run_trace(args, env: Environment) -> ExitCode:
    from obdoctor.cli.main import resolve_times
    from obdoctor.logs.search import Patterns
    from obdoctor.logs.traceid import decode_addr, is_trace_id

    resolve_times(args, None, None)  # files: relative to this machine's now, offsets to its zone

    trace_id = args.trace_id.strip()
    if not is_trace_id(trace_id):
        env.error(f"{trace_id[:60]!r} is not an OceanBase trace id (like YB42AC1E0B5C-00060F1A2B3C4D5E-0-0)")
        return ExitCode.USAGE
    if not _paths_or_live(args, env):
        return ExitCode.USAGE
    origin = decode_addr(trace_id)
    if args.live:
        if origin and not args.json:
            env.stderr.write(f"obdoctor: trace {trace_id} was started by {origin}\n")
        return _print_live(args, env, (trace_id,), sort_by_time=True)
    files, problems, report, records, keep = _search(args, env, Patterns(any_of=(trace_id,)), ordered=False)  # sorted
    found = [r for r in records if r.trace_id == trace_id or trace_id in r.raw]
    found.sort(key=_time_order)
    if origin and not args.json:
        env.stderr.write(f"obdoctor: trace {trace_id} was started by {origin}; {len(found)} line(s)\n")
    for record in found:
        _print(record, args, env, True)
    failed_all = _finish(files, problems, report, keep, env)
    if failed_all:
        return ExitCode.USAGE
    return ExitCode(0) if found else ExitCode(1)


def _time_order(record):
    return (record.ts is None, record.ts or datetime.min, record.server or "", record.path or "", record.line_no or 0)


def _print_live(args, env: Environment, any_of: tuple[str, ...], *, sort_by_time: bool) -> ExitCode:
    """``--live``: the records every server's logs hold, printed as for PATHs (always with the
    ``server:file:line:`` prefix: there are several servers). Exit 2 when no server could be
    searched at all."""
    found = _search_live(args, env, any_of)
    if isinstance(found, ExitCode):
        return found
    records, problems = found
    records.sort(key=_time_order if sort_by_time else (lambda r: (r.server or "", r.path or "", r.line_no or 0)))
    if getattr(args, "count", False):  # logs trace has no --count
        env.stdout.write(f"{len(records)}\n")
    else:
        for record in records:
            _print(record, args, env, True)
    for problem in problems:
        env.error(problem)
    if not records and problems:
        return ExitCode.USAGE
    return ExitCode(0) if records else ExitCode(1)
