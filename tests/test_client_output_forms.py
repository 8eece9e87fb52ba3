"""Every form the obclient/mariadb client prints a result in, pasted as a DBA pastes it, read back
cell for cell (obdoctor.sources.paste over obdoctor.sources.sqltext).

The forms are the client's own (oceanbase/obclient ``client/mysql.cc``; see tests/client_forms.py
for which function prints which) and obdiag's ``sql_result.txt`` (oceanbase/obdiag
``src/handler/gather/step/sql.py``). View and column names are from ob_views.json; values are ours.
"""

from __future__ import annotations

import io
import json

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.sources.paste import split_text
from obdoctor.sources.sqltext import iter_cells, parse_text
from tests import client_forms as forms

VIEW = "CDB_OB_BACKUP_JOB_HISTORY"
COLUMNS = ["TENANT_ID", "JOB_ID", "STATUS", "RESULT", "COMMENT"]
PROMPT = "obclient [oceanbase]> "


def _select(columns: list[str], end: str = ";") -> str:
    return f"SELECT {', '.join(columns)} FROM oceanbase.{VIEW}{end}"


def _read(paste: str) -> tuple[list[dict], list[str]]:
    """The one block's rows and every problem said about it (the block's own and its rows')."""
    [block] = split_text(paste).blocks
    problems: list[str] = [block.problem] if block.problem else []
    rows = [dict(zip(h, v)) if h is not None else v for _, h, v in iter_cells(block.text, block.ext, problems)]
    return rows, problems


def _row(tenant="1002", job="7", status="FAILED", result="-9082", comment=None) -> dict:
    return dict(zip(COLUMNS, (tenant, job, status, result, comment)))


# -- mysql -B / --batch: print_tab_data + safe_put_field -----------------------------------------

def test_batch_escapes_are_decoded_and_a_quote_is_text() -> None:
    """``-B`` escapes a tab, newline and backslash in a value (safe_put_field) and quotes nothing:
    the tab rows were read as CSV, so a value opening with ``"`` lost its quotes (or swallowed the
    next rows) and ``\\n`` stayed two characters."""
    rows = [_row(comment='"df -h" says\n100%\tused C:\\ob'), _row(job="8", comment="NULL"),
            _row(job="9", status="SUCCESS", result="0", comment="")]
    rows[1]["COMMENT"] = None  # a real NULL prints as NULL
    paste = PROMPT + _select(COLUMNS) + "\n" + forms.batch(COLUMNS, rows)
    got, problems = _read(paste)
    assert problems == []
    assert got == rows


def test_batch_backslash_n_is_text_not_null() -> None:
    """``-B`` prints a value ``\\N`` as ``\\\\N``: it is the text, not NULL (only ``NULL`` is NULL)."""
    rows = [_row(comment="\\N")]
    got, problems = _read(PROMPT + _select(COLUMNS) + "\n" + forms.batch(COLUMNS, rows))
    assert (got, problems) == (rows, [])


def test_batch_raw_newline_joins_the_lines_of_its_row() -> None:
    """``-r`` prints a newline raw (safe_put_field with opt_raw_data): the row's first line had
    all its cells and was kept with the value cut short, the rest was a stray one-cell row."""
    rows = [_row(comment="line one\nline two"), _row(job="8", comment="ok"),
            _row(job="9", status="line a\nline b", comment="x")]
    got, problems = _read(PROMPT + _select(COLUMNS) + "\n" + forms.batch(COLUMNS, rows, raw=True))
    assert (got, problems) == (rows, [])


def test_batch_row_whose_trailing_tabs_a_chat_app_stripped() -> None:
    """A chat app or editor strips a line's trailing whitespace: a row ending in empty cells loses
    their tabs. It was joined to the next row as a raw newline (both rows lost, one 'row skipped');
    now its last cells are read as empty and that is said."""
    rows = [_row(comment=""), _row(job="8", result="", comment=""), _row(job="9", comment="x")]
    stripped = "\n".join(l.rstrip() for l in forms.batch(COLUMNS, rows).split("\n"))
    got, problems = _read(PROMPT + _select(COLUMNS) + "\n" + stripped + "1002\t10\n")
    assert got == rows + [_row(job="10", status="", result="", comment="")]
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 5"]  # the block's lines
    assert all("read as empty" in p for p in problems)


