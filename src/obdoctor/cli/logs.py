"""``obdoctor logs search`` / ``obdoctor logs trace``: grep for OceanBase logs, that knows them.

Why not plain grep: it stops at NUL bytes ("binary file matches"), does not read ``.gz``/
``.zst`` rotations, does not know which rotated files cover a time window, and gives lines,
not records. These commands search every log file of a directory, a bundle or given files
with the same engine the rules use, and keep grep's exit codes: 0 something matched,
1 nothing matched, 2 usage or unreadable input.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode, SearchExit
from obdoctor.logs import RecordFilter


SUBCOMMANDS = ("search", "trace", "codes")
"""In help order; ``add(sub, only=NAME)`` builds NAME's parser alone (``cli.commands.register``)."""


def add(sub, only: str | None = None) -> None:
    parser = sub.add_parser("logs", help="search OceanBase logs (rotated, compressed, every server) like grep",
                            description="Search OceanBase logs (rotated, compressed, every server) like grep: "
                                        "search a pattern, follow a trace id, tally the error codes.")
    logs_sub = parser.add_subparsers(dest="logs_command", metavar="SUBCOMMAND")
    parser.set_defaults(handler=lambda args, env: _help(parser, env))
    for name in (only,) if only else SUBCOMMANDS:
        _ADD[name](logs_sub)


def _add_search(logs_sub) -> None:
    search = logs_sub.add_parser(
        "search", help="records holding a string (grep -F), or selected by level, time, tenant, thread, module",
        description="Records (a header line and its continuation lines) holding any PATTERN and passing the "
                    "field filters. Without -e the first argument is the PATTERN, as in grep, except when field "
                    "filters are given and it names an existing file or directory. Without PATH, standard input "
                    "is read.")
    search.add_argument("-e", "--regexp", dest="patterns", action="append", metavar="PATTERN",
                        help="a string to find (repeat: a record matches when it holds any of them); "
                             "optional with --level/--since/--until/--tenant/--thread/--module")
    search.add_argument("-F", "--fixed-strings", dest="regex", action="store_false",
                        help="patterns are fixed strings (the default)")
    search.add_argument("-E", "--extended-regexp", dest="regex", action="store_true",
                        help="patterns are regular expressions (Python syntax; slower than fixed strings)")
    search.add_argument("-i", "--ignore-case", action="store_true", help="ignore case in patterns")
    search.add_argument("-v", "--invert-match", action="store_true",
                        help="records holding none of the patterns (field filters still apply)")
    search.add_argument("-c", "--count", action="store_true", help="print only the number of matching records")
    search.add_argument("-l", "--files-with-matches", action="store_true",
                        help="print only the names of files with a matching record")
    search.add_argument("-n", "--line-number", action="store_true",
                        help="prefix the line number (always there when several files are searched)")
    search.add_argument("-A", "--after-context", type=_count_arg, default=0, metavar="NUM",
                        help="print NUM records after each match")
    search.add_argument("-B", "--before-context", type=_count_arg, default=0, metavar="NUM",
                        help="print NUM records before each match")
    search.add_argument("-C", "--context", type=_count_arg, default=None, metavar="NUM",
                        help="print NUM records before and after each match")
    search.add_argument("--color", "--colour", nargs="?", const="always", default="auto",
                        choices=("auto", "always", "never"), help="highlight matches (auto: on a terminal)")
    _common(search)
    search.add_argument("--stats", action="store_true",
                        help="say on stderr what was searched: files, bytes, time, engine, workers")
    search.add_argument("--redact", action="store_true",
                        help="mask secrets in the printed lines (passwords, keys, tokens) as reports do; without "
                             "it lines are printed as the files hold them, like grep")
    _live(search)
    search.set_defaults(handler=run_search, regex=False)


def _add_trace(logs_sub) -> None:
    trace = logs_sub.add_parser("trace", help="every line of one trace id across the servers' logs, in time order",
                                description="Every record of one trace id across the servers' logs (rotated, "
                                            "compressed), in time order.")
    trace.add_argument("trace_id", metavar="TRACE_ID")
    _common(trace)
    _live(trace)
    trace.set_defaults(handler=run_trace)


