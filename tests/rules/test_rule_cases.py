"""Runs every rule case of ``tests/rules/cases`` (format in ``runner.py``), and holds each rule
module to its case file: ``cases/<module>.yaml`` beside every module with a rule, and
``cases/codes.yaml`` for the code families, each showing its unit firing and staying quiet."""

from __future__ import annotations

import pytest

from obdoctor.rules.base import Rule, all_rules
from obdoctor.rules.services.failure import CodeFamily, code_families
from tests.rules.runner import CASES, CODE_FAMILIES_FILE, check, load_cases, load_file, run_case

CASE_LIST = load_cases()


@pytest.mark.parametrize("rules,case", [(r, c) for _, r, c in CASE_LIST], ids=[name for name, _, _ in CASE_LIST])
def test_rule_case(rules, case, tmp_path) -> None:
    check(run_case(case, rules, tmp_path), case)


def module_of(rule: Rule) -> str:
    return type(rule).__module__.removeprefix("obdoctor.rules.")


def fires(rule_id: str, rules: list[str] | None, case: dict) -> set[str]:
    """The causes a case shows ``rule_id`` concluding."""
    return {want.get("cause", "") for want in case.get("fires", [])
            if want.get("rule") == rule_id or ("rule" not in want and rules == [rule_id])}


def quiet(rule_id: str, rules: list[str] | None, case: dict, causes: set[str]) -> bool:
    """Whether a case shows ``rule_id`` staying silent, or one of its ``causes`` absent."""
    if rules is not None and rule_id not in rules:
        return False
    named = [w for w in case.get("fires", []) if w.get("rule") == rule_id or "rule" not in w]
    return (bool(case.get("silent")) or bool(set(case.get("absent", [])) & causes)
            or (case.get("count") == len(case.get("fires", [])) and not named))


def unit_problems(rule_id: str, cases) -> list[str]:
    causes = set().union(*(fires(rule_id, rules, case) for _, rules, case in cases))
    problems = [] if causes else [f"no case where {rule_id} fires"]
    if not any(quiet(rule_id, rules, case, causes) for _, rules, case in cases):
        problems.append(f"no case where {rule_id} stays silent or one of its causes {sorted(causes)} is absent")
    return problems


def family_problems(family: CodeFamily, cases) -> list[str]:
    name = type(family).__name__
    causes = {w.get("cause", "") for _, _, c in cases for w in c.get("fires", []) if w.get("code") in family.codes}
    problems = [] if causes else [f"no case where {name} explains one of its codes {family.codes}"]
    if not any(set(c.get("absent", [])) & causes for _, _, c in cases):
        problems.append(f"no case where one of {name}'s causes {sorted(causes)} must be absent")
    return problems


def test_every_rule_module_has_its_case_file_with_cases_that_fire_and_cases_that_do_not() -> None:
    """sqlfluff-style: a rule module without ``cases/<module>.yaml``, or whose cases never show it
    firing or never show it quiet, fails here."""
    problems = []
    for rule in all_rules():
        path = CASES / f"{module_of(rule)}.yaml"
        if not path.exists():
            problems.append(f"rule {rule.id} ({type(rule).__module__}) has no case file {path.name}")
            continue
        problems += [f"{path.name}: {p}" for p in unit_problems(rule.id, load_file(path))]
    assert not problems, "\n".join(problems)


def test_every_code_family_has_cases_that_fire_and_cases_that_do_not() -> None:
    cases = load_file(CASES / f"{CODE_FAMILIES_FILE}.yaml")
    problems = [p for family in code_families() for p in family_problems(family, cases)]
    assert not problems, "\n".join(problems)


def test_case_files_are_named_after_rule_modules() -> None:
    """One case file per unit: a stray or misnamed file (``p1_start_failed.yaml``) is not run as
    some rule's cases by accident."""
    expected = {module_of(r) for r in all_rules()} | {CODE_FAMILIES_FILE}
    assert {p.stem for p in CASES.glob("*.yaml")} == expected
    assert not list(CASES.glob("*.yml"))


def test_the_unit_checks_can_fail() -> None:
    """A file whose cases only fire, or only stay quiet, is caught."""
    firing = [("f::a", ["X1"], {"fires": [{"cause": "c1"}]})]
    silent = [("f::b", ["X1"], {"silent": True})]
    assert unit_problems("X1", firing) == ["no case where X1 stays silent or one of its causes ['c1'] is absent"]
    assert unit_problems("X1", silent) == ["no case where X1 fires"]
    assert unit_problems("X1", firing + silent) == []
    assert unit_problems("X1", firing + [("f::c", ["X1"], {"absent": ["c1"], "fires": [{"cause": "c2"}]})]) == []
    assert unit_problems("X1", firing + [("f::d", ["X1", "Y1"], {"count": 1, "fires": [{"rule": "Y1"}]})]) == []
    family = type("Probe", (CodeFamily,), {"codes": (-1,)})()
    assert family_problems(family, [("f::e", None, {"fires": [{"cause": "c1", "code": -1}]})]) == \
        ["no case where one of Probe's causes ['c1'] must be absent"]
