"""Secrets in the spellings a real OceanBase deployment writes them, each put where it appears
(a log line, a view cell, a pasted statement, the manifest), checked in every output: the
redaction itself, every report format, a collected bundle, ``logs search --redact`` and
``explain``. Each entry also names the parts that must stay readable (host, bucket, path).

Where the spellings come from:

* OceanBase's storage info (deps/oblib/src/lib/restore/ob_storage_info.cpp,
  https://github.com/oceanbase/oceanbase): the fields are kept with their key
  (``access_id_`` holds ``access_id=...``), so a struct printed in a log reads
  ``access_id:"access_id=..."``; a token that fails to parse is logged whole (``token=access_key=...``);
  ``role_arn``/``external_id`` (assume role), ``checksum_type``, ``delete_mode``, ``appid``,
  ``s3_region`` sit beside the credentials in one ``&``-joined string; destinations saved in
  views carry ``encrypt_key`` instead of ``access_key``.
* STS AssumeRole answers are XML (``<AccessKeySecret>``, ``<SecurityToken>``); curl's debug
  output shows ``Authorization: AWS4-HMAC-SHA256 Credential=AKIA.../..., Signature=...``
  and OSS pre-signed URLs ``OSSAccessKeyId=...&Signature=...``.
* The runbook's readers paste in Chinese (``密码：...``).
"""

from __future__ import annotations

import io
import re
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.evidence import LogQuery, LogSearchResult, Provenance, Row, SourceInfo, TableResult
from obdoctor.findings import EvidenceStep, Finding, Report, Unchecked, Verdict
from obdoctor.logs.parser import parse_line
from obdoctor.security.redaction import MASK, Redactor
from obdoctor.sources.collect import RecordingSource, write_archive
from tests.report.helpers import FORMATS, cited_line, cited_row, render_all


@dataclass(frozen=True)
class Spelling:
    where: str
    """``log``, ``statement``, ``manifest`` or ``VIEW.COLUMN`` (a cell)."""
    text: str
    secrets: tuple[str, ...]
    keep: tuple[str, ...] = ()


LOG_HEAD = "[2023-09-26 14:37:36.000000] WDIAG [STORAGE] f (ob_storage_info.cpp:1) [1][T1002_BACKUP][T1002][Y0-0-0-0] [lt=1] "

