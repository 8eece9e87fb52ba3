"""Recognition by content: the view from the statement or the column set, -s output, encodings."""

from obdoctor.sources.bundle import Bundle
from obdoctor.sources.paste import split_text, view_from_columns

HISTORY_ROW = "1002\t1\tFAILED\t-9082\tbackup device out of space"


def test_no_statement_the_column_set_names_the_view():
    text = "| TENANT_ID | TENANT_NAME | TENANT_TYPE | STATUS |\n| 1002 | t1 | USER | NORMAL |\n"
    [block] = split_text(text).blocks
    assert block.view == "DBA_OB_TENANTS" and block.how.startswith("from its columns")


def test_views_of_the_same_columns_tie_and_the_file_name_breaks_it():
    columns = ["TENANT_ID", "JOB_ID", "STATUS", "RESULT", "COMMENT"]
    view, why = view_from_columns(columns)
    assert view is None and "alike" in why and "CDB_OB_BACKUP_JOB" in why
    view, _ = view_from_columns(columns, "job_history.txt")
    assert view == "CDB_OB_BACKUP_JOB_HISTORY"


def test_silent_output_takes_the_select_list():
    text = ("mysql> SELECT tenant_id, job_id, status, result, comment FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY;\n"
            + HISTORY_ROW + "\n")
    [block] = split_text(text).blocks
    assert block.problem is None and block.text.startswith("tenant_id\tjob_id")


def test_silent_output_without_its_columns_says_to_rerun_without_s():
    text = "mysql> SELECT * FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY;\n" + HISTORY_ROW + "\n"
    [block] = split_text(text).blocks
    assert "rerun without -s" in block.problem


def test_a_statement_over_several_lines_and_prompts_of_every_client():
    text = ("MySQL [oceanbase]> select *\n    -> from   OCEANBASE.cdb_ob_backup_job_history\n    -> \\G\n"
            "*************************** 1. row ***************************\n"
            "TENANT_ID: 1002\n   STATUS: FAILED\n1 row in set (0.01 sec)\n\n"
            "obclient [oceanbase]> SELECT * FROM oceanbase.DBA_OB_TENANTS;\nEmpty set (0.00 sec)\n")
    blocks = split_text(text).blocks
    assert [(b.view, b.problem) for b in blocks] == [("CDB_OB_BACKUP_JOB_HISTORY", None), ("DBA_OB_TENANTS", None)]


def test_gb18030_bom_and_crlf_files(tmp_path):
    table = ("obclient> SELECT * FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY;\r\n"
             "+-----------+--------+--------+--------+-----------------+\r\n"
             "| TENANT_ID | JOB_ID | STATUS | RESULT | COMMENT         |\r\n"
             "+-----------+--------+--------+--------+-----------------+\r\n"
             "| 1002      | 1      | FAILED | -9082  | 备份空间不足    |\r\n"
             "+-----------+--------+--------+--------+-----------------+\r\n")
    (tmp_path / "a.txt").write_bytes(table.encode("gb18030"))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "c.txt").write_bytes("\ufeff".encode() + table.replace("CDB_OB_BACKUP_JOB_HISTORY",
                                                                           "DBA_OB_TENANTS").encode("utf-8"))
    with Bundle(tmp_path) as bundle:
        rows = bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows
        assert rows[0].text("COMMENT") == "备份空间不足"
        assert rows[0].provenance.location == "a.txt" and rows[0].provenance.line == 5
        assert bundle.read_table("DBA_OB_TENANTS").rows[0].provenance.location == "b/c.txt"
        assert "a.txt is not UTF-8: read as gb18030" in bundle.notes


def test_a_failed_query_is_the_reason_its_view_is_missing(tmp_path):
    (tmp_path / "s.txt").write_text("obclient [oceanbase]> SELECT * FROM oceanbase.CDB_OB_BACKUP_JOBS;\n"
                                    "ERROR 1146 (42S02): Table 'oceanbase.CDB_OB_BACKUP_JOBS' doesn't exist\n",
                                    encoding="utf-8")
    with Bundle(tmp_path) as bundle:
        table = bundle.read_table("CDB_OB_BACKUP_JOBS")
        assert not table.available and "the query failed: ERROR 1146" in table.reason


def test_one_saved_file_is_read_as_a_paste(run_cli, tmp_path):
    from obdoctor.scenarios.model import load
    from obdoctor.scenarios.pasted import write_forms
    from tests.conftest import EXAMPLES, SCENARIOS

    forms = write_forms(load(SCENARIOS / "failed-41-chain.toml"), tmp_path)
    pinned = run_cli("analyze", EXAMPLES / "failed-41-chain", "--format", "json").json()
    got = run_cli("analyze", forms["stdin"], "--format", "json")
    assert got.code == 1 and got.json()["source"]["location"] == str(forms["stdin"])
    assert [f["summary"] for f in got.json()["findings"]] == [f["summary"] for f in pinned["findings"]]
