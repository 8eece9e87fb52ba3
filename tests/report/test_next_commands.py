"""What to run next: commands built from the report's own "could not check" entries."""

import shutil

from obdoctor.findings import Finding, Report, Unchecked, Verdict
from obdoctor.report.next_commands import next_commands
from tests.conftest import EXAMPLES


def _report(unchecked=(), findings=(), servers=("10.0.0.5",)):
    return Report(list(findings), [], list(unchecked), {"kind": "bundle", "location": "x", "servers": list(servers)})


def test_a_query_becomes_an_obclient_command_saving_the_view():
    got = next_commands(_report([Unchecked("log archive status", "not in the bundle",
                                           "SELECT * FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002")]))
    assert [c.command for c in got] == [
        'obclient -h10.0.0.5 -P2881 -uroot@sys -p -A -e '
        '"SELECT * FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002" > CDB_OB_ARCHIVELOG.txt']


def test_a_missing_view_of_a_finding_is_queried_for_its_tenant_and_job():
    finding = Finding("P3", "error_code", "t", "s", Verdict.LIKELY, tenant_id=1002, job_id=7,
                      unchecked=[Unchecked("the failed ls task (__all_virtual_backup_ls_task_history)",
                                           "__all_virtual_backup_ls_task_history: not in the bundle (sql/x.*)")])
    got = next_commands(_report(findings=[finding]))
    assert "WHERE tenant_id = 1002 AND job_id = 7\" > __all_virtual_backup_ls_task_history.txt" in got[0].command


def test_a_log_search_becomes_a_grep_on_the_named_server():
    trace = "YB427F000002-0005E98EBF8D9DC7-0-0"
    finding = Finding("P3", "c", "t", "s", Verdict.CONFIRMED, trace_ids=[trace, "YB427F000002-0005E98EBF2D9DBE-0-0"],
                      unchecked=[Unchecked(f"rootservice.log* on 127.0.0.2: WARN/ERROR lines of trace {trace}", "no logs"),
                                 Unchecked("observer.log* on 127.0.0.3: destination errors (-9082)", "no logs"),
                                 Unchecked("observer.log* on 127.0.0.4: the failing task's lines", "no logs")])
    got = [(c.server, c.command) for c in next_commands(_report(findings=[finding]))]
    assert got == [("127.0.0.2", f"grep -e '{trace}' rootservice.log*"),
                   ("127.0.0.3", "grep -e '-9082' observer.log*"),
                   ("127.0.0.4", f"grep -e '{trace}' -e 'YB427F000002-0005E98EBF2D9DBE-0-0' observer.log*")]


def test_nothing_to_run_without_a_query_or_a_view():
    assert next_commands(_report([Unchecked("the executing server's log", "the COMMENT names no address")])) == []


def test_json_carries_them_and_the_terminal_prints_them_unwrapped(run_cli, tmp_path):
    shutil.copytree(EXAMPLES / "failed-41-chain", tmp_path / "b")
    shutil.rmtree(tmp_path / "b" / "logs")
    data = run_cli("analyze", tmp_path / "b", "--format", "json").json()
    servers = {c.get("server") for c in data["next_commands"]}
    assert {"127.0.0.2", "127.0.0.3"} <= servers
    text = run_cli("analyze", tmp_path / "b").out
    assert "Run next" in text
    assert "grep -e 'YB427F000002-0005E98EBF8D9DC7-0-0' rootservice.log*" in text
