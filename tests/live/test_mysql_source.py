"""The SQL source: only reads ever leave it, and on a real MariaDB standing in for the sys
tenant it gives rules the same typed evidence as the scenario's bundle, or says why not."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from obdoctor.evidence.kinds import Kind
from obdoctor.evidence import Evidence
from obdoctor.security.redaction import redact_text
from obdoctor.scenarios import generator, model
from obdoctor.sources.bundle import Bundle
from obdoctor.sources.config import ClusterConfig, Secret
from obdoctor.sources.mysql import (
    TIME_ZONE_QUERY, MySqlSource, ReadOnlyViolation, SqlTableReader, cell, check_read_only, quote_identifier,
    select,
)
from tests.conftest import EXAMPLES
from tests.live.conftest import SCENARIO_FILES

# -- the read-only guard (no database needed) --------------------------------------------------
READS = [
    "SELECT NOW(6)",
    "SELECT ob_version()",
    TIME_ZONE_QUERY,
    "SELECT * FROM oceanbase.`CDB_OB_BACKUP_JOBS`",
    "SELECT `JOB_ID`, `TENANT_ID` FROM oceanbase.`CDB_OB_BACKUP_JOBS` WHERE `TENANT_ID` = 1002 ORDER BY `JOB_ID` DESC LIMIT 5",
    "SELECT /*+ QUERY_TIMEOUT(60000000) */ `JOB_ID` FROM oceanbase.`CDB_OB_BACKUP_JOBS` LIMIT 10",
    "SELECT * FROM oceanbase.`__all_virtual_backup_ls_task`",
    "SELECT VALUE FROM oceanbase.`GV$OB_PARAMETERS` WHERE NAME = 'cluster' LIMIT 1",
]

HOSTILE = [
    "DROP TABLE oceanbase.t",
    "  insert into t values (1)",
    "UPDATE t SET a = 1",
    "SELECT 1; DROP TABLE t",
    "SELECT 1;DROP TABLE t",
    "SELECT 1 ; ; ",
    "DESCRIBE t; DELETE FROM t",
    "SELECT * FROM `t`; DELETE FROM `t`",
    "/*!50000 DROP TABLE t*/ SELECT 1",
    "SELECT 1 /*!50000 ; DROP TABLE t */",
    "SELECT 1 -- \nDROP TABLE t",
    "SELECT 1 # comment\n; DROP TABLE t",
    "SELECT * FROM t INTO OUTFILE '/tmp/x'",
    "SELECT * FROM t INTO DUMPFILE '/tmp/x'",
    "SELECT a INTO @v FROM t",
    "SELECT * FROM t FOR UPDATE",
    "SELECT * FROM t FOR UPDATE NOWAIT",
    "SELECT * FROM t LOCK IN SHARE MODE",
    "SELECT * FROM t FOR SHARE SKIP LOCKED",
    "WITH x AS (SELECT 1) DELETE FROM t",
    "EXPLAIN ANALYZE DELETE FROM t",
    "ANALYZE TABLE t",
    "SELECT LOAD_FILE('/etc/passwd')",
    "SELECT GET_LOCK('a', 10)",
    "SELECT BENCHMARK(100000000, MD5('x'))",
    "SELECT SLEEP(1000)",
    "SELECT NEXTVAL(s)",
    "SELECT @a := 1",
    "SET GLOBAL read_only = 0",
    "CALL p()",
    "HANDLER t OPEN",
    "ALTER SYSTEM MAJOR FREEZE",
    "KILL 1",
    "SELECT 'a\\'; DROP TABLE t; -- '",
    "SELECT 'unterminated",
    "SELECT `unterminated",
    "SELECT 1\x00; DROP TABLE t",
    "",
    "   ;  ",
    "sElEcT 1 UnIoN sElEcT 2 InTo DuMpFiLe 'x'",
    "SELECT /*+ QUERY_TIMEOUT(1) */ 1; DROP TABLE t",
    "SELECT /*+ QUERY_TIMEOUT(1) DROP */ 1",
    "SELECT /*+ QUERY_TIMEOUT(1) */ /*+ QUERY_TIMEOUT(2) */ 1",
    "SELECT /*!+ QUERY_TIMEOUT(1) */ 1",
    "SELECT /*+ QUERY_TIMEOUT(1) */ 1 INTO OUTFILE 'x'",
    "DELETE /*+ QUERY_TIMEOUT(1) */ FROM t",
    "SELECT /*+ QUERY_TIMEOUT(1) */",
    # what was a read under the old keyword guard, and is not a statement obdoctor writes
    "SELECT 1",
    "SHOW TABLES",
    "DESCRIBE oceanbase.`__all_virtual_backup_ls_task`",
    "SELECT `sleep`(2)",
    "SELECT `JOB_ID`, `sleep`(2) FROM oceanbase.`CDB_OB_BACKUP_JOBS`",
    "SELECT NEXT VALUE FOR s",
    "SELECT * FROM oceanbase.`CDB_OB_BACKUP_JOBS` WHERE `JOB_ID` = NEXT VALUE FOR s",
    "SELECT * FROM oceanbase.`CDB_OB_BACKUP_JOBS` WHERE `JOB_ID` = GET_LOCK('a', 10)",
    "SELECT * FROM oceanbase.`t`",
    "SELECT `PASSWORD_HASH` FROM oceanbase.`CDB_OB_BACKUP_JOBS`",
    "SELECT * FROM oceanbase.`CDB_OB_BACKUP_JOBS` WHERE `TENANT_ID` = 'x'' OR 1=1'",
    "SELECT * FROM oceanbase.`CDB_OB_BACKUP_JOBS` LIMIT 1 ",
    "select * from oceanbase.`CDB_OB_BACKUP_JOBS`",
]


@pytest.mark.parametrize("sql", READS)
def test_reads_pass_the_guard(sql: str) -> None:
    assert check_read_only(sql)


@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_statements_refused(sql: str) -> None:
    with pytest.raises(ReadOnlyViolation):
        check_read_only(sql)


@pytest.mark.parametrize("name", ["x`; DROP TABLE t; --", "a b", "", "t/*", "CDB_OB_BACKUP_JOBS;", "1job", "a" * 65,
                                  "名字"])
def test_hostile_identifiers_refused(name: str) -> None:
    with pytest.raises(ReadOnlyViolation):
        quote_identifier(name)


class RecordingConnection:
    """Stands in for PyMySQL: records what would be sent (nothing, for hostile input)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def cursor(self):
        conn = self

        class Cursor:
            description = [("a",)]

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def mogrify(self, sql, args):
                import pymysql.converters

                return sql % tuple(pymysql.converters.escape_item(a, "utf8mb4") for a in args)

            def execute(self, sql):
                conn.sent.append(sql)

            def fetchall(self):
                return [(1,)]

        return Cursor()

    def close(self) -> None:
        pass


