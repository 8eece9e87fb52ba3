"""Issue 15 item 4: a RESTORE refused by the target's state or topology is compared with what the
target has (its tenants and running restores; its servers, with zones, pools and units said as
not read)."""

from __future__ import annotations

from tests.rules.kit import evidence_text, run, servers_table
from tests.rules.test_restore import restore_event

TENANT = {"TENANT_ID": 1006, "TENANT_NAME": "r1", "TENANT_TYPE": "USER", "STATUS": "NORMAL", "TENANT_ROLE": "PRIMARY"}


def test_tenant_exists_shows_the_targets_tenant_and_running_restore(tmp_path) -> None:
    sql = {"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-5156)], "DBA_OB_TENANTS": [TENANT],
           "CDB_OB_RESTORE_PROGRESS": [{"TENANT_ID": 1, "JOB_ID": 3, "RESTORE_TENANT_NAME": "r1", "RESTORE_TENANT_ID": 1006,
                                        "STATUS": "RESTORING", "START_TIMESTAMP": "2024-06-01 10:00:00.000000"}]}
    report = run(tmp_path, sql=sql, rules=("R1",))
    [finding] = report.findings
    assert finding.cause == "restore_tenant_exists"
    text = evidence_text(report)
    assert "the target already has tenant r1 (id 1006, NORMAL, PRIMARY)" in text
    assert "a restore into r1 is still in progress (job 3, RESTORING)" in text


def test_tenant_exists_but_gone_today_is_said(tmp_path) -> None:
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-5156)],
                                "DBA_OB_TENANTS": [dict(TENANT, TENANT_NAME="other")]}, rules=("R1",))
    assert "no tenant named r1 today" in evidence_text(report)


def test_topology_refusal_shows_the_targets_servers_and_what_was_not_read(tmp_path) -> None:
    servers = servers_table()
    servers[2]["STATUS"] = "INACTIVE"
    report = run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4672)], "DBA_OB_SERVERS": servers},
                 rules=("R1",))
    [finding] = report.findings
    assert finding.cause == "restore_target_topology"
    assert "the target has 2 ACTIVE server(s) of 3: 127.0.0.2, 127.0.0.3" in evidence_text(report)
    assert any("zones, resource pools and units" in u.what for u in finding.unchecked)
