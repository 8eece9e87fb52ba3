"""S1: commands refused before any job existed, given their meaning by signatures; a user
signature in a temporary directory changes the verdict end to end."""

from __future__ import annotations

from datetime import datetime

import pytest

from obdoctor.scenarios import generator
from obdoctor.scenarios.model import Scenario, SqlTable
from tests.catalog.test_signatures import GOOD
from tests.rules import kit

USER_SIGNATURE = (GOOD.replace("my-archivelog-io", "site-archivelog-io")
                  .replace("Our NFS filer refuses ARCHIVELOG", "Our archive filer is read-only during its snapshot window")
                  .replace('statements = ["archivelog"]', 'statements = ["archivelog"]\nschemes = ["file"]')
                  .replace("wait for Monday", "Run ALTER SYSTEM ARCHIVELOG again after 02:30."))


def _sql(code: str, version_dest: str = "LOCATION=file:///nfs/archive") -> dict:
    return {
        "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [
            {"TIMESTAMP": "2024-06-01 02:10:00.000000", "MODULE": "log_archive", "EVENT": "open_archive_mode",
             "NAME1": "tenant_id", "VALUE1": "1002", "NAME2": "result", "VALUE2": code,
             "RS_SVR_IP": "127.0.0.2", "RS_SVR_PORT": 2882},
        ],
        "CDB_OB_BACKUP_PARAMETER": [
            {"TENANT_ID": 1002, "NAME": "log_archive_dest", "VALUE": version_dest},
        ],
        "DBA_OB_SERVERS": kit.servers_table(),
    }


def _s1(report):
    return [f for f in report.findings if f.rule_id == "S1"]


