"""A corpus of secrets in the spellings people and OceanBase write them, checked in every output:
the redaction functions, every report format (text, JSON, Markdown, HTML), a collected bundle
(every file, and its manifest's counts), error messages, and ``logs search --redact``."""

from __future__ import annotations

import io
import json
import re
import tarfile
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.evidence import LogSearchResult, Provenance, Row, SourceInfo, TableResult
from obdoctor.findings import EvidenceStep, Finding, Observation, Report, Unchecked, Verdict
from obdoctor.security.redaction import MASK, Redactor, redact_data, redact_text
from obdoctor.logs.parser import parse_line
from obdoctor.sources.collect import RecordingSource, write_archive
from tests.report.helpers import FORMATS, cited_line, cited_row, render_all

# (text as written somewhere, the secret it holds). Every secret is unique: S<n>X...
CORPUS: list[tuple[str, str]] = [
    # credentials in URIs and query strings, each key, each end of value
    ("oss://b/p?host=h&access_id=S01XAK&access_key=k", "S01XAK"),
    ("oss://b/p?host=h&access_id=a&access_key=S02XSK", "S02XSK"),
    ("oss://b/p?host=h&access_key=S03XSK&delete_mode=tagging", "S03XSK"),
    ("cos://b/p?host=h&ak=S04XAK&sk=x", "S04XAK"),
    ("cos://b/p?host=h&ak=x&sk=S05XSK", "S05XSK"),
    ("oss://b/p?host=h&sts_token=S06XSTS", "S06XSTS"),
    ("s3://b/p?x-amz-security-token=S07XTOK&a=1", "S07XTOK"),
    ("oss://b/p?security-token=S08XTOK", "S08XTOK"),
    ("cos://b/p?host=h&appid=S09XAPP", "S09XAPP"),
    ("path(oss://b?access_key=S10XSK)", "S10XSK"),
    ("list=[access_key=S11XSK, next]", "S11XSK"),
    ('dest="oss://b?access_key=S12XSK"', "S12XSK"),
    ("dest='oss://b?access_key=S13XSK' ok", "S13XSK"),
    ("access_key=S14XSK\tnext", "S14XSK"),
    # URL-encoded and double-encoded
    ("oss%3A%2F%2Fb%3Fhost%3Dh%26access_key%3DS15XSK%26x%3D1", "S15XSK"),
    ("oss%3A%2F%2Fb%3Fhost%3Dh%26access_id%3DS16XAK", "S16XAK"),
    ("oss%253A%252F%252Fb%253Fhost%253Dh%2526access_key%253DS17XSK%2526x%253D1", "S17XSK"),
    ("q=1%2526sts_token%253DS18XSTS", "S18XSTS"),
    ("a%26ak%3DS19XAK%26sk%3Dz", "S19XAK"),
    # user:password in URIs
    ("s3://S20XUSER:pw@bucket/x", "S20XUSER"),
    ("s3://ak:S21XPW@bucket/x", "S21XPW"),
    ("mysql://root:S22XPW@127.0.0.1:2881/oceanbase", "S22XPW"),
    ("https://admin:S23XPW@proxy.example:8080/", "S23XPW"),
    # SQL
    ("ALTER SYSTEM SET ENCRYPTION ON IDENTIFIED BY 'S24XPW' ONLY", "S24XPW"),
    ("SET DECRYPTION IDENTIFIED BY 'first', 'S25XPW'", "S25XPW"),
    ("SET DECRYPTION IDENTIFIED BY 'S26XPW','second'", "S26XPW"),
    ('create user u identified by "S27XPW"', "S27XPW"),
    ("ALTER USER u IDENTIFIED BY S28XPW;", "S28XPW"),
    ("SET PASSWORD = PASSWORD('S29XPW')", "S29XPW"),
    ("SET PASSWORD FOR 'root'@'%' = PASSWORD('S30XPW')", "S30XPW"),
    ("set password for u = 'S31XPW'", "S31XPW"),
    ("CREATE USER x IDENTIFIED WITH mysql_native_password BY 'S32XPW'", "S32XPW"),
    # command lines
    ("obclient -h127.0.0.1 -P2881 -uroot@sys -p'S33XPW' -Doceanbase", "S33XPW"),
    ('mysql -uroot -p"S34XPW" -e "select 1"', "S34XPW"),
    ("obclient -uroot -pS35XPW -A", "S35XPW"),
    ("obd cluster deploy --password=S36XPW", "S36XPW"),
    ("obdiag gather --password S37XPW", "S37XPW"),
    # keys containing password/passwd/pwd/secret/token/credential/private_key/encrypt(ion)_key/decryption_key
    ("passwd=S38XPW", "S38XPW"),
    ("backup dest(encrypt_key=S39XEK, x=1)", "S39XEK"),
    ('root_password: "S40XPW"', "S40XPW"),
    ("MYSQL_PWD=S41XPW", "S41XPW"),
    ("DB_PASSWORD=S42XPW", "S42XPW"),
    ("sys_pwd:S43XPW", "S43XPW"),
    ('{"clientSecret": "S44XSEC"}', "S44XSEC"),
    ('{"apiToken":"S45XTOK"}', "S45XTOK"),
    ("AccessKeySecret=S46XSEC", "S46XSEC"),
    ("credential: S47XCRED", "S47XCRED"),
    ('cloud_credentials = "S48XCRED"', "S48XCRED"),
    ("private_key=S49XKEY", "S49XKEY"),
    ("ENCRYPTION_KEY=S50XEK", "S50XEK"),
    ('"decryption_key": "S51XDK"', "S51XDK"),
    ("Password = S52XPW", "S52XPW"),
    ("x-oss-security-token: S53XTOK", "S53XTOK"),
    ('storage_info={device_type:1, access_id:"S54XAK", access_key:"k"}', "S54XAK"),
    ("backup_key:'S55XKEY' ", "S55XKEY"),  # a key holding none of the words: not a secret...
    ('{\\"access_key\\":\\"S56XSK\\"}', "S56XSK"),  # JSON inside a JSON string
    ("secret_access_key = S57XSEC", "S57XSEC"),
    ("spring.datasource.password=S58XPW", "S58XPW"),
    ("auth_token%3DS59XTOK%26x", "S59XTOK"),
    # headers and PEM blocks
    ("Authorization: OSS S60XAK:signature", "S60XAK"),
    ("authorization: Bearer S61XTOK", "S61XTOK"),
    ("Proxy-Authorization: Basic S62XB64", "S62XB64"),
    ("-----BEGIN RSA PRIVATE KEY-----\nS63XPEM\n-----END RSA PRIVATE KEY-----", "S63XPEM"),
    ("-----BEGIN OPENSSH PRIVATE KEY----- S64XPEM -----END OPENSSH PRIVATE KEY-----", "S64XPEM"),
    ("key file: -----BEGIN PRIVATE KEY-----\nS65XPEM", "S65XPEM"),  # cut off: masked to the end
    ("PASSWD: S66XPW", "S66XPW"),
    ("Passwd=S67XPW", "S67XPW"),
]
NOT_SECRET = {"S55XKEY"}
"""``backup_key`` holds none of the secret words: it is left alone (the corpus says so)."""
SECRETS = [s for _, s in CORPUS if s not in NOT_SECRET]