def test_batch_in_a_saved_txt_file_is_read_the_same() -> None:
    """``obclient ... -e "SELECT ..." > VIEW.txt``, the command obdoctor's report suggests
    (report/next_commands.py), writes this form: stdout not a tty sets batch and silent
    (client/mysql.cc, ``if (!isatty(0) || !isatty(1))``)."""
    rows = [_row(comment='"quoted"\tand\\slashed')]
    got, problems = parse_text(forms.batch(COLUMNS, rows))
    assert problems == [] and [r for _, r in got] == rows


def test_batch_whose_tabs_a_terminal_turned_to_spaces_is_not_guessed() -> None:
    """A terminal copy may give spaces for tabs: no column can be told apart, and obdoctor says so."""
    paste = PROMPT + _select(COLUMNS) + "\n" + forms.batch(COLUMNS, [_row(comment="x")]).replace("\t", "    ")
    got, problems = _read(paste)
    assert got == [] and problems and "no table found" in problems[0]


# -- -N / --skip-column-names in table mode ------------------------------------------------------

def test_table_without_its_header_takes_the_select_list() -> None:
    """``-N`` prints the grid without the names line (print_table_data, ``column_names`` false):
    the first row was read as the header, so it was lost and every cell named by a value."""
    rows = [_row(), _row(tenant="1004", job="3", status="SUCCESS", result="0", comment="")]
    paste = PROMPT + _select(COLUMNS) + "\n" + forms.table(COLUMNS, rows, ("TENANT_ID", "JOB_ID"), names=False)
    got, problems = _read(paste)
    assert problems == []
    assert got == rows


def test_table_without_its_header_and_no_select_list_is_refused() -> None:
    rows = [_row(comment="x")]
    got, problems = _read(PROMPT + f"SELECT * FROM oceanbase.{VIEW};\n" + forms.table(COLUMNS, rows, names=False))
    assert got == [] and any("without its header" in p for p in problems)
    got, problems = parse_text(forms.table(COLUMNS, rows, names=False))
    assert got == [] and any("without its header" in p for p in problems)


# -- wide characters: the client's cell count, not Python's --------------------------------------

def test_emoji_is_one_cell_as_the_client_counts_it() -> None:
    """my_numcells_mb counts a character outside its UTR#11 table (an emoji) as one cell: the grid
    was cut by Python's width (two), missed, and the row's ``|`` glued back as `` | ``."""
    rows = [_row(comment="🚫 dest|full 备份"), _row(job="8", comment="✅a|b")]
    paste = PROMPT + _select(COLUMNS) + "\n" + forms.table(COLUMNS, rows)
    got, problems = _read(paste)
    assert (got, problems) == (rows, [])


def test_vertical_without_names_is_said_and_gives_no_row() -> None:
    """``\\G`` with ``-N`` prints values without names (print_table_data_vertically, ``column_names``
    false): nothing can be placed. It gave an empty row beside the problems."""
    text = (PROMPT + _select(COLUMNS[:3], "\\G") + "\n*************************** 1. row ***************************\n"
            "1002\n7\nFAILED\n1 row in set (0.00 sec)\n")
    got, problems = _read(text)
    assert got == [] and problems and any("-N" in p for p in problems)


# -- --xml and --html ----------------------------------------------------------------------------

def test_xml_tells_null_from_the_text_null() -> None:
    """``--xml`` is the one form that keeps NULL (``xsi:nil``) apart from the text ``NULL``."""
    rows = [_row(comment=None), _row(job="8", comment="NULL"), _row(job="9", comment='a <b> & "c"\nd')]
    statement = _select(COLUMNS)
    got, problems = _read(PROMPT + statement + "\n" + forms.xml(COLUMNS, rows, statement.rstrip(";")))
    assert (got, problems) == (rows, [])


def test_html_is_read() -> None:
    rows = [_row(comment="<dest> & full"), _row(job="8", comment=None)]
    got, problems = _read(PROMPT + _select(COLUMNS) + "\n" + forms.html(COLUMNS, rows))
    assert (got, problems) == (rows, [])


