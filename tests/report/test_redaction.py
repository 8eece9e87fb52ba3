"""Secrets never leave obdoctor; host pseudonyms are consistent (security.redaction, report.redact)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from obdoctor.evidence.provenance import Provenance
from obdoctor.findings import EvidenceStep, Finding, Observation, Report, Unchecked, Verdict
from obdoctor.security.redaction import (MASK, HostPseudonyms, Redactor, redact_row, redact_text,
                                          redact_value)
from obdoctor.logs.traceid import decode_addr
from tests.conftest import EXAMPLES
from tests.report.helpers import FORMATS, cited_line, cited_row, render_all

# -- text patterns -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, secret", [
    ("oss://b/p?host=oss-cn-hangzhou.aliyuncs.com&access_id=AKID9&access_key=SK9&sts_token=ST9", "AKID9"),
    ("oss://b/p?host=h&access_id=AKID9&access_key=SK9&sts_token=ST9", "SK9"),
    ("oss://b/p?host=h&access_id=AKID9&access_key=SK9&sts_token=ST9", "ST9"),
    ("s3://bkt/p?host=s3.example&access_id=AKS3&access_key=SKS3&s3_region=us-east-1", "SKS3"),
    ("cos://bkt/p?host=cos.example&access_id=AKCOS&access_key=SKCOS&appid=1250000000", "1250000000"),
    ('fail(path="oss://b?host=h&access_key=QUOTEDSK", ret=-9003)', "QUOTEDSK"),
    ('backup dest(encrypt_key="EK1 with spaces", passwd=PW1)', "EK1 with spaces"),
    ("backup dest(encrypt_key=EK1, passwd=PW1)", "PW1"),
    ('storage_info={device_type:1, access_id:"OBJAK", access_key:"OBJSK", extension:""}', "OBJSK"),
    ('storage_info={device_type:1, access_id:"OBJAK", access_key:"OBJSK", extension:""}', "OBJAK"),
    ('{"access_key": "JSONSK", "x": 1}', "JSONSK"),
    ("ALTER SYSTEM SET ENCRYPTION ON IDENTIFIED BY 'EncPw!9' ONLY", "EncPw!9"),
    ('set decryption identified by "DecPw"', "DecPw"),
    ("oss%3A%2F%2Fb%3Fhost%3Dh%26access_key%3DURLSK%26x%3D1", "URLSK"),
    ("s3://USERAK:USERSK@bucket/x", "USERSK"),
    ("s3://USERAK:USERSK@bucket/x", "USERAK"),
    ("mysql://root:RootPw@127.0.0.1:2881/oceanbase", "RootPw"),
    ("Authorization: OSS AKAUTH:SIGNATURE9 next", "SIGNATURE9"),
    ("PASSWD: VerticalPw", "VerticalPw"),
])
def test_secret_is_masked(text: str, secret: str) -> None:
    out = redact_text(text)
    assert secret not in out
    assert MASK in out


def test_not_secrets_are_kept() -> None:
    text = ("oss://b/p?host=oss-cn-hangzhou.aliyuncs.com&access_id=AK&access_key=SK&delete_mode=tagging "
            "retry_token_count=3 token_expire_time=60")
    out = redact_text(text)
    assert "host=oss-cn-hangzhou.aliyuncs.com" in out  # host= is not a secret
    assert "delete_mode=tagging" in out and "retry_token_count=3" in out and "token_expire_time=60" in out
    assert out.startswith("oss://b/p?")


def test_redaction_is_idempotent_and_counts_by_kind() -> None:
    r = Redactor()
    once = r.text("x?access_id=A&access_key=B&sts_token=C passwd=D")
    assert r.text(once) == once
    assert r.counts == {"access_id": 1, "access_key": 1, "sts_token": 1, "passwd": 1}


def test_secret_columns_and_name_value_rows() -> None:
    assert redact_value("PASSWD", "pw") == MASK
    assert redact_value("passwd", "") == ""  # an empty PASSWD stays visibly empty
    assert redact_value("PATH", "oss://b?access_key=K") == f"oss://b?access_key={MASK}"
    row = redact_row({"NAME": "passwd", "VALUE": "pw", "TENANT_ID": 1002})
    assert row == {"NAME": "passwd", "VALUE": MASK, "TENANT_ID": 1002}
    assert redact_row({"name": "data_backup_dest", "value": "oss://b?access_key=K"})["value"].endswith(MASK)


# -- host pseudonyms ---------------------------------------------------------------------------

def test_pseudonyms_are_consistent_and_distinct() -> None:
    hosts = HostPseudonyms(known=["10.0.0.7", "10.0.0.5:2882"])
    a = hosts.apply("svr_ip=10.0.0.5 dst:\"10.0.0.7:2882\" logs/10.0.0.5/observer.log")
    b = hosts.apply("again 10.0.0.5 and 10.0.0.7")
    assert "10.0.0." not in a + b
    assert hosts.mapping() == {"10.0.0.5": "192.0.2.1", "10.0.0.7": "192.0.2.2"}  # sorted known first
    assert "192.0.2.1" in a and "192.0.2.2:2882" in a and b == "again 192.0.2.1 and 192.0.2.2"
    assert hosts.apply(a) == a  # aliases are fixed points


def test_trace_ids_are_rewritten_to_encode_the_alias() -> None:
    hosts = HostPseudonyms(known=["172.30.11.92"])
    out = hosts.apply("[YB42AC1E0B5C-00060F1A2B3C4D5E-0-0] server 172.30.11.92:2882")
    trace = out.split("]")[0][1:]
    assert trace.endswith("-00060F1A2B3C4D5E-0-0")  # the sequence part is kept
    assert decode_addr(trace) == "192.0.2.1:2882"
    assert "172.30.11.92" not in out


def test_versions_are_not_addresses() -> None:
    hosts = HostPseudonyms()
    text = "OceanBase 4.2.1.0 (build_version=4.3.5.1) upgraded from 3.2.4.5 on 10.1.1.1"
    out = hosts.apply(text)
    assert "4.2.1.0" in out and "4.3.5.1" in out and "3.2.4.5" in out and "10.1.1.1" not in out


def test_hostnames_and_host_parameter_are_aliased() -> None:
    hosts = HostPseudonyms(hostnames=["db-prod-01.corp.example"])
    out = hosts.apply("ssh db-prod-01.corp.example; oss://b?host=minio.corp.example:9000&access_key=***")
    assert "corp.example" not in out
    assert "host-1.invalid" in out and "host=host-2.invalid:9000" in out


# -- planted secrets: every format, every field ------------------------------------------------

SECRETS = ("PlantPw1", "PlantAK2", "PlantSK3", "PlantSTS4", "PlantEK5", "PlantPw6", "PlantPw7", "PlantSK8")


def planted_report() -> Report:
    uri = "oss://bkt/p?host=oss.example.com&access_id=PlantAK2&access_key=PlantSK3&sts_token=PlantSTS4"
    log = Provenance("log", "observer.log", server="10.9.8.7", line=12, location="logs/10.9.8.7/observer.log")
    step_rows = EvidenceStep(
        "CDB_OB_BACKUP_JOB_HISTORY", f"destination {uri}",
        rows=[cited_row({"job_id": 1, "PASSWD": "PlantPw1", "PATH": uri, "start": "2023-09-26 14:30:00.000000"},
                        Provenance("sql", "CDB_OB_BACKUP_JOB_HISTORY", row=1))])
    step_params = EvidenceStep(
        "CDB_OB_BACKUP_PARAMETER", "parameters",
        rows=[cited_row({"NAME": "encrypt_key", "VALUE": "PlantEK5"}, Provenance("sql", "CDB_OB_BACKUP_PARAMETER", row=1))])
    step_log = EvidenceStep(
        "observer.log", "a line",
        lines=[cited_line(f'[2023-09-26 14:37:36.700100] WDIAG [STORAGE] f (x.cpp:1) [1][T1002_BACKUP][T1002]'
                          f'[YB420A090807-0005E98EBF2D9DBE-0-0] [lt=1][errcode=-9003] put <obj> & "q" (path="{uri}", '
                          f"passwd=\"PlantPw6\", sql=\"alter user u identified by 'PlantPw7'\")", log)])
    finding = Finding(
        rule_id="P3", cause="error_code", title="t", summary=f"failed writing {uri}", verdict=Verdict.CONFIRMED,
        code=-9003, tenant_id=1002, job_id=1, servers=["10.9.8.7"], trace_ids=["YB420A090807-0005E98EBF2D9DBE-0-0"],
        evidence=[step_rows, step_params, step_log], next_steps=[f"check {uri}"],
        unchecked=[Unchecked("dest", f"cannot list {uri}")], notes=["access_key=PlantSK8"],
        time=datetime(2023, 9, 26, 14, 37, 36))
    return Report(findings=[finding], observations=[Observation(f"dest {uri} reachable")],
                  unchecked=[Unchecked("x", "secret_key=PlantSK8")],
                  source={"kind": "bundle", "location": "b", "servers": ["10.9.8.7"]},
                  sources_read=[{"view": "CDB_OB_BACKUP_PARAMETER", "available": True, "rows": 1,
                                 "reason": "access_key=PlantSK8"}])


def _flat(text: str) -> str:
    """Terminal output wraps long values across lines and box borders: join them back."""
    return re.sub(r"[\s│╭╮╰╯─]+", "", text)


def test_planted_report_really_holds_the_secrets() -> None:
    raw = repr(planted_report())
    for secret in SECRETS:
        assert secret in raw


@pytest.mark.parametrize("redact_hosts", [False, True], ids=["secrets", "secrets+hosts"])
def test_no_format_shows_a_planted_secret(redact_hosts: bool) -> None:
    outputs = render_all(planted_report(), redact_hosts=redact_hosts)
    for fmt, text in outputs.items():
        for secret in SECRETS:
            assert secret not in text and secret not in _flat(text), f"{secret} leaked in {fmt}"
        assert "host=" in text, fmt  # the destination is still shown, minus its credentials
    json.loads(outputs["json"])
    if redact_hosts:
        for fmt, text in outputs.items():
            assert "10.9.8.7" not in _flat(text) and "420A090807" not in text, fmt
            assert "oss.example.com" not in text, fmt


def test_redaction_does_not_change_the_callers_report() -> None:
    report = planted_report()
    render_all(report, redact_hosts=True)
    assert report.findings[0].evidence[0].rows[0].cells["PASSWD"] == "PlantPw1"


def test_host_aliases_agree_across_formats() -> None:
    outputs = render_all(planted_report(), redact_hosts=True)
    alias_trace = "YB42C0000201-0005E98EBF2D9DBE-0-0"  # 10.9.8.7 -> 192.0.2.1, port 2882 kept
    for fmt in FORMATS:
        assert "192.0.2.1" in outputs[fmt], fmt
        assert alias_trace in _flat(outputs[fmt]), fmt


# -- planted secrets in a bundle, through the CLI ------------------------------------------------

BUNDLE_SECRETS = ("BundlePw1", "BundleAK2", "BundleSK3", "BundleEK4", "BundlePw5")


@pytest.fixture
def planted_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "planted"
    shutil.copytree(EXAMPLES / "failed-41-chain", bundle)
    jobs = bundle / "sql" / "CDB_OB_BACKUP_JOB_HISTORY.txt"
    text = jobs.read_text()
    text = re.sub(r"PASSWD:.*", "PASSWD: BundlePw1", text)
    text = re.sub(r"PATH:.*", "PATH: file:///data/nfs/backup?access_id=BundleAK2&access_key=BundleSK3", text)
    jobs.write_text(text)
    for log in (bundle / "logs").rglob("*.log"):
        lines = log.read_text().splitlines()
        lines = [ln.replace("failed to ", 'failed to (encrypt_key="BundleEK4", passwd=BundlePw5, '
                            'dest="oss://b?host=h&access_key=BundleSK3") ', 1) if "errcode=-9082" in ln else ln
                 for ln in lines]
        log.write_text("\n".join(lines) + "\n")
    return bundle


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("hosts", [False, True], ids=["secrets", "secrets+hosts"])
def test_bundle_secrets_never_reach_a_report(planted_bundle: Path, run_cli, fmt: str, hosts: bool) -> None:
    args = ["analyze", planted_bundle, "--format", fmt] + (["--redact-hosts"] if hosts else [])
    result = run_cli(*args)
    assert result.code in (1, 3), result.err
    flat = _flat(result.out)
    assert "ob_backup_data_store.cpp:512" in flat  # the planted line is cited...
    assert "encrypt_key=" in flat  # ...with its keys, masked
    for secret in BUNDLE_SECRETS:
        assert secret not in result.out and secret not in flat, f"{secret} leaked in {fmt}"
    if hosts:
        assert "127.0.0." not in flat


def test_an_already_redacted_bundle_keeps_its_aliases() -> None:
    hosts = HostPseudonyms(known=["192.0.2.2", "192.0.2.5"])
    assert hosts.apply("192.0.2.5:2882 and 192.0.2.2") == "192.0.2.5:2882 and 192.0.2.2"
    assert hosts.apply("new 10.0.0.1") == "new 192.0.2.1"  # a fresh alias never collides with a kept one
    assert hosts.apply("10.0.0.3") not in ("192.0.2.2", "192.0.2.5")


def test_every_format_says_when_hosts_are_aliases() -> None:
    outputs = render_all(planted_report(), redact_hosts=True)
    assert json.loads(outputs.pop("json"))["source"]["hosts_redacted"] is True
    for fmt, text in outputs.items():
        assert "arealiases(--redact-hosts)" in _flat(text), fmt
    for fmt, text in render_all(planted_report()).items():
        assert "hosts_redacted" not in text and "aliases" not in text, fmt
