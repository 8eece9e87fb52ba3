"""Typed row and line references in evidence steps, and the timeline built from their fields.

A rule cites a log record as a ``LineRef`` (its time, level, trace id... as the record has them)
and a record's row as a ``RowRef`` (its cells and its typed times, server and trace id). The
timeline reads those fields; it never parses a line's text again, so when the record and the
text disagree (a time moved onto the views' clock) the record wins.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timedelta

from hypothesis import given, strategies as st

from obdoctor.evidence.provenance import Provenance
from obdoctor.findings import EvidenceStep, Finding, LineRef, Report, ReportSource, RowRef, RowTime, Verdict
from obdoctor.logs import parse_line
from obdoctor.report.redact import pseudonyms_for, redact_report
from obdoctor.report.timeline import build_timeline
from obdoctor.rules.base import Chain, cited_row, line_ref
from tests.conftest import EXAMPLES

LINE = ("[2023-09-26 14:37:36.700100] WDIAG [STORAGE] put (x.cpp:1) [4242][T1002_BACKUP][T1002]"
        "[YB420A090807-0005E98EBF2D9DBE-0-0] [lt=1][errcode=-9003] put object failed(ret=-9003, passwd=\"Pw1\")")
LOG = Provenance("log", "observer.log", server="10.9.8.7", line=12, location="logs/10.9.8.7/observer.log")
ROW = Provenance("sql", "CDB_OB_BACKUP_JOB_HISTORY", row=3)


def _record(text: str = LINE, **changes):
    record = parse_line(text)
    record.server, record.path, record.line_no = "10.9.8.7", "logs/10.9.8.7/observer.log", 12
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def _report(*steps: EvidenceStep) -> Report:
    finding = Finding(rule_id="P3", cause="error_code", title="t", summary="s", verdict=Verdict.CONFIRMED,
                      evidence=list(steps))
    return Report(findings=[finding], observations=[], unchecked=[], source=ReportSource(kind="bundle"))


# -- the refs a rule builds --------------------------------------------------------------------

def test_a_cited_line_carries_its_records_fields_and_masks_secrets():
    ref = line_ref(_record())
    assert (ref.time, ref.level, ref.trace_id, ref.tenant_id, ref.thread, ref.errcode) == (
        datetime(2023, 9, 26, 14, 37, 36, 700100), "WDIAG", "YB420A090807-0005E98EBF2D9DBE-0-0", 1002,
        "T1002_BACKUP", -9003)
    assert (ref.server, ref.file, ref.line) == ("10.9.8.7", "observer.log", 12) and ref.provenance == LOG
    assert ref.message == "put object failed"
    assert "Pw1" not in ref.text and "put object failed" in ref.text


def test_a_cited_row_types_its_times_server_and_trace():
    ref = cited_row({"job_id": 7, "start": datetime(2023, 9, 26, 14, 30), "end": "2023-09-26 14:37:36.822558",
                     "status": "FAILED", "svr_ip": "10.0.0.2:2882", "destination": "10.0.0.3:2882,10.0.0.4:2882",
                     "trace_id": "YB420A000002-0005E98EBF2D9DBE-0-0"}, ROW)
    assert [(t.column, t.meaning, t.time, t.status_then) for t in ref.times] == [
        ("start", "started", datetime(2023, 9, 26, 14, 30), False),
        ("end", "ended", datetime(2023, 9, 26, 14, 37, 36, 822558), True)]
    assert ref.server == "10.0.0.2" and ref.trace_id == "YB420A000002-0005E98EBF2D9DBE-0-0"
    assert ref.addresses == ("10.0.0.2:2882", "10.0.0.3:2882", "10.0.0.4:2882")
    assert (ref.view, ref.row) == ("CDB_OB_BACKUP_JOB_HISTORY", 3)


def test_a_row_without_a_time_or_server_has_none():
    ref = cited_row({"NAME": "data_backup_dest", "VALUE": "file:///backup", "start": "yesterday"}, ROW)
    assert ref.times == () and ref.server is None and ref.trace_id is None and ref.addresses == ()


def test_row_step_cites_every_record_with_its_provenance_and_extra_cells():
    @dataclasses.dataclass
    class Job:
        job_id: int
        end: datetime
        provenance: Provenance

    chain = Chain("P3")
    jobs = [Job(1, datetime(2023, 1, 1), ROW), Job(2, datetime(2023, 1, 2), dataclasses.replace(ROW, row=4))]
    step = chain.row_step("V", "two jobs", jobs, ("job_id", "end"), extra={"trace_id": "YB420A000002-0005E98EBF2D9DBE-0-0"})
    assert [r.cells["job_id"] for r in step.rows] == [1, 2] and [r.row for r in step.rows] == [3, 4]
    assert all(r.trace_id == "YB420A000002-0005E98EBF2D9DBE-0-0" for r in step.rows)
    assert step.provenance == [] and step.all_provenance() == [ROW, dataclasses.replace(ROW, row=4)]


def test_a_step_writes_its_own_then_its_rows_then_its_lines_provenance():
    command = Provenance("command", "df -P -k -- /backup", server="10.0.0.1")
    step = EvidenceStep("x", "y", provenance=[command], rows=[RowRef({"a": 1, "t": datetime(2023, 1, 1)}, ROW)],
                        lines=[LineRef("l1", LOG), LineRef("a df line")])
    assert step.all_provenance() == [command, ROW, LOG]
    assert step.to_dict() == {"looked_at": "x", "showed": "y",
                              "provenance": [command.to_dict(), ROW.to_dict(), LOG.to_dict()],
                              "rows": [{"a": 1, "t": "2023-01-01 00:00:00"}], "lines": ["l1", "a df line"]}


# -- the timeline reads the fields ------------------------------------------------------------

def test_the_record_wins_over_what_its_text_would_parse_to():
    # the source moved the time onto the views' clock (+8 h) and named the server; the text still
    # says 14:37 and carries another trace id
    shifted = datetime(2023, 9, 26, 22, 37, 36, 700100)
    ref = line_ref(_record(ts=shifted, trace_id="YB420A000009-0005E98EBF2D9DBE-0-0", level="ERROR"))
    ref = dataclasses.replace(ref, provenance=dataclasses.replace(LOG, server="10.0.0.9"))
    event = next(e for e in build_timeline(_report(EvidenceStep("observer.log", "a line", lines=[ref]))).events)
    assert event.time == shifted and event.server == "10.0.0.9"
    assert (event.trace_id, event.level, event.raw_level) == ("YB420A000009-0005E98EBF2D9DBE-0-0", "error", "ERROR")
    assert event.title == "put object failed (errcode -9003)" and event.text == ref.text


def test_a_line_whose_record_had_no_time_is_untimed_though_its_text_has_one():
    tl = build_timeline(_report(EvidenceStep("observer.log", "a line", lines=[LineRef(LINE, LOG)])))
    assert tl.events == [] and tl.untimed == 1


def test_row_events_come_from_the_rows_times_server_and_trace():
    row = RowRef({"job_id": 7, "status": "FAILED", "result": -9003, "svr_ip": "not an address"}, ROW,
                 times=(RowTime("start", "started", datetime(2023, 1, 1, 10)),
                        RowTime("end", "ended", datetime(2023, 1, 1, 11), status_then=True)),
                 server="10.0.0.5", trace_id="YB420A000005-0005E98EBF2D9DBE-0-0")
    events = build_timeline(_report(EvidenceStep("CDB_OB_BACKUP_JOB_HISTORY", "a job", rows=[row]))).events
    assert [(e.title, e.level, e.server, e.trace_id) for e in events] == [
        ("CDB_OB_BACKUP_JOB_HISTORY: job 7 started", "info", "10.0.0.5", "YB420A000005-0005E98EBF2D9DBE-0-0"),
        ("CDB_OB_BACKUP_JOB_HISTORY: job 7 ended FAILED result -9003", "error", "10.0.0.5",
         "YB420A000005-0005E98EBF2D9DBE-0-0")]


def test_host_redaction_aliases_the_fields_as_it_aliases_the_text():
    ref = line_ref(_record())
    row = cited_row({"job_id": 1, "svr_ip": "10.1.1.5:2882", "end": datetime(2023, 9, 26, 14, 38)}, ROW)
    report = _report(EvidenceStep("observer.log", "a line", lines=[ref], rows=[row]))
    hosts = pseudonyms_for(report)
    redacted = redact_report(report, hosts)
    step = redacted.findings[0].evidence[0]
    line, cited = step.lines[0], step.rows[0]
    assert "10.9.8.7" not in repr(redacted) and "10.1.1.5" not in repr(redacted)
    assert line.trace_id in line.text and line.server == hosts.apply("10.9.8.7")
    assert cited.server == hosts.apply("10.1.1.5") and cited.cells["svr_ip"] == cited.server + ":2882"
    events = {e.kind: e for e in build_timeline(redacted).events}
    assert events["log"].trace_id == line.trace_id and events["row"].server == cited.server


# -- serialising a ref round-trips ------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53), _text,
                     st.floats(allow_nan=False, allow_infinity=False))
_provenance = st.one_of(st.none(), st.builds(
    Provenance, kind=st.sampled_from(["sql", "log", "history", "command"]), name=_text,
    server=st.one_of(st.none(), _text), row=st.one_of(st.none(), st.integers(1, 10**6)),
    line=st.one_of(st.none(), st.integers(1, 10**9)), location=st.one_of(st.none(), _text)))
_maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
_line_refs = st.builds(LineRef, text=_text, provenance=_provenance, time=_maybe(_times), level=_maybe(_text),
                       trace_id=_maybe(_text), tenant_id=_maybe(st.integers(1, 2**40)), thread=_maybe(_text),
                       message=_maybe(_text), errcode=_maybe(st.integers(-20000, 0)))
_row_refs = st.builds(RowRef, cells=st.dictionaries(_text, _scalars, max_size=6), provenance=_provenance,
                      times=st.lists(st.builds(RowTime, column=_text, meaning=_text, time=_times,
                                               status_then=st.booleans()), max_size=3).map(tuple),
                      server=_maybe(_text), trace_id=_maybe(_text), addresses=st.lists(_text, max_size=3).map(tuple))


@given(_line_refs)
def test_a_line_ref_round_trips_through_json(ref: LineRef):
    assert LineRef.from_dict(json.loads(json.dumps(ref.to_dict()))) == ref


@given(_row_refs)
def test_a_row_ref_round_trips_through_json(ref: RowRef):
    assert RowRef.from_dict(json.loads(json.dumps(ref.to_dict()))) == ref


@given(_row_refs, st.lists(_line_refs, max_size=3))
def test_a_step_prints_its_refs_cells_and_texts(row: RowRef, lines: list[LineRef]):
    data = EvidenceStep("v", "s", rows=[row], lines=lines).to_dict()
    assert data["rows"] == [RowRef.from_dict(row.to_dict()).cells] and data["lines"] == [r.text for r in lines]


def test_a_time_moved_a_day_on_keeps_its_microseconds():
    when = datetime(2023, 9, 26, 23, 59, 59, 999999) + timedelta(microseconds=1)
    ref = LineRef("x", time=when)
    assert LineRef.from_dict(ref.to_dict()).time == when


def test_on_a_cluster_whose_logs_keep_another_clock_the_lines_sit_inside_their_job(run_cli, tmp_path):
    """clock-skew-utc-logs: views on +08:00, observer logs on UTC. The records' times are moved
    onto the views' clock by the source; the text still says 06:37. Parsing the text again put
    the failure's lines eight hours before the job started; the records put them just before
    the job's FAILED end."""
    out = tmp_path / "report.html"
    run_cli("analyze", EXAMPLES / "clock-skew-utc-logs", "--format", "html", "-o", out)
    events = re.findall(r'class="tl-row ev ev-(log|row)"[^>]*data-time="([^"]+)"', out.read_text(encoding="utf-8"))
    logs = [t for kind, t in events if kind == "log"]
    rows = sorted(t for kind, t in events if kind == "row")
    assert logs and rows[0] < min(logs) <= max(logs) < rows[-1]
    assert all(t.startswith("2023-09-26 14:37:36") for t in logs)
