"""Bundle view files as DBAs save them (issue 11 item 5): GBK/GB18030 text, a BOM, and two
files of one view that disagree (the one showing the failure is read, and the report says so)."""

from __future__ import annotations

from pathlib import Path

from obdoctor.scenarios import render_sql
from obdoctor.sources.bundle import Bundle

COLUMNS = ["TENANT_ID", "JOB_ID", "STATUS", "RESULT", "COMMENT"]


def _bundle(tmp_path: Path, files: dict[str, bytes]) -> Bundle:
    (tmp_path / "sql").mkdir()
    for name, data in files.items():
        (tmp_path / "sql" / name).write_bytes(data)
    return Bundle(tmp_path)


def test_gbk_table_is_read_and_said(tmp_path: Path) -> None:
    text = render_sql.table(COLUMNS, [{"TENANT_ID": 1002, "JOB_ID": 5, "STATUS": "FAILED", "RESULT": -9071,
                                       "COMMENT": "备份目的端权限不足"}])
    with _bundle(tmp_path, {"CDB_OB_BACKUP_JOB_HISTORY.txt": text.encode("gbk")}) as bundle:
        result = bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        assert result.problems == []
        assert result.rows[0].text("COMMENT") == "备份目的端权限不足"
        assert any("not UTF-8: read as gb18030" in n for n in bundle.info().notes)


def test_csv_with_bom_keeps_its_first_column(tmp_path: Path) -> None:
    data = "\ufeffTENANT_ID,JOB_ID,STATUS\n1002,5,FAILED\n".encode("utf-8")
    with _bundle(tmp_path, {"CDB_OB_BACKUP_JOB_HISTORY.csv": data}) as bundle:
        row = bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows[0]
        assert row.integer("TENANT_ID") == 1002
        assert not any("UTF-8" in n for n in bundle.info().notes)


def test_two_files_that_disagree_the_failure_is_read_and_noted(tmp_path: Path) -> None:
    ok = {"TENANT_ID": 1002, "JOB_ID": 5, "STATUS": "COMPLETED", "RESULT": 0, "COMMENT": ""}
    failed = {**ok, "STATUS": "FAILED", "RESULT": -9071}
    files = {
        "CDB_OB_BACKUP_JOB_HISTORY.csv": render_sql.delimited(COLUMNS, [ok], ",").encode(),
        "CDB_OB_BACKUP_JOB_HISTORY.txt": render_sql.table(COLUMNS, [failed]).encode(),
    }
    with _bundle(tmp_path, files) as bundle:
        info = bundle.info()  # notes computed before the view is read still receive the new one
        result = bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        assert result.rows[0].text("STATUS") == "FAILED"
        assert result.rows[0].provenance.location == "sql/CDB_OB_BACKUP_JOB_HISTORY.txt"
        note, = [n for n in info.notes if "disagree" in n]
        assert "read sql/CDB_OB_BACKUP_JOB_HISTORY.txt, the one that shows a failure" in note


def test_two_files_with_the_same_rows_are_not_a_disagreement(tmp_path: Path) -> None:
    row = {"TENANT_ID": 1002, "JOB_ID": 5, "STATUS": "FAILED", "RESULT": -9071, "COMMENT": "a | b"}
    files = {
        "CDB_OB_BACKUP_JOB_HISTORY.csv": render_sql.delimited(COLUMNS, [row], ",").encode(),
        "CDB_OB_BACKUP_JOB_HISTORY.jsonl": render_sql.jsonl(COLUMNS, [row]).encode(),
    }
    with _bundle(tmp_path, files) as bundle:
        bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        assert not any("disagree" in n for n in bundle.info().notes)
        assert any("with the same rows" in n for n in bundle.info().notes)
