"""Each rule's doc is its module docstring: it says what the rule looks at, what it concludes and
what it cannot tell, names only causes that exist, and docs/rules.md is generated from it.

``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/rules/test_rules_doc.py`` (or
``.venv/bin/python scripts/build_rules_doc.py``) rewrites docs/rules.md; review the diff.
"""

from __future__ import annotations

import importlib.util
import os
import re

import pytest

from obdoctor.catalog.causes import all_causes
from obdoctor.rules.base import all_rules
from obdoctor.rules.services.failure import code_families
from tests.conftest import ROOT

UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
UNITS = [*all_rules(), *code_families()]
SECTIONS = ("Looks at", "Concludes", "Cannot tell")


def _builder():
    spec = importlib.util.spec_from_file_location("build_rules_doc", ROOT / "scripts" / "build_rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rules_doc_is_current() -> None:
    builder = _builder()
    fresh = builder.render()
    if UPDATE:
        builder.TARGET.write_text(fresh, encoding="utf-8")
    assert builder.TARGET.read_text(encoding="utf-8") == fresh, \
        "docs/rules.md is stale: run .venv/bin/python scripts/build_rules_doc.py (or UPDATE_GOLDEN=1) and review it"


@pytest.mark.parametrize("unit", UNITS, ids=[type(u).__module__ for u in UNITS])
def test_every_rule_documents_what_it_looks_at_concludes_and_cannot_tell(unit) -> None:
    doc = _builder().module_doc(unit)
    lead, _, body = doc.partition("\n\n")
    assert lead and body, f"{type(unit).__module__}: a one-line lead, a blank line, then the doc"
    missing = [s for s in SECTIONS if not re.search(rf"^{s}\b", body, re.M)]
    assert not missing, f"{type(unit).__module__}'s docstring has no paragraph starting {missing}"


def test_what_a_rule_concludes_names_only_causes_that_exist() -> None:
    """A cause id in a rule's "Concludes" paragraph that no cause file defines is a doc gone stale."""
    causes = set(all_causes())
    named: dict[str, set[str]] = {}
    for unit in UNITS:
        concludes = re.search(r"^Concludes.*?(?=\n\n|\Z)", _builder().module_doc(unit), re.M | re.S).group(0)
        named[type(unit).__module__] = set(re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`", concludes))
    unknown = {m: sorted(n - causes) for m, n in named.items() if n - causes}
    assert not unknown, unknown
    assert {"backup_dest_not_set", "checkpoint_not_advancing", "restore_point_outside_window",
            "command_refused_unexplained"} <= set().union(*named.values())
