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
