"""Watch mode on the simulated cluster: a real MariaDB as the sys tenant, rows changed between polls
with UPDATEs, the observers' logs read where they lie (loopback servers are "this machine"), and a
test clock instead of sleeps.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pymysql
import pytest

from obdoctor.exit_codes import ExitCode
from obdoctor.scenarios import model
from obdoctor.sources.config import NodeConfig
from obdoctor.sources.live import LiveSource
from obdoctor.sources.mysql import MySqlSource
from obdoctor.watch.store import History
from obdoctor.watch.watcher import Watcher
from tests.conftest import EXAMPLES, SCENARIOS
from tests.live.conftest import require_mariadb
from tests.live.simdb import SimulatedDatabase, running
from tests.watch.fakes import TestClock

pytestmark = pytest.mark.live

STALL = 1800
STEP = 300


@pytest.fixture(scope="module")
def simdb(tmp_path_factory):
    require_mariadb()
    with running(tmp_path_factory.mktemp("watch-simdb")) as database:
        yield database
        conn = _ADMIN.pop(id(database), None)
        if conn is not None:
            conn.close()


def _logs(tmp_path: Path, example: str) -> list[NodeConfig]:
    """Each server of the example gets a home whose log/ holds the example's log files."""
    nodes = []
    for server in sorted((EXAMPLES / example / "logs").iterdir()):
        home = tmp_path / f"home-{server.name}"
        shutil.copytree(server, home / "log")
        nodes.append(NodeConfig(ip=server.name, home_path=str(home)))
    return nodes


def _source(simdb: SimulatedDatabase, nodes: list[NodeConfig]) -> LiveSource:
    config = simdb.config(servers=nodes)
    return LiveSource.from_config(config, MySqlSource(config), local_reads="auto")


_ADMIN: dict[int, pymysql.connections.Connection] = {}


def _sql(simdb: SimulatedDatabase, statement: str, args=None) -> list[dict]:
    """As the loader (root over the socket): the watcher's own login may only read."""
    conn = _ADMIN.get(id(simdb))
    if conn is None or not conn.open:
        conn = _ADMIN[id(simdb)] = simdb.admin()  # one connection: each connect costs ~40 ms (TLS context)
    with conn.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute("USE `oceanbase`")
        cur.execute(statement, args)
        return list(cur.fetchall())


def _move_job(simdb, job_id: int, source: str, target: str, **changes) -> None:
    """Move a job row between the running view and the history, as OceanBase does when it ends."""
    rows = _sql(simdb, f"SELECT * FROM `{source}` WHERE JOB_ID = %s", (job_id,))
    columns = {r["Field"].upper(): r["Field"] for r in _sql(simdb, f"SHOW COLUMNS FROM `{target}`")}
    _sql(simdb, f"DELETE FROM `{source}` WHERE JOB_ID = %s", (job_id,))
    for row in rows:
        row = {k.upper(): v for k, v in row.items()}
        row.update({k.upper(): v for k, v in changes.items()})
        names = [c for c in columns if c in row]
        _sql(simdb, f"INSERT INTO `{target}` ({', '.join(f'`{columns[c]}`' for c in names)}) "
                    f"VALUES ({', '.join(['%s'] * len(names))})", [row[c] for c in names])


def _insert_ls(simdb, *, tenant=1002, job=12, ls_id, server, trace, status="DOING", macro=0, nbytes=0) -> None:
    _sql(simdb, "INSERT INTO `__all_virtual_backup_ls_task` (tenant_id, task_id, ls_id, job_id, backup_set_id, "
                "backup_type, task_type, status, start_ts, end_ts, svr_ip, svr_port, task_trace_id, input_bytes, "
                "macro_block_count, finish_macro_block_count, start_turn_id, turn_id, retry_id, result) "
                "VALUES (%s,%s,%s,%s,1,'FULL','BACKUP_DATA_MINOR',%s,1695690001000000,0,%s,2882,%s,%s,5000,%s,1,1,0,0)",
         (tenant, job, ls_id, job, status, server, trace, nbytes, macro))


def _advance_ls(simdb, ls_id: int, macro: int) -> None:
    _sql(simdb, "UPDATE `__all_virtual_backup_ls_task` SET finish_macro_block_count = %s, input_bytes = %s "
                "WHERE ls_id = %s", (macro, macro * 2_097_152, ls_id))


def _advance_task(simdb, job: int, macro: int) -> None:
    _sql(simdb, "UPDATE `CDB_OB_BACKUP_TASKS` SET FINISH_MACRO_BLOCK_COUNT = %s, INPUT_BYTES = %s WHERE JOB_ID = %s",
         (macro, macro * 2_097_152, job))