def recording_reader(**kwargs) -> tuple[SqlTableReader, RecordingConnection]:
    conn = RecordingConnection()
    config = ClusterConfig(db_host="127.0.0.1", db_password=Secret("pw"))
    return SqlTableReader(config, connect=lambda **_: conn, **kwargs), conn


@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_statement_never_reaches_the_wire(sql: str) -> None:
    reader, conn = recording_reader()
    with pytest.raises(ReadOnlyViolation):
        reader.query(sql)
    assert conn.sent == []


@pytest.mark.parametrize("value", ["x'; DROP TABLE t; -- ", "a\\b", "1 OR 1=1'", True, 1.5, 10 ** 20, None])
def test_hostile_literals_are_refused_by_the_builder(value) -> None:
    with pytest.raises(ReadOnlyViolation):
        select("CDB_OB_BACKUP_JOBS", where={"TENANT_ID": value})


def test_the_builder_writes_what_the_guard_admits() -> None:
    reader, conn = recording_reader()
    statement = select("CDB_OB_BACKUP_JOBS", ["JOB_ID"], where={"TENANT_ID": 1002}, order_desc=["JOB_ID"], limit=3)
    reader.query(statement)
    assert conn.sent[-1] == ("SELECT `JOB_ID` FROM oceanbase.`CDB_OB_BACKUP_JOBS` WHERE `TENANT_ID` = 1002 "
                             "ORDER BY `JOB_ID` DESC LIMIT 3")
    assert conn.sent[0] == "SET SESSION TRANSACTION READ ONLY"  # the session opened read-only first
    with pytest.raises(ReadOnlyViolation):  # a name outside the catalogue
        select("CDB_OB_BACKUP_JOBS", ["JOB_ID`, `sleep`(2) AS `x"])


