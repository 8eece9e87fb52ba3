"""The pasted-forms corpus (scenarios/pasted/corpus.toml): a flat folder with DBA file names, one
session file and one paste on stdin give the pinned bundle's verdicts, byte for byte in the JSON
findings (their evidence steps name other files and lines, so they are left out of the comparison)."""

import io
import json
import sys
import tomllib

import pytest

from obdoctor.scenarios.model import load
from obdoctor.scenarios.pasted import write_forms
from tests.conftest import EXAMPLES, SCENARIOS

CORPUS = tomllib.loads((SCENARIOS / "pasted" / "corpus.toml").read_text(encoding="utf-8"))["corpus"]
WITH_MOUNTS = sorted(p.stem for p in SCENARIOS.glob("*.toml") if load(p).mounts)
"""Scenarios whose bundle has mounts/ (servers' /proc/mounts): a loose folder or a paste does not
read /proc/mounts, so their verdicts may differ (``test_a_pasted_form_says_the_mounts_were_not_read``)."""
NAMES = (sorted(p.stem for p in SCENARIOS.glob("*.toml") if p.stem not in WITH_MOUNTS)
         if CORPUS["scenarios"] == "every scenario" else CORPUS["scenarios"])


def _forms(name, out, rotate=0):
    return write_forms(load(SCENARIOS / f"{name}.toml"), out, rotate=rotate)


def _verdicts(result) -> str:
    findings = [{k: v for k, v in f.items() if k != "evidence"} for f in result.json()["findings"]]
    return json.dumps(findings, sort_keys=True)


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(data)})())


@pytest.mark.parametrize("rotate", CORPUS["rotations"])
@pytest.mark.parametrize("name", NAMES)
def test_every_form_gives_the_pinned_verdicts(name, rotate, run_cli, tmp_path, monkeypatch):
    pinned = run_cli("analyze", EXAMPLES / name, "--format", "json")
    forms = _forms(name, tmp_path, rotate)
    for form in ("flat", "session"):
        got = run_cli("analyze", forms[form], "--format", "json")
        assert (form, got.code, _verdicts(got)) == (form, pinned.code, _verdicts(pinned))
    _stdin(monkeypatch, forms["stdin"].read_bytes())
    got = run_cli("analyze", "-", "--format", "json")
    assert ("stdin", got.code, _verdicts(got)) == ("stdin", pinned.code, _verdicts(pinned))


@pytest.mark.parametrize("name", WITH_MOUNTS)
def test_a_pasted_form_says_the_mounts_were_not_read(name, run_cli, tmp_path):
    """Without mounts/ the same failure is still found, with the mount comparison said unchecked."""
    pinned = run_cli("analyze", EXAMPLES / name, "--format", "json").json()
    got = run_cli("analyze", _forms(name, tmp_path)["flat"], "--format", "json").json()
    key = [(f["rule_id"], f["code"], f["tenant_id"], f["job_id"]) for f in got["findings"]]
    assert key == [(f["rule_id"], f["code"], f["tenant_id"], f["job_id"]) for f in pinned["findings"]]
    unchecked = [u["what"] for f in got["findings"] for u in f["unchecked"]]
    assert any(u.startswith("how the servers mount") for u in unchecked), unchecked


def test_the_flat_folder_names_where_each_view_came_from(run_cli, tmp_path):
    forms = _forms("failed-41-chain", tmp_path)
    notes = run_cli("analyze", forms["flat"], "--format", "json").json()["source"]["notes"]
    assert "backup_job_history.txt: view CDB_OB_BACKUP_JOB_HISTORY from the statement" in notes
    assert any(n.startswith("version.txt: version 4.1.0.2") for n in notes)


@pytest.mark.parametrize("data, said", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"hello, this is not evidence\nnothing here\n", "not understood"),
    (bytes(range(256)) * 8, "a binary file, not text"),
])
def test_bad_paste_is_exit_3_with_a_message(data, said, run_cli, monkeypatch):
    _stdin(monkeypatch, data)
    got = run_cli("analyze", "-")
    assert got.code == 3
    assert said in " ".join((got.out + got.err).split())
    assert "Traceback" not in got.out + got.err


def test_a_binary_or_unknown_file_is_named_with_its_reason(run_cli, tmp_path):
    (tmp_path / "core.bin").write_bytes(b"\x7fELF\0\0\0" * 100)
    (tmp_path / "notes.txt").write_text("called the vendor at 3am\n", encoding="utf-8")
    got = run_cli("analyze", tmp_path, "--format", "json")
    assert got.code == 3
    notes = got.json()["source"]["notes"]
    assert "core.bin: a binary file, not text: not read" in notes
    assert any(n.startswith("notes.txt:") and "not understood" in n for n in notes)


def test_the_pinned_layout_is_read_as_before(run_cli, tmp_path):
    """A folder with sql/ is the pinned layout: a stray text file beside it is not read."""
    import shutil

    shutil.copytree(EXAMPLES / "failed-41-chain", tmp_path / "b")
    (tmp_path / "b" / "stray.txt").write_text("obclient> SELECT * FROM oceanbase.DBA_OB_TENANTS;\n", encoding="utf-8")
    a = run_cli("analyze", EXAMPLES / "failed-41-chain", "--format", "json").json()
    b = run_cli("analyze", tmp_path / "b", "--format", "json").json()
    assert a["findings"] == b["findings"]
