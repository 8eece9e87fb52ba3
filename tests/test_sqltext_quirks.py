"""What obclient really prints, parsed right (issue 11 item 5).

A ``+---+`` table whose cell holds raw newlines, a ``\\G`` record whose multi-line value is in the
first or only row, CSV with a UTF-8 BOM, ``|`` inside a value, CJK text: each read back to the
rows that were printed. A row that cannot be placed is a problem, never a silent drop or shift.
Property tests render random rows with these quirks (``scenarios/render_sql`` pads cells the way
the mysql client does, a newline counting one column) and parse them back.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.scenarios import render_sql
from obdoctor.sources.sqltext import parse_by_extension, parse_table, parse_text, parse_vertical

_COMMENT = "(SERVER)ls_id: 1001, addr: 127.0.0.3:2882\nresult: -9071 | a | b |"
MULTI_LINE_TABLE = render_sql.table(["JOB_ID", "COMMENT", "STATUS"], [
    {"JOB_ID": 5, "COMMENT": _COMMENT, "STATUS": "FAILED"}, {"JOB_ID": 6, "COMMENT": "", "STATUS": "DOING"}])


def test_table_cell_with_raw_newlines_and_pipes() -> None:
    assert "127.0.0.3:2882\nresult" in MULTI_LINE_TABLE  # the raw newline, as the client prints it
    rows, problems = parse_text(MULTI_LINE_TABLE)
    assert problems == []
    assert [v for _, v in rows] == [
        {"JOB_ID": "5", "COMMENT": _COMMENT, "STATUS": "FAILED"},
        {"JOB_ID": "6", "COMMENT": "", "STATUS": "DOING"},
    ]
    assert [line for line, _ in rows] == [4, 6]


def test_pipe_inside_a_value_placed_by_the_grid_not_guessed() -> None:
    # the '|' is in MODULE, not in the free-text column: only the printed grid can tell
    columns = ["MODULE", "COMMENT"]
    text = render_sql.table(columns, [{"MODULE": "a | b", "COMMENT": "c"}])
    rows, problems = parse_text(text)
    assert problems == [] and rows[0][1] == {"MODULE": "a | b", "COMMENT": "c"}


def test_vertical_multi_line_value_in_the_only_row() -> None:
    text = ("*************************** 1. row ***************************\n"
            "     JOB_ID: 5\n"
            "    COMMENT: (SERVER)ls_id: 1001, addr: 127.0.0.3:2882\n"
            "result: -9071(OB_BACKUP_PERMISSION_DENIED)\n"
            "trace_id: YB42AC1E0B5C-00060F1A2B3C4D5E-0-0\n"
            "     STATUS: FAILED\n"
            "1 row in set\n")
    rows, problems = parse_text(text)
    assert problems == []
    (_, job), = rows
    assert set(job) == {"JOB_ID", "COMMENT", "STATUS"}
    assert job["COMMENT"].endswith("\ntrace_id: YB42AC1E0B5C-00060F1A2B3C4D5E-0-0")


def test_vertical_case_decides_when_names_are_not_aligned() -> None:
    text = ("*************************** 1. row ***************************\n"
            "JOB_ID: 5\nCOMMENT: first\nresult: inside the comment\nSTATUS: FAILED\n")
    rows, _ = parse_vertical(text)
    assert rows[0][1] == {"JOB_ID": "5", "COMMENT": "first\nresult: inside the comment", "STATUS": "FAILED"}


def test_csv_with_utf8_bom() -> None:
    rows, problems = parse_by_extension("\ufeffTENANT_ID,STATUS\n1002,FAILED\n", "csv")
    assert problems == [] and rows[0][1] == {"TENANT_ID": "1002", "STATUS": "FAILED"}
    rows, _ = parse_by_extension("\ufeff+---+\n| A |\n+---+\n| 1 |\n+---+\n", "txt")
    assert rows[0][1] == {"A": "1"}


def test_cjk_cells_are_cut_by_display_width() -> None:
    columns = ["COMMENT", "STATUS"]
    text = render_sql.table(columns, [{"COMMENT": "备份目的端 | 权限不足", "STATUS": "FAILED"}])
    rows, problems = parse_text(text)
    assert problems == [] and rows[0][1] == {"COMMENT": "备份目的端 | 权限不足", "STATUS": "FAILED"}


def test_a_row_that_cannot_be_placed_is_a_problem() -> None:
    rows, problems = parse_table("+---+---+\n| A | B |\n+---+---+\n| 1 | 2 | 3 |\n| 4 | 5 |\n+---+---+\n")
    assert [v for _, v in rows] == [{"A": "4", "B": "5"}]
    assert problems == ["line 4: 3 cells for 2 columns; row skipped"]


def test_stray_text_inside_a_table_is_a_problem() -> None:
    rows, problems = parse_table("+---+\n| A |\n+---+\n| 1 |\nstray\n| 2 |\n+---+\n")
    assert [v for _, v in rows] == [{"A": "1"}, {"A": "2"}]
    assert problems and "line 5" in problems[0]


# -- properties: rendered with every quirk, parsed back unchanged ------------------------------

_NAMES = st.from_regex(r"[A-Z][A-Z0-9_]{0,11}", fullmatch=True)
_LINE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=15)
_VALUE = st.one_of(
    st.none(),
    st.just(""),
    st.lists(_LINE, min_size=1, max_size=3).map("\n".join),
    st.sampled_from(["a | b", "| x |", "备份 | 失败", "(server)ls_id: 1002，addr: 127.0.0.3:2882\ntrace_id: Y1-0000000000000001-0-0",
                     "，", "line one\n\nline three"]),
).filter(lambda s: s is None or (s == s.strip() and s.upper() != "NULL" and "\\" not in s
                                 and not any(l.strip().startswith("+-") or "in set" in l.lower() or l.strip() != l
                                             for l in s.split("\n"))))


@st.composite
def _tables(draw):
    columns = draw(st.lists(_NAMES, min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.fixed_dictionaries({c: _VALUE for c in columns}), min_size=1, max_size=4))
    return columns, rows


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables(), st.integers(0, 4))
def test_table_with_newlines_pipes_and_cjk_round_trips(table, indent) -> None:
    columns, rows = table
    _, text = render_sql.render("table", columns, rows, indent=indent)
    parsed, problems = parse_by_extension(text, "txt")
    assert problems == []
    assert [values for _, values in parsed] == rows


_CONTINUATION = st.lists(st.tuples(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True), _LINE),
                         min_size=1, max_size=3).map(lambda kv: "\n".join(f"{k}: {v.strip() or 'x'}" for k, v in kv))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_NAMES, min_size=3, max_size=6, unique=True), st.data(), st.booleans())
def test_vertical_first_row_multi_line_value_round_trips(columns, data, bom) -> None:
    """The first (here also only) row holds a value whose lines look like ``name: value``."""
    where = data.draw(st.integers(0, len(columns) - 1))
    head = data.draw(_LINE.filter(lambda s: s == s.strip()))
    row = {c: data.draw(st.sampled_from(["1", "FAILED", "", None])) for c in columns}
    row[columns[where]] = f"{head}\n{data.draw(_CONTINUATION)}"
    _, text = render_sql.render("vertical", columns, [row])
    parsed, problems = parse_by_extension(("\ufeff" if bom else "") + text, "txt")
    assert problems == []
    assert [values for _, values in parsed] == [row]


@settings(max_examples=100, deadline=None)
@given(_tables(), st.booleans())
def test_csv_with_bom_round_trips(table, bom) -> None:
    columns, rows = table
    _, text = render_sql.render("csv", columns, rows)
    parsed, problems = parse_by_extension(("\ufeff" if bom else "") + text, "csv")
    assert problems == []
    assert [values for _, values in parsed] == rows


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_is_rows_or_problems_never_an_exception(text) -> None:
    for ext in ("txt", "csv", "tsv", "jsonl"):
        rows, problems = parse_by_extension("+--+\n| A | B |\n" + text, ext)
        assert isinstance(rows, list) and isinstance(problems, list)
