"""What ``obdoctor logs search --count`` loads before reading a byte (issue 18 item 2).

On 0.55 GB of logs the count's start-up was 0.08 s of its 0.19 s, the whole gap to ripgrep. These
tests fail when a module the search path does not need comes back into it: a module-level import
in a file the path loads, every command's or sub-command's parser built, or ``typing`` pulled in.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from obdoctor.cli.main import build_parser

# Run as ``python -m obdoctor`` runs, then list every module loaded, at exit.
_RUN = """\
import atexit, runpy, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + " ".join(sorted(sys.modules)) + "\\n"))
sys.argv = ["obdoctor", *sys.argv[1:]]
runpy.run_module("obdoctor", run_name="__main__")
"""

NOT_ON_THE_SEARCH_PATH = (
    # the rest of obdoctor: the pipeline before and after the log engine, the other commands
    "obdoctor.rules", "obdoctor.report", "obdoctor.evidence", "obdoctor.sources", "obdoctor.catalog",
    "obdoctor.engine", "obdoctor.findings", "obdoctor.security", "obdoctor.check", "obdoctor.watch",
    "obdoctor.scenarios", "obdoctor.cli.analyze", "obdoctor.cli.collect", "obdoctor.cli.explain",
    "obdoctor.cli.screen", "obdoctor.cli.docs",
    # the log engine's parts other questions use
    "obdoctor.logs.codes", "obdoctor.logs.spill", "obdoctor.logs.remote", "obdoctor.logs.kv",
    "obdoctor.logs.render",
    # third-party and standard modules the count never needs (typing: ~2 ms; threading: ~1 ms)
    "pymysql", "asyncssh", "rich", "yaml", "tomllib", "json", "gzip", "isal", "zstandard",
    "typing", "threading", "multiprocessing", "concurrent", "asyncio", "subprocess", "tempfile",
)


def _modules(tmp_path, *args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr  # grep's exit codes: matched, nothing matched
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


def _loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize("extra", [(), ("-e", "ret=-4016", "-e", "backup can not start")])
def test_the_count_path_loads_only_what_it_needs(tmp_path, extra):
    log = tmp_path / "observer.log"
    log.write_text("[2023-05-19 13:23:25.238790] INFO  [RS] run (a.cpp:1) [1][T1][Y0-0000000000000000-0-0] "
                   "[lt=1] x\n")
    modules = _modules(tmp_path, "logs", "search", "--count", "-e", "x", *extra, str(log))
    assert "obdoctor.logs.search" in modules and "obdoctor.logs._scan" in modules  # it did search
    assert not [name for name in NOT_ON_THE_SEARCH_PATH if _loaded(modules, name)]


def test_an_empty_file_is_counted_with_no_grammar_compiled(tmp_path):
    """The parser's grammars compile on first use: a C-scanner count never parses a line."""
    (tmp_path / "observer.log").write_bytes(b"")
    code = ("import re\nfrom obdoctor.cli.main import main\n"
            f"main(['logs', 'search', '--count', '-e', 'x', {str(tmp_path / 'observer.log')!r}])\n"
            "from obdoctor.logs import parser\n"
            "print([n for n in ('_V4', '_V3', '_TRACE', '_ALERT') if isinstance(getattr(parser, n), re.Pattern)])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split("\n")[-2] == "[]", done.stdout + done.stderr


def test_a_grammar_takes_its_placeholders_place_once_used():
    from obdoctor.logs import parse_line
    from obdoctor.logs import parser

    record = parse_line("[2024-03-18 08:00:00.000001] WDIAG [RS.LB] operator() (ob_x.cpp:7) [11][T1_Foo][T1002]"
                        "[YB42AC1E0B5C-00060F1A2B3C4D5E-0-0] [lt=3][errcode=-9040] hi(a=1)")
    assert (record.level, record.tenant_id, record.errcode, record.format) == ("WDIAG", 1002, -9040, "4.x")
    assert isinstance(parser._V4, re.Pattern)


def _logs_parser(parser):
    commands = next(a for a in parser._actions if a.dest == "command")
    return commands.choices["logs"]


def _logs_choices(parser) -> set[str]:
    logs = _logs_parser(parser)
    return set(next(a for a in logs._actions if a.dest == "logs_command").choices)


def test_logs_search_builds_only_its_own_parser_with_the_same_help():
    only = build_parser(["logs", "search", "-e", "x"])
    assert _logs_choices(only) == {"search"}
    assert _logs_choices(build_parser(["logs", "--help"])) == {"search", "trace", "codes"}
    everything = build_parser(None)
    assert _logs_choices(everything) == {"search", "trace", "codes"}
    for name in ("search", "trace", "codes"):
        alone = _logs_parser(build_parser(["logs", name]))
        full = _logs_parser(everything)
        sub = {p: next(a for a in x._actions if a.dest == "logs_command").choices for p, x in
               (("alone", alone), ("full", full))}
        assert sub["alone"][name].format_help() == sub["full"][name].format_help()


def _stream_bytes(path) -> bytes:
    from obdoctor.logs import reader

    with open(path, "rb", buffering=0) as raw:
        return b"".join(bytes(r.buf[r.start:r.end]) for r in reader._stream_regions(raw, str(path), None))


def test_a_small_live_file_gets_a_small_buffer_and_a_pipe_the_full_one(tmp_path):
    """``bytearray(9 MiB)`` costs ~10 ms of page faults: a small file's buffer is its size."""
    from obdoctor.logs import reader

    small = tmp_path / "observer.log"
    small.write_bytes(b"[2024-03-18 08:00:00.000001] INFO x\n" * 30)
    with open(small, "rb", buffering=0) as raw:
        assert reader._first_buffer_size(raw) == small.stat().st_size + reader.GROWTH
    read_end, write_end = __import__("os").pipe()
    with open(read_end, "rb", buffering=0) as raw, open(write_end, "wb"):
        assert reader._first_buffer_size(raw) == reader.BLOCK + reader.MAX_LINE


@pytest.mark.parametrize("first", [1, 37, 100, 4096])
def test_a_file_that_outgrows_its_first_buffer_reads_the_same(tmp_path, monkeypatch, first):
    """A live file written while it is read grows past the size it had at open: the buffer
    grows to full size and every byte comes out once, in order, cut only between records."""
    from obdoctor.logs import reader

    lines = [f"[2024-03-18 08:00:{i % 60:02d}.000001] INFO line {i}\n" + ("  continued\n" if i % 7 == 0 else "")
             for i in range(2000)]
    log = tmp_path / "observer.log"
    log.write_text("".join(lines))
    whole = _stream_bytes(log)
    assert whole == log.read_bytes()
    monkeypatch.setattr(reader, "_first_buffer_size", lambda stream: first)
    with open(log, "rb", buffering=0) as raw:
        pieces = [bytes(r.buf[r.start:r.end]) for r in reader._stream_regions(raw, str(log), None)]
    assert b"".join(pieces) == whole
    assert all(p.startswith(b"[2024-") for p in pieces)
