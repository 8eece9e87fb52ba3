"""``logs search`` keeps grep's habits: the same flags print what GNU grep prints on the same
file (one file, one line per record: where records and lines are the same thing)."""

import io
import shutil
import subprocess
from datetime import datetime

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main

pytestmark = pytest.mark.skipif(shutil.which("grep") is None, reason="GNU grep not installed")

WORDS = ("alpha", "Beta", "gamma", "BETA -x", "delta", "beta", "eps", "zeta", "ret=-4016", "eta")


def log_file(tmp_path):
    lines = []
    for i in range(60):
        level = "WDIAG" if i % 7 == 3 else "INFO "
        lines.append(f"[2024-03-18 08:{i // 60:02d}:{i % 60:02d}.000001] {level} [RS] f (a.cpp:1) [7][T1_X][T1]"
                     f"[Y0-0000000000000000-0-0] [lt=1] {WORDS[(i * 7) % len(WORDS)]} i={i}")
    path = tmp_path / "observer.log"
    path.write_text("".join(x + "\n" for x in lines))
    return path


def ours(*argv, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, env={}, **({"stdin": stdin} if stdin else {}))
    code = main(["logs", "search", *argv], env)
    return code, out.getvalue()


FLAGS = [
    ["beta"], ["-i", "beta"], ["-v", "beta"], ["-c", "beta"], ["-c", "-v", "-i", "beta"], ["-n", "beta"],
    ["-l", "beta"], ["-A", "1", "gamma"], ["-B", "2", "zeta"], ["-C", "1", "beta"], ["-n", "-C", "2", "-i", "beta"],
    ["-A", "3", "-B", "1", "eps"], ["-E", "b.ta|^.*eps"], ["-E", "-i", "-n", "BET[A]"], ["-e", "\\-x"],
    ["-e", "gamma", "-e", "zeta"], ["-F", "ret=-4016"], ["--color=always", "beta"], ["--color=always", "-i", "-e", "b", "-e", "eta"],
    ["nothing like this"],
]


@pytest.mark.parametrize("flags", FLAGS, ids=" ".join)
def test_same_output_as_gnu_grep(tmp_path, flags):
    path = log_file(tmp_path)
    grep = subprocess.run(["grep", *flags, str(path)], capture_output=True, text=True)
    code, out = ours(*flags, str(path))
    assert out == grep.stdout
    assert code == grep.returncode


def test_stdin_is_read_when_no_path_is_given(tmp_path):
    path = log_file(tmp_path)
    with open(path) as handle:
        code, out = ours("-c", "beta", stdin=handle)
    assert code == 0 and out == subprocess.run(["grep", "-c", "beta", str(path)], capture_output=True, text=True).stdout


def test_an_explicit_file_is_read_by_its_content_not_its_name(tmp_path):
    import gzip

    path = log_file(tmp_path)
    (tmp_path / "copy.txt").write_bytes(path.read_bytes())
    (tmp_path / "packed.bin").write_bytes(gzip.compress(path.read_bytes()))
    code, out = ours("-c", "beta", str(tmp_path / "copy.txt"), str(tmp_path / "packed.bin"))
    one = int(subprocess.run(["grep", "-c", "beta", str(path)], capture_output=True, text=True).stdout)
    assert code == 0 and int(out) == 2 * one


def test_levels_are_case_blind_widened_and_checked(tmp_path):
    path = log_file(tmp_path)
    wdiag = subprocess.run(["grep", "-c", "] WDIAG ", str(path)], capture_output=True, text=True).stdout
    assert ours("-c", "--level", "warn", str(path))[1] == wdiag
    assert ours("-c", "--level", "Wdiag", str(path))[1] == wdiag
    assert ours("--level", "WARNING", str(path))[0] == 2


def test_since_takes_an_age(tmp_path):
    path = log_file(tmp_path)
    assert ours("--since", "2h", "beta", str(path))[0] == 1  # the file is from 2024
    from obdoctor.cli.main import parse_time

    assert parse_time("90m").total_seconds() == 5400  # resolved against now when the search starts
