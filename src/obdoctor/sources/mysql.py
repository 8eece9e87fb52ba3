"""The sys tenant over the MySQL protocol: the table half of a live evidence source.

Read-only is enforced in one place, :func:`check_read_only`, which every statement passes
through in :meth:`SqlTableReader._execute` right before it is sent (after parameters are
interpolated, so what is checked is exactly what goes on the wire).

Nothing here raises to the caller: a missing view (1146), a missing column (1054), a timeout
or a lost connection becomes an unavailable :class:`TableResult` whose ``reason`` says why,
so the rules report "could not check" instead of crashing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from datetime import timedelta
from decimal import Decimal
from typing import Any

from obdoctor.evidence import LogQuery, LogSearchResult, Provenance, Row, SourceInfo, TableResult
from obdoctor.knowledge.redaction import SECRET_COLUMNS, Redactor
from obdoctor.knowledge.views import column_names, view
from obdoctor.knowledge.views import columns as view_columns
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


# -- the read-only guard ---------------------------------------------------------------------
class ReadOnlyViolation(ValueError):
    """A statement that is not a plain read; it is never sent."""


_ALLOWED_FIRST_WORDS = frozenset({"SELECT", "SHOW", "DESCRIBE", "DESC"})
_FORBIDDEN_WORDS = frozenset({
    # writes and DDL, also as sub-clauses (SELECT ... FOR UPDATE, SELECT ... INTO OUTFILE)
    "INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "DROP", "ALTER", "CREATE", "TRUNCATE",
    "RENAME", "GRANT", "REVOKE", "INTO", "OUTFILE", "DUMPFILE", "LOCK", "UNLOCK", "LOCKED",
    # session/state changes and code execution
    "SET", "CALL", "DO", "HANDLER", "LOAD", "EXECUTE", "PREPARE", "DEALLOCATE", "KILL", "SHUTDOWN",
    "FLUSH", "PURGE", "RESET", "INSTALL", "UNINSTALL", "CHANGE", "BEGIN", "START", "COMMIT",
    "ROLLBACK", "SAVEPOINT", "XA", "PROCEDURE", "SYSTEM", "OPTIMIZE", "REPAIR", "ANALYZE", "BINLOG",
    # functions with side effects (locks, files, sequences, stalling the server)
    "LOAD_FILE", "GET_LOCK", "RELEASE_LOCK", "RELEASE_ALL_LOCKS", "NEXTVAL", "SETVAL", "LASTVAL",
    "BENCHMARK", "SLEEP",
})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_TIMEOUT_HINT = re.compile(r"SELECT /\*\+ QUERY_TIMEOUT\(\d{1,12}\) \*/ ")
"""OceanBase ends a query at ``ob_query_timeout`` (10 s by default); the hint raises it for one
read, to match our own read timeout. MySQL/MariaDB read it as a plain comment."""


def check_read_only(sql: str) -> str:
    """Return ``sql`` if it is one plain read (SELECT / SHOW / DESCRIBE); raise otherwise.

    Deliberately stricter than needed: no comments at all (``/*! ... */`` is executable in
    MySQL), no second statement, no backslash (its meaning depends on the server's
    NO_BACKSLASH_ESCAPES mode), no write or side-effect keyword outside quotes, no ``:=``.
    The one exception is OceanBase's query-timeout hint in its exact form,
    ``SELECT /*+ QUERY_TIMEOUT(<digits>) */ ...`` (digits only, nothing else inside).
    """
    if not isinstance(sql, str):
        raise ReadOnlyViolation("not a string")
    text = sql.strip()
    if text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise ReadOnlyViolation("empty statement")
    if "\x00" in text or "\\" in text:
        raise ReadOnlyViolation("NUL bytes and backslashes are not allowed")
    hint = _TIMEOUT_HINT.match(text)
    outside = _outside_quotes("SELECT " + text[hint.end():] if hint else text)
    for token, why in ((";", "more than one statement"), ("/*", "a comment"), ("--", "a comment"),
                       ("#", "a comment"), (":=", "an assignment")):
        if token in outside:
            raise ReadOnlyViolation(f"{why} ({token!r}) is not allowed")
    words = [w.upper() for w in _WORD.findall(outside)]
    if not words or words[0] not in _ALLOWED_FIRST_WORDS:
        first = words[0] if words else outside[:20]
        raise ReadOnlyViolation(f"only SELECT, SHOW and DESCRIBE are sent, not {first!r}")
    bad = sorted(set(words) & _FORBIDDEN_WORDS)
    if bad:
        raise ReadOnlyViolation(f"keyword {bad[0]} is not allowed in a read")
    return text


def _outside_quotes(text: str) -> str:
    """The statement with every quoted part ('..', "..", `..`) replaced by a blank.

    Quotes close on their own character; a doubled one ('it''s') stays inside. An unclosed
    quote is refused: the server would read the rest differently than we do.
    """
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"`":
            j = i + 1
            while True:
                k = text.find(ch, j)
                if k < 0:
                    raise ReadOnlyViolation(f"unclosed {ch} quote")
                if k + 1 < n and text[k + 1] == ch:  # doubled quote: still inside
                    j = k + 2
                    continue
                break
            out.append(" ")
            i = k + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,63}$")


def quote_identifier(name: str) -> str:
    """A view or column name, validated then backtick-quoted; anything odd is refused."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ReadOnlyViolation(f"not a view or column name: {name!r}")
    return f"`{name}`"


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

