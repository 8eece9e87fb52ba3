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


def _file_lines(path: Path) -> list[str]:
    import gzip

    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data.decode("utf-8", "replace").splitlines()


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_every_evidence_step_points_at_what_it_shows(path: Path, run_cli) -> None:
    """Provenance is right: a log step's line N of file F is the line shown; a row step's
    location is the view's file and its line opens that row."""
    scenario = model.load(path)
    bundle = EXAMPLES / scenario.name
    report = run_cli("analyze", bundle, "--format", "json").json()
    steps = [s for f in report["findings"] for s in f["evidence"]]
    for step in steps:
        if step["lines"]:
            assert len(step["lines"]) == len(step["provenance"]), step["looked_at"]
        for index, prov in enumerate(step["provenance"]):
            assert prov["kind"] in ("sql", "log", "file"), prov
            if prov["kind"] == "file":  # a server's /proc/mounts, saved as mounts/<ip>: line N is the line shown
                assert prov["location"] == f"mounts/{prov['server']}", prov
                assert _file_lines(bundle / prov["location"])[prov["line"] - 1] == step["lines"][index], prov
                continue
            if prov["kind"] == "log":
                lines = _file_lines(bundle / prov["location"])
                assert prov["location"].split("/")[1] == prov["server"], prov
                shown = step["lines"][index] if step["lines"] else None
                actual = lines[prov["line"] - 1]
                if shown is not None:
                    assert actual.startswith(shown[:60]) and shown.split("] ", 1)[0] in actual, (prov, shown)
            elif "location" in prov:
                assert (bundle / prov["location"]).is_file(), prov
                assert prov["location"].split("/")[-1].rsplit(".", 1)[0].upper() == prov["name"].upper(), prov
                if "line" in prov and prov["location"].endswith(".txt"):
                    opened = _file_lines(bundle / prov["location"])[prov["line"] - 1]
                    assert opened.strip().startswith(("|", "*")), (prov, opened)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_scenario_logs_are_real_oceanbase_lines(path: Path) -> None:
    """Every generated log line parses with OceanBase's header grammar, on a server of the
    cluster (127.0.0.x: the live tests bind them), with a well-formed trace id."""
    from obdoctor.logs.parser import parse_line
    from obdoctor.logs.traceid import is_trace_id

    scenario = model.load(path)
    assert all(s.startswith("127.") for s in scenario.servers)
    for index, spec in enumerate(scenario.logs):
        assert spec.server in scenario.servers, f"{spec.server} is not a server of the cluster"
        for line in generator.log_text(spec, scenario, index).splitlines():
            record = parse_line(line)
            assert record.format != "raw", line
            assert is_trace_id(record.trace_id), line
            if scenario.version.startswith("4.0"):
                assert record.level in ("ERROR", "WARN", "INFO"), line
