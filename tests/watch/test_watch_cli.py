"""``obdoctor watch`` and ``obdoctor history`` end to end, in-process, on the fake cluster."""

from __future__ import annotations

import io
import json
import re

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from tests.watch.fakes import job_row, ls_row, task_row


class Cli:
    def __init__(self, cluster, clock, monkeypatch, tmp_path):
        self.cluster, self.clock, self.db = cluster, clock, tmp_path / "h.sqlite"
        monkeypatch.setattr("obdoctor.cli.watch.make_source", lambda args, env: lambda: (cluster, "fake cluster"))

    def __call__(self, *argv, db=True):
        out, err = io.StringIO(), io.StringIO()
        extra = ["--db", str(self.db)] if db and argv and argv[0] in ("watch", "history") else []
        code = main([*map(str, argv), *extra], Environment(stdout=out, stderr=err, env={}, now=self.clock, color=False))
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli(cluster, clock, monkeypatch, tmp_path):
    return Cli(cluster, clock, monkeypatch, tmp_path)


def _state(cluster, i, *, frozen_after=None):
    moving = i if frozen_after is None else min(i, frozen_after)
    cluster.tables["CDB_OB_BACKUP_JOBS"] = [job_row()]
    cluster.tables["CDB_OB_BACKUP_TASKS"] = [task_row(input_bytes=moving * 1_000_000, finish_macro=moving * 10)]
    cluster.tables["__all_virtual_backup_ls_task"] = [ls_row(1001, finish_macro=moving * 10, input_bytes=moving * 1000)]


def test_once_healthy_is_exit_0_with_the_table(cli, cluster):
    for i in range(3):
        _state(cluster, i)
        code, out, err = cli("watch", "--once")
        cli.clock.advance(60)
    assert code == 0, err
    assert "tenant" in out and "BACKUP_DATA_MAJOR" in out and "progressing" in out
    assert "1002" in out and "%" in out


def test_once_from_cron_reports_the_stall_with_exit_1_and_json(cli, cluster):
    codes, lines = [], []
    for i in range(10):
        _state(cluster, i, frozen_after=1)
        code, out, err = cli("watch", "--once", "--json", "--stall-after", "20m")
        codes.append(code)
        lines += [json.loads(line) for line in out.splitlines()]
        cli.clock.advance(minutes=5)
    first = codes.index(1)
    assert set(codes[:first]) == {0} and set(codes[first:]) == {1}
    assert {r["type"] for r in lines} == {"sample", "event", "poll"}
    events = [r for r in lines if r["type"] == "event"]
    assert {e["event"] for e in events} == {"stall"}
    assert all(e["diagnosis"]["report"]["findings"][0]["rule_id"] == "P2" for e in events)
    polls = [r for r in lines if r["type"] == "poll"]
    assert [p["exit_code"] for p in polls] == codes
    job_samples = [r for r in lines if r["type"] == "sample" and r["kind"] == "job"]
    assert job_samples[-1]["stalled"] and "rate" in job_samples[-1]


def test_prometheus_file_is_written_whole(cli, cluster, tmp_path):
    prom = tmp_path / "textfile" / "obdoctor.prom"
    prom.parent.mkdir()
    for i in range(3):
        _state(cluster, i)
        code, _, err = cli("watch", "--once", "--prometheus", prom)
        cli.clock.advance(60)
    assert code == 0, err
    text = prom.read_text()
    assert sorted(p.name for p in prom.parent.iterdir()) == ["obdoctor.prom"]  # no temp file left behind
    sample = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+$')
    for line in text.splitlines():
        assert line.startswith("# ") or sample.match(line), line
    assert 'obdoctor_backup_stalled{tenant_id="1002",job_id="1"} 0' in text
    assert 'obdoctor_backup_progress_ratio{tenant_id="1002",job_id="1"} 0.02' in text
    assert "obdoctor_watch_up 1" in text
    assert re.search(r'obdoctor_backup_rate_bytes_per_second\{tenant_id="1002",job_id="1"\} 16666\.6', text)


def test_prometheus_last_failure_code_per_tenant(cli, cluster, tmp_path):
    prom = tmp_path / "obdoctor.prom"
    cluster.tables["CDB_OB_BACKUP_JOBS"] = []
    cluster.tables["CDB_OB_BACKUP_JOB_HISTORY"] = [
        r.as_dict() for r in cluster.bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows]
    cli("watch", "--once", "--prometheus", prom)
    assert 'obdoctor_backup_last_failure_code{tenant_id="1002"} -9082' in prom.read_text()