CORPUS = [
    # as OceanBase logs its storage info and the tokens it parses
    Spelling("log", 'set storage info(storage_info={device_type:0, endpoint:"host=oss-cn-hangzhou.aliyuncs.com", '
                    'access_id:"access_id=R01XAK", extension:"checksum_type=md5"})', ("R01XAK",),
             ("oss-cn-hangzhou.aliyuncs.com", "checksum_type=md5")),
    Spelling("log", "failed to set access id(ret=-4002, token=access_id=R02XAK)", ("R02XAK",), ("ret=-4002",)),
    Spelling("DBA_OB_ARCHIVE_DEST.VALUE", "oss://bkt/archive?host=oss.example.com&access_id=R03XAK&encrypt_key=R03XEK",
             ("R03XAK", "R03XEK"), ("oss://bkt/archive?host=oss.example.com",)),
    Spelling("CDB_OB_BACKUP_JOB_HISTORY.PATH", "s3://bkt/data?host=s3.us-east-1.amazonaws.com&access_id=R04XAK"
             "&access_key=R04XSK&s3_region=us-east-1&checksum_type=md5", ("R04XAK", "R04XSK"),
             ("s3://bkt/data?host=s3.us-east-1.amazonaws.com", "s3_region=us-east-1")),
    Spelling("DBA_OB_ROOTSERVICE_EVENT_HISTORY.VALUE2", "cos://bkt/p?host=cos.ap-x.myqcloud.com&access_id=R05XAK"
             "&access_key=R05XSK&appid=R05XAPP&delete_mode=tagging", ("R05XAK", "R05XSK", "R05XAPP"),
             ("cos.ap-x.myqcloud.com", "delete_mode=tagging")),
    Spelling("CDB_OB_BACKUP_PARAMETER.VALUE", "oss://bkt/p?host=oss.example.com&role_arn=acs:ram::R06XACCT:role/ob"
             "&external_id=R06XEID", ("R06XACCT", "R06XEID"), ("oss://bkt/p?host=oss.example.com",)),
    # escaped quotes and backslashes inside a value
    Spelling("log", 'dest={"access_key":"R07XA\\"R07XB","host":"h.example.com"}', ("R07XA", "R07XB"), ("h.example.com",)),
    Spelling("statement", "ALTER USER u IDENTIFIED BY 'R08XA\\'R08XB'", ("R08XA", "R08XB"), ("ALTER USER u",)),
    Spelling("statement", 'obclient -h10.0.0.1 -P2881 -uroot@sys#obcluster -p"R09XA\\"R09XB" -A',
             ("R09XA", "R09XB"), ("-uroot@sys#obcluster",)),
    Spelling("log", "access_key=R10XA\\R10XB next", ("R10XA", "R10XB"), ("next",)),
    # URL-encoded key names (%5F is '_'), whole and inside an encoded URI
    Spelling("log", "dest=oss%3A%2F%2Fbkt%3Fhost%3Dh.example.com%26access%5Fid%3DR11XAK%26access%5Fkey%3DR11XSK",
             ("R11XAK", "R11XSK"), ("bkt", "h.example.com")),
    Spelling("log", "q=access%5Fkey%3DR12XSK", ("R12XSK",)),
    # a value holding '&' with no '=' after it (OceanBase splits on '&': the rest is still the key)
    Spelling("CDB_OB_BACKUP_JOB_HISTORY.COMMENT", "oss://bkt/p?host=h.example.com&access_id=a&access_key=R13XA&R13XB"
             "&delete_mode=delete", ("R13XA", "R13XB"), ("delete_mode=delete", "h.example.com")),
    # HTML-escaped query strings stay masked and readable
    Spelling("log", "oss://bkt/p?host=h.example.com&amp;access_id=R14XAK&amp;access_key=R14XSK&amp;x=1",
             ("R14XAK", "R14XSK"), ("h.example.com", "x=1")),
    # AWS key ids, curl debug headers, pre-signed URLs
    Spelling("log", "sign with AKIAR15X000000000000 for bucket bkt", ("AKIAR15X000000000000",), ("bkt",)),
    Spelling("log", "> Authorization: AWS4-HMAC-SHA256 Credential=AKIAR16X000000000000/20230926/us-east-1/s3/"
                    "aws4_request, SignedHeaders=host;x-amz-date, Signature=R16XSIG", ("AKIAR16X", "R16XSIG")),
    Spelling("log", "GET /bkt/obj?OSSAccessKeyId=R17XAK&Expires=1695711456&Signature=R17XSIG HTTP/1.1",
             ("R17XAK", "R17XSIG"), ("Expires=1695711456", "/bkt/obj")),
    Spelling("log", "https://bkt.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=R18XAK%2F2023"
                    "&X-Amz-Signature=R18XSIG", ("R18XAK", "R18XSIG"), ("bkt.s3.amazonaws.com",)),
    Spelling("log", "< x-oss-signature: R19XSIG", ("R19XSIG",)),
    Spelling("log", "<AssumeRoleResponse><Credentials><AccessKeyId>STS.R20XAK</AccessKeyId><AccessKeySecret>R20XSK"
                    "</AccessKeySecret><SecurityToken>R20XTOK</SecurityToken></Credentials>",
             ("R20XAK", "R20XSK", "R20XTOK"), ("AssumeRoleResponse",)),
    # backup encryption and restore decryption
    Spelling("statement", "ALTER SYSTEM BACKUP DATABASE ENCRYPTED BY 'R21XPW'", ("R21XPW",), ("BACKUP DATABASE",)),
    Spelling("statement", "ALTER SYSTEM RESTORE t1 FROM 'oss://bkt/p?host=h.example.com&access_id=a&access_key=k' "
                          "WITH 'locality=z1&decryption=R22XPW'", ("R22XPW",), ("locality=z1", "h.example.com")),
    Spelling("statement", "SET DECRYPTION IDENTIFIED BY 'R23XPW'", ("R23XPW",), ("SET DECRYPTION",)),
    # other spellings of a key and its separator
    Spelling("log", "access_key => 'R24XSK'", ("R24XSK",)),
    Spelling("log", "access-key=R25XSK", ("R25XSK",)),
    Spelling("statement", "密码：R26XPW", ("R26XPW",)),
    Spelling("statement", "数据库密码=R27XPW", ("R27XPW",)),
    # client command lines and obdoctor's own settings, in the manifest a collect writes
    Spelling("manifest", "mysql://root%40sys%23obcluster:R28XPW@10.0.0.1:2881/oceanbase", ("R28XPW",), ("10.0.0.1:2881",)),
    Spelling("manifest", "OBDOCTOR_DB_PASSWORD=R29XPW obdoctor collect -h 10.0.0.1", ("R29XPW",), ("collect",)),
    Spelling("statement", "obclient -h10.0.0.1 -P2881 -uroot@sys#obcluster -p'R30X&=%\"\\' -e 'select 1'", ("R30X",),
             ("select 1",)),
]
SECRETS = [s for entry in CORPUS for s in entry.secrets]


