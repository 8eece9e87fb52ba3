"""``obdoctor logs search`` / ``logs trace``: grep-like output and exit codes."""

import io
import json

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main

from .conftest import TRACE, make_lines, write


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, env={}))
    return code, out.getvalue(), err.getvalue()


def bundle(tmp_path):
    for i, ip in enumerate(("10.0.0.1", "10.0.0.2")):
        d = tmp_path / "b" / "logs" / ip
        d.mkdir(parents=True)
        write(d / "observer.log.20240318090000000.gz", make_lines(300, seed=i), "gz")
        write(d / "observer.log", make_lines(300, seed=i + 10, start=__import__("datetime").datetime(2024, 3, 18, 9)))
        write(d / "rootservice.log", make_lines(100, seed=i + 20))
    (tmp_path / "b" / "manifest.toml").write_text("[cluster]\nname='x'\n")
    return tmp_path / "b"


def test_search_single_file_prints_lines_like_grep(tmp_path):
    path = write(tmp_path / "observer.log", make_lines(300))
    code, out, _ = run("logs", "search", "-e", "ret=-9043", str(path))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 6 and all("ret=-9043" in x and x.startswith("[2024-") for x in lines)


def test_search_bundle_prefixes_server_file_line_and_counts(tmp_path):
    b = bundle(tmp_path)
    code, out, _ = run("logs", "search", "-e", "ret=-9043", "-e", TRACE, str(b))
    assert code == 0
    first = out.splitlines()[0]
    server, name, line, rest = first.split(":", 3)
    assert server in ("10.0.0.1", "10.0.0.2") and name.startswith(("observer.log", "rootservice.log")) and int(line) > 0
    code, count, _ = run("logs", "search", "--count", "-e", "ret=-9043", "-e", TRACE, str(b))
    assert int(count) == len(out.splitlines())
    code, count_wdiag, _ = run("logs", "search", "--count", "--level", "WDIAG", "-e", "ret=-9043", "-e", TRACE, str(b))
    assert 0 < int(count_wdiag) < int(count)


def test_json_and_time_window(tmp_path):
    b = bundle(tmp_path)
    code, out, _ = run("logs", "search", "--json", "--since", "2024-03-18 09:00", "-e", "ret=-9043", str(b))
    records = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and records and all(r["ts"] >= "2024-03-18 09:00" for r in records)
    assert records[0]["errcode"] == -9043 and ["ret", "-9043"] in records[0]["fields"]


def test_exit_codes(tmp_path):
    path = write(tmp_path / "observer.log", make_lines(50))
    assert run("logs", "search", "-e", "nothing like this", str(path))[0] == 1
    assert run("logs", "search", "-e", "x", str(tmp_path / "missing"))[0] == 2
    assert run("logs", "search", str(path))[0] == 2  # -e is required
    assert run("logs", "trace", "not-a-trace", str(path))[0] == 2


def test_trace_in_time_order_across_servers(tmp_path):
    b = bundle(tmp_path)
    code, out, err = run("logs", "trace", TRACE, str(b))
    assert code == 0 and "172.30.11.92:2882" in err
    stamps = [x.split(":", 3)[3][1:27] for x in out.splitlines()]
    assert stamps == sorted(stamps) and len({x.split(":")[0] for x in out.splitlines()}) == 2


def test_a_directory_without_logs_is_a_usage_error(tmp_path):
    (tmp_path / "notes.txt").write_text("ret=-9043")
    code, _, err = run("logs", "search", "-e", "ret=-9043", str(tmp_path))
    assert code == 2 and "no OceanBase log file" in err


def test_lines_are_printed_as_their_bytes_like_grep(tmp_path):
    """A real process writing to a pipe: invalid UTF-8 and NUL bytes come out as they are in
    the file (evidence is quoted exactly), with grep's ``file:line:`` prefix for several files."""
    import subprocess
    import sys

    bad = b"[2024-03-18 08:00:00.000001] WDIAG x (a.cpp:1) [1][T1_X][T1][Y0-0] [lt=1] \xc3\x28 \x00 ret=-9043"
    (tmp_path / "observer.log").write_bytes(b"[2024-03-18 08:00:00.000000] INFO quiet\n" + bad + b"\n")
    (tmp_path / "rootservice.log").write_bytes(bad + b"\r\n")
    argv = [sys.executable, "-m", "obdoctor.cli.main", "logs", "search", "-e", "ret=-9043"]
    one = subprocess.run(argv + [str(tmp_path / "observer.log")], capture_output=True)
    assert one.returncode == 0 and one.stdout == bad + b"\n"
    both = subprocess.run(argv + [str(tmp_path)], capture_output=True)
    assert sorted(both.stdout.splitlines()) == [b"observer.log:2:" + bad, b"rootservice.log:1:" + bad]


