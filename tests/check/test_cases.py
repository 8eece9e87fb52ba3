"""Every check in every status, offline: given this bundle, expect this status and summary."""

from __future__ import annotations

import pytest

from obdoctor.check import Status
from tests.check.kit import BY_NAME, CASE_NAMES, bundle, check_bundle, options, result_of


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    directory = tmp_path_factory.mktemp("check-cases")
    return {name: bundle(case, directory) for name, case in BY_NAME.items()}


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(bundles, name):
    case = BY_NAME[name]
    result = result_of(check_bundle(bundles[name], options(case)), case["check"])
    assert result.status is Status(case["status"]), result.summary
    assert case["summary"] in result.summary
    if result.status is Status.UNKNOWN:
        assert result.reason and result.query, "an unknown check says why and what would answer it"
    else:
        assert result.evidence and all(step.showed for step in result.evidence)


def test_every_check_has_every_status():
    """The cases cover ok, warning (where the check has one), critical and unknown for each check."""
    seen: dict[str, set[str]] = {}
    for case in BY_NAME.values():
        seen.setdefault(case["check"], set()).add(case["status"])
    no_warning = {"destination", "destination_permission", "restore_preview"}  # their policy has no warning
    no_critical = {"backup_clean", "running_work"}  # running_work's critical needs a watch history: test_checks.py
    for check, statuses in seen.items():
        wanted = {"ok", "warning", "critical", "unknown"} - ({"warning"} if check in no_warning else set()) \
            - ({"critical"} if check in no_critical else set())
        assert wanted <= statuses, (check, wanted - statuses)


def test_base_is_all_ok(bundles):
    report = check_bundle(bundles["last-backup-ok"])
    assert report.status is Status.OK, [(r.check, r.status, r.summary) for r in report.results]
    assert [r.tenant_id for r in report.results] == [1002] * len(report.results), "sys and META tenants are left out"
