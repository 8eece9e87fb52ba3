"""Install and run anywhere: ``python -m obdoctor``, ``--version`` naming the search engine, the
shipped docs the help texts point at, the license metadata, numpy only as an extra."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tomllib

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main, version_text
from tests.conftest import ROOT


def test_python_m_obdoctor_is_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "obdoctor", "--version"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("obdoctor ") and "log search: " in done.stdout


def test_version_says_when_the_c_extension_is_missing(monkeypatch) -> None:
    from obdoctor.logs import patterns

    assert "log search: C extension" in version_text() or "not built" in version_text()
    monkeypatch.setattr(patterns, "_scan", None)
    text = version_text()
    assert "the C extension is not built" in text and re.search(r"log search: (hyperscan|pure Python)", text)


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, env={}, color=False))
    return code, out.getvalue(), err.getvalue()


def test_docs_topics_the_help_texts_name_exist(capsys) -> None:
    code, out, _ = _cli("docs")
    assert code == 0
    topics = set(re.findall(r"obdoctor docs (\S+)", out))
    assert {"bundle-format", "live", "watch", "logs", "scenarios"} <= topics
    named = set()
    for path in (ROOT / "src" / "obdoctor").rglob("*.py"):
        named |= set(re.findall(r"see: obdoctor docs ([\w-]+)", path.read_text(encoding="utf-8")))
    assert named and named <= topics, named - topics
    code, out, _ = _cli("docs", "bundle-format")
    assert code == 0 and out == (ROOT / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    code, _, err = _cli("docs", "nope")
    assert code == 2 and "topics:" in err


def test_license_file_matches_the_declared_license() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert project["requires-python"] == ">=3.11"
    assert re.search(r"Python (≥|>=) ?3\.11", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_numpy_is_an_extra_and_imported_only_where_it_is_optional() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith("numpy") for d in project["dependencies"])
    assert any(d.startswith("numpy") for d in project["optional-dependencies"]["fast"])
    importers = [p.relative_to(ROOT).as_posix() for p in (ROOT / "src").rglob("*.py")
                 if re.search(r"^\s*(import numpy|from numpy)", p.read_text(encoding="utf-8"), re.M)]
    assert importers == ["src/obdoctor/logs/reader.py"]


def test_scenarios_build_says_it_is_a_development_command(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli("scenarios", "build")
    assert code == 2 and "development command" in err


@pytest.mark.parametrize("name", ["constraints.txt"])
def test_ci_installs_from_the_constraints_file(name) -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert f"-c {name}" in script or f"--constraint {name}" in script
    pins = [line for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert all("==" in line for line in pins) and any(line.startswith("pytest==") for line in pins)