def test_xml_in_a_saved_file() -> None:
    rows = [_row(comment="x")]
    got, problems = parse_text(forms.xml(COLUMNS, rows, _select(COLUMNS)))
    assert problems == [] and [r for _, r in got] == rows


def test_markup_without_names_or_cut_off_is_said() -> None:
    got, problems = _read(PROMPT + _select(COLUMNS[:2]) + "\n<TABLE BORDER=1><TR><TD>1002</TD><TD>7</TD></TR></TABLE>\n")
    assert got == [] and "without its <TH> names row" in problems[0]
    cut = forms.xml(COLUMNS, [_row(comment="x"), _row(job="8", comment="y")], "s").split("<field name=\"STATUS\">")[:2]
    got, problems = _read(PROMPT + _select(COLUMNS) + "\n" + '<field name="STATUS">'.join(cut))
    assert got == [_row(comment="x")] and "without its </row>" in problems[0]  # the second row cut off


# -- obdiag gather: tabulate grid ----------------------------------------------------------------

def test_obdiag_grid_value_on_several_lines_is_one_row() -> None:
    """tabulate prints a value's lines on lines of their own between the row's borders: each
    was read as a row of its own, with empty cells beside it."""
    rows = [_row(comment="backup dest\nis not writable"), _row(job="8", status="SUCCESS", result="0", comment="")]
    text = "\n\nobclient > " + _select(COLUMNS).lower() + "\n" + forms.grid(COLUMNS, rows, ("TENANT_ID", "JOB_ID"))
    got, problems = _read(text)
    assert (got, problems) == (rows, [])


# -- Markdown pipe tables (a GUI's "copy as Markdown", a chat or wiki page) -----------------------

MARKDOWN = ("| TENANT_ID | JOB_ID | STATUS | RESULT | COMMENT |\n"
            "| ---: | :--- | --- | --- | --- |\n"
            "| 1002 | 7 | FAILED | -9082 | dest \\| full |\n"
            "| 1002 | 8 | FAILED | -9082 | NULL |\n")


def test_markdown_rule_row_is_not_a_row_and_an_escaped_pipe_is_text() -> None:
    """GitHub Flavored Markdown (https://github.github.com/gfm/#example-200): the ``|---|`` line
    under the names is no row, and ``\\|`` is a ``|`` of the value. In a bundle's sql/*.txt the
    rule row was read as a row of ``---`` and the escaped pipe split the cell (glued as ``\\ | ``)."""
    want = [_row(comment="dest | full"), _row(job="8", comment=None)]
    rows, problems = parse_text(MARKDOWN)
    assert (problems, [r for _, r in rows]) == ([], want)
    assert _read(PROMPT + _select(COLUMNS) + "\n" + MARKDOWN) == (want, [])


# -- a GUI's CSV export (DBeaver, Navicat, ODC: quoted values, a value's newline kept in quotes) ----

def test_csv_value_over_lines_is_one_value_even_when_a_line_reads_like_chatter() -> None:
    """RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180#section-2, rule 6): a quoted field may hold
    line breaks. A value's line reading ``Warning: ...`` was blanked as the client's chatter (the
    row then lost), and a value's line without a comma made the paste 'not understood'."""
    want = [_row(comment="backup dest\nWarning: device out of space"), _row(job="8", comment="dest\nis full"),
            _row(job="9", status="SUCCESS", result="0", comment="")]
    export = ('"TENANT_ID","JOB_ID","STATUS","RESULT","COMMENT"\n'
              + "".join(f'"{r["TENANT_ID"]}","{r["JOB_ID"]}","{r["STATUS"]}","{r["RESULT"]}","{r["COMMENT"]}"\n'
                        for r in want))
    assert _read(PROMPT + _select(COLUMNS) + "\n" + export) == (want, [])
    no_comma_first = export.replace('"backup dest\nWarning: device out of space"', '"backup dest\nfull"')
    want[0]["COMMENT"] = "backup dest\nfull"
    assert _read(PROMPT + _select(COLUMNS) + "\n" + no_comma_first) == (want, [])


# -- a terminal that breaks long lines when copying (a hard wrap) -----------------------------------

def _hard_wrapped(text: str, width: int) -> str:
    return "\n".join(line[i:i + width] for line in text.split("\n") for i in range(0, max(len(line), 1), width))