def test_loop_writes_lines_when_not_a_terminal(cli, cluster):
    _state(cluster, 5, frozen_after=0)
    code, out, err = cli("watch", "--polls", "3", "--interval", "0", "--stall-after", "1s")
    assert err == ""
    polls = [line for line in out.splitlines() if " poll " in line]
    assert len(polls) == 3 and "tenant 1002 job 1 BACKUP_DATA_MAJOR" in polls[0]
    # the clock does not move: nothing is quiet for 1s, so no stall
    assert code == 0 and "stall:" not in out


def test_history_lists_jobs_samples_and_diagnoses(cli, cluster):
    for i in range(10):
        _state(cluster, i, frozen_after=2)
        cli("watch", "--once", "--stall-after", "20m")
        cli.clock.advance(minutes=5)
    code, out, err = cli("history")
    assert code == 0, err
    assert "1002" in out and "stall" in out and "diagnosis #1" in out
    code, out, err = cli("history", "--job", "1", "--tenant", "1002", "--limit", "4")
    assert code == 0, err
    assert "4 of 10 samples" in out and "diagnosis #1" in out and "P2" in out and "/s" in out
    assert re.search(r"P2 \w+ \[(confirmed|likely|unknown)\]", out), "verdicts are text, not rich markup"
    assert "ls tasks, last sample" in out and "127.0.0.3" in out
    code, out, _ = cli("history", "--job", "1", "--format", "json")
    data = json.loads(out)
    assert data["samples_total"] == 10 and data["diagnoses"][0]["report"]["findings"][0]["rule_id"] == "P2"
    assert any(s["stalled"] for s in data["samples"])
    assert [(t["ls_id"], t["status"], t["stalls"]) for t in data["ls_tasks"]] == [(1001, "DOING", 1)]
    code, out, _ = cli("history", "--report", "1")
    assert code == 0 and json.loads(out)["findings"][0]["rule_id"] == "P2"


def test_history_errors_are_messages_not_tracebacks(cli, tmp_path):
    code, _, err = cli("history", "--db", tmp_path / "none.sqlite", db=False)
    assert code == 2 and "no watch history here" in err
    (tmp_path / "bad.sqlite").write_text("garbage " * 200)
    code, _, err = cli("watch", "--once", "--db", tmp_path / "bad.sqlite", db=False)
    assert code == 2 and "not a usable watch history" in err
    cli("watch", "--once")
    code, _, err = cli("history", "--job", "77")
    assert code == 3 and "job 77 is not in" in err
    code, _, err = cli("history", "--report", "5")
    assert code == 3 and "no diagnosis #5" in err


def test_bad_durations_are_usage_errors(cli):
    for bad in ("abc", "0", "-5m", "10x"):
        code, _, _ = cli("watch", "--once", f"--stall-after={bad}")
        assert code == 2, bad
    _state(cli.cluster, 0)
    assert cli("watch", "--once", "--interval", "1h30m")[0] == 0  # and a good one passes


def test_no_cluster_configured_is_a_usage_error(tmp_path, clock):
    """The real source factory: nothing to connect to, a message and exit 2 (no password asked)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["watch", "--once", "--db", str(tmp_path / "h.sqlite")],
                Environment(stdout=out, stderr=err, env={"HOME": str(tmp_path)}, now=clock, color=False))
    assert code == 2 and "no cluster to watch" in err.getvalue()


def test_live_view_on_a_terminal(cluster, clock, monkeypatch, tmp_path):
    monkeypatch.setattr("obdoctor.cli.watch.make_source", lambda args, env: lambda: (cluster, "fake cluster"))
    _state(cluster, 3)
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, env={}, now=clock, color=True)
    code = main(["watch", "--polls", "2", "--interval", "0", "--db", str(tmp_path / "t.sqlite")], env)
    assert code == 0, err.getvalue()
    assert "\x1b[" in out.getvalue() and "BACKUP_DATA_MAJOR" in out.getvalue() and "poll #2" in out.getvalue()


def test_history_locked_past_the_timeout_is_a_message(cli, cluster, monkeypatch):
    import sqlite3

    from obdoctor.watch.store import History

    _state(cluster, 1)

    def locked(self, *a, **kw):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(History, "write_poll", locked)
    code, _, err = cli("watch", "--once")
    assert code == 2 and "poll not stored: database is locked" in err
