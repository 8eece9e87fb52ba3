"""What rules declare about themselves is true: the evidence they need exists, their codes are
catalogued, and every cause they can name is defined."""

from __future__ import annotations

import re
from obdoctor.evidence.evidence import VIEWS
from obdoctor.catalog import errors
from obdoctor.catalog.causes import all_causes
from obdoctor.rules.base import all_rules
from tests.conftest import ROOT

FAMILIES = {"observer", "rootservice", "election", "trace"}


def test_needs_name_known_evidence() -> None:
    for rule in all_rules():
        for need in rule.needs:
            if need.startswith("logs:"):
                assert need[5:] in FAMILIES, (rule.id, need)
            else:
                assert need in VIEWS, (rule.id, need)


def test_declared_codes_are_catalogued() -> None:
    for rule in all_rules():
        for code in getattr(rule, "codes", ()):
            assert errors.lookup(code) is not None, (rule.id, code)


def test_causes_named_by_the_new_rules_exist() -> None:
    from obdoctor.rules.services import destination

    causes = set(all_causes())
    files = ["archive.py", "services/destination.py", "restore_command.py", "restore_stuck.py", "restore_failed.py",
             "services/restore.py", "clean.py", "codes/destination.py", "signatures.py"]
    named: set[str] = set(destination._WHAT) | set(destination._FIXED_CAUSE.values())
    for name in files:
        text = (ROOT / "src/obdoctor/rules" / name).read_text(encoding="utf-8")
        named |= set(re.findall(r'(?:finding\(|Explanation\()\s*"([a-z_0-9]+)"', text))
        named |= set(re.findall(r'return\s+\(?"([a-z_0-9]+)",\s*Verdict', text))
        named |= set(re.findall(r'generic="([a-z_0-9]+)"', text))
    missing = sorted(c for c in named if c not in causes)
    assert not missing, missing
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
