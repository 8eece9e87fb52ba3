"""Exotic SQL through the real SQL source against MariaDB: whatever a caller passes, only what the
query builder writes reaches the driver; and the session itself is read-only, so the server
would refuse a write even if something got past (sources.mysql)."""

from __future__ import annotations

import pytest

from obdoctor.sources.mysql import MySqlSource, ReadOnlyViolation, fixed, select

pytestmark = pytest.mark.live

TABLE = "oceanbase.`CDB_OB_BACKUP_JOBS`"
EXOTIC = [
    "SELECT `sleep`(2)",
    f"SELECT `sleep`(2) FROM {TABLE}",
    f"SELECT `JOB_ID`, `sleep`(2) FROM {TABLE}",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = `sleep`(2)",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = SLEEP(2)",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = (SELECT SLEEP(2))",
    "SELECT NEXT VALUE FOR oceanbase.s",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = NEXT VALUE FOR oceanbase.s",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = NEXTVAL(oceanbase.s)",
    "SELECT GET_LOCK('obdoctor', 10)",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = 1 AND `TENANT_ID` = GET_LOCK('x', 1)",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = `GET_LOCK`('x', 1)",
    f"SELECT /*!50000 SLEEP(2) */ * FROM {TABLE}",
    f"SELECT /*+ QUERY_TIMEOUT(1) SLEEP(2) */ * FROM {TABLE}",
    f"SELECT * FROM {TABLE} INTO OUTFILE '/tmp/obdoctor-x'",
    f"SELECT * FROM {TABLE} LIMIT 1 FOR UPDATE",
    f"SELECT * FROM {TABLE} LOCK IN SHARE MODE",
    f"SELECT * FROM {TABLE} PROCEDURE ANALYSE()",
    f"SELECT * FROM {TABLE}; DROP TABLE {TABLE}",
    f"SELECT * FROM {TABLE};",
    f"SELECT * FROM {TABLE}\x00",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = 0x41",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = 1 OR 1=1",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = @@version",
    f"SELECT * FROM {TABLE} WHERE `JOB_ID` = @a := 1",
    f"SELECT * FROM {TABLE} WHERE `COMMENT` = _utf8mb4'x'",
    f"SELECT * FROM {TABLE} WHERE `COMMENT` = N'x'",
    f"SELECT * FROM {TABLE} WHERE `COMMENT` = 'x\\' OR 1=1 -- '",
    f"SELECT * FROM {TABLE} WHERE `COMMENT` = 'ｘ'",
    f"SELECT * FROM {TABLE} WHERE `COMMENT` = 'a' 'b'",
    f"SELECT * FROM {TABLE} -- x",
    f"SELECT * FROM {TABLE}\nWHERE `JOB_ID` = 1",
    f"SELECT\u00a0* FROM {TABLE}",
    "SELECT * FROM oceanbase.`mysql`.`user`",
    "SELECT * FROM oceanbase.`user`",
    "SELECT * FROM mysql.`user`",
    "SELECT @@time_zone, @@system_time_zone; SELECT SLEEP(2)",
    "SET SESSION TRANSACTION READ WRITE",
    "SET GLOBAL read_only = 0",
    "DO SLEEP(2)",
    "HANDLER oceanbase.`CDB_OB_BACKUP_JOBS` OPEN",
    "CALL oceanbase.p()",
    "WITH x AS (SELECT 1) SELECT * FROM x",
    "TABLE oceanbase.`CDB_OB_BACKUP_JOBS`",
    "VALUES (1)",
]


class Spy:
    """The real PyMySQL connection, with every statement it is asked to send recorded."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.sent: list[str] = []

    def cursor(self):
        cursor, sent = self.conn.cursor(), self.sent
        execute = cursor.execute

        def recording_execute(sql, args=None):
            sent.append(sql)
            return execute(sql, args)

        cursor.execute = recording_execute
        return cursor

    def __getattr__(self, name):
        return getattr(self.conn, name)


def _spied_source(simdb) -> tuple[MySqlSource, list[Spy]]:
    import pymysql

    spies: list[Spy] = []

    def connect(**kwargs):
        spies.append(Spy(pymysql.connect(**kwargs)))
        return spies[-1]

    source = MySqlSource(simdb.config())
    source.reader._connect_fn = connect
    return source, spies


@pytest.mark.parametrize("sql", EXOTIC)
def test_exotic_sql_is_refused_before_the_driver(simdb, scenarios, sql: str) -> None:
    simdb.load(scenarios["failed-41-chain"])
    source, spies = _spied_source(simdb)
    with source:
        assert source.read_table("CDB_OB_BACKUP_JOBS").available  # a real connection, in use
        before = list(spies[0].sent)
        with pytest.raises(ReadOnlyViolation):
            source.reader.query(sql)
        assert spies[0].sent == before  # nothing more reached the driver


@pytest.mark.parametrize("name", ["CDB_OB_BACKUP_JOBS` WHERE SLEEP(2) OR `x", "CDB_OB_BACKUP_JOBS`; DROP TABLE `t",
                                  "user", "mysql.user", "SLEEP(2)", "DBA_OB_TENANTS\x00", "../x"])
def test_hostile_view_names_never_reach_the_driver(simdb, scenarios, name: str) -> None:
    simdb.load(scenarios["failed-41-chain"])
    source, spies = _spied_source(simdb)
    with source:
        result = source.read_table(name)
    assert not result.available and "refused" in result.reason
    assert spies == []  # not even a connection was opened for it


def test_the_session_is_read_only_and_has_no_multi_statements_nor_local_files(simdb, scenarios) -> None:
    import pymysql
    from pymysql.constants import CLIENT

    simdb.load(scenarios["failed-41-chain"])
    source, spies = _spied_source(simdb)
    with source:
        source.read_table("DBA_OB_TENANTS")
        assert spies[0].sent[0] == fixed("read_only_session").sql and source.reader.read_only_session
        conn = spies[0].conn
        assert not conn.client_flag & CLIENT.MULTI_STATEMENTS and not conn.client_flag & CLIENT.LOCAL_FILES


def test_even_a_user_who_may_write_cannot_in_the_session(simdb, scenarios) -> None:
    """The builder is the first wall; the read-only session is the second: connected as root
    (who may write), a write sent past the builder on purpose is refused by the server itself."""
    import pymysql

    simdb.load(scenarios["failed-41-chain"])
    source = MySqlSource(simdb.config())
    source.reader._connect_fn = lambda **kw: pymysql.connect(unix_socket=str(simdb.socket), user="root", password="",
                                                             database="oceanbase", autocommit=True)
    with source:
        assert len(source.read_table("DBA_OB_TENANTS").rows) == 3 and source.reader.read_only_session
        with source.reader._conn.cursor() as cursor, pytest.raises(pymysql.MySQLError) as refused:
            cursor.execute("DELETE FROM oceanbase.`DBA_OB_TENANTS`")
        assert refused.value.args[0] == 1792  # ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
        assert len(source.read_table("DBA_OB_TENANTS").rows) == 3


def test_what_the_builder_writes_runs(simdb, scenarios) -> None:
    simdb.load(scenarios["failed-41-chain"])
    with MySqlSource(simdb.config()) as source:
        columns, rows = source.reader.query(select("CDB_OB_BACKUP_JOB_HISTORY", ["JOB_ID", "STATUS"],
                                                   where={"TENANT_ID": 1002, "STATUS": "FAILED"},
                                                   order_desc=["JOB_ID"], limit=5))
    assert columns == ["JOB_ID", "STATUS"] and rows and all(r[1] == "FAILED" for r in rows)