def test_hostile_view_name_is_unavailable_not_sent() -> None:
    reader, conn = recording_reader()
    result = reader.read_table("CDB_OB_BACKUP_JOBS`; DROP TABLE t; --")
    assert not result.available and "refused" in result.reason
    assert not any("DROP" in s for s in conn.sent)


def test_filters_must_be_integers() -> None:
    with pytest.raises(ValueError):
        SqlTableReader(ClusterConfig(db_host="127.0.0.1"), tenant_id="1002 OR 1=1")


def test_typed_cells_become_what_records_parse() -> None:
    assert cell(datetime(2023, 9, 26, 14, 30, 56)) == "2023-09-26 14:30:56.000000"
    assert cell(datetime(2023, 9, 26, 14, 30, 56, 775981)) == "2023-09-26 14:30:56.775981"
    assert cell(-9082) == -9082 and cell(None) is None
    assert cell(Decimal("12.50")) == "12.50"
    assert cell("backup，fullwidth".encode()) == "backup，fullwidth"


# -- on the simulated cluster --------------------------------------------------------------------
def _plain(item) -> object:
    """A record without its provenance (which says *where* it came from, and differs).

    Text is compared as redacted: the live source masks credentials (``access_key=***``) before
    they can reach a collected bundle; a bundle keeps what the DBA saved.
    """
    if isinstance(item, str):
        return redact_text(item)
    if dataclasses.is_dataclass(item):
        return {f.name: _plain(getattr(item, f.name)) for f in dataclasses.fields(item) if f.name != "provenance"}
    if isinstance(item, dict):
        return {k: _plain(v) for k, v in item.items()}
    if isinstance(item, (list, tuple)):
        return [_plain(v) for v in item]
    return item


def _records(evidence: Evidence) -> dict[str, list]:
    out = {}
    for kind in Kind:
        if kind == Kind.MOUNTS:  # read over SSH, not SQL: the SSH tests compare them (test_mounts_live, test_diagnose)
            continue
        out[kind.value] = sorted((repr(_plain(r)) for r in evidence.get(kind).items))
    return out


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_every_scenario_reads_back_as_its_bundle(simdb, path: Path) -> None:
    scenario = model.load(path)
    simdb.load(scenario)
    with Bundle(EXAMPLES / scenario.name) as bundle, MySqlSource(simdb.config()) as live:
        offline, online = Evidence(bundle), Evidence(live)
        assert online.info.version == scenario.version
        assert online.info.collected_at == scenario.collected_at == offline.collected_at
        assert online.info.cluster == scenario.cluster_name
        assert online.info.notes == []
        expected, got = _records(offline), _records(online)
        assert got == expected
        assert sum(map(len, got.values())) >= sum(len(t.rows) for t in scenario.sql)
        assert got or not any(t.rows for t in scenario.sql)  # a logs-only scenario has no row
        problems = [p for t in online.tables_read() for p in t.problems]
        assert problems == [p for t in offline.tables_read() for p in t.problems]  # malformed cells alike


