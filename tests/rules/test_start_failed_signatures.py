"""P1 and the signatures: a BACKUP refusal with a code beyond the runbook's start checks is given
its meaning by a signature selected by the statement, the code, the scheme of the tenant's
data_backup_dest and the version; a user signature in a temporary directory changes P1's verdict
end to end; rules match signatures in one place only."""

from __future__ import annotations

import re
from pathlib import Path

from tests.catalog.test_signatures import GOOD
from tests.rules import kit

RULES = Path(__file__).parents[2] / "src" / "obdoctor" / "rules"

USER_SIGNATURE = (GOOD.replace("my-archivelog-io", "site-backup-nfs-io")
                  .replace("Our NFS filer refuses ARCHIVELOG", "Our NFS filer is read-only while it takes its nightly snapshot")
                  .replace('statements = ["archivelog"]', 'statements = ["backup"]\nschemes = ["file"]\nversions = ">=4.2"')
                  .replace("wait for Monday", "Start backups after 02:30.")
                  .replace("our wiki", "our runbook, page 12"))


def _sql(code: str, dest: str) -> dict:
    return {
        "DBA_OB_ROOTSERVICE_EVENT_HISTORY": [
            {"TIMESTAMP": "2024-06-01 02:10:00.000000", "MODULE": "backup_data", "EVENT": "start_backup_data",
             "NAME1": "tenant_id", "VALUE1": "1002", "NAME2": "result", "VALUE2": code,
             "RS_SVR_IP": "127.0.0.2", "RS_SVR_PORT": 2882},
        ],
        "CDB_OB_BACKUP_PARAMETER": [{"TENANT_ID": 1002, "NAME": "data_backup_dest", "VALUE": dest}],
        "CDB_OB_ARCHIVELOG": [{"TENANT_ID": 1002, "DEST_NO": 0, "ROUND_ID": 1, "STATUS": "DOING"}],
        "DBA_OB_TENANTS": [{"TENANT_ID": 1002, "TENANT_NAME": "t1", "TENANT_TYPE": "USER", "STATUS": "NORMAL",
                            "TENANT_ROLE": "PRIMARY"}],
    }


def _p1(report):
    return [f for f in report.findings if f.rule_id == "P1"]


def _user_dir(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    (home / "obdoctor" / "signatures" / "site.toml").write_text(USER_SIGNATURE, encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))


def test_without_a_user_signature_the_refusal_is_unknown(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    [finding] = _p1(kit.run(tmp_path, sql=_sql("-4009", "file:///nfs/backup"), rules=("P1",)))
    assert (finding.cause, finding.verdict.value, finding.code) == ("unknown_start_failure", "unknown", -4009)


def test_a_user_signature_changes_p1s_verdict(tmp_path, monkeypatch) -> None:
    _user_dir(tmp_path, monkeypatch)
    [finding] = _p1(kit.run(tmp_path, sql=_sql("-4009", "file:///nfs/backup"), rules=("P1",)))
    assert (finding.cause, finding.verdict.value) == ("command_refused", "likely")
    assert finding.title == "Our NFS filer is read-only while it takes its nightly snapshot"
    assert finding.next_steps[0] == "Start backups after 02:30."
    assert any(s.startswith("NFS requirement for OceanBase 4.2.1.0") for s in finding.next_steps)
    assert any("site-backup-nfs-io" in s.looked_at and "site.toml" in s.looked_at for s in finding.evidence)
    assert any("our runbook, page 12" in n for n in finding.notes)


def test_the_destination_scheme_selects_the_signature(tmp_path, monkeypatch) -> None:
    _user_dir(tmp_path, monkeypatch)
    [oss] = _p1(kit.run(tmp_path, sql=_sql("-4009", "oss://bucket/backup?host=oss.example.com"), rules=("P1",)))
    assert oss.cause == "unknown_start_failure"
    assert any("oss:// destination" in s.showed for s in oss.evidence)


def test_the_version_range_selects_the_signature(tmp_path, monkeypatch) -> None:
    _user_dir(tmp_path, monkeypatch)
    [old] = _p1(kit.run(tmp_path, sql=_sql("-4009", "file:///nfs/backup"), version="4.1.0.2", rules=("P1",)))
    assert old.cause == "unknown_start_failure"


def test_a_runbook_code_is_not_given_to_the_signatures(tmp_path, monkeypatch) -> None:
    """-9040 is P1's own: even a user signature for BACKUP -9040 does not replace its causes."""
    home = tmp_path / "config"
    (home / "obdoctor" / "signatures").mkdir(parents=True)
    (home / "obdoctor" / "signatures" / "site.toml").write_text(
        USER_SIGNATURE.replace("codes = [-4009]", "codes = [-9040]"), encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    sql = _sql("-9040", "file:///nfs/backup")
    sql["CDB_OB_ARCHIVELOG"] = []
    [finding] = _p1(kit.run(tmp_path, sql=sql, rules=("P1",)))
    assert finding.cause == "archive_not_doing"


def test_rules_match_signatures_only_through_the_shared_service() -> None:
    """One matcher: no rule module calls the catalogue's matching functions itself."""
    calls = re.compile(r"signatures\.(find|matches|for_code)\(")
    offenders = [p.name for p in RULES.rglob("*.py")
                 if p.name != "signatures.py" and calls.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    shared = (RULES / "services" / "signatures.py").read_text(encoding="utf-8")
    assert "signatures.find(" in shared
    for rule in ("start_failed.py", "signatures.py"):
        text = (RULES / rule).read_text(encoding="utf-8")
        assert "from obdoctor.rules.services.signatures import" in text, rule
