"""Issue 15.3: the archive's 'pay ATTENTION!! archive continuous encounter error more than 15' line
and lines carrying only ``ret_code=`` route to the destination diagnosis with the code that keeps
failing (the header's errcode may be 0)."""

from __future__ import annotations

from tests.rules.kit import causes, line, run, servers_table
from tests.rules.test_archive import archive, change


def _report(tmp_path, body: str):
    return run(
        tmp_path,
        sql={"CDB_OB_ARCHIVELOG": [archive("INTERRUPTED", "2024-06-01 10:00:00.000000")],
             "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [change("2024-06-01 10:20:00.000000", "DOING", "INTERRUPTED")],
             "DBA_OB_SERVERS": servers_table()},
        logs={("127.0.0.3", "observer"): [line("2024-06-01 10:19:00.000000", body, level="ERROR", errcode=0,
                                                thread="T1002_ArcSender", module="ARCHIVE")]},
        rules=("A1",))


def test_pay_attention_line_with_ret_code_goes_to_the_destination(tmp_path) -> None:
    report = _report(tmp_path, "pay ATTENTION!! archive continuous encounter error more than 15mins"
                               "(ret_code=-9082, tenant_id=1002)")
    assert causes(report) == [("A1", "dest_out_of_space", "confirmed")]
    assert report.findings[0].code == -9082


def test_a_line_without_a_destination_code_stays_an_archive_finding(tmp_path) -> None:
    report = _report(tmp_path, "pay ATTENTION!! archive continuous encounter error more than 15mins(tenant_id=1002)")
    assert [c[1] for c in causes(report)] == ["archive_interrupted"]