def _add_codes(logs_sub) -> None:
    codes = logs_sub.add_parser(
        "codes", help="every OceanBase error code in the logs: how often, where, since when, what it means",
        description="One pass over every file tallies the records holding ret=-N, errcode=-N, ret_code=-N, "
                    "result=-N or ret=\"OB_...\" (WDIAG included), per code: records, servers, files, tenants, "
                    "modules, first and last seen, a sample line, and the catalogue's name, message, cause and "
                    "solution. Codes a healthy cluster logs all day are marked ordinary (~) and listed last; codes "
                    "not in the catalogue are listed, never dropped.")
    _common(codes)
    codes.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="output format")
    codes.add_argument("--top", type=_count_arg, default=5, metavar="N",
                       help="servers, tenants, modules, files shown per code (default 5; JSON has all)")
    _live(codes)
    codes.set_defaults(handler=run_codes)


_ADD = {"search": _add_search, "trace": _add_trace, "codes": _add_codes}


def _count_arg(text: str) -> int:
    import argparse

    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a number of records: {text!r}")
    return int(text)


def _common(parser) -> None:
    from obdoctor.cli.main import parse_time

    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="a log file, a log directory, or a bundle (directory or .tar.gz: searches logs/<ip>/); "
                             "none with --live")
    parser.add_argument("--since", type=parse_time, metavar="TIME", help="only records at or after TIME (2h, 30m, "
                        "YYYY-MM-DD HH:MM, +08:00 or Z); on a bundle, on its report's clock (2h: before its "
                        "collection), searched on its servers' zones; on plain files, this machine's zone and clock")
    parser.add_argument("--until", type=parse_time, metavar="TIME", help="only records at or before TIME")
    parser.add_argument("--level", action="append", default=[], metavar="LEVEL",
                        help="only these levels, case ignored (repeat or comma-separate: ERROR,WARN,INFO,EDIAG,WDIAG,"
                             "TRACE,DEBUG,USER_ERR); WARN includes WDIAG and ERROR includes EDIAG")
    parser.add_argument("--tenant", metavar="ID", help="only records of this tenant ([T1002] in the header: 1002 or T1002)")
    parser.add_argument("--thread", metavar="NAME", help="only records of this thread name (exact, like T1002_BackupDat)")
    parser.add_argument("--module", metavar="MOD",
                        help="only records of this module and its sub-modules (RS: [RS], [RS.LB]; case ignored)")
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
"""Most records one live search brings back (``--count`` still counts every match)."""


def _live_source(args, env: Environment):
    """The cluster of ``diagnose``'s configuration, for its servers' logs only (no database), with
    progress on stderr unless ``-q``; or an ``ExitCode`` when there is no configuration."""
    from obdoctor.cli.diagnose import load_config
    from obdoctor.sources.live import LiveSource

    config = load_config(args, env, purpose="search")
    if isinstance(config, (ExitCode, SearchExit)):
        return config

    def progress(server: str, message: str) -> None:
        if not args.quiet:
            print(f"obdoctor: [{server}] {message}", file=env.stderr, flush=True)

    return LiveSource.from_config(config, None, progress=progress, local_reads=args.log_access)


def _search_live(args, env: Environment, any_of: tuple[str, ...], flt):
    """(records, problems, exact count or None) from every configured server over SSH, or an
    ``ExitCode`` when there is no cluster to reach. The same searcher as ``diagnose``
    (read-only, quoted, host keys checked); level and time filters are applied per server, so
    the count of matches is exact; tenant, thread and module are checked here on the records
    brought back."""
    from obdoctor.evidence import LogQuery
    from obdoctor.logs import FAMILIES

    source = _live_source(args, env)
    if isinstance(source, (ExitCode, SearchExit)):
        return source
    flt = flt or RecordFilter()
    query = LogQuery(servers=(), kinds=FAMILIES, any_of=any_of or flt.literals(), levels=tuple(sorted(flt.levels)),
                     since=flt.since, until=flt.until, purpose="logs --live", limit=LIVE_LIMIT)
    with source:
        result = source.search_logs(query)
    problems = list(result.unchecked)
    records = [r for r in result.records if flt.accepts(r)]
    narrowed = flt.tenant is not None or flt.thread or flt.module
    exact = None if narrowed else result.total_matches
    if result.total_matches > len(result.records):
        problems.append(f"{result.total_matches} matching records, the first {len(result.records)} brought back"
                        + (" (--tenant/--thread/--module checked on those only)" if narrowed else ""))
    return records, problems, exact