def test_the_corpus_is_large_and_unique() -> None:
    assert len(SECRETS) >= 60 and len(set(SECRETS)) == len(SECRETS)


@pytest.mark.parametrize("text, secret", CORPUS, ids=[s for _, s in CORPUS])
def test_each_spelling_is_masked(text: str, secret: str) -> None:
    redactor = Redactor()
    out = redactor.text(text)
    if secret in NOT_SECRET:
        assert out == text and not redactor.counts
        return
    assert secret not in out, out
    assert MASK in out
    assert sum(redactor.counts.values()) >= 1
    assert redactor.text(out) == out  # idempotent: a masked value is not masked (nor counted) again


@pytest.mark.parametrize("text", ["mkdir -p /data/backup", "ssh -p 22 host", "retry_token_count=3",
                                  "token_expire_time=60", "host=oss-cn-hangzhou.aliyuncs.com", "task_sk=12",
                                  "obclient -P2881 -uroot", "peak=5 ask=1", "ret=-9082 passed"])
def test_look_alikes_are_kept(text: str) -> None:
    assert redact_text(text) == text


# -- every output ----------------------------------------------------------------------------
def _corpus_report() -> Report:
    lines = [text for text, _ in CORPUS]
    log, row = Provenance("log", "observer.log", server="10.0.0.1"), Provenance("sql", "x", row=1)
    steps = [EvidenceStep("observer.log", "lines", lines=[cited_line(text, log) for text in lines]),
             EvidenceStep("CDB_OB_BACKUP_JOB_HISTORY", "rows",
                          rows=[cited_row({"COMMENT": text, "PATH": text}, row) for text in lines])]
    finding = Finding(rule_id="P3", cause="error_code", title="t", summary=" | ".join(lines[:5]),
                      verdict=Verdict.CONFIRMED, code=-9003, tenant_id=1002, job_id=1, servers=["10.0.0.1"],
                      evidence=steps, next_steps=lines[5:10], unchecked=[Unchecked("x", t) for t in lines[10:15]],
                      notes=lines[15:], time=datetime(2023, 9, 26, 14, 37, 36))
    return Report(findings=[finding], observations=[Observation(t) for t in lines[:3]],
                  unchecked=[Unchecked("y", lines[-1])], source={"kind": "bundle", "location": "b", "notes": lines})