@pytest.mark.parametrize("width", [80, 100])
def test_table_wrapped_by_the_terminal_is_joined_back(width: int) -> None:
    """A terminal that copies a screen line by line breaks a table row wider than the screen into
    several lines. The border is then broken too (it does not end in '+'), which says so, and its
    width is the screen's: the lines are joined back. The COMMENT was cut at the screen's edge
    (its code and trace id lost) beside four 'text inside the table' problems."""
    columns = ["TENANT_ID", "JOB_ID", "STATUS", "RESULT", "COMMENT"]
    rows = [{c: FAILED[c] for c in columns}, {**{c: FAILED[c] for c in columns}, "JOB_ID": "12", "COMMENT": "short"}]
    body = _hard_wrapped(forms.table(columns, rows, ("TENANT_ID", "JOB_ID")), width)
    assert _read(PROMPT + _select(columns) + "\n" + body) == (rows, [])
    got, problems = parse_text(body)
    assert problems == [] and [r for _, r in got] == rows


@pytest.mark.parametrize("width", [80, 100])
def test_vertical_wrapped_by_the_terminal_is_joined_back(width: int) -> None:
    """A ``\\G`` value longer than the screen, hard-wrapped: its pieces were joined with newlines,
    so the COMMENT read ``result: -9`` / ``082(...)`` when the wrap fell inside the code. Lines that
    fill the screen exactly, twice or more, and go on in a line that is no field, are a wrap."""
    columns = list(FAILED)
    rows = [FAILED, {**FAILED, "JOB_ID": "12", "PATH": "file:///data/nfs/backup/" + "x" * 150}]
    body = _hard_wrapped(forms.vertical(columns, rows), width)
    assert body.count("\n") > forms.vertical(columns, rows).count("\n") + 2
    got, problems = _read(PROMPT + f"SELECT * FROM oceanbase.{VIEW}\\G\n" + body)
    assert (got, problems) == (rows, [])


def test_vertical_values_of_one_length_are_not_a_wrap() -> None:
    """Two long values of the same length, each followed by the next field, are not joined."""
    rows = [{**_row(), "COMMENT": "a" * 90}, {**_row(job="8"), "COMMENT": "b" * 90}]
    got, problems = _read(PROMPT + _select(COLUMNS, "\\G") + "\n" + forms.vertical(COLUMNS, rows))
    assert (got, problems) == (rows, [])


# -- what the client prints around a result ------------------------------------------------------

def test_warnings_pager_end_and_query_ok_are_not_rows() -> None:
    """com_go prints ``N rows in set, 1 warning (..)`` then print_warnings' ``Warning (Code N): ..``;
    less leaves ``(END)``; a SET before the query prints ``Query OK, 0 rows affected``."""
    rows = [_row(comment="x")]
    paste = (PROMPT + "SET SESSION ob_query_timeout = 100000000;\nQuery OK, 0 rows affected (0.00 sec)\n\n"
             + PROMPT + _select(COLUMNS) + "\n"
             + forms.table(COLUMNS, rows).replace(" in set", " in set, 1 warning")
             + "\nWarning (Code 1292): Truncated incorrect DOUBLE value: 'x'\n(END)\n")
    got, problems = _read(paste)
    assert (got, problems) == (rows, [])


@pytest.mark.parametrize("form", ["table", "vertical"])
def test_a_value_line_that_reads_like_chatter_stays_in_the_value(form: str) -> None:
    """A multi-line COMMENT printed raw may hold a line reading ``Warning: ...`` or ``ERROR 4012
    (HY000): ...``: it was blanked as the client's chatter and silently cut from the value. Only
    what follows the output (after ``N rows in set``) is chatter."""
    rows = [_row(comment="backup failed\nWarning: dest full\nERROR 4012 (HY000): timeout")]
    body = forms.table(COLUMNS, rows) if form == "table" else forms.vertical(COLUMNS, rows)
    text = PROMPT + _select(COLUMNS, "\\G" if form == "vertical" else ";") + "\n" + body + "Bye\n"
    assert _read(text) == (rows, [])