def _help(parser, env: Environment) -> SearchExit:
    parser.print_help(env.stdout)
    return SearchExit.ERROR


# -- which files --------------------------------------------------------------------------
def collect_files(paths: list[str], env: Environment, since: datetime | None, until: datetime | None,
                  opened: list | None = None):
    """(LogFiles to search, problems). Bundles and directories follow the bundle's file rules:
    every family, ``.wf`` twins only when their main file is missing, files overlapping the window.
    ``opened``: archives already extracted (to read their manifest's clock), closed with the rest."""
    from obdoctor.logs import classify, discover, overlaps

    files = []
    problems: list[str] = []
    keep: list = list(opened or ())  # bundles extracted from archives stay open until the search ends
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
            if _endless(path, text):
                problems.append(f"{text}: skipped: not a regular file (a device or socket): not read")
                continue
            entry = classify(path) or discover(path)[0][0]
            compression = _sniff(path)
            if compression != entry.compression and path.is_file():  # named by what it holds, not its name
                entry = dataclasses.replace(entry, compression=compression)
            files.append(entry)
            continue
        if not path.is_dir():
            problems.append(f"{text}: no such file or directory")
            continue
        root = path.resolve()
        for server, directory in _server_dirs(path):
            found, skipped = discover(directory, server)
            problems.extend(f"{p}: skipped: {reason}" for p, reason in skipped
                            if reason not in ("not an OceanBase log file name", "empty file"))
            outside = [f for f in found if not f.path.resolve().is_relative_to(root)]
            problems.extend(f"{f.path}: skipped: a link pointing outside {text} (as grep -r, not followed)"
                            for f in outside)
            found = [f for f in found if f not in outside]
            for family in sorted({f.family for f in found}):
                members = [f for f in found if f.family == family]
                main = [f for f in members if not f.wf]
                files.extend(f for f in (main or members) if overlaps(f, since, until))
    return files, problems, keep


def _endless(path: Path, text: str) -> bool:
    """A device or socket named as a log (``/dev/zero``, ``/dev/urandom``: read, they never end).
    Standard input and pipes (``-``, ``/dev/stdin``, ``<(zcat ...)``) are read as grep reads them."""
    import stat

    if text in ("-", "/dev/stdin") or text.startswith("/dev/fd/"):
        return False
    mode = path.stat().st_mode
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)


MAGIC = {b"\x1f\x8b": "gz", b"\x28\xb5\x2f\xfd": "zst"}


def _sniff(path: Path) -> str | None:
    """``gz``/``zst`` from a regular file's first bytes (None: plain text, or not a regular file:
    a pipe must not lose bytes to a peek)."""
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return None
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def _server_dirs(path: Path):
    """A bundle (``logs/<ip>/``), a directory of server directories, or one log directory."""
    base = path / "logs" if (path / "logs").is_dir() else path
    subdirs = sorted(p for p in base.iterdir() if p.is_dir() and p.name != "alert") if base.is_dir() else []
    if subdirs and not any(p.is_file() and p.name.startswith(("observer.log", "rootservice.log")) for p in base.iterdir()):
        return [(d.name, d) for d in subdirs]
    return [(None, base)]