def test_one_file_prints_in_file_order_past_the_sort_buffer(tmp_path, monkeypatch):
    """Printing never lets two workers share a file (their halves would interleave once the
    sort buffer is passed); counting may."""
    from obdoctor.logs import printer, search

    monkeypatch.setattr(printer, "SORT_BUFFER", 10)
    monkeypatch.setattr(search, "SPLIT_MIN", 1)
    monkeypatch.setattr(search, "PARALLEL_MIN", 0)
    monkeypatch.setattr(search, "_size", lambda log: 64 << 20)
    lines = make_lines(3000)
    path = write(tmp_path / "observer.log.20240318080000123", lines)
    code, out, _ = run("logs", "search", "-e", "tick", str(path))
    assert code == 0 and out.splitlines() == [line for line in lines if "tick" in line]
    code, out, _ = run("logs", "search", "--count", "-e", "tick", str(path))
    assert out.strip() == str(sum("tick" in line for line in lines))


def test_stats_say_what_was_searched_on_stderr(tmp_path):
    from obdoctor.logs.patterns import Patterns, compile_patterns, describe_engine

    b = bundle(tmp_path)
    code, out, err = run("logs", "search", "--stats", "-e", "ret=-9043", str(b))
    engine = describe_engine(compile_patterns(Patterns(("ret=-9043",))).engine)
    assert code == 0 and f"obdoctor: {len(out.splitlines())} matching record(s); 6 of 6 file(s) searched" in err
    assert f"({engine}, 1 worker(s))" in err and "stats" not in out
    code, out, err = run("logs", "search", "--stats", "--count", "-e", "ret=-9043", str(b))
    assert f"obdoctor: {out.strip()} matching record(s)" in err


def test_records_printed_in_c_equal_those_printed_from_batches(tmp_path, monkeypatch):
    """The C formatter (Scan.blocks) and the Python one (batches) print the same bytes: several
    files with prefixes, one file with -n, a level filter walking alert-less records, CRLF lines."""
    from obdoctor.logs import search

    b = bundle(tmp_path)
    crlf = tmp_path / "crlf" / "observer.log"
    crlf.parent.mkdir()
    crlf.write_bytes(b"".join(line.encode() + b"\r\n" for line in make_lines(200)))
    cases = [("-e", "ret=-9043", "-e", TRACE, str(b)), ("-n", "-e", "ret=-9043", str(b / "logs/10.0.0.1/observer.log")),
             ("--level", "WDIAG", str(b)), ("-e", "ret=-9043", str(crlf))]
    printed_in_c = [run("logs", "search", *argv) for argv in cases]
    monkeypatch.setattr(search, "prints_in_c", lambda patterns: False)
    from_batches = [run("logs", "search", *argv) for argv in cases]
    assert printed_in_c == from_batches and all(out for _, out, _ in printed_in_c)


def test_fields_alone_select_records_without_a_pattern(tmp_path):
    path = write(tmp_path / "observer.log", make_lines(300))
    total = run("logs", "search", "-c", "--since", "2000-01-01", str(path))[1]
    assert int(total) == 300  # every record, continuation lines joined to theirs
    assert run("logs", "search", "-c", "--tenant", "T1", str(path))[1] == total
    assert run("logs", "search", "-c", "--module", "storage", "--thread", "T1_X", str(path))[1] == total
    assert run("logs", "search", "--tenant", "2", str(path))[0] == 1
    code, wdiag, _ = run("logs", "search", "--level", "wdiag", str(path))  # the PATH is not taken for a pattern
    assert code == 0 and len(wdiag.splitlines()) == 6 and all(" WDIAG " in line for line in wdiag.splitlines())
    code, both, _ = run("logs", "search", "--level", "WARN", "ret=-9043", str(path))  # a pattern and a level
    assert both == wdiag
    assert run("logs", "search", str(path))[0] == 2  # neither a pattern nor a field: usage error


def test_live_refuses_a_search_that_would_bring_every_line():
    code, _, err = run("logs", "search", "--since", "2h", "--live")
    assert code == 2 and "every line" in err
    assert run("logs", "search", "-i", "x", "--live")[0] == 2