def test_the_corpus_is_unique() -> None:
    assert len(set(SECRETS)) == len(SECRETS)


def _flat(text: str) -> str:
    """The text without the wrapping a terminal or an escaper adds (a secret is letters and digits)."""
    text = text.replace("\\n", "\n").replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"[\s│╭╮╰╯─]+", "", text)


def _leaked(out: str) -> list[str]:
    flat = _flat(out)
    return [s for s in SECRETS if s in out or s in flat]


@pytest.mark.parametrize("entry", CORPUS, ids=[e.secrets[0] for e in CORPUS])
def test_each_spelling_is_masked_and_the_rest_stays_readable(entry: Spelling) -> None:
    redactor = Redactor()
    if entry.where[0].isupper():  # a cell
        column = entry.where.split(".")[1]
        out = " ".join(str(v) for v in redactor.row({"NAME": "path", column: entry.text}).values())
    else:
        out = redactor.text(entry.text)
    assert [s for s in entry.secrets if s in out] == [], out
    assert MASK in out
    assert all(k in out for k in entry.keep), out
    assert redactor.text(out) == out  # idempotent


@pytest.mark.parametrize("text", ['"signatures": []', '"signature_id": "P1-nfs"', "code=SignatureDoesNotMatch",
                                  "x-oss-signature-version: 4", "credential={access_id:***}", "AKIA is a prefix",
                                  "region=ap-southeast-1 asia-east1", "passwd_count=2", "encrypted backup set 3"])
def test_look_alikes_of_the_new_spellings_are_kept(text: str) -> None:
    """obdoctor's own words (``signatures`` of explain's JSON) and words about a secret stay."""
    assert Redactor().text(text) == text


# -- every report format ------------------------------------------------------------------------
def _report() -> Report:
    log = Provenance("log", "observer.log", server="10.0.0.1")
    lines = [cited_line(LOG_HEAD + e.text, log) for e in CORPUS if e.where == "log"]
    rows = [cited_row({"NAME": "path", e.where.split(".")[1]: e.text}, Provenance("sql", e.where.split(".")[0], row=1))
            for e in CORPUS if e.where[0].isupper()]
    said = [e.text for e in CORPUS if e.where in ("statement", "manifest")]
    finding = Finding(rule_id="P3", cause="error_code", title="t", summary=said[0], verdict=Verdict.CONFIRMED,
                      code=-9003, tenant_id=1002, job_id=1, servers=["10.0.0.1"],
                      evidence=[EvidenceStep("observer.log", "lines", lines=lines),
                                EvidenceStep("views", "rows", rows=rows)],
                      next_steps=said[1:4], unchecked=[Unchecked("x", t) for t in said[4:7]], notes=said[7:],
                      time=datetime(2023, 9, 26, 14, 37, 36))
    return Report(findings=[finding], observations=[], unchecked=[Unchecked("y", said[-1])],
                  source={"kind": "bundle", "location": said[0], "notes": said})


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_report_format(fmt: str) -> None:
    report = _report()
    assert all(s in repr(report) for s in SECRETS)  # planted
    out = render_all(report)[fmt]
    assert _leaked(out) == []
    assert "h.example.com" in _flat(out) and "delete_mode=delete" in _flat(out)  # the rest is still there


