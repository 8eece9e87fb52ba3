"""``sources/sqltext``: every way a DBA saves a view reads back to the same rows.

The seed's own printouts are parsed verbatim (leading indentation, ``N rows in set``, blank
values, ``PATH:file://`` without a space); a property test renders random rows with
``scenarios/render_sql`` in each format and parses them back unchanged.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.scenarios import render_sql
from obdoctor.sources.sqltext import parse_by_extension, parse_text

SEED_EVENTS = """\
   +----------------------------+-------------+-------------------+-----------+--------+--------+--------+-------+--------+-------+--------+-------+--------+-------+--------+------------+----------------+-------------+
   | TIMESTAMP                  | MODULE      | EVENT             | NAME1     | VALUE1 | NAME2  | VALUE2 | NAME3 | VALUE3 | NAME4 | VALUE4 | NAME5 | VALUE5 | NAME6 | VALUE6 | EXTRA_INFO | RS_SVR_IP      | RS_SVR_PORT |
   +----------------------------+-------------+-------------------+-----------+--------+--------+--------+-------+--------+-------+--------+-------+--------+-------+--------+------------+----------------+-------------+
   | 2023-08-17 15:56:02.023265 | backup_data | start_backup_data | tenant_id | 1002   | result | -9040  |       |        |       |        |       |        |       |        |            | 11.xx.xx.xx    |        4000 |
   | 2023-08-17 15:56:13.116237 | backup_data | start_backup_data | tenant_id | 1002   | result | -9040  |       |        |       |        |       |        |       |        |            | 11.xx.xx.xx    |        4000 |
   | 2023-08-17 15:56:38.050299 | backup_data | start_backup_data | tenant_id | 1002   | result | -9040  |       |        |       |        |       |        |       |        |            | 11.xx.xx.xx    |        4000 |
   | 2023-08-17 15:57:11.236784 | backup_data | start_backup_data | tenant_id | 1002   | result | -9040  |       |        |       |        |       |        |       |        |            | 11.xx.xx.xx    |        4000 |
   4 rows in set
"""

SEED_JOB = """\
*************************** 1. row ***************************
              TENANT_ID: 1004
                 JOB_ID: 8
            INCARNATION: 1
          BACKUP_SET_ID: 8
    INITIATOR_TENANT_ID: 1
       INITIATOR_JOB_ID: 10
     EXECUTOR_TENANT_ID: 1004
        PLUS_ARCHIVELOG: OFF
            BACKUP_TYPE: INC
              JOB_LEVEL: USER_TENANT
        ENCRYPTION_MODE: NONE
                 PASSWD:
        START_TIMESTAMP: 2023-04-27 12:41:27.451141
          END_TIMESTAMP: 2022-04-27 12:42:24.352493
                 STATUS: FAILED
                 RESULT: 4016
                COMMENT:(server)ls_id: 1002,addr: 11.xx.xx.xx:4004,module:BACKUP_DATA,result: -4016(Internal error),trace_id: YFA40BA2D90B-005FA487348F363-0-0
            DESCRIPTION:
                   PATH:file:///data/nfs/backup/backup_1682565410121
1 row in set
"""

SEED_LS_TASK = """\
      *************************** 1. row ***************************
                      tenant_id: 1002
                        task_id: 1
                          ls_id: 1
                     gmt_create: 2022-09-26 14:37:36.817772
                         status: failed
                      black_list: 100.xx.xx.xx:5000,100.xx.xx.xx:5000
                         svr_ip: 100.xx.xx.xx
                       svr_port: 5000
                  task_trace_id: Y1388644564E0-0005E98EBF2D9DBE-0-0
                         result: -4016
                        comment: 
      max_tablet_checkpoint_scn: 1692287649623874276