def test_a_statement_continued_with_arrows_and_crlf() -> None:
    rows = [_row(comment="备份目录|不可写")]
    text = (PROMPT + "SELECT TENANT_ID, JOB_ID, STATUS,\n    -> RESULT, COMMENT\n    -> FROM oceanbase." + VIEW
            + "\n    -> WHERE STATUS = 'FAILED'\\G\n" + forms.vertical(COLUMNS, rows))
    got, problems = _read(text.replace("\n", "\r\n"))
    assert (got, problems) == (rows, [])


@pytest.mark.parametrize("prompt", ["obclient(root@sys)[oceanbase]> ", "obclient(SYS@oracle_t)[SYS]> ",
                                    "MariaDB [(none)]> ", "mysql> "])
def test_the_clients_default_prompts_and_string_continuations(prompt: str) -> None:
    """obclient's default prompt is ``obclient(\\u@\\T)[\\d]> `` (client/mysql.cc, default_prompt:
    user, tenant, database); a statement going on inside a quoted string is prompted ``    '> ``
    (``    "> ``, ``    `> ``, ``   /*> `` in a comment). The default prompt was not seen as a prompt:
    the whole paste was 'not understood'."""
    rows = [_row(comment="no space")]
    text = (prompt + "SELECT TENANT_ID, JOB_ID, STATUS, RESULT, COMMENT\n    -> FROM oceanbase." + VIEW
            + "\n    -> WHERE COMMENT LIKE '%no\n    '> space%' /* the\n   /*> failed one */;\n"
            + forms.table(COLUMNS, rows, ("TENANT_ID", "JOB_ID", "RESULT")))
    [block] = split_text(text).blocks
    assert (block.view, block.how) == (VIEW, "from the statement")
    assert _read(text) == (rows, [])


# -- the end verdict is the form's, not the shape's ----------------------------------------------

FAILED = {"TENANT_ID": "1002", "JOB_ID": "11", "INCARNATION": "1", "BACKUP_SET_ID": "6", "INITIATOR_TENANT_ID": "1002",
          "INITIATOR_JOB_ID": "11", "EXECUTOR_TENANT_ID": "1002", "PLUS_ARCHIVELOG": "OFF", "BACKUP_TYPE": "FULL",
          "JOB_LEVEL": "USER_TENANT", "ENCRYPTION_MODE": "NONE", "PASSWD": "",
          "START_TIMESTAMP": "2026-11-30 02:00:01.114311", "END_TIMESTAMP": "2026-11-30 02:03:40.906112",
          "STATUS": "FAILED", "RESULT": "-9082", "DESCRIPTION": None, "PATH": "file:///data/nfs/backup",
          "COMMENT": "(server)ls_id: 1001,addr: 10.0.0.3:2882,module:BACKUP_DATA,"
                     "result: -9082(backup device out of space),trace_id: YB420A000003-0005F1A2B3C4D5E6-0-0"}


def _analyze(paste: str) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["analyze", "-", "--format", "json"],
                Environment(stdout=out, stderr=err, env={}, color=False, stdin=io.StringIO(paste)))
    return code, json.loads(out.getvalue())


def _verdict(report: dict) -> list[tuple]:
    return [(f["tenant_id"], f["job_id"], f["code"], f["verdict"], f.get("cause")) for f in report["findings"]]


def _markdown(columns: list[str], rows: list[dict]) -> str:
    cell = lambda v: "NULL" if v is None else v.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(cell(r[c]) for c in columns) + " |" for r in rows]) + "\n"


def _csv(columns: list[str], rows: list[dict]) -> str:
    quoted = lambda v: "" if v is None else '"' + v.replace('"', '""') + '"'  # noqa: E731
    return "\n".join([",".join(columns)] + [",".join(quoted(r[c]) for c in columns) for r in rows]) + "\n"


@pytest.mark.parametrize("form", ["batch", "xml", "html", "grid", "headerless", "markdown", "csv", "vertical",
                                  "wrapped"])
