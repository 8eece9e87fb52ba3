"""Runs every rule fixture of ``tests/rules/cases`` (format in ``runner.py``)."""

from __future__ import annotations

import pytest

from tests.rules.runner import check, load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("rules,case", [(r, c) for _, r, c in CASES], ids=[name for name, _, _ in CASES])
def test_rule_case(rules, case, tmp_path) -> None:
    check(run_case(case, rules, tmp_path), case)


def test_every_rule_has_cases_that_fire_and_cases_that_do_not() -> None:
    """sqlfluff-style coverage: each runbook rule is shown both firing and staying quiet."""
    fires: dict[str, int] = {}
    quiet: dict[str, int] = {}
    for _, rules, case in CASES:
        for rule in rules or []:
            if case.get("fires"):
                fires[rule] = fires.get(rule, 0) + 1
            if case.get("silent") or case.get("absent"):
                quiet[rule] = quiet.get(rule, 0) + 1
    for rule in ("P1", "P2", "P2A", "P3"):
        assert fires.get(rule), f"no case where {rule} fires"
        assert quiet.get(rule), f"no case where {rule} must stay quiet"