@pytest.fixture
def stuck_cluster(simdb, tmp_path):
    """Scenario stuck-rotated (job 12, BACKUP_DATA_MINOR) plus two ls tasks the tests move."""
    simdb.load(model.load(SCENARIOS / "stuck-rotated.toml"))
    trace = _sql(simdb, "SELECT trace_id FROM `__all_virtual_backup_schedule_task`")[0]["trace_id"]
    _insert_ls(simdb, ls_id=1001, server="127.0.0.4", trace=trace)
    _insert_ls(simdb, ls_id=1002, server="127.0.0.3", trace="YB427F000003-0005E98EC5000777-0-0")
    source = _source(simdb, _logs(tmp_path, "stuck-rotated"))
    yield source
    source.close()


def test_live_healthy_long_backup_raises_nothing(simdb, stuck_cluster, tmp_path):
    clock = TestClock(datetime(2023, 9, 26, 12, 0))
    with History(tmp_path / "w.sqlite") as history:
        watcher = Watcher(stuck_cluster, history, clock=clock, stall_after=STALL, rate_window=1200)
        for i in range(36):  # three hours, a poll every 5 minutes, counters moving every 10 minutes
            step = i // 2
            _advance_task(simdb, 12, 3720 + step * 40)
            _advance_ls(simdb, 1001, step * 20)
            _advance_ls(simdb, 1002, step * 20)
            outcome = watcher.poll()
            assert outcome.exit_code == ExitCode.NOTHING_WRONG, outcome.reasons
            assert outcome.snapshot.usable and len(outcome.snapshot.ls_tasks) == 2
            clock.advance(STEP)
        assert history.counts()["events"] == 0 and history.counts()["diagnoses"] == 0
        job = outcome.jobs[0]
        assert (job.sample.tenant_id, job.sample.job_id, job.sample.stage) == (1002, 12, "BACKUP_DATA_MINOR")
        assert job.rate.bytes_per_s > 0 and job.rate.eta_s > 0


def test_live_frozen_ls_task_raises_stall_with_p2_diagnosis(simdb, stuck_cluster, tmp_path):
    clock = TestClock(datetime(2023, 9, 26, 12, 0))
    events = []
    with History(tmp_path / "w.sqlite") as history:
        watcher = Watcher(stuck_cluster, history, clock=clock, stall_after=STALL)
        last_change = None
        for i in range(12):
            _advance_task(simdb, 12, 3720 + i * 10)
            _advance_ls(simdb, 1002, i * 10)
            if i <= 2:
                _advance_ls(simdb, 1001, i * 10)
                last_change = clock.now
            outcome = watcher.poll()
            events += [(clock.now, e) for e in outcome.events]
            clock.advance(STEP)
    stalls = [(at, e) for at, e in events if e.kind == "stall"]
    assert [(e.tenant_id, e.job_id, e.ls_id) for _, e in stalls] == [(1002, 12, 1001)]
    at, stall = stalls[0]
    assert 0 <= (at - last_change).total_seconds() - STALL < STEP
    p2 = [f for f in stall.diagnosis.findings() if f["rule_id"] == "P2"]
    assert p2, stall.diagnosis.headline()
    assert p2[0]["code"] == -4009 and "127.0.0.4" in p2[0]["servers"]
    assert stall.diagnosis.exit_code == ExitCode.DIAGNOSED
    assert outcome.exit_code == ExitCode.DIAGNOSED  # still stalled at the last poll


