"""Property tests: any supported rendering of any view, pasted after its statement, reads back
to the same rows (obdoctor.sources.paste over obdoctor.sources.sqltext)."""

import string

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from obdoctor.catalog import views as catalogue
from obdoctor.scenarios.pasted import PROMPTS, SHAPES, render, statement
from obdoctor.sources.paste import _CHATTER, split_text
from obdoctor.sources.sqltext import iter_cells

VIEWS = sorted(v for v in catalogue.known_views() if len(catalogue.column_names(v)) >= 2)
_VALUE = st.text(alphabet=string.ascii_letters + string.digits + " -_:./=,()", max_size=12).map(str.strip)


@st.composite
def pasted(draw):
    view = draw(st.sampled_from(VIEWS))
    names = catalogue.column_names(view)
    columns = draw(st.lists(st.sampled_from(names), min_size=2, max_size=min(6, len(names)), unique=True))
    rows = draw(st.lists(st.fixed_dictionaries({c: st.one_of(st.none(), _VALUE) for c in columns}),
                         min_size=1, max_size=4))
    shape = draw(st.sampled_from(SHAPES))
    return view, columns, rows, shape, draw(st.sampled_from(PROMPTS)), draw(st.sampled_from(["\n", "\r\n"]))


def _plain(value):
    return None if value is None else str(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pasted())
def test_every_shape_round_trips(case):
    view, columns, rows, shape, prompt, newline = case
    for row in rows:
        for value in row.values():
            assume(value is None or (value not in ("NULL", "\\N") and not _CHATTER.match(value)))
    text = f"{prompt}{statement(view, columns, shape)}\n{render(shape, columns, rows)}".replace("\n", newline)
    split = split_text(text)
    assert [b.problem for b in split.blocks] == [None]
    block = split.blocks[0]
    assert block.view.upper() == view.upper()
    problems: list[str] = []
    got = []
    for _, header, values in iter_cells(block.text, block.ext, problems):
        row = dict(zip(header, values)) if header is not None else values
        got.append({k: _plain(v) for k, v in row.items()})
    assert problems == []
    assert got == [{c: _plain(r[c]) for c in columns} for r in rows]


_PIECES = st.sampled_from(["obclient [oceanbase]> SELECT * FROM oceanbase.CDB_OB_BACKUP_JOBS;", "mysql> select",
                           "+---+---+", "| a | b |", "|---|---|", "*** 1. row ***", "A: 1", "x\ty", "a,b",
                           "[2023-09-26 14:37:36.700100] WDIAG [STORAGE] f (a.cpp:1) [1][T][T1][Y0-0] [lt=1] x",
                           "[admin@10.0.0.1 log]$ grep", "==> x <==", "Empty set", "ERROR 1146 (42S02): x", "", "\r"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), st.lists(_PIECES, max_size=12).map(lambda p: "\n".join(p).encode())))
def test_any_paste_opens_without_raising(data):
    from obdoctor.sources.bundle import Bundle

    with Bundle("-", stdin=data) as bundle:
        bundle.info()
        for view in ("CDB_OB_BACKUP_JOBS", "DBA_OB_TENANTS"):
            bundle.read_table(view)


def test_a_silent_row_of_empty_cells_is_a_row_not_a_blank_line():
    """``obclient -ss`` prints a row whose cells are all empty as tabs alone (found by the property
    above): it was read as a blank line and the query as having no output."""
    text = "obclient [oceanbase]> SELECT TENANT_ID, DEST_ID, ROUND_ID FROM oceanbase.CDB_OB_ARCHIVELOG;\n\t\t\n"
    [block] = split_text(text).blocks
    assert block.problem is None
    problems: list[str] = []
    assert [tuple(v) for _, _, v in iter_cells(block.text, block.ext, problems)] == [("", "", "")]
    assert problems == []