def record_filter(args, env: Environment):
    """The field filter the options ask for (None when they ask for none), or a usage error
    said on stderr (an unknown level, a tenant that is not a number). ``--since``/``--until``
    are resolved first: on a bundle, on its clock (``cli.logs_clock``); on plain files, relative
    to this machine's now, offsets moved to its zone (the lines are taken to share its clock)."""
    from obdoctor.logs import FieldError, parse_levels, parse_tenant

    if (args.since is not None or args.until is not None) and not args.live and any(
            p.endswith((".tar.gz", ".tgz", ".tar")) or Path(p).is_dir() for p in args.paths):
        from obdoctor.cli.logs_clock import resolve_window  # ~3 ms: only for a window on a bundle

        problem = resolve_window(args, env)
        if problem:
            env.error(problem)
            return SearchExit.ERROR
    else:
        from obdoctor.cli.main import resolve_times

        resolve_times(args, None, None)

    try:
        flt = RecordFilter(levels=parse_levels(args.level), since=args.since, until=args.until,
                           tenant=parse_tenant(args.tenant), thread=(args.thread or "").strip() or None,
                           module=(args.module or "").strip().strip("[]") or None)
    except FieldError as exc:
        env.error(str(exc))
        return SearchExit.ERROR
    if flt.thread and len(flt.thread.encode()) > 64 or flt.module and len(flt.module.encode()) > 64:
        env.error("--thread/--module: at most 64 bytes")
        return SearchExit.ERROR
    return None if flt.empty else flt


def _text(record, args, env: Environment, prefix: bool = True) -> str:
    """A record as printed: JSON, or its text after ``server:file:line:``; secrets masked with
    ``--redact`` (otherwise as the file holds it, like grep), control characters shown as
    escapes on a terminal."""
    from obdoctor.logs import record_text

    return record_text(record, json=args.json, redact=_redactor(args, env), prefix=prefix)


def _redactor(args, env: Environment):
    """What the printer passes each line through (``obdoctor.logs`` knows no secrets): with
    ``--redact`` the reports' redaction; on a terminal, control characters shown as escapes (a
    line's ESC sequences would drive the terminal: clear it, retitle it, plant a hyperlink).
    Into a pipe or a file, the line as the file holds it, like grep."""
    redact = getattr(args, "redact", False)
    tty = getattr(env.stdout, "isatty", lambda: False)()
    if not redact and not tty:
        return None
    from obdoctor.security.controls import visible_data
    from obdoctor.security.redaction import redact_data

    if not tty:
        return redact_data
    if not redact:
        return visible_data
    return lambda value: visible_data(redact_data(value))


def _print(record, args, env: Environment, prefix: bool) -> None:
    env.stdout.write(_text(record, args, env, prefix))


def _search(args, env: Environment, patterns, ordered: bool = True):
    """(files, problems, report, records, open bundles): parsed records, the field filter
    applied by the engine."""
    from obdoctor.logs import Records, SearchReport, search_files

    files, problems, keep = collect_files(args.paths, env, args.since, args.until, getattr(args, "open_bundles", None))
    report = SearchReport()
    records = search_files(files, patterns, Records(ordered=ordered), workers=max(1, args.jobs), report=report)
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

    from obdoctor.logs import describe_engine

    size = 0
    for log in files:
        try:
            size += os.path.getsize(log.path)
        except OSError:
            pass
    return (f"obdoctor: {count} matching record(s); {len(report.searched)} of {len(files)} file(s) searched, "
            f"{size / 1e6:,.1f} MB on disk, in {time.perf_counter() - started:.2f} s "
            f"({describe_engine(report.engine)}, {report.workers} worker(s))")


def _pattern_args(args, flt) -> tuple[str, ...]:
    """The patterns: ``-e`` ones, else the first argument (grep's habit), unless field filters
    are given and that argument names an existing path. In a fixed string ``\\-`` reads as ``-``
    (GNU grep; a regular expression reads it so itself, and ``[a\\-z]`` must keep it)."""
    items = list(args.patterns or ())
    if not items and args.paths and not (flt is not None and Path(args.paths[0]).exists()):
        items = [args.paths.pop(0)]
    patterns = tuple(p for item in items for p in item.split("\n") if p)
    return patterns if args.regex else tuple(p.replace("\\-", "-") for p in patterns)


def _stdin_path(env: Environment) -> str | None:
    """``/dev/fd/N`` of standard input when it is a pipe or a file (``cat x | obdoctor logs
    search -e y``), None for a terminal or no input."""
    import os
    import stat

    try:
        fd = env.stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return None
    return f"/dev/fd/{fd}" if stat.S_ISFIFO(mode) or stat.S_ISREG(mode) else None


