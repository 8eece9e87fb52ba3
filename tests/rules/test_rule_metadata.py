"""What rules declare about themselves is true: the evidence they need exists, their codes are
catalogued, and every cause they can name is defined."""

from __future__ import annotations

import re
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import KINDS, Kind
from obdoctor.catalog import errors
from obdoctor.catalog.causes import all_causes
from obdoctor.rules.base import all_rules
from tests.conftest import ROOT

def test_needs_name_known_evidence() -> None:
    for rule in all_rules():
        for need in rule.needs:
            assert (isinstance(need, Kind) and need in KINDS) or isinstance(need, LogFamily), (rule.id, need)


def test_declared_codes_are_catalogued() -> None:
    for rule in all_rules():
        for code in getattr(rule, "codes", ()):
            assert errors.lookup(code) is not None, (rule.id, code)


def test_causes_named_by_the_rules_are_constants() -> None:
    """Rules name causes by the constants of ``catalog.cause_ids`` (a misspelt one fails the
    import, tests/test_typed_boundaries.py), never by a string literal."""
    import importlib

    from obdoctor.catalog.causes import CauseId

    named: set[str] = set()
    for path in sorted((ROOT / "src/obdoctor/rules").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'(?:finding\(|Explanation\(|generic=)\s*"', text), path
        module = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts).removesuffix(".__init__")
        named |= {v.value for v in vars(importlib.import_module(module)).values() if isinstance(v, CauseId)}
    assert named <= set(all_causes())
    assert {"dest_out_of_space", "restore_point_outside_window", "clean_stuck", "archive_lagging",
            "restore_failed", "archive_log_recycled"} <= named


def test_every_cause_with_codes_lists_catalogued_codes() -> None:
    import tomllib

    for path in sorted((ROOT / "src/obdoctor/data/causes").glob("*.toml")):
        for cause_id, body in tomllib.loads(path.read_text(encoding="utf-8")).items():
            for code in body.get("codes", ()):
                assert errors.lookup(code) is not None, (path.name, cause_id, code)


def test_rules_match_signatures_only_through_the_shared_service() -> None:
    """One matcher: no rule module calls the catalogue's matching functions itself; P1 and S1 go through
    ``rules/services/signatures.py`` (their cases: ``cases/start_failed.yaml``, ``cases/signatures.yaml``)."""
    rules = ROOT / "src" / "obdoctor" / "rules"
    calls = re.compile(r"signatures\.(find|matches|for_code)\(")
    offenders = [p.name for p in rules.rglob("*.py")
                 if p.name != "signatures.py" and calls.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    shared = (rules / "services" / "signatures.py").read_text(encoding="utf-8")
    assert "signatures.find(" in shared
    for rule in ("start_failed.py", "signatures.py"):
        text = (rules / rule).read_text(encoding="utf-8")
        assert "from obdoctor.rules.services.signatures import" in text, rule