"""

SEED_SCHEDULE = """\
+-----------+--------+---------+-------+------+-----------------------------------+-------------------+-------------+------------------+------------------+------------------+
| tenant_id | job_id | task_id | ls_id | type | trace_id                          | destination       | is_schedule | generate_ts      | schedule_ts      | executor_ts      |
+-----------+--------+---------+-------+------+-----------------------------------+-------------------+-------------+------------------+------------------+------------------+
|      1002 |    339 |       3 |  1001 |    0 | YB42C0A80C44-0005F637014C8DE6-0-0 | 192.xx.xx.xx:2882 |      True   | 1679378679020065 | 1679378679205546 | 1679378679302303 |
+-----------+--------+---------+-------+------+-----------------------------------+-------------------+-------------+------------------+------------------+------------------+
1 row in set
"""


def test_seed_event_table_with_indentation_and_blank_values() -> None:
    rows, problems = parse_text(SEED_EVENTS)
    assert problems == []
    assert [line for line, _ in rows] == [4, 5, 6, 7]
    first = rows[0][1]
    assert first["VALUE2"] == "-9040" and first["NAME3"] == "" and first["EXTRA_INFO"] == ""
    assert first["RS_SVR_PORT"] == "4000" and first["RS_SVR_IP"] == "11.xx.xx.xx"


def test_seed_vertical_job_with_tight_colons() -> None:
    rows, problems = parse_text(SEED_JOB)
    assert problems == []
    (line, job), = rows
    assert line == 1
    assert job["PASSWD"] == "" and job["DESCRIPTION"] == ""
    assert job["PATH"] == "file:///data/nfs/backup/backup_1682565410121"
    assert job["COMMENT"].startswith("(server)ls_id: 1002,addr: 11.xx.xx.xx:4004")
    assert job["RESULT"] == "4016" and len(job) == 19


def test_seed_ls_task_indented_and_misaligned() -> None:
    rows, problems = parse_text(SEED_LS_TASK)
    assert problems == []
    (_, task), = rows
    assert task["max_tablet_checkpoint_scn"] == "1692287649623874276"
    assert task["comment"] == "" and task["black_list"] == "100.xx.xx.xx:5000,100.xx.xx.xx:5000"


def test_seed_schedule_task_right_aligned_numbers() -> None:
    rows, _ = parse_text(SEED_SCHEDULE)
    (_, task), = rows
    assert task["tenant_id"] == "1002" and task["is_schedule"] == "True"
    assert task["destination"] == "192.xx.xx.xx:2882"


def test_multi_line_value_in_vertical_output() -> None:
    text = ("*************************** 1. row ***************************\n"
            "  JOB_ID: 1\n COMMENT: first line\nsecond line: with a colon\n  STATUS: FAILED\n"
            "*************************** 2. row ***************************\n"
            "  JOB_ID: 2\n COMMENT: \n  STATUS: COMPLETED\n2 rows in set\n")
    rows, problems = parse_text(text)
    assert problems == []
    assert rows[0][1] == {"JOB_ID": "1", "COMMENT": "first line\nsecond line: with a colon", "STATUS": "FAILED"}
    assert rows[1][1] == {"JOB_ID": "2", "COMMENT": "", "STATUS": "COMPLETED"}


def test_prompt_and_query_around_the_table_are_ignored() -> None:
    text = "obclient [oceanbase]> SELECT * FROM CDB_OB_BACKUP_JOBS;\n" + SEED_SCHEDULE + "\nobclient [oceanbase]> exit\n"
    rows, _ = parse_text(text)
    assert len(rows) == 1


def test_empty_set_is_an_empty_view() -> None:
    assert parse_text("Empty set (0.01 sec)\n") == ([], [])
    assert parse_by_extension("", "jsonl") == ([], [])


def test_mysql_batch_output_is_tab_separated() -> None:
    rows, problems = parse_text("TENANT_ID\tSTATUS\n1002\tNORMAL\n1004\tNULL\n")
    assert problems == []
    assert [v for _, v in rows] == [{"TENANT_ID": "1002", "STATUS": "NORMAL"}, {"TENANT_ID": "1004", "STATUS": None}]


def test_garbage_is_not_a_table() -> None:
    rows, problems = parse_text(bytes(range(256)).decode("latin-1") * 3)
    assert rows == [] and problems and "no table found" in problems[0]


def test_pipe_inside_a_comment_is_glued_back() -> None:
    text = "| JOB_ID | COMMENT | STATUS |\n| 1 | a | b | FAILED |\n"
    rows, problems = parse_text("+--+\n" + text)
    assert problems == []
    assert rows[0][1] == {"JOB_ID": "1", "COMMENT": "a | b", "STATUS": "FAILED"}


def test_too_many_cells_without_a_text_column_is_skipped() -> None:
    rows, problems = parse_text("+--+\n| A | B |\n| 1 | 2 | 3 |\n| 4 | 5 |\n")
    assert [v for _, v in rows] == [{"A": "4", "B": "5"}]
    assert problems == ["line 3: 3 cells for 2 columns; row skipped"]


# -- property: render -> parse is the identity ---------------------------------------------

_NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)
_VALUE = st.one_of(
    st.none(),
    st.just(""),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="|\\"),
            min_size=1, max_size=20)
      .filter(lambda s: s == s.strip() and s.upper() != "NULL"),
    st.sampled_from(["-9040", "，", "(server)ls_id: 1002，addr: 127.0.0.3:2882", "file:///data/nfs", "会话", "a: b"]),
)


@st.composite
def _tables(draw):
    # one case per view, as OceanBase names them (CDB_ upper, __all_ lower): a line in another
    # case inside a \\G record is a value's text, not a column
    case = draw(st.sampled_from([str.upper, str.lower]))
    columns = draw(st.lists(_NAMES.map(case), min_size=1, max_size=6, unique_by=str.upper))
    rows = draw(st.lists(st.fixed_dictionaries({c: _VALUE for c in columns}), max_size=4))
    return columns, rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables(), st.sampled_from(["table", "vertical", "csv", "tsv", "jsonl"]), st.integers(0, 8))
def test_render_then_parse_gives_the_rows_back(table, fmt, indent) -> None:
    columns, rows = table
    ext, text = render_sql.render(fmt, columns, rows, indent=indent)
    parsed, problems = parse_by_extension(text, ext)
    assert problems == []
    assert [values for _, values in parsed] == rows