def run_search(args, env: Environment) -> SearchExit:
    import time

    from obdoctor.logs import Patterns, Printer, SearchReport, search_files

    started = time.perf_counter()
    flt = record_filter(args, env)
    if isinstance(flt, (ExitCode, SearchExit)):
        return flt
    patterns = _pattern_args(args, flt)
    if not patterns and flt is None:
        env.error("logs search: give a PATTERN (-e PATTERN, or as the first argument), or a field filter "
                  "(--level, --since, --until, --tenant, --thread, --module)")
        return SearchExit.ERROR
    if args.invert_match and not patterns:
        env.error("logs search: -v needs a PATTERN")
        return SearchExit.ERROR
    stdin = None if args.paths or args.live else _stdin_path(env)
    if stdin:
        args.paths = [stdin]
    if not _paths_or_live(args, env):
        return SearchExit.ERROR
    before = args.before_context if args.context is None else args.context
    after = args.after_context if args.context is None else args.context
    grep_only = args.regex or args.ignore_case or args.invert_match or before or after or args.files_with_matches
    if args.live:
        if grep_only:
            env.error("logs search --live: -E, -i, -v, -l and context options work on files only")
            return SearchExit.ERROR
        if not patterns and not flt.literals():
            env.error("logs search --live: give a PATTERN, --level (not INFO), --tenant or --thread: a time window "
                      "or a module alone would bring every line of the servers' logs over SSH")
            return SearchExit.ERROR
        return _print_live(args, env, patterns, flt, sort_by_time=False)
    engine = Patterns(any_of=patterns, fields=flt, regex=args.regex, ignore_case=args.ignore_case)
    files, problems, keep = collect_files(args.paths, env, args.since, args.until, getattr(args, "open_bundles", None))
    report = SearchReport()
    printer = Printer(env.stdout, json=args.json, count=args.count, files_with_matches=args.files_with_matches,
                      line_number=args.line_number, color=_color(args, env), before=before, after=after,
                      invert=args.invert_match, redact=_redactor(args, env))
    count = search_files(files, engine, printer, workers=max(1, args.jobs), report=report)
    if _finish(files, problems, report, keep, env, (count, started) if args.stats else None):
        return SearchExit.ERROR
    return SearchExit.MATCHED if count else SearchExit.NO_MATCH


def _color(args, env: Environment) -> bool:
    """``--color``: always, never, or (auto) on a terminal that is not dumb, unless ``NO_COLOR``."""
    color = args.color
    if color == "auto":
        tty = getattr(env.stdout, "isatty", lambda: False)()
        color = "always" if tty and "NO_COLOR" not in env.env and "TERM" in env.env and env.env["TERM"] != "dumb" \
            else "never"
    return color == "always"


def run_trace(args, env: Environment) -> SearchExit:
    from obdoctor.logs import Patterns, decode_addr, is_trace_id


    trace_id = args.trace_id.strip()
    if not is_trace_id(trace_id):
        env.error(f"{trace_id[:60]!r} is not an OceanBase trace id (like YB42AC1E0B5C-00060F1A2B3C4D5E-0-0)")
        return SearchExit.ERROR
    if not _paths_or_live(args, env):
        return SearchExit.ERROR
    flt = record_filter(args, env)
    if isinstance(flt, (ExitCode, SearchExit)):
        return flt
    origin = decode_addr(trace_id)
    if args.live:
        if origin and not args.json:
            env.stderr.write(f"obdoctor: trace {trace_id} was started by {origin}\n")
        return _print_live(args, env, (trace_id,), flt, sort_by_time=True)
    from obdoctor.logs import SpillSort

    files, problems, report, records, keep = _search(args, env, Patterns(any_of=(trace_id,), fields=flt),
                                                     ordered=False)  # sorted
    found = SpillSort()  # each record as its printed text, at most a run of them in memory
    for record in records:
        if record.trace_id == trace_id or trace_id in record.raw:
            found.add(_time_order(record), _text(record, args, env))
    if origin and not args.json:
        env.stderr.write(f"obdoctor: trace {trace_id} was started by {origin}; {found.count} line(s)\n")
    _write_batched(env.stdout, found.sorted())
    failed_all = _finish(files, problems, report, keep, env)
    if failed_all:
        return SearchExit.ERROR
    return SearchExit.MATCHED if found.count else SearchExit.NO_MATCH


