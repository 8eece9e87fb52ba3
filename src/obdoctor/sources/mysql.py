"""The sys tenant over the MySQL protocol: the table half of a live evidence source.

Read-only **by construction**: the only statements that can reach the driver are the ones
:func:`select` builds — ``SELECT <columns> FROM oceanbase.<view> [WHERE col = literal AND ...]
[ORDER BY col DESC, ...] [LIMIT n]`` from catalogue view names, catalogue column names and
integer or plain quoted literals — and a few fixed, named statements (:data:`FIXED`). Every
statement passes :func:`check_read_only` in :meth:`SqlTableReader._execute` right before it is
sent: text that is not exactly one of those shapes is refused there, whatever built it. There
is no keyword list to get around (a backquoted `` `sleep`(2) ``, ``NEXT VALUE FOR``,
``GET_LOCK`` cannot be written in the grammar at all). Each session is also opened with
``SET SESSION TRANSACTION READ ONLY`` (the server then refuses writes itself; noted when it
cannot) and without ``CLIENT_MULTI_STATEMENTS`` or ``LOCAL_FILES``.

Nothing here raises to the caller: a missing view (1146), a missing column (1054), a timeout
or a lost connection becomes an unavailable :class:`TableResult` whose ``reason`` says why,
so the rules report "could not check" instead of crashing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from obdoctor.evidence import LogQuery, LogSearchResult, Provenance, Row, SourceInfo, TableResult
from obdoctor.security.redaction import SECRET_COLUMNS, Redactor
from obdoctor.catalog.views import column_names, view
from obdoctor.catalog.views import columns as view_columns
from obdoctor.sources.config import ClusterConfig

DEFAULT_MAX_ROWS = 100_000
"""Rows read per view at most (the newest); hitting it is reported in ``TableResult.problems``."""

ORDER_COLUMNS = ("TIMESTAMP", "GMT_CREATE", "JOB_ID", "TASK_ID", "LS_ID", "TURN_ID", "RETRY_ID")
"""Time and id columns, in priority order: rows are fetched newest first (so a cap keeps the
newest), then handed over oldest first, the order of ``SELECT *`` and of bundles, which rules
rely on ("the last event" is the latest)."""

FILTER_COLUMNS = {"tenant_id": "TENANT_ID", "job_id": "JOB_ID"}

UNFILTERED_VIEWS = frozenset({"DBA_OB_TENANTS", "__ALL_TENANT", "__ALL_TENANT_INFO", "__ALL_VIRTUAL_TENANT_INFO"})
"""Read whole whatever the filters: a few rows, and a user tenant's diagnosis needs its meta
tenant (1001 for 1002) and the sys tenant too."""

_CONNECTION_LOST = {0, 2003, 2006, 2013, 2055}
_MISSING_VIEW = {1146, 1049}
_MISSING_COLUMN = {1054}
_NO_PRIVILEGE = {1142, 1143, 1227, 1044}


# -- the query builder: the only statements that can be sent -----------------------------------
class ReadOnlyViolation(ValueError):
    """A statement the builder would not write; it is never sent."""


FIXED: dict[str, str] = {
    "now": "SELECT NOW(6)",
    "ob_version": "SELECT ob_version()",
    "version": "SELECT version()",
    "effective_tenant": "SELECT EFFECTIVE_TENANT_ID()",
    "cluster_name": "SELECT VALUE FROM oceanbase.`GV$OB_PARAMETERS` WHERE NAME = 'cluster' LIMIT 1",
    "time_zone": "SELECT @@time_zone, @@system_time_zone, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())",
    "read_only_session": "SET SESSION TRANSACTION READ ONLY",
}
"""Statements sent as written, by name: what the server says about itself, and the session
setting. Reviewed text, not built: nothing from outside reaches them."""

_FIXED_TEXTS = frozenset(FIXED.values())


@dataclass(frozen=True)
class Statement:
    """One statement that passed the allow-list; ``name`` says what it reads (for the audit)."""

    sql: str
    name: str


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,63}$")
_STRING_LITERAL = re.compile(r"^[A-Za-z0-9_.:@ -]{0,128}$")
_ID = r"`[A-Za-z_][A-Za-z0-9_$]{0,63}`"
_LITERAL = r"(?:-?[0-9]{1,19}|'[A-Za-z0-9_.:@ -]{0,128}')"
_GRAMMAR = re.compile(
    r"SELECT(?: /\*\+ QUERY_TIMEOUT\([0-9]{1,12}\) \*/)?"
    rf" (?P<columns>\*|{_ID}(?:, {_ID})*)"
    rf" FROM oceanbase\.(?P<view>{_ID})"
    rf"(?P<where> WHERE {_ID} = {_LITERAL}(?: AND {_ID} = {_LITERAL})*)?"
    rf"(?P<order> ORDER BY {_ID} DESC(?:, {_ID} DESC)*)?"
    r"(?: LIMIT [0-9]{1,9})?")
"""What :func:`select` writes, and nothing else (matched whole: no trailing text)."""


@lru_cache(maxsize=1)
def catalogue_views() -> frozenset[str]:
    """Every view or table name obdoctor may read (upper case): the column catalogue and the
    evidence kinds' fallbacks."""
    from obdoctor.sources.bundle import _known_views

    return frozenset(_known_views())


