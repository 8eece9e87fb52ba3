"""S1 beyond its cases (``cases/signatures.yaml``): a user signature in the case's own
configuration directory changes the verdict end to end, and a logged statement's access key is
never shown."""

from __future__ import annotations

import pytest

from tests.catalog.test_signatures import GOOD
from tests.rules.runner import case_named, run_case, write_bundle

USER_SIGNATURE = (GOOD.replace("my-archivelog-io", "site-archivelog-io")
                  .replace("Our NFS filer refuses ARCHIVELOG", "Our archive filer is read-only during its snapshot window")
                  .replace('statements = ["archivelog"]', 'statements = ["archivelog"]\nschemes = ["file"]')
                  .replace("wait for Monday", "Run ALTER SYSTEM ARCHIVELOG again after 02:30."))

REFUSED = case_named("signatures", "a refusal no signature explains is unknown")
"""ALTER SYSTEM ARCHIVELOG refused with -4009, the archive destination on NFS."""


def _s1(report):
    return [f for f in report.findings if f.rule_id == "S1"]


def test_user_signature_changes_the_verdict(tmp_path) -> None:
    mine = {**REFUSED, "user_signatures": {"site.toml": USER_SIGNATURE}}
    [finding] = _s1(run_case(mine, ["S1"], tmp_path / "nfs"))
    assert finding.verdict.value == "likely" and finding.cause == "command_refused"
    assert finding.title == "Our archive filer is read-only during its snapshot window"
    assert finding.next_steps[0] == "Run ALTER SYSTEM ARCHIVELOG again after 02:30."
    assert any(s.startswith("NFS requirement for OceanBase 4.2.1.0") for s in finding.next_steps)
    # the same signature does not fire for an object-storage destination
    s3 = {**mine, "sql": {**mine["sql"], "CDB_OB_BACKUP_PARAMETER": [
        {"TENANT_ID": 1002, "NAME": "log_archive_dest", "VALUE": "LOCATION=s3://b/a?host=h"}]}}
    [other] = _s1(run_case(s3, ["S1"], tmp_path / "s3"))
    assert other.cause == "command_refused_unexplained"


@pytest.mark.parametrize("with_signature", [False, True])
def test_end_to_end_analyze(tmp_path, monkeypatch, run_cli, with_signature: bool) -> None:
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    if with_signature:
        (home / "obdoctor" / "signatures" / "site.toml").write_text(USER_SIGNATURE, encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    result = run_cli("analyze", write_bundle(REFUSED, tmp_path / "bundle"), "--format", "json")
    s1 = [f for f in result.json()["findings"] if f["rule_id"] == "S1"]
    assert len(s1) == 1
    assert s1[0]["verdict"] == ("likely" if with_signature else "unknown")
    assert (s1[0]["cause"] == "command_refused") is with_signature


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