def _unescaped(text: str) -> str:
    """JSON and HTML escape quotes and newlines; a secret is plain letters and digits either way."""
    return text.replace("\\n", "\n").replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_report_format(fmt: str) -> None:
    report = _corpus_report()
    assert all(s in repr(report) for s in SECRETS)  # planted
    out = _unescaped(render_all(report)[fmt])
    flat = re.sub(r"[\s│╭╮╰╯─]+", "", out)  # the terminal wraps long values
    leaked = [s for s in SECRETS if s in out or s in flat]
    assert leaked == [], leaked
    assert "S55XKEY" in out or "S55XKEY" in flat  # the look-alike stays: the report is not just blanked


def test_no_secret_in_error_messages() -> None:
    stderr = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=stderr, env={})
    for text, _ in CORPUS:
        env.error(f"cannot read {text}")
    assert [s for s in SECRETS if s in stderr.getvalue()] == []


def test_json_records_are_redacted_by_key_and_by_text() -> None:
    record = parse_line("[2023-09-26 14:37:36.000000] WARN  [STORAGE] f (a.cpp:1) [1][T1][Y0-0] "
                        "dest(access_key=S90XSK, passwd=\"S91XPW\") ret=-9082")
    data = redact_data({"raw": record.raw, "fields": [list(f) for f in record.fields], "access_key": "S92XSK"})
    assert not any(s in json.dumps(data) for s in ("S90XSK", "S91XPW", "S92XSK"))


# -- collected bundles ------------------------------------------------------------------------
class _PlantedSource:
    """A live source whose views and log lines hold the whole corpus."""

    def info(self) -> SourceInfo:
        return SourceInfo(kind="live", location="mysql://root:S93XPW@127.0.0.1:2881", servers=["127.0.0.2"],
                          notes=["read with obclient -p'S94XPW'"])

    def read_table(self, name: str) -> TableResult:
        rows = [Row({"JOB_ID": n, "COMMENT": text, "PASSWD": f"S95XPW{n}"}, Provenance("sql", name, row=n))
                for n, (text, _) in enumerate(CORPUS, 1)]
        return TableResult(name, rows)

    def search_logs(self, query) -> LogSearchResult:
        result = LogSearchResult(query)
        for n, (text, _) in enumerate(CORPUS, 1):
            record = parse_line(f"[2023-09-26 14:37:36.000000] WARN  [STORAGE] f (a.cpp:1) [1][T1][Y0-0] {text}")
            record.server, record.path, record.line_no = "127.0.0.2", "observer.log", n
            result.records.append(record)
        result.total_matches = len(result.records)
        result.files_searched.append("127.0.0.2/observer.log")
        result.unchecked.append("127.0.0.3: obclient -pS96XPW refused")
        return result


def test_no_secret_in_a_collected_bundle_and_its_counts_are_true(tmp_path: Path) -> None:
    from obdoctor.evidence import LogQuery

    recording = RecordingSource(_PlantedSource())
    recording.read_table("CDB_OB_BACKUP_JOB_HISTORY")
    recording.search_logs(LogQuery(servers=("127.0.0.2",), any_of=("x",)))
    summary = write_archive(recording, tmp_path / "b.tar.gz")
    extra = ["S93XPW", "S94XPW", "S96XPW", *(f"S95XPW{n}" for n in range(1, len(CORPUS) + 1))]
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        files = {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers() if m.isfile()}
    everything = "\n".join(_unescaped(t.replace('\\"', '"')) for t in files.values())
    assert [s for s in [*SECRETS, *extra] if s in everything] == []
    assert "S55XKEY" in everything
    manifest = tomllib.loads(files["b/manifest.toml"])["collect"]
    assert manifest["values_redacted"] == sum(manifest["redacted"].values()) == summary.redacted
    # each planted secret counted once per place it was written: rows, lines, the manifest's own texts
    planted = 2 * len(SECRETS) + len(CORPUS) + 3  # COMMENT and log line each; PASSWD per row; 3 in info/notes
    assert manifest["values_redacted"] >= planted, (manifest["values_redacted"], planted)


# -- logs search --redact -----------------------------------------------------------------------
def test_logs_search_prints_raw_lines_unless_asked_to_redact(tmp_path: Path, run_cli) -> None:
    log = tmp_path / "observer.log"
    log.write_text("".join(f"[2023-09-26 14:37:36.{n:06d}] WARN  [STORAGE] f (a.cpp:1) [1][T1][Y0-0] {text}\n"
                           for n, (text, _) in enumerate(CORPUS) if "\n" not in text))
    single_line = [s for text, s in CORPUS if "\n" not in text and s not in NOT_SECRET]
    raw = run_cli("logs", "search", "-e", "WARN", log)
    assert all(s in raw.out for s in single_line)  # grep semantics: the line as the file holds it
    for extra in ([], ["--json"], ["--level", "WARN"]):
        masked = run_cli("logs", "search", "--redact", "-e", "WARN", *extra, log)
        assert masked.code == 0 and masked.out.count("\n") == len(single_line) + 1
        assert [s for s in single_line if s in masked.out] == [], extra