TIME_ZONE_QUERY = "SELECT @@time_zone, @@system_time_zone, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())"
"""The session's zone (view times), the server's OS zone (its log lines) and the session's offset
from UTC in seconds, in one fixed read (evidence.clock)."""
VERSION_QUERY = "SELECT version()"
OB_VERSION_QUERY = "SELECT ob_version()"


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
            return connect(
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

    def _execute(self, sql: str, args: Iterable[Any] | None = None) -> tuple[list[str], list[tuple]]:
        """The one place statements are sent: checked read-only, then executed as checked.

        A connection lost mid-run is reopened once and the read retried (reads are safe to
        repeat); if that fails the database is marked down and later reads fail fast.
        """
        import pymysql

        for attempt in (1, 2):
            conn = self._connection()
            try:
                with conn.cursor() as cursor:
                    final = cursor.mogrify(sql, tuple(args)) if args else sql
                    check_read_only(final)
                    cursor.execute(final)
                    columns = [d[0] for d in cursor.description or ()]
                    return columns, list(cursor.fetchall())
            except ReadOnlyViolation:
                raise
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

    def query(self, sql: str, args: Iterable[Any] | None = None) -> tuple[list[str], list[tuple]]:
        """Run one read (SELECT/SHOW/DESCRIBE) and return (column names, rows); raises SqlError."""
        return self._execute(sql, args)

    # -- what the server says about itself -----------------------------------------------------
    def facts(self) -> ServerFacts:
        if self._facts is not None:
            return self._facts
        facts = ServerFacts()
        try:
            _, rows = self._execute("SELECT NOW(6)")
            facts.collected_at = rows[0][0] if rows and isinstance(rows[0][0], datetime) else None
        except SqlError as exc:
            facts.error = exc.message
            self._facts = facts
            return facts
        facts.version = self._version(facts)
        self._time_zones(facts)
        facts.effective_tenant_id = self._effective_tenant(facts.notes)
        facts.cluster = self._cluster_name(facts.notes)
        self._facts = facts
        return facts

    def _first_value(self, sql: str, args: Iterable[Any] | None = None) -> Any:
        _, rows = self._execute(sql, args)
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
            value = self._first_value("SELECT EFFECTIVE_TENANT_ID()")
            if value is not None:
                return int(value)
        except (SqlError, ValueError, TypeError):
            pass
        tenant = self.config.login_user().partition("@")[2].partition("#")[0]
        return 1 if tenant.lower() == "sys" else None  # the sys tenant's id

    def _cluster_name(self, notes: list[str]) -> str | None:
        try:
            value = self._first_value(
                "SELECT VALUE FROM oceanbase.`GV$OB_PARAMETERS` WHERE NAME = %s LIMIT 1", ("cluster",))
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
        quoted = quote_identifier(name)
        facts = self.facts()
        if facts.error:
            raise SqlError(2003, facts.error)
        problems: list[str] = []
        plan = self._plan(name, quoted, facts.version)
        try:
            names, rows = self._execute(plan.sql, plan.args)
        except SqlError as exc:
            if exc.code not in _MISSING_COLUMN or (plan.select_all and not plan.pushed and not plan.order):
                raise
            problems.append(f"the columns known for version {facts.version or '?'} do not match "
                            f"(error {exc.code}: {exc.message}); read with SELECT * instead")
            plan = Plan(self._limit(f"{self._select_word()} * FROM oceanbase.{quoted}"), [], select_all=True)
            names, rows = self._execute(plan.sql, None)
        self.queries[name] = plan.sql if not plan.args else f"{plan.sql} -- {plan.args}"
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

    def _plan(self, name: str, quoted: str, version: str | None) -> "Plan":
        """The statement for one view.

        Known version: that version's columns (secret ones left out), filters and order on them.
        Unknown version: ``SELECT *``, filters and order only on columns every version has.
        Unknown view: ``SELECT *``, filtered after reading.
        """
        if view(name) is None:
            return Plan(self._limit(f"{self._select_word()} * FROM oceanbase.{quoted}"), [], select_all=True)
        if version is not None:
            select = [c for c in column_names(name, version) if c.upper() not in SECRET_COLUMNS]
            usable = select
        else:
            select = []
            usable = [c["name"] for c in view_columns(name) if not c.get("since")]
        where, args, pushed = [], [], set()
        filters = {} if name.upper() in UNFILTERED_VIEWS else self.filters
        for key, value in filters.items():
            column = next((c for c in usable if c.upper() == FILTER_COLUMNS[key]), None)
            if column is not None:
                where.append(f"{quote_identifier(column)} = %s")
                args.append(value)
                pushed.add(key)
        order = [c for wanted in ORDER_COLUMNS for c in usable if c.upper() == wanted]
        listed = ", ".join(quote_identifier(c) for c in select) if select else "*"
        sql = f"{self._select_word()} {listed} FROM oceanbase.{quoted}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if order:
            sql += " ORDER BY " + ", ".join(f"{quote_identifier(c)} DESC" for c in order)
        return Plan(self._limit(sql), args, select_all=not select, pushed=pushed, order=order)

    def _select_word(self) -> str:
        """``SELECT`` with OceanBase's query timeout raised to our read timeout (its default is 10 s)."""
        return f"SELECT /*+ QUERY_TIMEOUT({int(self.config.read_timeout * 1_000_000)}) */"

    def _limit(self, sql: str) -> str:
        """One row more than the cap, to know when the cap was hit."""
        return sql if self.max_rows is None else f"{sql} LIMIT {int(self.max_rows) + 1}"

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
    sql: str
    args: list[Any]
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