# -- a collected bundle -----------------------------------------------------------------------
class _Planted:
    def info(self) -> SourceInfo:
        said = [e.text for e in CORPUS if e.where in ("statement", "manifest")]
        return SourceInfo(kind="live", location=said[0], servers=["127.0.0.2"], notes=said)

    def read_table(self, name: str) -> TableResult:
        cells = [e for e in CORPUS if e.where.startswith(name + ".")]
        rows = [Row({"NAME": "path", e.where.split(".")[1]: e.text}, Provenance("sql", name, row=n))
                for n, e in enumerate(cells, 1)]
        return TableResult(name, rows)

    def search_logs(self, query) -> LogSearchResult:
        result = LogSearchResult(query)
        for n, e in enumerate((e for e in CORPUS if e.where == "log"), 1):
            record = parse_line(LOG_HEAD + e.text)
            record.server, record.path, record.line_no = "127.0.0.2", "observer.log", n
            result.records.append(record)
        result.total_matches = len(result.records)
        return result


def test_no_secret_in_a_collected_bundle(tmp_path: Path) -> None:
    recording = RecordingSource(_Planted())
    for view in sorted({e.where.split(".")[0] for e in CORPUS if e.where[0].isupper()}):
        recording.read_table(view)
    recording.search_logs(LogQuery(servers=("127.0.0.2",), any_of=("x",)))
    write_archive(recording, tmp_path / "b.tar.gz")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        files = {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers() if m.isfile()}
    everything = "\n".join(t.replace('\\"', '"') for t in files.values())
    assert _leaked(everything) == []
    assert "h.example.com" in everything and "delete_mode=delete" in everything


# -- logs search --redact and explain ---------------------------------------------------------
def test_logs_search_redact(tmp_path: Path, run_cli) -> None:
    log = tmp_path / "observer.log"
    log.write_text("".join(LOG_HEAD + e.text + "\n" for e in CORPUS if e.where == "log"))
    for extra in ([], ["--json"]):
        result = run_cli("logs", "search", "--redact", "-e", "WDIAG", *extra, log)
        assert result.code == 0 and _leaked(result.out + result.err) == [], extra


@pytest.mark.parametrize("entry", [e for e in CORPUS if e.where in ("statement", "log")],
                         ids=[e.secrets[0] for e in CORPUS if e.where in ("statement", "log")])
def test_explain_never_prints_a_secret(entry: Spelling, run_cli) -> None:
    """``explain`` echoed the text of an error whose MySQL errno several codes share
    (``'ERROR 4012 (HY000): ...' matches 8 OceanBase codes``): its password with it."""
    for text in (f"ERROR 4012 (HY000): {entry.text}", f"{entry.text}\nERROR 9008 (HY000): Authentication failed",
                 f"zzz {entry.text}"):
        for fmt in ("text", "json"):
            result = run_cli("explain", "--format", fmt, text)
            assert _leaked(result.out + result.err) == [], (fmt, text)


def test_explain_of_stdin_never_prints_a_secret(run_cli) -> None:
    paste = "\n".join(e.text for e in CORPUS) + "\nERROR 9008 (HY000): Authentication failed\nret=-9008\n"
    out, err = io.StringIO(), io.StringIO()
    from obdoctor.cli.main import main

    main(["explain", "-"], Environment(stdout=out, stderr=err, stdin=io.StringIO(paste), env={}, color=False))
    assert _leaked(out.getvalue() + err.getvalue()) == []


# -- error messages: a rule's crash, the CLI's last resort -------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rule_crash_quoting_a_secret_is_masked(fmt: str, monkeypatch, run_cli) -> None:
    """A rule's exception text reaches the report as an internal error (cut at 200 characters,
    which can leave a quote open: ``IDENTIFIED BY 'R08XA...``)."""
    import obdoctor.engine as engine
    from tests.conftest import EXAMPLES

    real = engine.all_rules

    class Boom:
        id, name = "X9", "boom"

        def check(self, ctx):
            raise RuntimeError(" ".join(e.text for e in CORPUS)[:600])

    monkeypatch.setattr(engine, "all_rules", lambda: [Boom(), *real()])
    result = run_cli("analyze", EXAMPLES / "failed-41-chain", "--format", fmt)
    assert "internal error" in result.out and _leaked(result.out + result.err) == []


def test_the_last_resort_error_is_masked(monkeypatch, run_cli) -> None:
    import obdoctor.engine as engine
    from tests.conftest import EXAMPLES

    def crash(*args, **kwargs):
        raise RuntimeError(" ".join(e.text for e in CORPUS))

    monkeypatch.setattr(engine, "diagnose", crash)
    result = run_cli("analyze", EXAMPLES / "failed-41-chain")
    assert "internal error" in result.err and _leaked(result.out + result.err) == []
