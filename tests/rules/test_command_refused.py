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
