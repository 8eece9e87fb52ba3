"""The C kernels against each other without Python (scan_harness.c): natively, and on aarch64
under qemu when a cross compiler and qemu-user are installed, so the NEON build of the portable
kernel runs somewhere before a DBA's Kunpeng or Graviton box runs it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
KERNELS_DIR = HERE.parents[1] / "src" / "obdoctor" / "logs"
HARNESS = HERE / "scan_harness.c"
ROUNDS = "20000"


def build_and_run(compiler: str, out: Path, runner: list[str], extra: list[str]) -> str:
    built = subprocess.run([compiler, "-O2", "-std=c11", "-Wall", "-Werror", *extra, f"-I{KERNELS_DIR}",
                            str(HARNESS), "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    done = subprocess.run([*runner, str(out), ROUNDS], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_every_kernel_agrees_with_scalar_natively(tmp_path):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    out = build_and_run("cc", tmp_path / "harness", [], [])
    assert out.startswith(f"ok {ROUNDS}") and "vec16" in out.split()


def test_the_neon_build_agrees_with_scalar_on_aarch64(tmp_path):
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (Debian: gcc-aarch64-linux-gnu, qemu-user)")
    out = build_and_run("aarch64-linux-gnu-gcc", tmp_path / "harness", ["qemu-aarch64"], ["-static"])
    assert out.split()[2:] == ["vec16", "teddyneon"]  # NEON: the pair kernel and Teddy


def test_kernels_and_the_field_reader_stay_inside_their_buffers(tmp_path):
    """The same harness under AddressSanitizer and UBSan: the header-field reader
    (_scan_fields.h) and the record walk read outside input byte by byte, cut anywhere."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    probe = subprocess.run(["cc", "-fsanitize=address,undefined", "-x", "c", "-", "-o", str(tmp_path / "probe")],
                           input="int main(void){return 0;}", capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("the compiler has no sanitizers here")
    out = build_and_run("cc", tmp_path / "harness", [], ["-O1", "-fsanitize=address,undefined",
                                                        "-fno-sanitize-recover=all"])
    assert out.startswith(f"ok {ROUNDS}")
