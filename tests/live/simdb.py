"""A simulated OceanBase sys tenant: a real MariaDB holding the real view names and columns.

The tests start it themselves (own datadir in a temp dir, loopback only, a free port) and load
the same scenario declarations the offline examples come from. What makes it faithful enough:

- every view and internal table of ``data/ob_views.json`` is a real table with the columns of
  the scenario's version and real types (BIGINT ids, DATETIME(6) times), names matched
  case-insensitively (``--lower-case-table-names=1``) as OceanBase does;
- the client logs in as ``root@sys`` over TCP, with a password, and may only SELECT/EXECUTE;
- ``ob_version()``, ``EFFECTIVE_TENANT_ID()`` and ``GV$OB_PARAMETERS`` answer as the cluster of
  the scenario would, and ``NOW()`` is the scenario's ``collected_at`` (``init_connect`` sets
  the session clock: a stuck job is judged against the same "now" as the bundle);
- the sys tenant's ``CDB_`` view is the union of every tenant's ``DBA_`` view: a scenario that
  declares only ``DBA_X`` rows (read in tenant ``dba_tenant_id``) also fills ``CDB_X``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pymysql

from obdoctor.evidence.clock import parse_offset
from obdoctor.catalog.views import columns as view_columns
from obdoctor.catalog.views import known_views, view
from obdoctor.scenarios.generator import sql_rows as scenario_rows
from obdoctor.scenarios.model import Scenario
from obdoctor.sources.config import ClusterConfig, Secret

USER = "root@sys"
PROXY_USER = "root@sys#obcluster"
HOST = "127.0.0.1"


def find_binaries() -> tuple[str, str] | None:
    """(mariadb-install-db, mariadbd), or None when MariaDB is not installed."""
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    server = shutil.which("mariadbd") or next(
        (p for p in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld") if os.access(p, os.X_OK)), None)
    return (install, server) if install and server else None


def _die_with_parent() -> None:
    """Linux: SIGTERM to mariadbd if the test process dies without stopping it (pytest killed)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def mariadb_type(ob_type: str) -> str:
    """OceanBase column type -> MariaDB; long VARCHARs become TEXT (MariaDB's 64 KB row limit)."""
    text = ob_type.strip().lower()
    if m := re.fullmatch(r"varchar\((\d+)\)", text):
        size = int(m.group(1))
        return f"VARCHAR({size})" if size <= 512 else ("TEXT" if size <= 16_000 else "MEDIUMTEXT")
    if text.startswith("varchar"):
        return "VARCHAR(256)"
    if text.startswith("bigint"):
        return "BIGINT UNSIGNED" if "unsigned" in text else "BIGINT"
    if text.startswith(("timestamp", "datetime")):
        return "DATETIME(6)"
    if m := re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", text):
        return f"DECIMAL({m.group(1)},{m.group(2)})"
    if text == "double":
        return "DOUBLE"
    if text == "longtext":
        return "LONGTEXT"
    return "TEXT"


def _types(name: str) -> dict[str, str]:
    """Column name (upper) -> MariaDB type, over every version the data file knows."""
    return {c["name"].upper(): mariadb_type(c["type"]) for c in view_columns(name)}


@dataclass
class Loaded:
    scenario: str
    version: str
    rows: dict[str, int] = field(default_factory=dict)
    """Rows inserted per table (mirrored CDB_ tables included)."""