def test_live_failed_job_attaches_p3_diagnosis(simdb, tmp_path):
    """failed-41-chain replayed: job 1 runs, then leaves CDB_OB_BACKUP_JOBS FAILED (-9082)."""
    simdb.load(model.load(SCENARIOS / "failed-41-chain.toml"))
    final = _sql(simdb, "SELECT * FROM `CDB_OB_BACKUP_JOB_HISTORY` WHERE JOB_ID = 1")[0]
    _move_job(simdb, 1, "CDB_OB_BACKUP_JOB_HISTORY", "CDB_OB_BACKUP_JOBS",
              STATUS="DOING", RESULT=0, COMMENT="", END_TIMESTAMP=None)
    _sql(simdb, "INSERT INTO `CDB_OB_BACKUP_TASKS` (TENANT_ID, TASK_ID, JOB_ID, INCARNATION, BACKUP_SET_ID, "
                "START_TIMESTAMP, STATUS, INPUT_BYTES, TABLET_COUNT, FINISH_TABLET_COUNT, MACRO_BLOCK_COUNT, "
                "FINISH_MACRO_BLOCK_COUNT, RESULT) VALUES (1002, 1, 1, 1, 1, '2023-09-26 14:30:57', "
                "'BACKUP_DATA_MAJOR', 0, 33930, 0, 9000, 0, 0)")
    clock = TestClock(datetime(2023, 9, 26, 14, 31))
    source = _source(simdb, _logs(tmp_path, "failed-41-chain"))
    try:
        with History(tmp_path / "w.sqlite") as history:
            watcher = Watcher(source, history, clock=clock, stall_after=STALL)
            for i in range(6):
                _advance_task(simdb, 1, i * 100)
                assert watcher.poll().exit_code == ExitCode.NOTHING_WRONG
                clock.advance(60)
            _sql(simdb, "DELETE FROM `CDB_OB_BACKUP_TASKS` WHERE JOB_ID = 1")
            _move_job(simdb, 1, "CDB_OB_BACKUP_JOBS", "CDB_OB_BACKUP_JOB_HISTORY", STATUS="FAILED",
                      RESULT=final["RESULT"], COMMENT=final["COMMENT"], END_TIMESTAMP=final["END_TIMESTAMP"])
            clock.advance(60)
            outcome = watcher.poll()
            stored = history.diagnoses(1002, 1)
    finally:
        source.close()
    assert [(e.kind, e.job_id, e.result) for e in outcome.events] == [("failed", 1, -9082)]
    p3 = [f for f in outcome.events[0].diagnosis.findings() if f["rule_id"] == "P3"]
    assert p3 and p3[0]["verdict"] == "confirmed" and p3[0]["code"] == -9082
    assert "127.0.0.3" in p3[0]["servers"]  # followed the chain to the executing server's log
    assert outcome.exit_code == ExitCode.DIAGNOSED and outcome.last_failure == {1002: -9082}
    assert [(d["trigger"], d["exit_code"]) for d in stored] == [("failed", 1)]


def _cli(argv, clock, env):
    import io

    from obdoctor.cli.environment import Environment
    from obdoctor.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], Environment(stdout=out, stderr=err, env=env, now=clock, color=False))
    return code, out.getvalue(), err.getvalue()


def test_live_cli_once_from_cron_raises_the_stall_with_p2(simdb, tmp_path):
    """The real source factory: flags and OBDOCTOR_DB_PASSWORD, logs read where the server's home is."""
    simdb.load(model.load(SCENARIOS / "stuck-rotated.toml"))
    node = _logs(tmp_path, "stuck-rotated")[-1]
    assert node.ip == "127.0.0.4"
    argv = ["watch", "--once", "--json", "--stall-after", "10m", "--db", tmp_path / "cron.sqlite",
            "--db-host", "127.0.0.1", "--db-port", simdb.port, "--db-user", "root@sys",
            "--server", node.ip, "--home-path", node.home_path]
    env = {"OBDOCTOR_DB_PASSWORD": simdb.password, "HOME": str(tmp_path)}
    clock = TestClock(datetime(2023, 9, 26, 12, 0))
    runs = []
    for _ in range(4):  # the job is frozen: nothing moves between the cron runs
        runs.append(_cli(argv, clock, env))
        clock.advance(STEP)
    assert [code for code, _, _ in runs] == [0, 0, 1, 1], [err for _, _, err in runs]
    events = [json.loads(line) for line in runs[2][1].splitlines() if '"type": "event"' in line]
    assert [(e["event"], e["tenant_id"], e["job_id"]) for e in events] == [("stall", 1002, 12)]
    finding = events[0]["diagnosis"]["report"]["findings"][0]
    assert finding["rule_id"] == "P2" and finding["code"] == -4009
    everything = "".join(out + err for _, out, err in runs) + (tmp_path / "cron.sqlite").read_bytes().decode("latin-1")
    assert simdb.password not in everything  # never printed, never stored


def test_live_watcher_reconnects_after_the_database_comes_back(tmp_path):
    """Poll 1 reads, the server stops (poll 2: exit 3 territory), it restarts, poll 3 reads again."""
    require_mariadb()
    database = SimulatedDatabase(tmp_path / "own-simdb")
    database.start()
    try:
        database.load(model.load(SCENARIOS / "stuck-rotated.toml"))
        base = datetime(2023, 9, 26, 12, 0)
        calls = []

        def clock():  # the poll's clock: stops and restarts the server between polls
            calls.append(1)
            if len(calls) == 2:
                database.stop()
            elif len(calls) == 3:
                database.start()
            return base

        argv = ["watch", "--polls", "3", "--interval", "0", "--json", "--db", tmp_path / "w.sqlite",
                "--db-host", "127.0.0.1", "--db-port", database.port, "--db-user", "root@sys",
                "--connect-timeout", "2"]
        code, out, err = _cli(argv, clock, {"OBDOCTOR_DB_PASSWORD": database.password, "HOME": str(tmp_path)})
    finally:
        database.stop()
    polls = [json.loads(line) for line in out.splitlines() if '"type": "poll"' in line]
    assert [p["usable"] for p in polls] == [True, False, True], err
    assert code == 0 and polls[-1]["jobs"] == 1
