"""Rules are units: every rule module is in the import-linter contract that keeps rules apart,
services hold what rules share, and code families are found without being listed."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import obdoctor.rules as rules
import obdoctor.rules.codes as codes
from obdoctor.rules.services.failure import CodeFamily, code_families

ROOT = Path(__file__).resolve().parents[2]
NOT_RULES = {"base", "coverage", "services"}
"""Modules of ``rules/`` that hold no rule: the base classes, the engine's coverage, the services."""


def _contract(name_start: str) -> dict:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_start))


def test_every_rule_module_is_kept_apart_by_the_contract():
    modules = {f"obdoctor.rules.{m.name}" for m in pkgutil.iter_modules(rules.__path__) if m.name not in NOT_RULES}
    assert set(_contract("Rules are units")["modules"]) == modules
    assert set(_contract("Rule services never import a rule")["forbidden_modules"]) == modules


def test_every_code_family_module_is_found():
    found = {type(f).__module__ for f in code_families()}
    assert found == {f"obdoctor.rules.codes.{m.name}" for m in pkgutil.iter_modules(codes.__path__)}
    assert all(isinstance(f, CodeFamily) for f in code_families())
    assert [type(f).__name__ for f in code_families()] == ["CheckpointNotAdvancing", "TaskTimeout", "BackupDestination"]


def test_a_rule_sees_only_what_it_declares_strictly():
    import pytest

    from obdoctor.evidence import Evidence, LogFamily, LogQuery
    from obdoctor.evidence.kinds import Kind
    from obdoctor.rules.base import Rule, RuleContext, UndeclaredEvidence
    from obdoctor.sources.bundle import Bundle
    from tests.conftest import EXAMPLES

    class Reader(Rule):
        id, name, needs = "T0", "reader", (Kind.JOBS, LogFamily.OBSERVER)

    bundle = EXAMPLES / "archive-lagging"
    with Bundle(bundle) as source:
        ctx = RuleContext(Evidence(source))
        strict = ctx.for_rule(Reader(), strict=True).evidence
        assert strict.get(Kind.JOBS) is ctx.evidence.get(Kind.JOBS)
        strict.search_logs(LogQuery(servers=(), kinds=("observer",), any_of=("x",)))
        for undeclared in (lambda: strict.get(Kind.JOB_HISTORY), lambda: strict.get(Kind.TENANTS),
                           lambda: strict.get(Kind.TASKS),
                           lambda: strict.search_logs(LogQuery(servers=(), kinds=("rootservice",), any_of=("x",)))):
            with pytest.raises(UndeclaredEvidence, match="T0 reads"):
                undeclared()
        lenient = ctx.for_rule(Reader()).evidence
        assert lenient.get(Kind.JOB_HISTORY) is ctx.evidence.get(Kind.JOB_HISTORY)  # served outside the tests
        assert strict.version == ctx.evidence.version  # facts about the source are always there


PROBE_RULE = '''
from obdoctor.rules.base import Rule


class Probe(Rule):
    """A rule nobody listed anywhere."""

    id, name = "ZZ9", "probe"

    def check(self, ctx):
        return []
'''

PROBE_FAMILY = '''
from obdoctor.rules.services.failure import CodeFamily


class ProbeFamily(CodeFamily):
    """A code family nobody listed anywhere."""

    codes = (-1,)
'''


def _drop_module(monkeypatch, tmp_path, package, name: str, text: str) -> None:
    """A new file in ``package``: its directory gains ``name.py`` (through ``__path__``, so the source
    tree is not written); the caller forgets the module again."""
    import sys

    directory = tmp_path / package.__name__.replace(".", "_")
    directory.mkdir()
    (directory / f"{name}.py").write_text(text, encoding="utf-8")
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(directory)])
    monkeypatch.delitem(sys.modules, f"{package.__name__}.{name}", raising=False)


def test_a_new_rule_module_registers_itself(monkeypatch, tmp_path):
    import sys

    from obdoctor.rules.base import all_rules

    before = {r.id for r in all_rules()}
    _drop_module(monkeypatch, tmp_path, rules, "zz_probe", PROBE_RULE)
    try:
        found = {r.id: type(r).__module__ for r in all_rules()}
        assert found.pop("ZZ9") == "obdoctor.rules.zz_probe"
        assert set(found) == before
    finally:
        sys.modules.pop("obdoctor.rules.zz_probe", None)


def test_a_new_code_family_module_registers_itself(monkeypatch, tmp_path):
    import sys

    _drop_module(monkeypatch, tmp_path, codes, "zz_probe", PROBE_FAMILY)
    try:
        names = [type(f).__name__ for f in code_families()]
        assert names == ["CheckpointNotAdvancing", "TaskTimeout", "BackupDestination", "ProbeFamily"]
    finally:
        sys.modules.pop("obdoctor.rules.codes.zz_probe", None)