class SimulatedDatabase:
    """One mariadbd process with the ``oceanbase`` schema; start, load scenarios, stop."""

    def __init__(self, base_dir: Path, *, port: int | None = None):
        self.base_dir = Path(base_dir)
        self.datadir = self.base_dir / "data"
        self.socket = self.base_dir / "mariadb.sock"
        self.log = self.base_dir / "mariadb.err"
        self.port = port or 0
        self.password = "sim-" + secrets.token_hex(8)
        self.process: subprocess.Popen | None = None
        self.loaded: Loaded | None = None

    # -- process ----------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> "SimulatedDatabase":
        binaries = find_binaries()
        if binaries is None:
            raise RuntimeError("MariaDB is not installed (mariadb-install-db, mariadbd)")
        install, server = binaries
        if not (self.datadir / "mysql").is_dir():
            self.base_dir.mkdir(parents=True, exist_ok=True)
            done = subprocess.run(
                [install, "--no-defaults", f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
                 "--skip-test-db", "--lower-case-table-names=1", *self._as_user()],
                capture_output=True, text=True, timeout=120,
            )
            if done.returncode != 0:
                raise RuntimeError(f"mariadb-install-db failed: {done.stderr[-2000:] or done.stdout[-2000:]}")
        for attempt in range(3):  # another process may take the free port before we bind it
            self.port = self.port or free_port()
            self.log.write_text("")
            self.process = subprocess.Popen(
                [server, "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}",
                 f"--port={self.port}", f"--bind-address={HOST}", *self._as_user(), "--lower-case-table-names=1",
                 "--default-time-zone=+00:00", "--skip-name-resolve", "--skip-log-bin",
                 f"--pid-file={self.base_dir / 'mariadb.pid'}", f"--log-error={self.log}",
                 "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                 "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0", "--max-connections=50",
                 "--performance-schema=OFF"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            if self._wait_ready(timeout):
                break
            self.stop()
            if "already in use" not in self.log.read_text(errors="replace") or attempt == 2:
                raise RuntimeError(f"mariadbd did not start: {self.log.read_text(errors='replace')[-2000:]}")
            self.port = 0
        self._create_users()
        return self

    @staticmethod
    def _as_user() -> list[str]:
        """As root mariadbd must be told to stay root (it refuses otherwise); as anyone else, nothing."""
        return ["--user=root"] if os.geteuid() == 0 else []

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            if self.socket.exists():
                try:
                    self.admin().close()
                    return True
                except pymysql.MySQLError:
                    pass
            time.sleep(0.05)
        return False

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to our own mariadbd (by pid), then wait; SIGKILL only if it will not stop."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def admin(self) -> pymysql.connections.Connection:
        """root over the unix socket: the only connection that may write (the loader's)."""
        return pymysql.connect(unix_socket=str(self.socket), user="root", password="", charset="utf8mb4",
                               autocommit=True, connect_timeout=5)

    def _create_users(self) -> None:
        with self.admin() as conn, conn.cursor() as cur:
            for user in (USER, PROXY_USER):
                cur.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", (user, self.password))
                cur.execute("ALTER USER %s@'%%' IDENTIFIED BY %s", (user, self.password))
                # SELECT and EXECUTE only: the server would refuse a write, and init_connect
                # (the scenario's clock) applies to users without SUPER.
                cur.execute("GRANT SELECT, EXECUTE ON `oceanbase`.* TO %s@'%%'", (user,))

    # -- what a client needs ----------------------------------------------------------------
    def config(self, **changes: Any) -> ClusterConfig:
        """A ClusterConfig pointing at this database as ``root@sys``, with short timeouts."""
        values: dict[str, Any] = dict(db_host=HOST, db_port=self.port, db_user=USER, db_password=Secret(self.password),
                                      connect_timeout=5.0, read_timeout=10.0, origin="simulated cluster")
        values.update(changes)
        return ClusterConfig(**values)

    # -- scenarios -----------------------------------------------------------------------------
    def load(self, scenario: Scenario, *, omit: Iterable[str] = ()) -> Loaded:
        """Replace the ``oceanbase`` schema with the scenario's version and insert its rows.

        ``omit``: views not to create at all (a view missing on this cluster: error 1146).
        """
        omitted = {o.upper() for o in omit}
        declared = {t.view.upper(): t for t in scenario.sql}
        tables: dict[str, tuple[list[str], list[dict]]] = {}
        for table in scenario.sql:
            tables[table.view.upper()] = scenario_rows(scenario, table.view, table.rows)
        self._mirror_dba_into_cdb(scenario, declared, tables)
        loaded = Loaded(scenario.name, scenario.version)
        with self.admin() as conn, conn.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS `oceanbase`")
            cur.execute("CREATE DATABASE `oceanbase` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
            cur.execute("USE `oceanbase`")
            # every known view, plus any the scenario declares that the data file does not know
            for name in dict.fromkeys([*(v.upper() for v in known_views()), *tables]):
                if name in omitted:
                    continue
                if name in tables:
                    columns = tables[name][0]
                else:
                    columns = [c["name"] for c in view_columns(name, scenario.version)]
                if columns:  # no column in this version: the view does not exist yet (1146)
                    self._create_table(cur, name, columns)
            for name, (columns, rows) in tables.items():
                if name in omitted:
                    continue
                self._insert(cur, scenario, name, columns, rows)
                loaded.rows[name] = len(rows)
            self._cluster_facts(cur, scenario)
        self.loaded = loaded
        return loaded

    @staticmethod
    def _mirror_dba_into_cdb(scenario: Scenario, declared: dict, tables: dict) -> None:
        for name in list(tables):
            if not name.startswith("DBA_"):
                continue
            twin = "CDB_" + name[4:]
            if twin in declared or view(twin) is None:
                continue
            columns, rows = tables[name]
            twin_columns = [c["name"] for c in view_columns(twin, scenario.version)]
            if not any(c.upper() == "TENANT_ID" for c in twin_columns):
                continue
            mirrored = []
            for row in rows:
                by_upper = {k.upper(): v for k, v in row.items()}
                if by_upper.get("TENANT_ID") is None:
                    if scenario.dba_tenant_id is None:
                        break  # whose rows these are is unknown: leave CDB_ empty, as the bundle has it
                    by_upper["TENANT_ID"] = scenario.dba_tenant_id
                mirrored.append({c: by_upper.get(c.upper()) for c in twin_columns})
            else:
                tables[twin] = (twin_columns, mirrored)

    @staticmethod
    def _create_table(cur, name: str, columns: list[str]) -> None:
        types = _types(name)
        defs = ", ".join(f"`{c}` {types.get(c.upper(), 'BIGINT' if c.upper() == 'TENANT_ID' else 'TEXT')} NULL"
                         for c in columns)
        cur.execute(f"CREATE TABLE `{name}` ({defs}) DEFAULT CHARSET=utf8mb4")

    @staticmethod
    def _insert(cur, scenario: Scenario, name: str, columns: list[str], rows: list[dict]) -> None:
        if not rows:
            return
        sql = (f"INSERT INTO `{name}` ({', '.join(f'`{c}`' for c in columns)}) "
               f"VALUES ({', '.join(['%s'] * len(columns))})")
        for index, row in enumerate(rows, 1):
            values = [row.get(c) for c in columns]
            try:
                cur.execute(sql, values)
            except pymysql.MySQLError as exc:
                raise ValueError(f"scenario {scenario.name}: {name} row {index} does not fit the table: {exc}") from exc

    def _cluster_facts(self, cur, scenario: Scenario) -> None:
        cur.execute("CREATE FUNCTION `ob_version`() RETURNS VARCHAR(64) CHARSET utf8mb4 DETERMINISTIC RETURN %s",
                    (scenario.version,))
        tenant = scenario.dba_tenant_id if scenario.dba_tenant_id is not None else 1
        cur.execute(f"CREATE FUNCTION `effective_tenant_id`() RETURNS BIGINT DETERMINISTIC RETURN {int(tenant)}")
        cur.execute("CREATE TABLE `GV$OB_PARAMETERS` (`SVR_IP` VARCHAR(46), `SVR_PORT` BIGINT, `ZONE` VARCHAR(128), "
                    "`SCOPE` VARCHAR(64), `TENANT_ID` BIGINT, `NAME` VARCHAR(128), `DATA_TYPE` VARCHAR(128), "
                    "`VALUE` TEXT, `INFO` TEXT, `SECTION` VARCHAR(128), `EDIT_LEVEL` VARCHAR(128))")
        for ip in scenario.servers or ["127.0.0.1"]:
            cur.execute("INSERT INTO `GV$OB_PARAMETERS` VALUES (%s, %s, 'zone1', 'CLUSTER', NULL, 'cluster', "
                        "'STRING', %s, 'Name of the cluster', 'OBSERVER', 'STATIC_EFFECTIVE')",
                        (ip, scenario.port, scenario.cluster_name))
        # the scenario's session zone (views' clock; every session inherits the global one) while
        # mariadbd's own OS zone, @@system_time_zone, stays the machine's (UTC): a skewed cluster
        zone = scenario.time_zone or "+00:00"
        cur.execute("SET GLOBAL time_zone = %s", (zone,))
        offset = parse_offset(zone, scenario.collected_at) or timedelta(0)
        collected = scenario.collected_at.replace(tzinfo=timezone(offset)).timestamp()
        cur.execute(f"SET GLOBAL init_connect = 'SET timestamp = {collected:.6f}'")

    def drop_column(self, table: str, column: str) -> None:
        """Make a column missing (error 1054 for a client that asks for it)."""
        with self.admin() as conn, conn.cursor() as cur:
            cur.execute(f"ALTER TABLE `oceanbase`.`{table}` DROP COLUMN `{column}`")

    def kill_client_queries(self) -> None:
        """End what clients still run (a test's slow view), so the next load does not wait on it."""
        with self.admin() as conn, conn.cursor() as cur:
            cur.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE USER IN (%s, %s)", (USER, PROXY_USER))
            for (pid,) in cur.fetchall():
                try:
                    cur.execute(f"KILL {int(pid)}")
                except pymysql.MySQLError:
                    pass  # ended meanwhile

    def execute_admin(self, sql: str, args: Any = None) -> None:
        with self.admin() as conn, conn.cursor() as cur:
            cur.execute(sql, args)


@contextmanager
def running(directory: Path) -> Iterator["SimulatedDatabase"]:
    """A started MariaDB in ``directory`` for the ``with`` block; a start that fails ends the
    test with MariaDB's reason (and nothing left running), a finished block stops it."""
    import pytest

    database = SimulatedDatabase(directory)
    try:
        database.start()
    except RuntimeError as exc:
        database.stop()
        pytest.fail(f"the simulated cluster's MariaDB did not start: {exc}")
    try:
        yield database
    finally:
        database.stop()
