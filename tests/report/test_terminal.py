"""The text report as a DBA sees it: snapshots at 80 and 200 columns, piped and on a pty, and the
promises behind them (first screen, identifiers whole, lines folded not clipped, repeats grouped,
ASCII outside UTF-8, colour only on a terminal).

Snapshots live in ``tests/golden/text/``; regenerate after an intended change with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_terminal.py
"""

from __future__ import annotations

import io
import os
import re
import select
import struct
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.logs.traceid import TRACE_ID
from obdoctor.report.wrap import IDENTIFIER, cut_middle, wrap
from tests.conftest import ROOT
from tests.report.helpers import example_dirs
from tests.report.test_golden import check_golden

SNAPSHOTS = ROOT / "tests" / "golden" / "text"
SNAPSHOT_EXAMPLES = ("failed-41-chain", "waiting-archive", "dest-stuck-s3-timeout")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
UTF8 = {"LANG": "C.UTF-8"}


def text_report(*argv: str, env: dict | None = None, utf8_mode: bool = False, tty: bool = False):
    out = _TtyStringIO() if tty else io.StringIO()
    code = main(["analyze", *argv], Environment(stdout=out, stderr=io.StringIO(), env=env or {},
                                                utf8_mode=utf8_mode))
    return code, out.getvalue()


class _TtyStringIO(io.StringIO):
    def isatty(self) -> bool:
        return True


def _check_snapshot(name: str, got: str) -> None:
    check_golden(SNAPSHOTS / name, got, f"text report {name}", __file__)