def quote_identifier(name: str) -> str:
    """A view or column name, validated then backtick-quoted; anything odd is refused."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ReadOnlyViolation(f"not a view or column name: {name!r}")
    return f"`{name}`"


def _literal(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10 ** 19:
            raise ReadOnlyViolation(f"integer out of range: {value}")
        return str(int(value))
    if isinstance(value, str) and _STRING_LITERAL.match(value):
        return f"'{value}'"
    raise ReadOnlyViolation(f"not an integer or a plain text literal: {str(value)[:40]!r}")


def _check_view(name: str) -> None:
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or name.upper() not in catalogue_views():
        raise ReadOnlyViolation(f"not a view obdoctor reads: {str(name)[:80]!r}")


def _check_column(view_name: str, column: str) -> None:
    quote_identifier(column)
    known = {c.upper() for c in column_names(view_name)} if view(view_name) is not None else set()
    if known and column.upper() not in known:
        raise ReadOnlyViolation(f"{column!r} is not a column of {view_name} in the catalogue")


def select(view_name: str, columns: Iterable[str] = (), *, where: Mapping[str, Any] | None = None,
           order_desc: Iterable[str] = (), limit: int | None = None, timeout_us: int | None = None) -> Statement:
    """The one way to write a read: every name checked against the catalogue, every value an
    integer or a plain literal (letters, digits, ``_.:@ -``)."""
    _check_view(view_name)
    columns, order_desc = list(columns), list(order_desc)
    for column in (*columns, *(where or {}), *order_desc):
        _check_column(view_name, column)
    head = "SELECT"
    if timeout_us is not None:
        head += f" /*+ QUERY_TIMEOUT({int(timeout_us)}) */"
    listed = ", ".join(quote_identifier(c) for c in columns) if columns else "*"
    sql = f"{head} {listed} FROM oceanbase.{quote_identifier(view_name)}"
    if where:
        sql += " WHERE " + " AND ".join(f"{quote_identifier(c)} = {_literal(v)}" for c, v in where.items())
    if order_desc:
        sql += " ORDER BY " + ", ".join(f"{quote_identifier(c)} DESC" for c in order_desc)
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return check_read_only(sql)


def fixed(name: str) -> Statement:
    """One of the :data:`FIXED` statements."""
    return Statement(FIXED[name], name)


def check_read_only(sql: str) -> Statement:
    """``sql`` as a :class:`Statement` if it is exactly a fixed statement or what
    :func:`select` writes (catalogue view and columns); :class:`ReadOnlyViolation` otherwise.

    A whole match of a grammar with no comments, no functions, no semicolons and no escapes:
    there is nothing to parse differently from the server."""
    if not isinstance(sql, str):
        raise ReadOnlyViolation("not a string")
    if sql in _FIXED_TEXTS:
        return Statement(sql, next(k for k, v in FIXED.items() if v == sql))
    m = _GRAMMAR.fullmatch(sql)
    if m is None:
        raise ReadOnlyViolation(f"not a statement obdoctor writes: {sql[:80]!r}")
    view_name = m.group("view")[1:-1]
    _check_view(view_name)
    named = re.findall(r"`([^`]*)`", sql[m.end("view"):]) + re.findall(r"`([^`]*)`", m.group("columns"))
    for column in named:
        _check_column(view_name, column)
    return Statement(sql, f"view:{view_name}")


# -- values -------------------------------------------------------------------------------------
def cell(value: Any) -> Any:
    """A typed value as the records expect it: ints stay ints, times become text.

    Records parse times from text (``YYYY-MM-DD HH:MM:SS.ffffff``, what obclient prints);
    ``str(datetime)`` drops ``.000000``, so the format is explicit.
    """
    if value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dtime, timedelta, Decimal)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


# -- the reader ---------------------------------------------------------------------------------
class SqlError(Exception):
    """A failed statement: MySQL error code (0 when none) and a message safe to show."""

    def __init__(self, code: int, message: str, *, timed_out: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.timed_out = timed_out

    @property
    def connection_lost(self) -> bool:
        return self.code in _CONNECTION_LOST


@dataclass
class ServerFacts:
    """What the cluster says about itself, read once."""

    version: str | None = None
    collected_at: datetime | None = None
    cluster: str | None = None
    effective_tenant_id: int | None = None
    time_zone: str | None = None
    system_time_zone: str | None = None
    utc_offset: timedelta | None = None
    product: str | None = None
    """``OceanBase``/``OceanBase_CE``/``seekdb`` as ``version()`` spells it."""
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    """Why nothing could be read at all (connection refused, access denied...)."""


_OB_VERSION = re.compile(r"OceanBase(?:_CE)?[- ]v?(\d+\.\d+\.\d+(?:\.\d+)?)", re.IGNORECASE)
_PRODUCT = re.compile(r"\b(seekdb|OceanBase(?:_[A-Za-z]+)?)\b", re.IGNORECASE)

TIME_ZONE_QUERY = FIXED["time_zone"]
"""The session's zone (view times), the server's OS zone (its log lines) and the session's offset
from UTC in seconds, in one fixed read (evidence.clock)."""
VERSION_QUERY = FIXED["version"]
OB_VERSION_QUERY = FIXED["ob_version"]


class SqlTableReader:
    """Reads OceanBase views through one PyMySQL connection to the sys tenant.

    ``tenant_id``/``job_id`` are pushed into ``WHERE`` for views that have those columns
    (values as parameters). Views are read with the columns the detected version has, minus
    secret ones (PASSWD); a column list that does not match (1054) falls back to ``SELECT *``.
    ``queries`` keeps the statement sent per view, for a bundle's manifest.
    """

    def __init__(self, config: ClusterConfig, *, tenant_id: int | None = None, job_id: int | None = None,
                 max_rows: int | None = DEFAULT_MAX_ROWS, connect: Callable[..., Any] | None = None):
        self.config = config
        self.filters = {k: v for k, v in (("tenant_id", tenant_id), ("job_id", job_id)) if v is not None}
        for key, value in self.filters.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{key} must be an integer, not {value!r}")
        self.max_rows = max_rows
        self._connect_fn = connect
        self._conn = None
        self._down: str | None = None
        self._facts: ServerFacts | None = None
        self.queries: dict[str, str] = {}
        self.elapsed: dict[str, float] = {}
        self.read_only_session: bool | None = None
        self.session_notes: list[str] = []

    # -- connection ---------------------------------------------------------------------------
    @property
    def address(self) -> str:
        return f"{self.config.db_host or '?'}:{self.config.db_port}"

    def _open(self):
        import pymysql

        if not self.config.db_host:
            raise SqlError(0, "no database host configured (db_host / OBDOCTOR_DB_HOST / --db-host)")
        password = self.config.db_password.reveal() if self.config.db_password is not None else ""
        connect = self._connect_fn or pymysql.connect
        try:
            conn = connect(
                host=self.config.db_host, port=int(self.config.db_port), user=self.config.login_user(),
                password=password, database="oceanbase", charset="utf8mb4",
                connect_timeout=self.config.connect_timeout, read_timeout=self.config.read_timeout,
                write_timeout=self.config.read_timeout, autocommit=True, local_infile=False,
                client_flag=0,  # no CLIENT_MULTI_STATEMENTS: the server refuses a second statement too
            )
        except (pymysql.MySQLError, OSError) as exc:
            raise self._error(exc, "connect") from None
        except ValueError as exc:  # a bad timeout or port value
            raise SqlError(0, f"cannot connect to {self.address}: {exc}") from None
        self._read_only_session(conn)
        return conn

    def _read_only_session(self, conn) -> None:
        """``SET SESSION TRANSACTION READ ONLY``: the server itself then refuses any write in
        this session. A server that does not support it is noted, not fatal (the builder
        alone already keeps writes out)."""
        import pymysql

        try:
            with conn.cursor() as cursor:
                cursor.execute(fixed("read_only_session").sql)
            self.read_only_session = True
        except (pymysql.MySQLError, OSError) as exc:
            self.read_only_session = False
            self.session_notes.append(f"the session could not be set read-only ({self._error(exc, 'query').message}); "
                                      "only built SELECTs are sent anyway")

    def _connection(self):
        if self._down is not None:
            raise SqlError(2003, f"not read: {self._down}")
        if self._conn is None:
            try:
                self._conn = self._open()
            except SqlError as exc:  # refused, timed out, access denied: no point in trying per view
                self._down = exc.message if not exc.code or exc.connection_lost else f"error {exc.code}: {exc.message}"
                raise
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # already gone: nothing to release
                pass
            self._conn = None

    def reset(self) -> None:
        """Forget a lost connection and the cached server facts (version, NOW()).

        One diagnosis keeps both for its whole run (one timeout, not one per view; one "now");
        a long-lived user (``watch``) calls this between polls to reconnect and re-read them.
        """
        self.close()
        self._down = None
        self._facts = None

    def __enter__(self) -> "SqlTableReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _error(self, exc: BaseException, during: str) -> SqlError:
        """A PyMySQL or socket error as a SqlError whose message says what happened, password-free."""
        args = getattr(exc, "args", ())
        code = args[0] if args and isinstance(args[0], int) else (2013 if isinstance(exc, OSError) else 0)
        message = str(args[1]) if len(args) > 1 else (str(exc) or type(exc).__name__)
        password = self.config.db_password.reveal() if self.config.db_password else ""
        if password and len(password) >= 3:
            message = message.replace(password, "***")
        timed_out = "timed out" in message.lower() or isinstance(exc, TimeoutError)
        if code in _CONNECTION_LOST or isinstance(exc, OSError):
            if timed_out:
                limit = self.config.connect_timeout if during == "connect" and code == 2003 else self.config.read_timeout
                message = f"no answer from {self.address} within {limit:g}s while {during}ing ({message})"
            elif during == "connect":
                message = f"cannot connect to {self.address} ({message})"
            else:
                message = f"lost the connection to {self.address} ({message or 'connection closed'})"
        return SqlError(code, message, timed_out=timed_out)

    def _execute(self, statement: Statement | str) -> tuple[list[str], list[tuple]]:
        """The one place statements are sent: checked against the allow-list, then sent as checked.

        A connection lost mid-run is reopened once and the read retried (reads are safe to
        repeat); if that fails the database is marked down and later reads fail fast.
        """
        import pymysql

        sql = check_read_only(statement.sql if isinstance(statement, Statement) else statement).sql
        for attempt in (1, 2):
            conn = self._connection()
            try:
                with conn.cursor() as cursor:
                    cursor.execute(sql)
                    columns = [d[0] for d in cursor.description or ()]
                    return columns, list(cursor.fetchall())
            except (pymysql.MySQLError, OSError) as exc:
                error = self._error(exc, "query")
                if not error.connection_lost:
                    raise error from None
                self.close()
                if error.timed_out:
                    # Not retried (it would time out again), and the server is not marked down:
                    # one slow view must not hide the others. The next read reconnects; if even
                    # that times out, _connection marks the database down.
                    raise error from None
                if attempt == 2:
                    self._down = error.message
                    raise error from None
        raise AssertionError("unreachable")

    def query(self, statement: Statement | str) -> tuple[list[str], list[tuple]]:
        """Run one read and return (column names, rows); raises SqlError, or ReadOnlyViolation
        (before anything is sent) for text the builder would not write."""
        return self._execute(statement)

    # -- what the server says about itself -----------------------------------------------------
    def facts(self) -> ServerFacts:
        if self._facts is not None:
            return self._facts
        facts = ServerFacts()
        try:
            _, rows = self._execute(fixed("now"))
            facts.collected_at = rows[0][0] if rows and isinstance(rows[0][0], datetime) else None
        except SqlError as exc:
            facts.error = exc.message
            self._facts = facts
            return facts
        facts.notes.extend(self.session_notes)
        facts.version = self._version(facts)
        self._time_zones(facts)
        facts.effective_tenant_id = self._effective_tenant(facts.notes)
        facts.cluster = self._cluster_name(facts.notes)
        self._facts = facts
        return facts

    def _first_value(self, statement: Statement) -> Any:
        _, rows = self._execute(statement)
        return rows[0][0] if rows else None

    def _version(self, facts: ServerFacts) -> str | None:
        """``ob_version()`` as the server says it; the product from ``version()``
        (``5.7.25-OceanBase_CE-v4.2.1.0``), which also gives the version before ob_version() existed."""
        notes = facts.notes
        try:
            text = str(cell(self._first_value(VERSION_QUERY)) or "")
        except SqlError as exc:
            text = ""
            if exc.connection_lost:
                notes.append(f"version not read: {exc.message}")
                return None
        product = _PRODUCT.search(text)
        facts.product = product.group(1) if product else None
        try:
            value = self._first_value(OB_VERSION_QUERY)
            if value:
                return str(cell(value)).strip()
        except SqlError as exc:
            if exc.connection_lost:
                notes.append(f"version not read: {exc.message}")
                return None
        m = _OB_VERSION.search(text)
        if m:
            return m.group(1)
        notes.append(f"not an OceanBase version: {text!r}; views are read with SELECT *" if text
                     else "version not read: neither ob_version() nor version() answered")
        return None

    def _time_zones(self, facts: ServerFacts) -> None:
        """The clock of the views and of the servers' logs (``TIME_ZONE_QUERY``)."""
        try:
            _, rows = self._execute(TIME_ZONE_QUERY)
        except SqlError as exc:
            facts.notes.append(f"time zones not read ({exc.message}): log times are taken to be on the views' clock")
            return
        if not rows:
            return
        zone, system, seconds = rows[0][:3]
        facts.time_zone = str(cell(zone)) if zone is not None else None
        facts.system_time_zone = str(cell(system)) if system is not None else None
        try:
            facts.utc_offset = timedelta(minutes=round(int(seconds) / 60))
        except (TypeError, ValueError):
            facts.utc_offset = None

    def _effective_tenant(self, notes: list[str]) -> int | None:
        """The tenant DBA_ views show (they have no TENANT_ID column)."""
        try:
            value = self._first_value(fixed("effective_tenant"))
            if value is not None:
                return int(value)
        except (SqlError, ValueError, TypeError):
            pass
        tenant = self.config.login_user().partition("@")[2].partition("#")[0]
        return 1 if tenant.lower() == "sys" else None  # the sys tenant's id

    def _cluster_name(self, notes: list[str]) -> str | None:
        try:
            value = self._first_value(fixed("cluster_name"))
            if value:
                return str(cell(value))
        except SqlError:
            pass
        return self.config.cluster_name

    # -- views ------------------------------------------------------------------------------------
    def read_table(self, name: str) -> TableResult:
        """``SELECT <the version's columns> FROM oceanbase.<name>``, filtered; never raises."""
        started = time.monotonic()
        try:
            return self._read_table(name)
        except ReadOnlyViolation as exc:
            return TableResult(name, available=False, reason=f"refused: {exc}")
        except SqlError as exc:
            return TableResult(name, available=False, reason=self._reason(name, exc))
        finally:
            self.elapsed[name] = time.monotonic() - started

    def _reason(self, name: str, exc: SqlError) -> str:
        if exc.code in _MISSING_VIEW:
            return f"the view does not exist on this cluster (error {exc.code}: {exc.message})"
        if exc.code in _NO_PRIVILEGE:
            return f"no privilege to read it (error {exc.code}: {exc.message})"
        if exc.code and not exc.connection_lost and not exc.message.startswith("error "):
            return f"error {exc.code}: {exc.message}"
        return exc.message

    def _read_table(self, name: str) -> TableResult:
        _check_view(name)
        facts = self.facts()
        if facts.error:
            raise SqlError(2003, facts.error)
        problems: list[str] = []
        plan = self._plan(name, facts.version)
        try:
            names, rows = self._execute(plan.statement)
        except SqlError as exc:
            if exc.code not in _MISSING_COLUMN or (plan.select_all and not plan.pushed and not plan.order):
                raise
            problems.append(f"the columns known for version {facts.version or '?'} do not match "
                            f"(error {exc.code}: {exc.message}); read with SELECT * instead")
            plan = Plan(self._select(name), select_all=True)
            names, rows = self._execute(plan.statement)
        self.queries[name] = plan.statement.sql
        if self.max_rows is not None and len(rows) > self.max_rows:  # counted before any filtering here
            rows = rows[: self.max_rows]
            which = "newest" if plan.order else "first"
            problems.append(f"only the {which} {self.max_rows} rows were read; the view has more "
                            "(narrow with --tenant / --job)")
        if plan.order:
            rows.reverse()  # fetched newest first; handed over oldest first, as SELECT * and bundles give
        local = self._local_filter(name, names, plan.pushed)
        keep = [i for i, n in enumerate(names) if n.upper() not in SECRET_COLUMNS]
        location = f"oceanbase.{name} on {self.address}"
        redactor = Redactor()  # credentials never leave the source (reports, collected bundles)
        result_rows = []
        for raw in rows:  # one pass: big views (event history) are not copied three times
            if local and not all(raw[i] is not None and str(raw[i]) == str(v) for i, v in local):
                continue
            values = redactor.row({names[i]: cell(raw[i]) for i in keep})
            result_rows.append(Row(values, Provenance("sql", name, row=len(result_rows) + 1, location=location)))
        del rows
        return TableResult(name, result_rows, problems=problems)

    def _plan(self, name: str, version: str | None) -> "Plan":
        """The statement for one view.

        Known version: that version's columns (secret ones left out), filters and order on them.
        Unknown version: ``SELECT *``, filters and order only on columns every version has.
        A view without catalogue columns (an evidence fallback): ``SELECT *``, filtered after reading.
        """
        if view(name) is None:
            return Plan(self._select(name), select_all=True)
        if version is not None:
            listed = [c for c in column_names(name, version) if c.upper() not in SECRET_COLUMNS]
            usable = listed
        else:
            listed = []
            usable = [c["name"] for c in view_columns(name) if not c.get("since")]
        where, pushed = {}, set()
        filters = {} if name.upper() in UNFILTERED_VIEWS else self.filters
        for key, value in filters.items():
            column = next((c for c in usable if c.upper() == FILTER_COLUMNS[key]), None)
            if column is not None:
                where[column] = value
                pushed.add(key)
        order = [c for wanted in ORDER_COLUMNS for c in usable if c.upper() == wanted]
        return Plan(self._select(name, listed, where=where, order_desc=order), select_all=not listed,
                    pushed=pushed, order=order)

    def _select(self, name: str, columns: Iterable[str] = (), **clauses) -> Statement:
        """:func:`select` with OceanBase's query timeout raised to our read timeout (its default
        is 10 s; MySQL/MariaDB read the hint as a comment) and one row more than the cap, to know
        when the cap was hit."""
        limit = None if self.max_rows is None else int(self.max_rows) + 1
        return select(name, columns, limit=limit, timeout_us=int(self.config.read_timeout * 1_000_000), **clauses)

    def _local_filter(self, name: str, names: list[str], pushed: set[str]) -> list[tuple[int, int]]:
        """(column index, value) of filters not in WHERE (unknown view or version, 1054 fallback)."""
        out = []
        for key, value in self.filters.items():
            if key in pushed or name.upper() in UNFILTERED_VIEWS:
                continue
            index = next((i for i, n in enumerate(names) if n.upper() == FILTER_COLUMNS[key]), None)
            if index is not None:
                out.append((index, value))
        return out


