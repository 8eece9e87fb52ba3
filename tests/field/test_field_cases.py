"""Public field cases (``cases.yaml``): reports of OceanBase backup, archive, clean and restore
problems published outside this project, rebuilt as pastes or bundles with our own values and
analyzed end to end. Each case cites its source and says what the thread concluded; obdoctor's
verdict, cause, servers and next steps are held to what that evidence supports (``unknown`` where
it supports no cause)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))["cases"]


def _analyze(case: dict, tmp_path: Path, fmt: str) -> tuple[int, str]:
    argv = ["analyze", *case.get("args", []), "--format", fmt]
    stdin = io.StringIO(case.get("paste", ""))
    if "bundle" in case:
        for rel, text in case["bundle"].items():
            path = tmp_path / "bundle" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        argv.append(str(tmp_path / "bundle"))
    else:
        argv.append("-")
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, Environment(stdout=out, stderr=err, env={"COLUMNS": "200"}, color=False, stdin=stdin))
    return code, out.getvalue()


def test_every_case_cites_its_source_and_conclusion() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert case["source"].startswith("https://"), case["id"]
        assert case["concluded"].strip() and case["before"].strip(), case["id"]
        assert ("paste" in case) != ("bundle" in case), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_field_case(case: dict, tmp_path: Path) -> None:
    expect = case["expect"]
    code, text = _analyze(case, tmp_path, "json")
    report = json.loads(text)
    findings = report["findings"]
    got = [(f["cause"], f["verdict"]) for f in findings]
    assert code == expect["exit"], (case["id"], code, got)
    if "findings" in expect:
        assert sorted(f["cause"] for f in expect["findings"]) == sorted(f["cause"] for f in findings), got
    for want in expect.get("findings", []):
        finding = next(f for f in findings if f["cause"] == want["cause"])
        for key in ("verdict", "code", "servers"):
            if key in want:
                assert finding[key] == want[key], (key, finding[key])
        for fragment in want.get("summary", []):
            assert fragment in finding["summary"], (fragment, finding["summary"])
        for fragment in want.get("next_steps", []):
            assert any(fragment in s for s in finding["next_steps"]), (fragment, finding["next_steps"])
    assert not {f["cause"] for f in findings} & set(expect.get("absent", [])), got
    if expect.get("out") or expect.get("out_lacks"):
        code_text, out = _analyze(case, tmp_path / "text", "text")
        assert code_text == code
        folded = " ".join(out.split())
        for fragment in expect.get("out", []):
            assert fragment in folded, fragment
        for fragment in expect.get("out_lacks", []):
            assert fragment not in folded, fragment