def _write_batched(out, texts, size: int = 1 << 18) -> None:
    """``texts`` written ~256 KiB at a time: one write per line costs a system call each where
    stdout is unbuffered (``PYTHONUNBUFFERED``, ``python -u``): 13 million of them for a dense
    2 GB trace."""
    batch: list[str] = []
    held = 0
    for text in texts:
        batch.append(text)
        held += len(text)
        if held >= size:
            out.write("".join(batch))
            batch, held = [], 0
    if batch:
        out.write("".join(batch))


def _time_order(record):
    return (record.ts is None, record.ts or datetime.min, record.server or "", record.path or "", record.line_no or 0)


def _print_live(args, env: Environment, any_of: tuple[str, ...], flt, *, sort_by_time: bool) -> SearchExit:
    """``--live``: the records every server's logs hold, printed as for PATHs (always with the
    ``server:file:line:`` prefix: there are several servers). Exit 2 when no server could be
    searched at all. ``--count`` is exact: every server counts all its matches, however many
    records are brought back."""
    found = _search_live(args, env, any_of, flt)
    if isinstance(found, (ExitCode, SearchExit)):
        return found
    records, problems, exact = found
    records.sort(key=_time_order if sort_by_time else (lambda r: (r.server or "", r.path or "", r.line_no or 0)))
    if getattr(args, "count", False):  # logs trace has no --count
        env.stdout.write(f"{len(records) if exact is None else exact}\n")
        problems = [p for p in problems if exact is None or "brought back" not in p]
    else:
        for record in records:
            _print(record, args, env, True)
    for problem in problems:
        env.error(problem)
    if not records and problems:
        return SearchExit.ERROR
    return SearchExit.MATCHED if records else SearchExit.NO_MATCH


# -- logs codes ----------------------------------------------------------------------------
def run_codes(args, env: Environment) -> SearchExit:
    import os
    import time

    from obdoctor.logs import tally_codes

    started = time.perf_counter()
    flt = record_filter(args, env)
    if isinstance(flt, (ExitCode, SearchExit)):
        return flt
    if not _paths_or_live(args, env):
        return SearchExit.ERROR
    if args.live:
        return _codes_live(args, env, flt, started)
    files, problems, keep = collect_files(args.paths, env, args.since, args.until, getattr(args, "open_bundles", None))
    report = tally_codes(files, flt, names=_code_names(), workers=max(1, args.jobs))
    where = _Where([str(f.path) for f in report.search.searched],
                   [(str(f.path), why) for f, why in report.search.failed],
                   {f.server for f in report.search.searched if f.server},
                   sum(os.path.getsize(f.path) for f in report.search.searched if os.path.exists(f.path)))
    _print_codes(report.codes, where, args, env, started)
    if _finish(files, problems, report.search, keep, env):
        return SearchExit.ERROR
    return SearchExit.MATCHED if report.codes else SearchExit.NO_MATCH


class _Where:
    """What a tally covered, for its summary: file names, files read in part, servers, bytes on disk."""

    def __init__(self, files: list[str], failed: list[tuple[str, str]], servers: set, size: int):
        self.files, self.failed, self.servers, self.size = files, failed, servers, size


def _print_codes(codes: dict, where: _Where, args, env: Environment, started: float) -> None:
    import time

    entries = [_code_entry(tally) for tally in codes.values()]
    entries.sort(key=lambda e: (e["ordinary"], -e["unusual_records"], -e["records"], str(e["code"])))
    render = {"json": _codes_json, "markdown": _codes_markdown}.get(args.format, _codes_text)
    env.stdout.write(render(entries, where, args, time.perf_counter() - started))


