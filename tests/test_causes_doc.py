"""docs/causes.md is generated from the cause data and the rules; it must not be stale."""

import importlib.util
from pathlib import Path

from obdoctor.catalog.causes import all_causes

ROOT = Path(__file__).resolve().parent.parent


def _builder():
    spec = importlib.util.spec_from_file_location("build_causes_doc", ROOT / "scripts" / "build_causes_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_causes_doc_is_current():
    assert (ROOT / "docs" / "causes.md").read_text(encoding="utf-8") == _builder().render(), \
        "docs/causes.md is stale: run .venv/bin/python scripts/build_causes_doc.py"


def test_every_cause_has_title_explanation_and_next_steps():
    for cause in all_causes().values():
        assert cause.title and cause.explanation, cause.id
        assert cause.next_steps, f"{cause.id} has no next steps"
