"""Every scenario: its committed example bundle is what the generator makes, and obdoctor
reaches the expected verdict on it through the real CLI."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from obdoctor.scenarios import generator, model
from tests.conftest import EXAMPLES, SCENARIOS
from tests.expectations import check_expectations

SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))


def _tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_example_bundle_is_generated_from_its_scenario(path: Path, tmp_path: Path) -> None:
    scenario = model.load(path)
    fresh = generator.write_bundle(scenario, tmp_path / scenario.name)
    committed = EXAMPLES / scenario.name
    assert committed.is_dir(), f"examples/{scenario.name} missing: run `obdoctor scenarios build`"
    assert _tree(fresh) == _tree(committed)
    for name in _tree(fresh):
        assert filecmp.cmp(fresh / name, committed / name, shallow=False), f"examples/{scenario.name}/{name} is stale"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_example_gives_expected_verdict(path: Path, run_cli) -> None:
    scenario = model.load(path)
    result = run_cli("analyze", EXAMPLES / scenario.name, "--format", "json")
    assert result.err == ""
    report = result.json()
    check_expectations(report, scenario.expect)
    assert result.code == scenario.expect.get("exit", 1)