def _codes_live(args, env: Environment, flt, started: float) -> SearchExit:
    """``logs codes --live``: each server tallies its own files (awk over the SSH of ``logs
    search --live``), only tallies come back; merged here into the same table as on files."""
    from obdoctor.evidence import LogQuery
    from obdoctor.logs import FAMILIES

    source = _live_source(args, env)
    if isinstance(source, (ExitCode, SearchExit)):
        return source
    flt = flt or RecordFilter()
    query = LogQuery(servers=(), kinds=FAMILIES, since=flt.since, until=flt.until, purpose="logs codes --live")
    with source:
        if source.searcher is None:
            env.error("logs codes --live: no server to reach (servers in the config)")
            return SearchExit.ERROR
        found, result = source.searcher.tally_codes(query, flt, _code_names())
    codes: dict = {}
    for _server, _name, _size, tallies in found:
        for key, tally in tallies.items():
            if key in codes:
                codes[key].merge(tally)
            else:
                codes[key] = tally
    read = [name for name in result.files_searched if not name.endswith(" (partly)")]
    where = _Where(read, [(name.removesuffix(" (partly)"), "read in part") for name in result.files_searched
                          if name.endswith(" (partly)")],
                   {server for server, *_ in found}, sum(size for _s, _n, size, _t in found))
    _print_codes(codes, where, args, env, started)
    for problem in result.unchecked:
        env.error(problem)
    if not result.files_searched and result.unchecked:
        return SearchExit.ERROR
    return SearchExit.MATCHED if codes else SearchExit.NO_MATCH


def _code_names() -> dict[bytes, int]:
    """``OB_...`` name -> code, for ``ret="OB_..."`` spellings."""
    from obdoctor.catalog.errors import all_codes

    return {entry.name.encode(): entry.code for entry in all_codes()}


def _noise() -> dict[int, dict]:
    from obdoctor.catalog.data_files import data_toml

    return {int(item["code"]): item for item in data_toml("log_noise_codes.toml").get("noise", ())}


def _code_entry(tally) -> dict:
    """One code's tally joined with the catalogue, the documentation and the noise list."""
    import re

    from obdoctor.catalog.error_docs import doc
    from obdoctor.catalog.errors import is_retried_by_backup, lookup

    code = tally.key if isinstance(tally.key, int) else None
    known = lookup(code) if code is not None else None
    documented = doc(code) if known else None
    noise = _noise().get(code) if code is not None else None
    ordinary = 0
    if noise:
        patterns = [re.compile(p) for p in noise.get("threads", ())]
        ordinary = tally.count if not patterns else sum(
            n for thread, n in tally.threads.items() if any(p.search(thread) for p in patterns))
    return {
        "code": code if code is not None else tally.key, "name": known.name if known else None,
        "message": known.message if known else None, "known": known is not None,
        "retried_by_backup": is_retried_by_backup(code) if known else None,
        "records": tally.count, "ordinary_records": ordinary, "unusual_records": tally.count - ordinary,
        "ordinary": bool(noise) and ordinary == tally.count, "ordinary_why": noise["why"] if noise else None,
        "servers": _ranked(tally.servers), "files": _ranked(tally.files),
        "tenants": {str(k): v for k, v in _ranked(tally.tenants).items()}, "modules": _ranked(tally.modules),
        "levels": _ranked(tally.levels), "threads": _ranked(tally.threads),
        "first": {"ts": tally.first[0], "at": tally.first[1]} if tally.first else None,
        "last": {"ts": tally.last[0], "at": tally.last[1]} if tally.last else None,
        "sample": {"at": tally.sample[0], "line": tally.sample[1]} if tally.sample else None,
        "cause": list(documented.cause) if documented else [], "solution": list(documented.solution) if documented else [],
    }


