"""``logs codes``: every error code tallied in one pass; counts equal grep's for each code's
spellings, on generated files; the CLI joins the catalogue and marks ordinary noise."""

import io
import json
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.logs.codes import tally_codes
from obdoctor.logs.fields import RecordFilter
from obdoctor.logs.files import LogFile

NAMES = {b"OB_ERR_UNEXPECTED": -4016, b"OB_TIMEOUT": -4012}
SPELLINGS = ("ret={c}", "[errcode={c}]", "ret_code={c}", "result={c}", "tmp_ret={c}", "ret={c}7", "x_result={c}",
             'ret="OB_ERR_UNEXPECTED"', 'result="OB_TIMEOUT"', 'ret="OB_NOT_A_CODE"', "ret=0", "retry={c}",
             'x_ret="OB_TIMEOUT"')
CODES = (-4016, -4012, -9040, -4018, -1)


@st.composite
def log_text(draw) -> str:
    ts = datetime(2024, 3, 18, 8)
    lines = []
    for i in range(draw(st.integers(0, 60))):
        ts += timedelta(seconds=draw(st.integers(0, 30)))
        level = draw(st.sampled_from(("INFO ", "WDIAG", "WARN ", "ERROR")))
        parts = [draw(st.sampled_from(SPELLINGS)).format(c=draw(st.sampled_from(CODES)))
                 for _ in range(draw(st.integers(0, 3)))]
        lines.append(f"[{ts:%Y-%m-%d %H:%M:%S.%f}] {level} [RS] f (a.cpp:1) [7][T1002_BackupDat][T1002]"
                     f"[Y0-0000000000000000-0-0] [lt=1] step({', '.join(parts)})")
    return "".join(x + "\n" for x in lines)


def grep_count(path, code: int) -> int:
    names = [n.decode() for n, c in NAMES.items() if c == code]
    expr = f"(^|[^A-Za-z0-9_])(ret|errcode|ret_code|result)={code}([^0-9]|$)"
    expr += "".join(f'|(^|[^A-Za-z0-9_])(ret|errcode|ret_code|result)="{n}"' for n in names)
    out = subprocess.run(["grep", "-c", "-E", expr, str(path)], capture_output=True, text=True).stdout
    return int(out or 0)


@pytest.mark.skipif(shutil.which("grep") is None, reason="grep not installed")
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=log_text())
def test_each_codes_count_equals_grep_of_its_spellings(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("c") / "observer.log"
    path.write_text(text)
    report = tally_codes([LogFile(path, "observer", False, None, None)], names=NAMES, workers=1)
    for code in CODES:
        got = report.codes[code].count if code in report.codes else 0
        assert got == grep_count(path, code), code
    unknown = report.codes.get("OB_NOT_A_CODE")
    want = int(subprocess.run(["grep", "-c", 'ret="OB_NOT_A_CODE"', str(path)], capture_output=True, text=True).stdout)
    assert (unknown.count if unknown else 0) == want
    assert set(report.codes) <= set(CODES) | {c * 10 - 7 for c in CODES} | {"OB_NOT_A_CODE"}  # ret=-40167


def test_level_filter_narrows_the_tally(tmp_path):
    path = tmp_path / "observer.log"
    path.write_text(
        "[2024-03-18 08:00:00.000001] WDIAG [RS] f (a.cpp:1) [7][T1_X][T1][Y0-0000000000000000-0-0] [lt=1][errcode=-4016] a\n"
        "[2024-03-18 08:00:01.000001] INFO  [RS] f (a.cpp:1) [7][T1_X][T2][Y0-0000000000000000-0-0] [lt=1] b(ret=-4016)\n")
    log = LogFile(path, "observer", False, None, None)
    assert tally_codes([log], workers=1).codes[-4016].count == 2
    assert tally_codes([log], RecordFilter(levels=frozenset({"WDIAG"})), workers=1).codes[-4016].count == 1
    assert tally_codes([log], RecordFilter(tenant=2), workers=1).codes[-4016].count == 1


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["logs", "codes", *argv], Environment(stdout=out, stderr=err, env={}))
    return code, out.getvalue()