@dataclass
class Plan:
    statement: Statement
    select_all: bool = False
    pushed: set[str] = field(default_factory=set)
    """Filters (tenant_id, job_id) in the WHERE clause; the others are applied after reading."""
    order: list[str] = field(default_factory=list)


class MySqlSource:
    """An :class:`EvidenceSource` over SQL only: views live, no logs (``LiveSource`` adds SSH)."""

    def __init__(self, config: ClusterConfig, *, tenant_id: int | None = None, job_id: int | None = None,
                 max_rows: int | None = DEFAULT_MAX_ROWS, reader: SqlTableReader | None = None):
        self.config = config
        self.reader = reader or SqlTableReader(config, tenant_id=tenant_id, job_id=job_id, max_rows=max_rows)

    def info(self) -> SourceInfo:
        facts = self.reader.facts()
        notes = list(facts.notes)
        if facts.error:
            notes.append(f"the database could not be read: {facts.error}")
        return SourceInfo(
            kind="live", location=f"{self.reader.address} as {self.config.login_user()}",
            cluster=facts.cluster, version=facts.version, collected_at=facts.collected_at,
            servers=[], notes=notes, dba_tenant_id=facts.effective_tenant_id, time_zone=facts.time_zone,
            system_time_zone=facts.system_time_zone, utc_offset=facts.utc_offset, product=facts.product,
        )

    def read_table(self, name: str) -> TableResult:
        return self.reader.read_table(name)

    def reset(self) -> None:
        """Reconnect and re-read version and NOW() on next use (see ``SqlTableReader.reset``)."""
        self.reader.reset()

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        result = LogSearchResult(query)
        result.unchecked.append("logs were not searched: this source reads SQL views only")
        return result

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> "MySqlSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
