"""The JSON report follows docs/report.schema.json, for every example and for edge cases."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from obdoctor.report.json_report import SCHEMA_VERSION
from tests.conftest import ROOT
from tests.report.helpers import example_dirs
from tests.report.test_redaction import planted_report

SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
EXAMPLES = example_dirs()


def test_schema_is_valid_and_versioned() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
@pytest.mark.parametrize("hosts", [False, True], ids=["plain", "redact-hosts"])
def test_every_example_report_validates(example, hosts, run_cli) -> None:
    result = run_cli("analyze", example, "--format", "json", *(["--redact-hosts"] if hosts else []))
    assert result.code in (0, 1, 3), result.err
    errors = sorted(VALIDATOR.iter_errors(result.json()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_planted_report_validates(run_cli) -> None:
    from tests.report.helpers import render_all

    VALIDATOR.validate(json.loads(render_all(planted_report())["json"]))


def test_schema_rejects_a_wrong_report(run_cli) -> None:
    """The schema has teeth: a verdict outside the enum, a missing field, a stray field."""
    good = json.loads(run_cli("analyze", EXAMPLES[0], "--format", "json").out)
    for mutate in (lambda d: d.__setitem__("schema_version", "0.9"),
                   lambda d: d.pop("findings"),
                   lambda d: d.__setitem__("surprise", 1),
                   lambda d: d["unchecked"].append({"what": "x"})):
        bad = copy.deepcopy(good)
        mutate(bad)
        assert list(VALIDATOR.iter_errors(bad)), "schema accepted a broken report"