def test_credentials_in_paths_are_masked_at_the_source(simdb, scenarios) -> None:
    scenario = scenarios["archive-lagging"]
    declared = [r["PATH"] for t in scenario.sql if t.view == "CDB_OB_ARCHIVELOG" for r in t.rows]
    assert any("access_key=" in p and "access_key=***" not in p for p in declared)
    simdb.load(scenario)
    with MySqlSource(simdb.config()) as live:
        paths = [r.get("PATH") for r in live.read_table("CDB_OB_ARCHIVELOG").rows]
    assert paths and all("access_key=***" in p and "access_id=***" in p for p in paths)


def test_typed_values_flow_into_rows(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    with MySqlSource(simdb.config()) as live:
        row = live.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows[0]
        assert row.get("JOB_ID") == 1 and row.get("RESULT") == -9082  # BIGINT stays an int
        assert row.get("START_TIMESTAMP") == "2023-09-26 14:30:56.775981"
        assert row.get("PASSWD") is None and not row.has("PASSWD")  # secret columns are never read
        assert row.provenance.kind == "sql" and row.provenance.row == 1
        assert "127.0.0.1" in row.provenance.location


def test_dba_rows_of_a_user_tenant_are_in_cdb(simdb, tmp_path: Path) -> None:
    """A scenario read in tenant 1002 (DBA_ views only): the sys tenant sees it through CDB_."""
    scenario = model.load(_dba_scenario(tmp_path))
    simdb.load(scenario)
    bundle_dir = generator.write_bundle(scenario, tmp_path / "bundle")
    with Bundle(bundle_dir) as bundle, MySqlSource(simdb.config()) as live:
        offline, online = Evidence(bundle), Evidence(live)
        assert online.info.dba_tenant_id == offline.info.dba_tenant_id == 1002
        assert online.get(Kind.JOB_HISTORY).source == "CDB_OB_BACKUP_JOB_HISTORY"
        assert offline.get(Kind.JOB_HISTORY).source == "DBA_OB_BACKUP_JOB_HISTORY"
        assert _records(online)["job_history"] == _records(offline)["job_history"] != []
        assert [j.tenant_id for j in online.get(Kind.JOB_HISTORY)] == [1002, 1002]


def _dba_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "dba-only.toml"
    path.write_text("""\
[scenario]
name = "dba-only"
summary = "read in the user tenant"
version = "4.2.1.0"
collected_at = 2024-01-02T03:04:05
dba_tenant_id = 1002

[cluster]
servers = ["127.0.0.2"]

[[sql]]
view = "DBA_OB_BACKUP_JOB_HISTORY"
format = "csv"
rows = [
  { JOB_ID = 7, BACKUP_SET_ID = 3, STATUS = "FAILED", RESULT = -4016, START_TIMESTAMP = "2024-01-02 01:00:00", COMMENT = "(SERVER)ls_id: 1001，addr: 127.0.0.2:2882，module: BACKUP_DATA，result: -4016(OB_ERR_UNEXPECTED)" },
  { JOB_ID = 8, BACKUP_SET_ID = 4, STATUS = "COMPLETED", RESULT = 0, START_TIMESTAMP = "2024-01-02 02:00:00.000001", END_TIMESTAMP = "2024-01-02 02:30:00" },
]
""", encoding="utf-8")
    return path


def test_filters_are_pushed_down_and_rows_come_oldest_first(simdb, scenarios) -> None:
    scenario = scenarios["healthy"]
    simdb.load(scenario)
    with MySqlSource(simdb.config(), tenant_id=1002) as live:
        jobs = live.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        sent = live.reader.queries["CDB_OB_BACKUP_JOB_HISTORY"]
        assert "WHERE `TENANT_ID` = 1002" in sent and "ORDER BY `JOB_ID` DESC" in sent
        assert sent.startswith("SELECT /*+ QUERY_TIMEOUT(10000000) */ `TENANT_ID`, ")  # OceanBase's own limit
        assert jobs.rows and {r.get("TENANT_ID") for r in jobs.rows} == {1002}
        declared = [r for t in scenario.sql if t.view == "CDB_OB_BACKUP_JOB_HISTORY" for r in t.rows]
        assert len(jobs.rows) == sum(1 for r in declared if r.get("TENANT_ID") == 1002)
        events = live.read_table("DBA_OB_ROOTSERVICE_EVENT_HISTORY")  # no TENANT_ID column: not filtered
        assert "WHERE" not in live.reader.queries["DBA_OB_ROOTSERVICE_EVENT_HISTORY"]
        stamps = [r.get("TIMESTAMP") for r in events.rows]
        assert stamps == sorted(stamps) and len(stamps) > 1
        tenants = live.read_table("DBA_OB_TENANTS")  # context for every tenant: never filtered
        assert len(tenants.rows) == len(next(t.rows for t in scenario.sql if t.view == "DBA_OB_TENANTS")) > 1
    with MySqlSource(simdb.config(), tenant_id=1002, job_id=-1) as live:
        assert live.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows == []


def test_a_row_cap_is_never_silent(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    with MySqlSource(simdb.config(), max_rows=2) as live:
        events = live.read_table("DBA_OB_ROOTSERVICE_EVENT_HISTORY")
        assert [r.get("EVENT") for r in events.rows] == ["persist_set_task", "deal with failed job"]  # the newest 2
        assert events.problems and "only the newest 2 rows" in events.problems[0]


def test_missing_view_is_unavailable_with_the_reason(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"], omit=["CDB_OB_BACKUP_JOB_HISTORY"])
    with MySqlSource(simdb.config()) as live:
        result = live.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        assert not result.available and result.rows == []
        assert "1146" in result.reason and "does not exist" in result.reason
        found = Evidence(live).get(Kind.JOB_HISTORY)  # falls back to the DBA_ view, as with a bundle
        assert found.source == "DBA_OB_BACKUP_JOB_HISTORY"


def test_missing_column_falls_back_to_select_star(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    simdb.drop_column("CDB_OB_BACKUP_JOB_HISTORY", "COMMENT")
    with MySqlSource(simdb.config(), tenant_id=1002) as live:
        result = live.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        assert result.available and len(result.rows) == 1
        assert not result.rows[0].has("COMMENT") and result.rows[0].get("RESULT") == -9082
        assert "1054" in result.problems[0] and "COMMENT" in result.problems[0]
    with MySqlSource(simdb.config(), tenant_id=1) as live:  # the filter still applies (here, not in SQL)
        assert live.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows == []


def test_proxy_user_form_logs_in(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    config = simdb.config(db_user="root", tenant="sys", cluster_name="obcluster", via_proxy=True)
    assert config.login_user() == "root@sys#obcluster"
    with MySqlSource(config) as live:
        assert live.info().version == "4.1.0.2"
        assert len(live.read_table("DBA_OB_TENANTS").rows) == 3


def test_wrong_password_is_clear_and_not_retried(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    wrong = "Wr0ng-Secret-Pw"
    with MySqlSource(simdb.config(db_password=Secret(wrong))) as live:
        info = live.info()
        assert any("Access denied" in n for n in info.notes)
        result = live.read_table("DBA_OB_TENANTS")
        assert not result.available and "Access denied" in result.reason
        assert wrong not in result.reason and wrong not in repr(info) and simdb.password not in result.reason


def test_mariadb_stopped_mid_run(private_simdb, scenarios) -> None:
    private_simdb.load(scenarios["failed-41-chain"])
    with MySqlSource(private_simdb.config()) as live:
        assert live.read_table("DBA_OB_TENANTS").available
        private_simdb.stop()
        result = live.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        assert not result.available
        assert f"127.0.0.1:{private_simdb.port}" in result.reason
        assert "lost the connection" in result.reason or "cannot connect" in result.reason
        started = time.monotonic()
        again = live.read_table("__all_virtual_backup_ls_task_history")  # fails fast, same reason
        assert not again.available and time.monotonic() - started < 1
        evidence = Evidence(live)
        assert not evidence.get(Kind.JOB_HISTORY).available  # a "could not check", not a crash
        private_simdb.start()  # same datadir and port: the database comes back
        live.reset()  # a long-lived user (watch) reconnects
        assert live.read_table("DBA_OB_TENANTS").available
        assert live.info().version == "4.1.0.2"


def test_closed_port_is_refused_quickly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when we connect
    config = ClusterConfig(db_host="127.0.0.1", db_port=port, db_password=Secret("x"), connect_timeout=2)
    started = time.monotonic()
    with MySqlSource(config) as live:
        result = live.read_table("DBA_OB_TENANTS")
        assert any("cannot connect" in n for n in live.info().notes)
    assert time.monotonic() - started < 2
    assert not result.available and f"cannot connect to 127.0.0.1:{port}" in result.reason


def test_silent_server_times_out() -> None:
    """A port that accepts but never answers (a hung observer): bounded by the timeouts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        config = ClusterConfig(db_host="127.0.0.1", db_port=server.getsockname()[1], db_password=Secret("x"),
                               connect_timeout=1, read_timeout=1)
        started = time.monotonic()
        with MySqlSource(config) as live:
            first = live.read_table("DBA_OB_TENANTS")
            second = live.read_table("CDB_OB_BACKUP_JOBS")
        elapsed = time.monotonic() - started
        assert not first.available and "no answer from" in first.reason and "within 1s" in first.reason
        assert not second.available
        assert elapsed < 4, elapsed  # one timeout, not one per view
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


def test_slow_view_times_out_without_hiding_the_others(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    simdb.execute_admin("CREATE VIEW `oceanbase`.`DBA_OB_RESTORE_PROGRESS` AS SELECT SLEEP(3) AS x")
    try:
        with MySqlSource(simdb.config(read_timeout=1)) as live:
            started = time.monotonic()
            slow = live.read_table("DBA_OB_RESTORE_PROGRESS")  # a catalogue name, no catalogue columns: SELECT *
            assert time.monotonic() - started < 2.5
            assert not slow.available and "within 1s" in slow.reason
            assert live.read_table("DBA_OB_TENANTS").available  # the next view reconnects and is read
    finally:
        simdb.kill_client_queries()


def test_version_before_ob_version_function(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    simdb.execute_admin("DROP FUNCTION `oceanbase`.`ob_version`")
    with MySqlSource(simdb.config()) as live:
        info = live.info()
        assert info.version is None and any("not an OceanBase version" in n for n in info.notes)
        # unknown version: SELECT *, filtered and ordered on columns every version has
        result = live.read_table("__all_virtual_backup_schedule_task")
        assert result.available and result.problems == []
        jobs = MySqlSource(simdb.config(), tenant_id=1002)
        history = jobs.read_table("CDB_OB_BACKUP_JOB_HISTORY")
        sent = jobs.reader.queries["CDB_OB_BACKUP_JOB_HISTORY"]
        jobs.close()
        assert sent.startswith("SELECT /*+ QUERY_TIMEOUT(10000000) */ * FROM") and "WHERE `TENANT_ID` = 1002" in sent and "ORDER BY `JOB_ID` DESC" in sent
        assert [r.get("JOB_ID") for r in history.rows] == [1] and not history.rows[0].has("PASSWD")


def test_the_simulated_cluster_listens_on_loopback_only(simdb) -> None:
    with simdb.admin() as conn, conn.cursor() as cur:
        cur.execute("SELECT @@bind_address, @@skip_networking")
        assert cur.fetchone() == ("127.0.0.1", 0)


def test_writes_are_refused_by_the_guard_before_the_server(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    with MySqlSource(simdb.config()) as live:
        with pytest.raises(ReadOnlyViolation):
            live.reader.query("DELETE FROM oceanbase.`DBA_OB_TENANTS`")
        assert len(live.read_table("DBA_OB_TENANTS").rows) == 3


def test_live_tests_skip_with_the_reason_without_mariadb(monkeypatch) -> None:
    from tests.live import conftest

    monkeypatch.setattr(conftest, "find_binaries", lambda: None)
    with pytest.raises(pytest.skip.Exception, match="MariaDB is not installed"):
        conftest.require_mariadb()


# -- the guard against a server that would execute anything ---------------------------------------
_READS = ["SELECT 1", "SELECT a FROM t", "SELECT a FROM canary.t WHERE a = 1", "SHOW TABLES", "DESC t",
          "SELECT 'x'", "SELECT `a` FROM `t`"]
_JUNK = [";", ";", "/*", "*/", "/*!", "/*!50000", "/*+", "/*+ QUERY_TIMEOUT(1) */", "--", "-- ", "#", "\n", "'", '"',
         "`", "\\", "''", "'a''b'", "x'", "INTO", "@v", ":=", "FOR UPDATE", "UNION", ",", "(", ")", "1"]
_WRITES = ["DROP TABLE canary.t", "DELETE FROM canary.t", "INSERT INTO canary.t VALUES (2)", "UPDATE canary.t SET a = 2",
           "TRUNCATE canary.t", "CREATE TABLE canary.u (b INT)", "RENAME TABLE canary.t TO canary.v",
           "ALTER TABLE canary.t ADD b INT", "REPLACE INTO canary.t VALUES (3)"]


def test_whatever_the_guard_passes_cannot_write(simdb) -> None:
    """A read, hostile glue, a write: run by a user who may write, multi-statements on, on a
    server that would execute anything. Whatever the guard lets through leaves the canary as it was."""
    import pymysql
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from pymysql.constants import CLIENT

    simdb.execute_admin("CREATE DATABASE IF NOT EXISTS canary")
    simdb.execute_admin("CREATE OR REPLACE TABLE canary.t (a INT)")
    simdb.execute_admin("INSERT INTO canary.t VALUES (1)")
    conn = pymysql.connect(unix_socket=str(simdb.socket), user="root", password="", database="canary",
                           autocommit=True, client_flag=CLIENT.MULTI_STATEMENTS)
    passed = []

    def state():
        with conn.cursor() as cur:
            try:
                cur.execute("SELECT COUNT(*), SUM(a) FROM canary.t")
                rows = cur.fetchone()
            except pymysql.MySQLError as exc:
                rows = f"canary.t unreadable: {exc}"
            cur.execute("SELECT COLUMN_NAME, TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'canary'")
            return rows, sorted(cur.fetchall())

    before = state()

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.sampled_from(_READS), st.lists(st.sampled_from(_JUNK), max_size=4), st.sampled_from(_WRITES),
           st.lists(st.sampled_from(_JUNK), max_size=2), st.sampled_from([" ", "", "\n"]))
    def run(read, glue, write, tail, joiner):
        sql = joiner.join([read, *glue, write, *tail])
        try:
            checked = check_read_only(sql)
        except ReadOnlyViolation:
            return
        passed.append(checked)
        try:
            with conn.cursor() as cur:
                cur.execute(checked.sql)
                while cur.nextset():
                    pass
        except pymysql.MySQLError:
            pass  # not valid SQL: fine, as long as nothing was written
        assert state() == before, checked

    try:
        run()
    finally:
        conn.close()
        simdb.execute_admin("DROP DATABASE IF EXISTS canary")
    assert passed == []  # an allow-list: no read with glue and a write attached is a statement obdoctor writes