def _ranked(counter) -> dict:
    """Most first, ties by name: the same table whichever worker finished first (``most_common``
    keeps insertion order on ties, and insertion order is the order the workers' tallies arrived)."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _codes_summary(entries, where: _Where, seconds: float) -> str:
    unknown = sum(1 for e in entries if not e["known"])
    return (f"{len(entries)} error code(s) in {sum(e['records'] for e in entries):,} record(s)"
            f"{f' ({unknown} not in the catalogue)' if unknown else ''}; {len(where.files)} file(s)"
            f"{f' of {len(where.servers)} server(s)' if where.servers else ''}, {where.size / 1e6:,.1f} MB, "
            f"searched in {seconds:.2f} s")


def _top(counter: dict, n: int) -> str:
    items = list(counter.items())
    more = f", +{len(items) - n} more" if len(items) > n else ""
    return ", ".join(f"{k} {v:,}" for k, v in items[:n]) + more


def _label(entry) -> str:
    return entry["name"] or ("(not in the catalogue)" if isinstance(entry["code"], int) else "(unknown name)")


def _backup(entry, unknown: str) -> str:
    return {True: "retried", False: "not retried", None: unknown}[entry["retried_by_backup"]]


def _codes_text(entries, where, args, seconds: float) -> str:
    out = [f"obdoctor: {_codes_summary(entries, where, seconds)}"]
    if not entries:
        return out[0] + "\n"
    out += ["unusual codes first; ~ marks codes a healthy cluster logs all day (listed last, counted all the same)", "",
            f"  {'CODE':<8} {'NAME':<34} {'RECORDS':>9} {'SERVERS':>7}  {'FIRST':<26}  {'LAST':<26}  BACKUP"]
    for e in entries:
        mark = "~" if e["ordinary"] else " "
        out.append(f"{mark} {str(e['code']):<8} {_label(e)[:34]:<34} {e['records']:>9,} {len(e['servers']):>7}  "
                   f"{(e['first'] or {}).get('ts', '-'):<26}  {(e['last'] or {}).get('ts', '-'):<26}  {_backup(e, '-')}")
    for e in entries:
        if e["ordinary"]:
            continue
        out += ["", f"{e['code']} {_label(e)}" + (f": {e['message']}" if e["message"] else "")]
        out.append(f"  records   {e['records']:,} ({_top(e['levels'], args.top)})"
                   + (f"; {e['ordinary_records']:,} of them ordinary: {e['ordinary_why']}" if e["ordinary_records"] else ""))
        for key in ("servers", "tenants", "modules", "files"):
            if e[key]:
                out.append(f"  {key:<9} {_top(e[key], args.top)}")
        if e["first"]:
            out.append(f"  first     {e['first']['ts']} at {e['first']['at']}")
            out.append(f"  last      {e['last']['ts']} at {e['last']['at']}")
        if e["sample"]:
            out.append(f"  sample    {e['sample']['at']}: {e['sample']['line']}")
        for key in ("cause", "solution"):
            for i, text in enumerate(e[key][:3]):
                out.append(f"  {key if i == 0 else '':<9} {text}")
    return "\n".join(out) + "\n"


def _codes_json(entries, where, args, seconds: float) -> str:
    import json

    return json.dumps({
        "summary": _codes_summary(entries, where, seconds),
        "files_searched": where.files,
        "files_failed": [{"path": path, "reason": why} for path, why in where.failed],
        "codes": entries,
        "not_in_catalogue": [e["code"] for e in entries if not e["known"]],
    }, ensure_ascii=False, indent=2) + "\n"


def _codes_markdown(entries, where, args, seconds: float) -> str:
    def cell(text) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = ["# Error codes in the logs", "", _codes_summary(entries, where, seconds) + ".", "",
           "Unusual codes first; *ordinary* codes are those a healthy cluster logs all day.", "",
           "| code | name | records | servers | first | last | backup | ordinary |", "|---|---|---:|---:|---|---|---|---|"]
    for e in entries:
        out.append(f"| {e['code']} | {cell(_label(e))} | {e['records']:,} | {len(e['servers'])} | "
                   f"{(e['first'] or {}).get('ts', '')} | {(e['last'] or {}).get('ts', '')} | {_backup(e, '')} | "
                   f"{'yes' if e['ordinary'] else ''} |")
    for e in entries:
        if e["ordinary"]:
            continue
        out += ["", f"## {e['code']} {cell(_label(e))}", ""]
        if e["message"]:
            out += [f"{cell(e['message'])}.", ""]
        out.append(f"- records: {e['records']:,} ({_top(e['levels'], args.top)})")
        for key in ("servers", "tenants", "modules", "files"):
            if e[key]:
                out.append(f"- {key}: {cell(_top(e[key], args.top))}")
        if e["first"]:
            out.append(f"- first: {e['first']['ts']} at `{e['first']['at']}`; last: {e['last']['ts']} at `{e['last']['at']}`")
        if e["sample"]:
            out += [f"- sample (`{e['sample']['at']}`):", "", "```", e["sample"]["line"], "```", ""]
        for key in ("cause", "solution"):
            if e[key]:
                out.append(f"- {key}: {cell(' '.join(e[key][:3]))}")
    return "\n".join(out) + "\n"
