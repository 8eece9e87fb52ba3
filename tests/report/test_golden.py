"""Golden files: the Markdown and JSON report of every example incident, byte for byte.

A change in wording, evidence or layout shows up here as a diff to review. Regenerate after an
intended change (examples are discovered from ``examples/*/``):

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.report.helpers import example_dirs

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
EXAMPLES = example_dirs()
CASES = [(p, fmt) for p in EXAMPLES for fmt in ("markdown", "json")]
_SUFFIX = {"markdown": "md", "json": "json"}


def normalise(fmt: str, text: str) -> str:
    """What may differ between runs without the report changing: obdoctor's own version."""
    if fmt == "json":
        data = json.loads(text)
        data["obdoctor_version"] = "<version>"
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return text


@pytest.mark.parametrize("example, fmt", CASES, ids=[f"{p.name}-{fmt}" for p, fmt in CASES])
def test_report_matches_golden(example: Path, fmt: str, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)  # the report names the bundle as given: keep it relative
    result = run_cli("analyze", f"examples/{example.name}", "--format", fmt)
    assert result.code in (0, 1, 3), result.err
    check_golden(GOLDEN / f"{example.name}.{_SUFFIX[fmt]}", normalise(fmt, result.out),
                 f"{fmt} report of examples/{example.name}", __file__)


def check_golden(golden: Path, got: str, what: str, test_file: str) -> None:
    """``got`` equals the file ``golden`` (written instead under UPDATE_GOLDEN=1)."""
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"no golden file {golden.relative_to(ROOT)}: run UPDATE_GOLDEN=1 pytest {test_file} and review it")
    want = golden.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), str(golden.name), "now", n=2))
        pytest.fail(f"{what} changed (UPDATE_GOLDEN=1 to accept):\n{diff[:6000]}")


def test_no_orphan_golden_files() -> None:
    """A golden file whose example is gone is stale."""
    names = {p.name for p in EXAMPLES}
    orphans = [g.name for g in GOLDEN.glob("*.*") if g.stem not in names]
    if UPDATE:
        for name in orphans:
            (GOLDEN / name).unlink()
        return
    assert not orphans, f"golden files without an example: {orphans}"