def incident(tmp_path):
    d = tmp_path / "b" / "logs" / "10.0.0.1"
    d.mkdir(parents=True)
    lines = []
    for i in range(30):
        lines.append(f"[2024-03-18 08:00:{i:02d}.000001] WDIAG [SQL.EXE] f (a.cpp:1) [7][T1001_L0_G{i % 3}][T1001]"
                     f"[Y0-0000000000000000-0-0] [lt=1][errcode=-4012] query timeout(ret=-4012)")
        lines.append(f"[2024-03-18 08:00:{i:02d}.000002] WDIAG [SHARE] f (a.cpp:1) [7][T1_Config][T1]"
                     f"[Y0-0000000000000000-0-0] [lt=1][errcode=-4023] again(ret=-4023)")
    lines.append("[2024-03-18 08:00:40.000001] WDIAG [RS] start_tenant_backup_data_ (a.cpp:1) [7][T1_BACKUP_SC][T1002]"
                 "[Y0-0000000000000000-0-0] [lt=1][errcode=-9040] backup can not start")
    lines.append("[2024-03-18 08:00:41.000001] WDIAG [RS] f (a.cpp:1) [7][T1_BACKUP_SC][T1002]"
                 "[Y0-0000000000000000-0-0] [lt=1] odd(ret=-777777)")
    (d / "observer.log").write_text("".join(x + "\n" for x in lines))
    return tmp_path / "b"


def test_cli_leads_with_the_unusual_and_joins_the_catalogue(tmp_path):
    b = incident(tmp_path)
    code, out = run("--format", "json", str(b))
    doc = json.loads(out)
    order = [e["code"] for e in doc["codes"]]
    assert code == 0 and order[-2:] == [-4012, -4023] or order[-2:] == [-4023, -4012]
    assert set(order[:2]) == {-9040, -777777} and doc["not_in_catalogue"] == [-777777]
    by = {e["code"]: e for e in doc["codes"]}
    assert by[-4012]["ordinary"] and by[-4012]["ordinary_records"] == 30 and by[-4023]["ordinary"]
    assert by[-9040]["name"] == "OB_BACKUP_CAN_NOT_START" and by[-9040]["retried_by_backup"] is False
    assert by[-9040]["cause"] and by[-9040]["sample"]["at"] == "10.0.0.1:observer.log:61"
    assert by[-9040]["tenants"] == {"1002": 1} and by[-9040]["first"]["ts"] == "2024-03-18 08:00:40.000001"
    code, text = run(str(b))
    assert text.index("-9040") < text.index("~ -4012") and "(not in the catalogue)" in text
    code, md = run("--format", "markdown", "--level", "WDIAG", "--since", "2024-03-18 08:00:35", str(b))
    assert "| -9040 | OB_BACKUP_CAN_NOT_START | 1 |" in md and "-4012" not in md


def test_workers_tally_the_same_as_one_process(tmp_path, monkeypatch):
    from obdoctor.logs import search

    b = incident(tmp_path)
    extra = b / "logs" / "10.0.0.2"
    extra.mkdir()
    (extra / "observer.log").write_bytes((b / "logs" / "10.0.0.1" / "observer.log").read_bytes())
    files = [LogFile(p, "observer", False, None, None, p.parent.name) for p in sorted(b.glob("logs/*/observer.log"))]
    one = tally_codes(files, workers=1)
    monkeypatch.setattr(search, "PARALLEL_MIN", 0)
    two = tally_codes(files, workers=2)
    assert two.search.workers == 2
    assert {k: (t.count, dict(t.servers), t.first, t.sample) for k, t in one.codes.items()} == \
        {k: (t.count, dict(t.servers), t.first, t.sample) for k, t in two.codes.items()}


def test_the_table_does_not_depend_on_which_worker_finished_first():
    """Two servers with the same count, and samples without a time: merged in either order,
    the entry (its ranking of servers, its sample) is the same - it was not before."""
    from collections import Counter

    from obdoctor.cli.logs import _code_entry
    from obdoctor.logs.codes import CodeTally

    def parts():
        a = CodeTally(-4016, count=2, servers=Counter({"10.0.0.2": 2}), sample=("10.0.0.2:observer.log:7", "a"))
        b = CodeTally(-4016, count=2, servers=Counter({"10.0.0.1": 2}), sample=("10.0.0.1:observer.log:9", "b"))
        return a, b

    a, b = parts()
    a.merge(b)
    b2, a2 = parts()[::-1]
    b2.merge(a2)
    assert _code_entry(a) == _code_entry(b2)
    assert list(_code_entry(a)["servers"]) == ["10.0.0.1", "10.0.0.2"]
    assert _code_entry(a)["sample"]["at"] == "10.0.0.1:observer.log:9"