@pytest.mark.parametrize("width", [80, 200])
@pytest.mark.parametrize("example", SNAPSHOT_EXAMPLES)
def test_piped_snapshot(example: str, width: int, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = text_report(f"examples/{example}", env={**UTF8, "COLUMNS": str(width)})
    assert code in (1, 3)
    assert "\x1b[" not in out  # piped: no colour
    _check_snapshot(f"{example}-{width}.txt", out)


def _run_on_pty(argv: list[str], columns: int, env: dict) -> str:
    """Run ``python -m obdoctor`` with its standard output on a pseudo-terminal of ``columns``."""
    import fcntl
    import pty
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "obdoctor", *argv], stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                break
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the pty
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        proc.wait(timeout=30)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
@pytest.mark.parametrize("width", [80, 200])
def test_pty_snapshot(width: int) -> None:
    """On a terminal: its width (no COLUMNS), colour, and once the colour is stripped, the same
    text as piped."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "LC_ALL", "LC_CTYPE")}
    env.update(LANG="C.UTF-8", TERM="xterm", PYTHONPATH=str(ROOT / "src"))
    out = _run_on_pty(["analyze", "examples/failed-41-chain"], width, env)
    assert "\x1b[" in out
    _check_snapshot(f"failed-41-chain-{width}.txt", ANSI.sub("", out))
    env["NO_COLOR"] = "1"
    assert "\x1b[" not in _run_on_pty(["analyze", "examples/failed-41-chain"], width, env)


@pytest.mark.parametrize("example", [p.name for p in example_dirs()])
def test_first_screen_has_the_verdict_and_next_steps(example: str) -> None:
    code, out = text_report(str(ROOT / "examples" / example), env={**UTF8, "COLUMNS": "80"})
    first_screen = out.splitlines()[:24]
    if code == 0:
        assert any("No failed or stuck backup" in line for line in first_screen)
        return
    joined = "\n".join(first_screen)
    if "cannot rule one out" in joined:  # exit 3 with no finding: the gaps and their queries come first
        assert code == 3 and "Could not check" in joined and "run: SELECT" in joined
        return
    assert re.search(r"#1 (CONFIRMED|LIKELY|UNKNOWN)", joined)
    assert "cause " in joined
    if "Next steps" in out:
        assert "Next steps" in joined, joined
    assert all(len(line) <= 80 or not line.strip() or len(line.split()) == 1 for line in out.splitlines())


def test_every_identifier_of_the_report_is_whole_on_one_line() -> None:
    """Each trace id, address and view name of the evidence appears unbroken at 80 columns."""
    _, out = text_report(str(ROOT / "examples" / "failed-41-chain"), env={**UTF8, "COLUMNS": "80"})
    _, wide = text_report(str(ROOT / "examples" / "failed-41-chain"), env={**UTF8, "COLUMNS": "400"})
    wanted = set(TRACE_ID.findall(wide)) | set(re.findall(r"\b\d+\.\d+\.\d+\.\d+:\d+\b", wide))
    assert len(wanted) >= 3
    for ident in wanted:
        assert out.count(ident) == wide.count(ident), ident


def test_rows_are_a_table_when_they_fit_else_one_value_per_line() -> None:
    _, narrow = text_report(str(ROOT / "examples" / "failed-41-chain"), env={**UTF8, "COLUMNS": "80"})
    _, wide = text_report(str(ROOT / "examples" / "failed-41-chain"), env={**UTF8, "COLUMNS": "200"})
    assert re.search(r"^ +task_trace_id +YB427F000002-0005E98EBF2D9DBE-0-0$", narrow, re.M)
    assert re.search(r"^ +tenant_id +task_id +ls_id .*task_trace_id", wide, re.M)


def test_repeated_lines_are_grouped_with_first_and_last() -> None:
    _, out = text_report(str(ROOT / "examples" / "waiting-archive"), env={**UTF8, "COLUMNS": "200"})
    assert "×5 the same message in a row" in out
    assert "rootservice.log:175" in out and "rootservice.log:306" in out
    assert "… 3 more like it …" in out


def test_very_long_lines_lose_only_their_middle_and_say_so() -> None:
    line = "[2023-09-26 14:37:36.700100] WDIAG start " + "x=1, " * 600 + "YB427F000002-0005E98EBF2D9DBE-0-0 end"
    cut = cut_middle(line, 1200, 700, 300)
    assert cut.startswith(line[:700]) and cut.endswith("YB427F000002-0005E98EBF2D9DBE-0-0 end")
    assert re.search(r"\[… \d+ characters cut; --full shows the whole line …\]", cut)
    assert cut_middle("short", 1200, 700, 300) == "short"


def test_full_shows_every_character(tmp_path) -> None:
    """A 5,000-character line: cut by default (and said), whole with --full."""
    import shutil

    bundle = tmp_path / "b"
    shutil.copytree(ROOT / "examples" / "failed-41-chain", bundle)
    log = bundle / "logs" / "127.0.0.3" / "observer.log"
    text = log.read_text(encoding="utf-8")
    needle = 'failed to write macro block data(ret=-9082, ret="OB_BACKUP_DEVICE_OUT_OF_SPACE", '
    assert needle in text
    padding = "".join(f"k{i}=v{i}, " for i in range(500))
    log.write_text(text.replace(needle, needle + padding), encoding="utf-8")
    _, short = text_report(str(bundle), env={**UTF8, "COLUMNS": "100"})
    _, full = text_report(str(bundle), "--full", env={**UTF8, "COLUMNS": "100"})
    assert "characters cut; --full shows the whole line" in short
    assert "characters cut" not in full
    assert "k499=v499," in " ".join(full.split()) and "k250=v250," not in " ".join(short.split())


def test_ascii_when_the_locale_is_not_utf8() -> None:
    for env, mode in (({}, False), ({"LANG": "C"}, False), ({"LANG": "en_US.ISO-8859-1"}, False),
                      ({"LANG": "C.UTF-8"}, True)):  # Python's own C-locale coercion: still a C terminal
        _, out = text_report(str(ROOT / "examples" / "waiting-archive"), env={**env, "COLUMNS": "80"},
                             utf8_mode=mode)
        assert out.isascii(), (env, mode)
        assert "x5 the same message" in out
    _, out = text_report(str(ROOT / "examples" / "waiting-archive"), env={"LC_ALL": "en_US.UTF-8", "LANG": "C"})
    assert not out.isascii()


def test_colour_only_on_a_terminal_or_when_asked() -> None:
    example = str(ROOT / "examples" / "failed-41-chain")
    assert "\x1b[" not in text_report(example, env=UTF8)[1]
    assert "\x1b[" in text_report(example, env=UTF8, tty=True)[1]
    assert "\x1b[" not in text_report(example, env={**UTF8, "NO_COLOR": "1"}, tty=True)[1]
    assert "\x1b[" not in text_report(example, "--color", "never", env=UTF8, tty=True)[1]
    assert "\x1b[" in text_report(example, "--color", "always", env={**UTF8, "NO_COLOR": "1"})[1]
    assert ANSI.sub("", text_report(example, env=UTF8, tty=True)[1]) == text_report(example, env=UTF8)[1]


_IDENTIFIERS = st.sampled_from(["YB427F000002-0005E98EBF2D9DBE-0-0", "127.0.0.3:2882", "10.1.2.3",
                                "__all_virtual_backup_ls_task_history", "CDB_OB_BACKUP_JOB_HISTORY",
                                "OB_BACKUP_DEVICE_OUT_OF_SPACE", "2023-09-26 14:37:36.700100"])
_FILLER = st.text(alphabet=st.sampled_from("abcxyz_=,()[]{}/:. -"), max_size=60)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.tuples(_FILLER, _IDENTIFIERS), max_size=8), tail=_FILLER,
       width=st.integers(min_value=16, max_value=120), indent=st.integers(min_value=0, max_value=8))
def test_wrap_keeps_identifiers_and_text(parts, tail, width, indent) -> None:
    text = "".join(f"{filler} {ident} " for filler, ident in parts) + tail
    rows = wrap(text, width, indent=indent)
    assert "".join("".join(rows).split()) == "".join(text.split())  # nothing lost, nothing added
    for row in rows:
        assert len(row) <= max(width, 16 + indent) or any(m.group() == row.strip()
                                                         for m in [IDENTIFIER.search(row.strip())] if m), row
    for _, ident in parts:
        assert any(ident in row for row in rows), ident


def test_width_from_the_terminal_when_output_is_piped() -> None:
    """``obdoctor analyze x | less``: standard output is a pipe, the terminal is on standard error."""
    import fcntl
    import pty
    import termios

    from obdoctor.cli import screen

    master, slave = pty.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 132, 0, 0))
        with open(slave, "w", closefd=False) as tty:
            env = Environment(stdout=io.StringIO(), stderr=tty, stdin=io.StringIO(), env={})
            assert screen.width(env) == 132
            assert screen.width(Environment(stdout=io.StringIO(), stderr=tty, env={"COLUMNS": "100"})) == 100
            assert not screen.color(env)  # the pipe gets no colour
        assert screen.width(Environment(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(),
                                        env={})) == 80
    finally:
        os.close(master)
        os.close(slave)
