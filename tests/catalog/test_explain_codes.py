"""``obdoctor explain``: every catalogue code, every way a DBA pastes one, the documented causes."""

from __future__ import annotations

import io
import tomllib

import pytest

from obdoctor.cli import explain
from obdoctor.catalog import error_docs, errors
from tests.conftest import ROOT

ALL = errors.all_codes()


def test_catalogue_has_every_code() -> None:
    assert len(ALL) == 2445


def test_every_code_explains_without_error() -> None:
    """All 2,445 codes render in text and JSON form; -9xxx codes with a documented cause show it."""
    documented = 0
    for entry in ALL:
        data = explain.explain_entry(entry)
        text = explain.render_text(data)
        assert text.startswith(f"{entry.code} {entry.name}\n")
        assert entry.message in text
        doc = error_docs.doc(entry.code)
        if doc and doc.cause:
            documented += 1
            assert doc.cause[0] in text, entry.label
            assert data["documented"]["cause"] == list(doc.cause)
            for step in doc.solution:
                assert step in text
        elif -9499 <= entry.code <= -9000:
            assert "not documented" in text or "the code is newer" in text or doc is not None
    assert documented >= 100


@pytest.mark.parametrize("typed", ["-9040", "9040", "ret=-9040", "errcode=-9040", "OB_BACKUP_CAN_NOT_START",
                                   "ob_backup_can_not_start", "ERROR 9040 (HY000)", "\\-9040",
                                   "ERROR 9040 (HY000): backup can not start, because log archive status is not doing.",
                                   'ret=-9040, ret="OB_BACKUP_CAN_NOT_START"', "result: -9040(OB_BACKUP_CAN_NOT_START)"])
def test_the_ways_a_dba_pastes_a_code(typed: str, run_cli) -> None:
    result = run_cli("explain", typed, "--format", "json")
    assert result.code == 0, result.err
    assert result.json()["name"] == "OB_BACKUP_CAN_NOT_START"


def test_unquoted_client_error_line(run_cli) -> None:
    result = run_cli("explain", "ERROR", "9070", "(HY000):", "can", "not", "connect")
    assert result.code == 0
    assert "OB_BACKUP_DEST_NOT_CONNECT" in result.out
    assert "NFS is not mounted" in result.out
    assert "dest_unreachable" in result.out


def test_client_errno_shared_by_several_codes() -> None:
    entries = error_docs.lookup_text("ERROR 1146 (42S02): Table 'x' doesn't exist")
    assert entries[0].name == "OB_TABLE_NOT_EXIST"


@pytest.mark.parametrize("typed", ["123456", "OB_NO_SUCH_THING", "hello", "-1"])
def test_unknown_codes_say_so(typed: str, run_cli) -> None:
    result = run_cli("explain", typed)
    assert result.code == 3
    assert "not a known OceanBase error code" in result.err
    assert result.out == ""


def test_documented_cause_and_related_causes_in_json(run_cli) -> None:
    data = run_cli("explain", "-9082", "--format", "json").json()
    assert data["retried_by_backup"] is False
    assert data["documented"]["cause"] == ["The storage space of the backup disk is insufficient."]
    assert data["documented"]["since"] == "4.0.0"
    assert "dest_out_of_space" in [c["id"] for c in data["causes"]]


def test_runbook_causes_found_from_their_explanation() -> None:
    assert "archive_not_doing" in error_docs.causes_for(-9040)


def test_chinese_solution(run_cli) -> None:
    result = run_cli("explain", "-9082", "--lang", "zh")
    assert "备份磁盘存储空间不足" in result.out


def _build_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_error_docs", ROOT / "scripts/build_error_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_file_is_not_stale() -> None:
    """Rebuilt from the reference pages (when they are next to the repository), the data file is unchanged."""
    module = _build_script()
    docs = module.DEFAULT_DOCS
    if not all((docs / name).is_file() for name in module.SOURCES.values()):
        pytest.skip("reference pages not available")
    parsed = {lang: module.parse((docs / name).read_text(encoding="utf-8")) for lang, name in module.SOURCES.items()}
    assert module.render(parsed["en"], parsed["zh"]) == (ROOT / "src/obdoctor/data/error_docs.toml").read_text(encoding="utf-8")


def test_data_file_content() -> None:
    """The committed error_docs.toml parses and covers the 105 documented codes of the pages."""
    data = tomllib.loads((ROOT / "src/obdoctor/data/error_docs.toml").read_text(encoding="utf-8"))
    assert len(data) == 105
    assert all(int(k) < 0 for k in data)
    assert data["-9070"]["since"] == "4.0.0"
    assert data["-9080"].get("since") is None  # "Starting from V4.3.0 the message changed" is not an introduction


def test_build_script_parses_a_page() -> None:
    module = _build_script()
    page = io.StringIO(
        "## ERROR 9999 (HY000): made up\n\n* Error code in OceanBase Database: 9999\n\n* Cause: It broke.\n\n"
        "* Solution:\n   1. First fix.\n   2. Second fix.\n\n<main id=\"notice\" type='explain'>\n  <h4>Note</h4>\n"
        "  <p>This error code is introduced since OceanBase Database V4.2.1. </p>\n</main>\n"
        "ERROR 9998 (HY000): older style\n-----\n\n* Cause: Other.\n\n* Solution: Fix it.\n"
    ).getvalue()
    parsed = module.parse(page)
    assert parsed[-9999]["cause"] == ["It broke."]
    assert parsed[-9999]["solution"] == ["First fix.", "Second fix."]
    assert parsed[-9999]["since"] == "4.2.1"
    assert parsed[-9998]["solution"] == ["Fix it."]


@pytest.mark.parametrize("message, name", [
    ("backup device out of space", "OB_BACKUP_DEVICE_OUT_OF_SPACE"),
    ("backup can not start, because log archive status is not doing.", "OB_BACKUP_CAN_NOT_START"),
    ("format file does not exist under file:///data/nfs", "OB_BACKUP_FORMAT_FILE_NOT_EXIST"),
])
def test_only_the_message(message: str, name: str, run_cli) -> None:
    result = run_cli("explain", message, "--format", "json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data if isinstance(data, dict) else data[0])["name"] == name


def test_storage_detail_without_an_oceanbase_code(run_cli) -> None:
    result = run_cli("explain", "curlCode: 6, Couldn't resolve host name")
    assert result.code == 0
    assert "curl code 6 CURLE_COULDNT_RESOLVE_HOST" in result.out
    assert "object_storage_unreachable" in result.out
    data = run_cli("explain", 'S3 info(code=403, exception="AccessDenied")', "--format", "json").json()
    assert [d["code"] for d in data["storage_details"]] == ["AccessDenied", "403"]
