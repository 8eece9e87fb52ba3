"""``explain`` reads any text: codes inside prose, Kubernetes events and Chinese text, several
codes, stdin, and the failing statement that selects a generic code's meaning (issue 13.5)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.catalog import error_docs, errors

K8S_EVENT = ("obtenantbackuppolicy-controller  Execute sql failed, sql alter system set LOG_ARCHIVE_DEST = ?, "
             "param [LOCATION=file:///ob-backup/obstore1 PIECE_SWITCH_INTERVAL=1d BINDING=Optional]: "
             "Error 4009 (58030): IO error")


def _stdin(text: str, *argv: str):
    out, err = io.StringIO(), io.StringIO()
    code = main(["explain", *argv, "-"], Environment(stdout=out, stderr=err, stdin=io.StringIO(text), env={}, color=False))
    return code, out.getvalue(), err.getvalue()


def test_codes_inside_prose_events_and_chinese() -> None:
    assert error_docs.codes_in("the job said ERROR 9082 last night, then -9040") == (-9082, -9040)
    assert error_docs.codes_in(K8S_EVENT) == (-4009,)
    assert error_docs.codes_in("执行 ALTER SYSTEM ARCHIVELOG 报错：错误码－４０１２，请处理。") == (-4012,)
    assert error_docs.codes_in("ERROR HY000 (4012): Timeout, query has reached the maximum query timeout") == (-4012,)
    assert error_docs.codes_in("ret=-9040, ret=\"OB_BACKUP_CAN_NOT_START\"") == (-9040,)


def test_numbers_that_are_not_codes() -> None:
    assert error_docs.codes_in("2024-06-01 12:00:00.123 connect 10.0.0.1:2881 port 2882 took 4012 ms") == ()
    assert error_docs.codes_in("aos_ret->code=-990 http code=403") == ()


def test_several_codes_at_once(run_cli) -> None:
    result = run_cli("explain", "-9082", "-9040", "--format", "json")
    assert result.code == 0, result.err
    assert [c["name"] for c in result.json()["codes"]] == ["OB_BACKUP_DEVICE_OUT_OF_SPACE", "OB_BACKUP_CAN_NOT_START"]


def test_kubernetes_event_selects_the_file_destination_meaning(run_cli) -> None:
    result = run_cli("explain", K8S_EVENT, "--format", "json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["statement"] == "ALTER SYSTEM SET LOG_ARCHIVE_DEST" and data["scheme"] == "file"
    matched = [s["id"] for s in data["codes"][0]["signatures"] if s["matched"]]
    assert matched[0] == "set-dest-io-error-file" and "archive-io-error" not in matched


def test_stdin_paste_with_the_statement_first() -> None:
    paste = ("obclient [oceanbase]> ALTER SYSTEM SET LOG_ARCHIVE_DEST='LOCATION=s3://bkt/arch?host=minio:9000' "
             "TENANT=t1;\nERROR 4012 (HY000): Timeout\n")
    code, out, err = _stdin(paste)
    assert code == 0, err
    assert "in this context: Setting an object-storage destination ran past" in out
    assert "kubeblocks-addons/issues/3127" in out


def test_the_same_code_without_a_statement_lists_contexts_only(run_cli) -> None:
    result = run_cli("explain", "-4012")
    assert result.code == 0
    assert "in another context: Setting an object-storage destination" in result.out
    assert "in this context" not in result.out


def test_empty_stdin_is_a_usage_error() -> None:
    code, _out, err = _stdin("   \n")
    assert code == 2 and "empty" in err


def test_message_without_code_in_a_longer_paste(run_cli) -> None:
    result = run_cli("explain", "the backup stopped\nbackup device out of space\n", "--format", "json")
    assert result.code == 0, result.err
    assert result.json()["name"] == "OB_BACKUP_DEVICE_OUT_OF_SPACE"


def test_known_log_message_without_code(run_cli) -> None:
    result = run_cli("explain", "pay ATTENTION!! archive continuous encounter error more than 15mins")
    assert result.code == 0
    assert "archive-continuous-error" in result.out


def test_absurd_input_stays_a_usage_error(run_cli) -> None:
    for argv in (["9" * 5000], ["-" + "9" * 5000], ["ret=-" + "1" * 30], ["x " * 3000]):
        result = run_cli("explain", "--", *argv)
        assert result.code == 2 and len(result.err) < 300


def test_a_long_paste_on_stdin_is_read() -> None:
    paste = "obclient> alter system archivelog;\n" + "some session output\n" * 3000 + "ERROR 9091 (HY000): Already in ARCHIVELOG mode\n"
    code, out, err = _stdin(paste)
    assert code == 0, err
    assert "archivelog-already-on" in out
    code, _out, err = _stdin("9" * 5000)
    assert code == 2 and len(err) < 300


def test_signatures_are_listed(run_cli) -> None:
    result = run_cli("explain", "--signatures", "--format", "json")
    assert result.code == 0
    ids = {s["id"] for s in result.json()["signatures"]}
    assert {"set-dest-timeout-object-storage", "archive-continuous-error"} <= ids


# -- property tests: the extraction of codes from text --------------------------------------------

CATALOGUED = sorted({e.code for e in errors.all_codes() if e.code <= -4000 and e.mysql_errno == str(-e.code)})
PROSE = st.text(alphabet=st.sampled_from(list("abcdefghij klmnop,;!?()的错误了，。")), max_size=40)
WRAPPERS = [
    lambda c: f"ERROR {-c} (HY000): x", lambda c: f"ret={c}", lambda c: f"Error {-c} (HY000): y",
    lambda c: f"错误码：{c}", lambda c: f" {c} ", lambda c: f"ret_code={c},", lambda c: f"ERROR {-c}",
    lambda c: f"错误码（{-c}）".replace("（", " ").replace("）", " "),
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CATALOGUED), st.sampled_from(range(len(WRAPPERS))), PROSE),
                min_size=1, max_size=4))
def test_every_wrapped_code_is_found_in_order(parts) -> None:
    text = " ".join(f"{prose} {WRAPPERS[w](code)} {prose}" for code, w, prose in parts)
    expected = list(dict.fromkeys(code for code, _w, _p in parts))
    assert list(error_docs.codes_in(text)) == expected
    positions = [start for start, _p in error_docs.find_codes_at(text)]
    assert positions == sorted(positions)
    for start, parsed in error_docs.find_codes_at(text):
        assert str(abs(int(parsed.value))) in text[start:start + 40]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    codes = error_docs.codes_in(text)
    assert all(isinstance(c, int) and c < 0 for c in codes)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=99999), max_size=5), st.sampled_from(["-", ":", "."]))
def test_timestamps_addresses_and_ports_are_not_codes(numbers, sep) -> None:
    text = "2024-06-01 12:00:00.123456 10.0.0.1:2881 " + sep.join(f"{n:02d}" for n in numbers)
    assert error_docs.codes_in(text) == ()


def test_hosts_named_by_storage_lines() -> None:
    from obdoctor.catalog.storage_errors import hosts_in

    assert hosts_in("curl code 6 Could not resolve host: minio.svc.local") == ["minio.svc.local"]
    assert hosts_in("oss info(aos_ret->code=-990) host=oss-cn-hz.aliyuncs.com") == ["oss-cn-hz.aliyuncs.com"]
    assert hosts_in("LOCATION=s3://b/p?host=minio:9000&access_id=x") == ["minio"]
    assert hosts_in("Failed to connect to 10.0.0.9 port 443: Connection refused") == ["10.0.0.9"]


def test_a_storage_code_in_a_paste_is_decoded_with_its_host() -> None:
    paste = ("ALTER SYSTEM SET LOG_ARCHIVE_DEST='LOCATION=s3://bkt/arch?host=minio.svc.local:9000';\n"
             "ERROR 9105 (HY000): S3 error\n"
             "WDIAG [SHARE] S3 info curl code 6 Could not resolve host: minio.svc.local\n")
    code, out, err = _stdin(paste, "--format", "json")
    assert code == 0, err
    import json

    data = json.loads(out)
    assert data["hosts"] == ["minio.svc.local"]
    assert data["storage_details"][0]["name"] == "CURLE_COULDNT_RESOLVE_HOST"
    assert [s["id"] for s in data["codes"][0]["signatures"] if s["matched"]] == ["set-dest-s3-error"]


def test_a_file_destination_paste_lists_the_nfs_requirements(run_cli) -> None:
    """OceanBase's Deploy NFS page asks every 4.x edition for NFS 4.1+; an older entry here
    claimed newer versions accept NFSv3, which no page says."""
    text = "ALTER SYSTEM SET DATA_BACKUP_DEST='file:///data/nfs/backup'; ERROR 4009 (58030): IO error"
    for version in ("4.1.0", "4.3.5"):
        data = run_cli("explain", text, "--ob-version", version, "--format", "json").json()
        assert any("nfsvers=4.1 or later" in t for t in data["nfs_requirements"])
        assert not any("NFSv3" in t for t in data["nfs_requirements"])
    s3 = run_cli("explain", text.replace("file:///data/nfs", "s3://b"), "--format", "json").json()
    assert s3["nfs_requirements"] == []


# -- every signature through the real command: explain cases for each context ---------------------

def _matched_ids(data: dict) -> set[str]:
    if "codes" not in data:  # a single code without a statement: the entry itself, or log signatures only
        entries = [data] if "signatures" in data else []
        return {s["id"] for e in entries for s in e["signatures"] if s["matched"]} | {
            s["id"] for s in data.get("log_signatures", ())}
    return ({s["id"] for c in data["codes"] for s in c["signatures"] if s["matched"]}
            | {s["id"] for s in data["log_signatures"]})


def test_explain_selects_each_signature_on_its_fire_cases_only() -> None:
    import json

    from obdoctor.catalog import signatures

    for sig in signatures.load({}).signatures:
        for case, expected in [(c, True) for c in sig.fire] + [(c, False) for c in sig.quiet]:
            argv = ["--format", "json"] + (["--ob-version", case.version] if case.version else [])
            code, out, err = _stdin(case.text, *argv)
            if code == 3 and not expected:  # nothing in the text obdoctor knows: quiet, as it should be
                continue
            assert code == 0, (sig.id, case.text, err)
            assert (sig.id in _matched_ids(json.loads(out))) is expected, (sig.id, case.text)


STATEMENTS = {
    "ALTER SYSTEM SET DATA_BACKUP_DEST = 'x'": "set_data_backup_dest",
    "alter system set log_archive_dest='LOCATION=x'": "set_log_archive_dest",
    "ALTER SYSTEM SET LOG_ARCHIVE_DEST_STATE='DEFER'": "set_log_archive_dest_state",
    "alter system archivelog": "archivelog", "ALTER SYSTEM NOARCHIVELOG": "noarchivelog",
    "ALTER SYSTEM BACKUP DATABASE": "backup", "alter system backup incremental database": "backup",
    "ALTER SYSTEM RESTORE t FROM 'x'": "restore", "ALTER SYSTEM ADD RESTORE SOURCE 'x'": "add_restore_source",
    "ALTER SYSTEM CANCEL BACKUP": "cancel", "ALTER SYSTEM DELETE OBSOLETE BACKUP": "delete",
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(STATEMENTS)), st.lists(st.booleans(), min_size=80, max_size=80),
       st.sampled_from([" ", "  ", "\t", "\n  "]), st.text(alphabet="abc ;\n", max_size=20))
def test_statements_are_recognised_in_any_case_and_spacing(statement, upper, space, tail) -> None:
    from obdoctor.catalog import signatures

    text = "".join(ch.upper() if u else ch.lower() for ch, u in zip(statement, upper + [False] * 200))
    text = text.replace(" ", space)
    assert signatures.statement_of("obclient [oceanbase]> " + text + ";" + tail) == STATEMENTS[statement]


def test_unknown_text_is_not_echoed_whole_and_binary_stdin_is_refused() -> None:
    code, _out, err = _stdin("nothing here that obdoctor knows\n" * 200)
    assert code == 3 and len(err) < 300

    class Binary(io.StringIO):
        def read(self, *_a):
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    out, err = io.StringIO(), io.StringIO()
    code = main(["explain", "-"], Environment(stdout=out, stderr=err, stdin=Binary(), env={}, color=False))
    assert code == 2 and "not text" in err.getvalue()


def test_user_signatures_are_listed_and_used_and_a_broken_one_is_a_usage_error(tmp_path, run_cli) -> None:
    from tests.catalog.test_signatures import GOOD

    folder = tmp_path / "obdoctor" / "signatures"
    folder.mkdir(parents=True)
    (folder / "site.toml").write_text(GOOD, encoding="utf-8")
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    listed = run_cli("explain", "--signatures", "--format", "json", env=env).json()
    assert listed["user_dir"] == str(folder) and any(f.endswith("site.toml") for f in listed["files"])
    used = run_cli("explain", "alter system archivelog; ERROR 4009 (58030): IO error", "--format", "json", env=env).json()
    assert [s["id"] for s in used["codes"][0]["signatures"] if s["matched"]] == ["my-archivelog-io"]
    (folder / "site.toml").write_text(GOOD.replace("codes = [-4009]", "codes = [-4009]\nwhen = 1"), encoding="utf-8")
    broken = run_cli("explain", "-4009", env=env)
    assert broken.code == 2 and "site.toml:6: unknown key 'when'" in broken.err


def test_a_session_paste_pairs_each_error_with_its_own_statement() -> None:
    import json

    paste = ("obclient> ALTER SYSTEM SET LOG_ARCHIVE_DEST='LOCATION=s3://b/a?host=minio:9000';\n"
             "ERROR 4012 (HY000): Timeout\n"
             "obclient> ALTER SYSTEM SET DATA_BACKUP_DEST='file:///nfs/backup';\n"
             "ERROR 4009 (58030): IO error\n"
             "obclient> alter system archivelog;\n"
             "ERROR 9091 (HY000): Already in ARCHIVELOG mode\n")
    code, out, err = _stdin(paste, "--format", "json")
    assert code == 0, err
    got = [(c["code"], c["statement"], c["scheme"], [s["id"] for s in c["signatures"] if s["matched"]])
           for c in json.loads(out)["codes"]]
    assert got == [
        (-4012, "ALTER SYSTEM SET LOG_ARCHIVE_DEST", "s3", ["set-dest-timeout-object-storage"]),
        (-4009, "ALTER SYSTEM SET DATA_BACKUP_DEST", "file", ["set-dest-io-error-file"]),
        (-9091, "ALTER SYSTEM ARCHIVELOG", None, ["archivelog-already-on"]),
    ]
    code, text_out, _err = _stdin(paste)
    assert "returned by:   ALTER SYSTEM SET DATA_BACKUP_DEST on a file:// destination" in text_out