def test_every_form_gives_the_tables_verdict(form: str) -> None:
    """The verdict on one FAILED job (RESULT -9082, its COMMENT) is the same in every form."""
    columns = list(FAILED)
    statement = f"SELECT * FROM oceanbase.{VIEW}"
    prompt = PROMPT
    code, baseline = _analyze(PROMPT + statement + ";\n" + forms.table(columns, [FAILED]))
    assert code == 1 and _verdict(baseline) and _verdict(baseline)[0][:3] == (1002, 11, -9082)
    if form == "batch":
        body = forms.batch(columns, [FAILED])
    elif form == "xml":
        body = forms.xml(columns, [FAILED], statement)
    elif form == "html":
        body = forms.html(columns, [FAILED])
    elif form == "grid":
        body = forms.grid(columns, [FAILED])
    elif form == "markdown":
        body = _markdown(columns, [FAILED])
    elif form == "csv":
        body = _csv(columns, [FAILED])
    elif form == "vertical":
        prompt, body = "obclient(root@sys)[oceanbase]> ", forms.vertical(columns, [FAILED])
    elif form == "wrapped":
        body = _hard_wrapped(forms.table(columns, [FAILED]), 120)
    else:
        statement = "SELECT " + ", ".join(columns) + f" FROM oceanbase.{VIEW}"
        body = forms.table(columns, [FAILED], names=False)
    code, report = _analyze(prompt + statement + ("\\G" if form == "vertical" else ";") + "\n" + body)
    assert code == 1 and _verdict(report) == _verdict(baseline)


# -- property: any rows, in any form the client prints, read back --------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from obdoctor.catalog import views as catalogue  # noqa: E402

_VIEWS = sorted(v for v in catalogue.known_views() if len(catalogue.column_names(v)) >= 2)
# letters that spell none of the client's chatter words (Bye, Warning, Query OK...) nor a statement
_WORD = st.text(st.sampled_from("akqxzKQXZ0129|\\\"',=./_%" + forms.WIDE + forms.NARROW_ODD), min_size=1, max_size=6)
_LINE = st.lists(_WORD, min_size=1, max_size=3).flatmap(
    lambda words: st.sampled_from([" ", "\t"]).map(lambda sep: sep.join(words)))
_VALUE = st.one_of(st.none(), st.just(""), st.just("NULL"), st.just("\\N"),
                   st.lists(_LINE, min_size=1, max_size=3).map("\n".join))
FORMS = ("table", "headerless", "vertical", "batch", "xml", "html", "grid")


@st.composite
def _results(draw):
    view = draw(st.sampled_from(_VIEWS))
    columns = draw(st.lists(st.sampled_from(catalogue.column_names(view)), min_size=2, max_size=5, unique=True))
    form = draw(st.sampled_from(FORMS))
    value = _VALUE.filter(lambda v: v is None or "\t" not in v) if form == "grid" else _VALUE
    if form == "grid":  # tabulate pads by its own width (wcwidth): an emoji there is not one cell
        value = value.filter(lambda v: v is None or not any(ch in forms.NARROW_ODD for ch in v))
    rows = draw(st.lists(st.fixed_dictionaries({c: value for c in columns}), min_size=1, max_size=4))
    return view, columns, rows, form


def _expected(value: str | None, form: str) -> str | None:
    """What each form can give back: only XML keeps the text NULL; -B keeps everything else; the
    grids and \\G strip a line's padding; tabulate prints None as an empty cell."""
    if form == "xml":
        return value
    if value is None or value == "NULL":
        return "" if value is None and form == "grid" else None
    if form in ("batch", "html"):
        return value
    return "\n".join(line.strip() for line in value.split("\n")).strip("\n") if form != "vertical" else \
        "\n".join(line.strip() for line in value.split("\n")).rstrip("\n")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_results())
def test_every_client_form_round_trips(case) -> None:
    view, columns, rows, form = case
    listed = form == "headerless"
    statement = f"SELECT {', '.join(columns) if listed else '*'} FROM oceanbase.{view}"
    if form == "table":
        body = forms.table(columns, rows)
    elif form == "headerless":
        body = forms.table(columns, rows, names=False)
    elif form == "vertical":
        body = forms.vertical(columns, rows)
    elif form == "batch":
        body = forms.batch(columns, rows)
    elif form == "xml":
        body = forms.xml(columns, rows, statement)
    elif form == "html":
        body = forms.html(columns, rows)
    else:
        body = forms.grid(columns, rows)
    got, problems = _read(PROMPT + statement + ("\\G" if form == "vertical" else ";") + "\n" + body)
    assert problems == []
    assert got == [{c: _expected(r[c], form) for c in columns} for r in rows]