def test_refusal_without_signature_is_unknown(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    [finding] = _s1(kit.run(tmp_path, sql=_sql("-4009"), rules=("S1",)))
    assert finding.cause == "command_refused_unexplained" and finding.verdict.value == "unknown"
    assert finding.code == -4009 and finding.tenant_id == 1002
    assert "ALTER SYSTEM ARCHIVELOG" in finding.summary
    assert any("file://" in s.showed for s in finding.evidence)


def test_a_successful_later_attempt_is_not_a_finding(tmp_path) -> None:
    sql = _sql("-4009")
    sql["DBA_OB_ROOTSERVICE_EVENT_HISTORY"].append({**sql["DBA_OB_ROOTSERVICE_EVENT_HISTORY"][0],
                                                    "TIMESTAMP": "2024-06-01 02:40:00.000000", "VALUE2": "0"})
    assert _s1(kit.run(tmp_path, sql=sql, rules=("S1",))) == []


def test_packaged_signature_fires_on_its_version_only(tmp_path) -> None:
    [old] = _s1(kit.run(tmp_path / "a", sql=_sql("-4114"), version="3.1.0", rules=("S1",)))
    assert old.verdict.value == "likely" and old.title == "Log archive is not available in this OceanBase version"
    assert any("archivelog-not-in-3x-ce" in s.looked_at for s in old.evidence)
    [new] = _s1(kit.run(tmp_path / "b", sql=_sql("-4114"), version="4.2.1.0", rules=("S1",)))
    assert new.cause == "command_refused_unexplained"


def test_user_signature_changes_the_verdict(tmp_path, monkeypatch) -> None:
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    (home / "obdoctor" / "signatures" / "site.toml").write_text(USER_SIGNATURE, encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    [finding] = _s1(kit.run(tmp_path, sql=_sql("-4009"), rules=("S1",)))
    assert finding.verdict.value == "likely" and finding.cause == "command_refused"
    assert finding.title == "Our archive filer is read-only during its snapshot window"
    assert finding.next_steps[0] == "Run ALTER SYSTEM ARCHIVELOG again after 02:30."
    assert any(s.startswith("NFS requirement for OceanBase 4.2.1.0") for s in finding.next_steps)
    # the same signature does not fire for an object-storage destination
    [other] = _s1(kit.run(tmp_path / "s3", sql=_sql("-4009", "LOCATION=s3://b/a?host=h"), rules=("S1",)))
    assert other.cause == "command_refused_unexplained"


def test_a_broken_user_signature_is_reported_not_fatal(tmp_path, monkeypatch) -> None:
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    (home / "obdoctor" / "signatures" / "bad.toml").write_text("[[signature]]\nid = 'x'\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    report = kit.run(tmp_path, sql=_sql("-4009"), rules=("S1",))
    assert _s1(report) == []
    assert any("bad.toml:1" in u.why for u in report.unchecked)


def _bundle(tmp_path):
    scenario = Scenario(name="case", summary="", version="4.2.1.0", collected_at=datetime(2024, 6, 1, 12),
                        servers=kit.SERVERS, port=2882, seed=1,
                        sql=[SqlTable(view=v, rows=r) for v, r in _sql("-4009").items()], logs=[], expect={})
    return generator.write_bundle(scenario, tmp_path / "bundle")


@pytest.mark.parametrize("with_signature", [False, True])
def test_end_to_end_analyze(tmp_path, monkeypatch, run_cli, with_signature: bool) -> None:
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    if with_signature:
        (home / "obdoctor" / "signatures" / "site.toml").write_text(USER_SIGNATURE, encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    result = run_cli("analyze", _bundle(tmp_path), "--format", "json")
    s1 = [f for f in result.json()["findings"] if f["rule_id"] == "S1"]
    assert len(s1) == 1
    assert s1[0]["verdict"] == ("likely" if with_signature else "unknown")
    assert (s1[0]["cause"] == "command_refused") is with_signature


SERVER_EVENT = '''
[[command_event]]
view = "server"
module = "backup_dest"
event = "set_data_backup_dest"
code_field = "ret"
statement = "set_data_backup_dest"
'''


def test_a_command_event_of_the_server_event_view(tmp_path, monkeypatch) -> None:
    """Both event views are read: a user file declares a server event that records a command."""
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    (home / "obdoctor" / "signatures" / "events.toml").write_text(SERVER_EVENT, encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    sql = {
        "DBA_OB_SERVER_EVENT_HISTORY": [
            {"TIMESTAMP": "2024-06-01 02:10:00.000000", "SVR_IP": "127.0.0.3", "SVR_PORT": 2882, "MODULE": "backup_dest",
             "EVENT": "set_data_backup_dest", "NAME1": "tenant_id", "VALUE1": "1002", "NAME2": "ret", "VALUE2": "-4009"},
        ],
        "CDB_OB_BACKUP_PARAMETER": [{"TENANT_ID": 1002, "NAME": "data_backup_dest", "VALUE": "file:///nfs/backup"}],
        "DBA_OB_SERVERS": kit.servers_table(),
    }
    [finding] = _s1(kit.run(tmp_path, sql=sql, rules=("S1",)))
    assert finding.title == "The file:// destination is not a writable shared mount on the observer"
    assert finding.servers == ["127.0.0.3"] and finding.code == -4009


def test_a_restore_refused_by_the_target_topology_is_named_by_its_signature(tmp_path) -> None:
    """R1 owns the RESTORE event; a code a signature knows for RESTORE (-4672) gets its meaning."""
    from tests.rules.test_restore import restore_event

    report = kit.run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4672)]}, rules=("R1", "S1"))
    [finding] = report.findings
    assert (finding.rule_id, finding.cause, finding.verdict.value) == ("R1", "restore_target_topology", "likely")
    assert "more replicas than the target's zones and units provide" in finding.summary
    assert any("locality" in s for s in finding.next_steps)
    assert any("restore-replica-num-not-enough" in s.looked_at for s in finding.evidence)


def test_a_restore_code_no_signature_knows_stays_generic(tmp_path) -> None:
    from tests.rules.test_restore import restore_event

    report = kit.run(tmp_path, sql={"DBA_OB_ROOTSERVICE_EVENT_HISTORY": [restore_event(-4016)]}, rules=("R1",))
    assert [f.cause for f in report.findings] == ["restore_command_failed"]


def _sql_line(sql: str, code: int) -> dict:
    return kit.line("2024-06-01 11:50:00.000000", f'fail execute sql(sql_id="", sql={sql}, sessid=1, ret={code}, '
                    f'ret="X", need_disconnect=false)', errcode=code, module="SERVER", src="obmp_query.cpp:318",
                    thread="T1_L0_G0", tenant=1)


@pytest.mark.parametrize(("sql", "code", "expected"), [
    ("ALTER SYSTEM SET DATA_BACKUP_DEST='file:///nfs/backup' TENANT=t1", -4009, ("command_refused", "likely")),
    ("ALTER SYSTEM SET DATA_BACKUP_DEST='oss://b/p?host=h' TENANT=t1", -4009, ("command_refused_unexplained", "unknown")),
    ("SELECT * FROM oceanbase.CDB_OB_BACKUP_JOBS", -4012, None),
    ("ALTER SYSTEM BACKUP DATABASE", -9040, None),  # P1 reads BACKUP's refusals from its event
])
def test_failed_statements_from_the_sql_thread(tmp_path, sql, code, expected) -> None:
    report = kit.run(tmp_path, sql={"DBA_OB_SERVERS": kit.servers_table()},
                     logs={("127.0.0.3", "observer"): [_sql_line(sql, code)]}, rules=("S1",))
    got = [(f.cause, f.verdict.value) for f in _s1(report)]
    assert got == ([expected] if expected else [])
    if expected:
        assert _s1(report)[0].servers == ["127.0.0.3"]


def test_the_access_key_of_a_logged_statement_is_never_shown(run_cli) -> None:
    from tests.conftest import EXAMPLES

    for fmt in ("json", "markdown", "text", "html"):
        result = run_cli("analyze", EXAMPLES / "set-archive-dest-timeout-s3", "--format", fmt)
        assert result.code == 1 and "SECRETEXAMPLE" not in result.out and "AKIDEXAMPLE" not in result.out, fmt


# -- issue 15 item 2, audited claim by claim ------------------------------------------------------

def test_add_restore_source_refused_on_the_sql_thread_is_read(tmp_path) -> None:
    """ADD RESTORE SOURCE leaves no event: its 'fail execute sql' line is read, labelled as such."""
    sql = "ALTER SYSTEM ADD RESTORE SOURCE 'file:///nfs/archive' TENANT=standby1"
    report = kit.run(tmp_path, sql={"DBA_OB_SERVERS": kit.servers_table()},
                     logs={("127.0.0.3", "observer"): [_sql_line(sql, -4016)]}, rules=("S1",))
    [finding] = _s1(report)
    assert (finding.cause, finding.verdict.value, finding.code) == ("command_refused_unexplained", "unknown", -4016)
    assert finding.summary.startswith("ALTER SYSTEM ADD RESTORE SOURCE failed with -4016")


def test_noarchivelog_refused_by_its_event_is_named(tmp_path) -> None:
    sql = _sql("-9092")
    sql["DBA_OB_ROOTSERVICE_EVENT_HISTORY"][0]["EVENT"] = "close_archive_mode"
    [finding] = _s1(kit.run(tmp_path, sql=sql, rules=("S1",)))
    assert "ALTER SYSTEM NOARCHIVELOG" in finding.summary and finding.code == -9092
    assert any("noarchivelog-already-off" in s.looked_at for s in finding.evidence)


def test_an_archivelog_refusal_without_its_event_row_is_left_to_the_event(tmp_path) -> None:
    """ARCHIVELOG is read from its event row (open_archive_mode); its SQL-thread line alone is not a
    second finding."""
    report = kit.run(tmp_path, sql={"DBA_OB_SERVERS": kit.servers_table()},
                     logs={("127.0.0.3", "observer"): [_sql_line("ALTER SYSTEM ARCHIVELOG TENANT=t1", -9023)]},
                     rules=("S1",))
    assert _s1(report) == []


def test_a_curl_code_on_the_sql_thread_is_decoded_with_the_host_that_failed(tmp_path) -> None:
    statement = "ALTER SYSTEM SET LOG_ARCHIVE_DEST='LOCATION=s3://bkt/arch?host=minio.svc.local:9000&access_key=SECRETX'"
    curl = kit.line("2024-06-01 11:50:00.000000", "S3 info curl code 6 Could not resolve host: minio.svc.local(ret=-9105)",
                    errcode=-9105, module="SHARE", src="ob_storage_s3_base.cpp:120", thread="T1_L0_G0", tenant=1)
    report = kit.run(tmp_path, sql={"DBA_OB_SERVERS": kit.servers_table()},
                     logs={("127.0.0.3", "observer"): [curl, _sql_line(statement, -9105)]}, rules=("S1",))
    [finding] = _s1(report)
    detail = [s.showed for s in finding.evidence if s.looked_at == "the object storage detail in the command's lines"]
    assert detail and "curl code 6 CURLE_COULDNT_RESOLVE_HOST" in detail[0]
    assert "host that failed: minio.svc.local" in detail[0]
    assert "SECRETX" not in " ".join(s.showed for s in finding.evidence)
    assert any("set-dest-s3-error" in s.looked_at for s in finding.evidence)


def test_no_storage_detail_no_step(tmp_path) -> None:
    report = kit.run(tmp_path, sql={"DBA_OB_SERVERS": kit.servers_table()},
                     logs={("127.0.0.3", "observer"): [_sql_line("ALTER SYSTEM SET DATA_BACKUP_DEST='file:///nfs/b'", -4009)]},
                     rules=("S1",))
    [finding] = _s1(report)
    assert not any("object storage detail" in s.looked_at for s in finding.evidence)


STATE_SIGNATURE = (GOOD.replace("my-archivelog-io", "site-noarchivelog-while-backing-up")
                   .replace("Our NFS filer refuses ARCHIVELOG", "NOARCHIVELOG refused while a backup job of the tenant runs")
                   .replace("codes = [-4009]", "codes = [-4016]")
                   .replace('statements = ["archivelog"]', 'statements = ["noarchivelog"]\n'
                            'states = { "job.status" = ["INIT", "DOING"], "restore.status" = ["RESTORING"] }'))


@pytest.mark.parametrize(("job", "restore", "fires"), [
    ("DOING", "RESTORING", True), (None, "RESTORING", False), ("DOING", None, False), ("COMPLETED", "RESTORING", False),
])
def test_view_states_select_a_signature(tmp_path, monkeypatch, job, restore, fires) -> None:
    """Item 1's 'view and column states': job.status and restore.status are read for the tenant."""
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    (home / "obdoctor" / "signatures" / "states.toml").write_text(STATE_SIGNATURE, encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    sql = _sql("-4016")
    sql["DBA_OB_ROOTSERVICE_EVENT_HISTORY"][0]["EVENT"] = "close_archive_mode"
    sql["CDB_OB_BACKUP_JOBS"] = [{"TENANT_ID": 1002, "JOB_ID": 5, "STATUS": job, "START_TIMESTAMP": "2024-06-01 01:00:00"}] \
        if job else []
    sql["CDB_OB_RESTORE_PROGRESS"] = [{"TENANT_ID": 1, "JOB_ID": 2, "RESTORE_TENANT_ID": 1002, "STATUS": restore}] \
        if restore else []
    [finding] = _s1(kit.run(tmp_path, sql=sql, rules=("S1",)))
    assert (finding.title == "NOARCHIVELOG refused while a backup job of the tenant runs") is fires
