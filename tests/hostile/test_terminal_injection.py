"""Escape sequences written by someone else never reach a terminal as escapes.

A log line, a view cell or a file name can hold ESC sequences (CSI: clear the screen, move the
cursor; OSC: set the window title, a hyperlink ``ESC]8;;url``), their 8-bit C1 forms, a
carriage return, or Unicode bidi overrides (U+202E) that make text read backwards. Printed
raw, they rewrite what the DBA sees in the terminal report or ``logs search``, and hide in
Markdown/HTML reports someone ``cat``s later. Every report format shows them as visible text
(``\\x1b``, ``\\u202e``); ``logs search`` does so on a terminal and prints the bytes as the file
holds them into a pipe, like grep.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.security.controls import visible
from tests.conftest import EXAMPLES
from tests.hostile.guard import within

CHAIN = EXAMPLES / "failed-41-chain"
HOSTILE = ("\x1b]0;PWNED-TITLE\x07 \x1b[2J\x1b[31mRED\x1b[0m \x9b2J \r\u202eevil\u202c "
           "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \x1b[1A\x1b[2K")
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def _hostile_bundle(tmp_path: Path) -> Path:
    """failed-41-chain with the escapes in the proving log line, a view cell, and file names."""
    bundle = tmp_path / "bundle"
    shutil.copytree(CHAIN, bundle)
    log = bundle / "logs" / "127.0.0.3" / "observer.log"
    log.write_text(log.read_text().replace("failed to write macro block data", f"failed {HOSTILE} write", 1))
    jobs = bundle / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.txt"
    text = jobs.read_text()
    assert "COMMENT: " in text
    jobs.write_text(text.replace("COMMENT: ", f"COMMENT: cell {HOSTILE}", 1))
    (bundle / "sql" / "NOT_A_VIEW\x1b]0;T\x07\u202e.txt").write_text("A: 1\n")
    (bundle / "sql" / "TWO\nLINES\x1b[2J.txt").write_text("A: 1\n")
    return bundle


def _run(*argv, tty: bool = False, color: bool = False) -> tuple[int, str, str]:
    class Out(io.StringIO):
        def isatty(self) -> bool:
            return tty

    out, err = Out(), io.StringIO()
    env = {"TERM": "xterm"} if tty else {}
    with within(120):
        code = main([str(a) for a in argv], Environment(stdout=out, stderr=err, env=env, color=color))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_no_escape_from_the_evidence_reaches_a_report(tmp_path: Path, fmt: str) -> None:
    code, out, err = _run("analyze", _hostile_bundle(tmp_path), "--format", fmt)
    assert code == 1, err
    assert RAW.findall(out) == [] and RAW.findall(err) == []
    if fmt == "json":
        out = json.dumps(json.loads(out), ensure_ascii=False)
        assert "\\\\x1b]0;PWNED-TITLE" in out  # shown, not dropped: the DBA sees what the line held
    else:
        assert "\\x1b]0;PWNED-TITLE" in out or "\\x1b]0;PWNED-TITLE" in re.sub(r"\s+", "", out)
    assert "NOT_A_VIEW" in out


def test_the_coloured_terminal_report_holds_only_its_own_colours(tmp_path: Path) -> None:
    code, out, _ = _run("analyze", _hostile_bundle(tmp_path), "--color", "always", tty=True, color=True)
    assert code == 1
    escapes = set(re.findall(r"\x1b[^a-zA-Z]*[a-zA-Z]?", out))
    assert escapes and all(re.fullmatch(r"\x1b\[[0-9;]*m", e) for e in escapes), escapes
    assert RAW.findall(re.sub(r"\x1b\[[0-9;]*m", "", out)) == []


def test_a_file_name_with_a_newline_makes_no_line_of_its_own(tmp_path: Path) -> None:
    """``sql/TWO\\nLINES.txt`` named in a note: before, its second half began a line of the
    report (a Markdown heading if it had started with '#')."""
    for fmt in ("text", "markdown"):
        _, out, _ = _run("analyze", _hostile_bundle(tmp_path / fmt), "--format", fmt)
        assert not any(line.lstrip(" │-*").startswith("LINES") for line in out.splitlines()), fmt


def _search_log(tmp_path: Path) -> Path:
    log = tmp_path / "observer.log"
    log.write_text(f"[2023-09-26 14:37:36.000000] WDIAG [STORAGE] f (a.cpp:1) [1][T1][Y0-0-0-0] [lt=1] "
                   f"ret=-9082 {HOSTILE}\n")
    return log


@pytest.mark.parametrize("extra", [[], ["--json"], ["--color", "always"], ["--redact"], ["-n", "-A", "1"]])
def test_logs_search_to_a_terminal_shows_escapes_as_text(tmp_path: Path, extra: list[str]) -> None:
    code, out, _ = _run("logs", "search", "-e", "ret=-9082", *extra, _search_log(tmp_path), tty=True)
    assert code == 0
    painted = re.sub(r"\x1b\[(?:01;31m\x1b\[K|m\x1b\[K)", "", out)  # grep's own match colour
    assert RAW.findall(painted) == [], extra
    assert "PWNED-TITLE" in out


def test_logs_search_into_a_pipe_prints_the_line_as_the_file_holds_it(tmp_path: Path) -> None:
    """The control: grep's semantics where a program reads the output (the test can fail)."""
    code, out, _ = _run("logs", "search", "-e", "ret=-9082", _search_log(tmp_path))
    assert code == 0 and HOSTILE in out


def test_error_messages_show_escapes_as_text(tmp_path: Path) -> None:
    _, _, err = _run("analyze", tmp_path / f"missing{HOSTILE}")
    assert "missing" in err and RAW.findall(err.rstrip("\n")) == []


@pytest.mark.parametrize("text, shown", [
    ("a\x1b[2Jb", "a\\x1b[2Jb"), ("tab\tand\nnewline", "tab\tand\nnewline"), ("cr\rx", "cr\\x0dx"),
    ("\u202eevil", "\\u202eevil"), ("c1\x9b2J", "c1\\x9b2J"), ("bell\x07", "bell\\x07"), ("nul\x00", "nul\\x00"),
    ("中文 ok", "中文 ok"), ("", "")])
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert visible(visible(text)) == visible(text) or "\\" in text


def test_a_failed_jobs_comment_in_a_watch_event_shows_escapes_as_text() -> None:
    """``watch`` and ``history`` print an event's message (a failed job's COMMENT, which quotes
    the destination a tenant's admin set) to the terminal through rich, which keeps ESC."""
    from datetime import datetime

    from obdoctor.watch.detect import detect
    from obdoctor.watch.samples import Sample, Snapshot

    at = datetime(2023, 9, 26, 14, 0)
    running = Sample("job", 1002, 1, status="DOING", stage="BACKUP_DATA_MINOR", input_bytes=1, task_id=1)
    ended = Sample("job", 1002, 1, status="FAILED", result=-9082, task_id=1, comment=f"out of space {HOSTILE}")
    first = detect({}, Snapshot(at=at, jobs=[running], history_available=True, ls_available=True), at.timestamp(), 1800)
    later = detect(first.tracks, Snapshot(at=at, finished=[ended], history_available=True, ls_available=True),
                   at.timestamp() + 60, 1800)
    (event,) = later.events
    assert "out of space" in event.message and "PWNED-TITLE" in event.message
    assert RAW.findall(event.message) == [] and "\n" not in event.message
