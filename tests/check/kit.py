"""The check fixtures: tests/check/base.toml with each case's views replaced or dropped."""

from __future__ import annotations

import copy
import tomllib
from datetime import datetime
from pathlib import Path

from obdoctor.check import CheckOptions, CheckReport, run_checks
from obdoctor.evidence import Evidence
from obdoctor.evidence.evidence import VIEWS
from obdoctor.scenarios import generator, model
from obdoctor.scenarios.model import Scenario, SqlTable
from obdoctor.sources.bundle import Bundle

HERE = Path(__file__).resolve().parent
CASES: list[dict] = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
CASE_NAMES = [c["name"] for c in CASES]
BY_NAME = {c["name"]: c for c in CASES}


def base() -> Scenario:
    return model.load(HERE / "base.toml")


def scenario(case: dict) -> Scenario:
    """The base scenario with the case's ``replace`` rows and without its ``drop`` views."""
    s = copy.deepcopy(base())
    s.name = f"check-{case['name']}"
    dropped = {v.upper() for v in case.get("drop", ())}
    replaced = {k.upper(): (k, rows) for k, rows in case.get("replace", {}).items()}
    tables = []
    for table in s.sql:
        if table.view.upper() in dropped:
            continue
        if table.view.upper() in replaced:
            table = SqlTable(table.view, replaced.pop(table.view.upper())[1], table.format)
        tables.append(table)
    tables += [SqlTable(view, rows) for view, rows in replaced.values()]
    s.sql = tables
    return s


def omitted(case: dict) -> list[str]:
    """Views a simulated cluster must not have for the case: each dropped view with its fallbacks."""
    out: list[str] = []
    for view in case.get("drop", ()):
        chain = next((names for names in VIEWS.values() if view.upper() in (n.upper() for n in names)), (view,))
        out += list(chain)
    return out


def options(case: dict, **more) -> CheckOptions:
    restore_to = case.get("restore_to")
    return CheckOptions(restore_to=datetime.fromisoformat(restore_to) if restore_to else None, **more)


def bundle(case: dict, directory: Path) -> Path:
    return generator.write_bundle(scenario(case), directory / case["name"])


def check_bundle(path: Path, opts: CheckOptions | None = None) -> CheckReport:
    with Bundle(path) as source:
        return run_checks(Evidence(source), opts or CheckOptions())


def result_of(report: CheckReport, check: str, tenant_id: int = 1002):
    found = [r for r in report.results if r.check == check and r.tenant_id == tenant_id]
    assert len(found) == 1, [(r.check, r.tenant_id) for r in report.results]
    return found[0]
