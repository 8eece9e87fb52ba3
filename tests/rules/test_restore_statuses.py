"""R2 reads restore statuses from the catalogue: a progress row that has ended (RESTORE_SUCCESS,
RESTORE_FAIL, not yet moved to the history) is not a stuck restore, whatever its age."""

from __future__ import annotations

import pytest

from tests.rules.kit import run
from tests.rules.test_restore import progress


@pytest.mark.parametrize("status", ["RESTORE_FAIL", "RESTORE_SUCCESS"])
def test_an_ended_restore_is_not_stuck(tmp_path, status) -> None:
    sql = {"CDB_OB_RESTORE_PROGRESS": [progress()],
           "__all_virtual_restore_job": [{"tenant_id": 1006, "job_id": 1, "name": "status", "value": status}]}
    report = run(tmp_path, sql=sql, rules=("R2",))
    assert report.findings == []
    assert any(f"has ended: {status}" in o.text for o in report.observations)


def test_an_old_restore_in_a_step_is_still_judged(tmp_path) -> None:
    sql = {"CDB_OB_RESTORE_PROGRESS": [progress()],
           "__all_virtual_restore_job": [{"tenant_id": 1006, "job_id": 1, "name": "status", "value": "POST_CHECK"}]}
    assert [f.rule_id for f in run(tmp_path, sql=sql, rules=("R2",)).findings] == ["R2"]
