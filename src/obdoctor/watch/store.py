"""The local watch history: one SQLite file, WAL mode, one transaction per poll.

Why SQLite: nothing to install next to a cluster, one file to copy into a ticket, and WAL gives
what a watcher needs: a ``kill -9`` loses at most the poll being written (a transaction is all
or nothing), and several watchers (or ``obdoctor history`` while a watcher runs) can share the
file: writers take turns (``BEGIN IMMEDIATE`` + busy timeout), readers never block.

The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS[n]`` takes a file from
version n to n+1, so a file written by this version stays readable by the next.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from obdoctor.watch.detect import Event, Track
from obdoctor.watch.diagnosis import Diagnosis
from obdoctor.watch.samples import COUNTERS, Sample, Snapshot

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE polls (
  id INTEGER PRIMARY KEY, at TEXT NOT NULL, at_ts REAL NOT NULL, watcher TEXT, source TEXT,
  usable INTEGER NOT NULL, problems TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE samples (
  id INTEGER PRIMARY KEY, poll_id INTEGER NOT NULL REFERENCES polls(id), at_ts REAL NOT NULL,
  kind TEXT NOT NULL, tenant_id INTEGER, job_id INTEGER, task_id INTEGER, ls_id INTEGER,
  status TEXT, stage TEXT, result INTEGER,
  input_bytes INTEGER, output_bytes INTEGER, tablet_count INTEGER, finish_tablet_count INTEGER,
  macro_block_count INTEGER, finish_macro_block_count INTEGER,
  turn_id INTEGER, retry_id INTEGER, server TEXT, trace_id TEXT, started TEXT,
  stalled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX samples_job ON samples(job_id, tenant_id, kind, at_ts);
CREATE INDEX samples_poll ON samples(poll_id);
CREATE INDEX polls_at ON polls(at_ts);
CREATE TABLE tracks (
  key TEXT PRIMARY KEY, kind TEXT NOT NULL, tenant_id INTEGER, job_id INTEGER, ls_id INTEGER,
  signature TEXT NOT NULL, first_seen REAL NOT NULL, changed_at REAL NOT NULL, last_seen REAL NOT NULL,
  status TEXT, stalled INTEGER NOT NULL, done INTEGER NOT NULL, retry_id INTEGER
);
CREATE TABLE diagnoses (
  id INTEGER PRIMARY KEY, poll_id INTEGER NOT NULL REFERENCES polls(id), at TEXT NOT NULL, at_ts REAL NOT NULL,
  tenant_id INTEGER, job_id INTEGER, trigger TEXT NOT NULL, diagnosed INTEGER NOT NULL, exit_code INTEGER NOT NULL,
  headline TEXT, error TEXT, report TEXT
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY, poll_id INTEGER NOT NULL REFERENCES polls(id), at TEXT NOT NULL, at_ts REAL NOT NULL,
  kind TEXT NOT NULL, key TEXT NOT NULL, tenant_id INTEGER, job_id INTEGER, ls_id INTEGER, message TEXT,
  result INTEGER, stalled_since REAL, diagnosis_id INTEGER REFERENCES diagnoses(id)
);
CREATE INDEX events_job ON events(tenant_id, job_id, at_ts);
"""

MIGRATIONS: dict[int, str] = {0: _V1}
"""Version n -> n+1."""

_SAMPLE_COLUMNS = ("kind", "tenant_id", "job_id", "task_id", "ls_id", "status", "stage", "result",
                   *COUNTERS, "turn_id", "retry_id", "server", "trace_id", "started")


class HistoryError(Exception):
    """The history file cannot be used (not a database, newer schema, unwritable directory)."""


def default_path() -> Path:
    """``<user data dir>/obdoctor/watch.sqlite`` (platformdirs: ~/.local/share/obdoctor on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("obdoctor", appauthor=False) / "watch.sqlite"


def watcher_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _is_lock_contention(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


@dataclass
class StoredPoll:
    id: int
    at_ts: float


class History:
    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                if not self.path.exists():
                    raise HistoryError(f"{self.path}: no watch history here (run obdoctor watch first, or pass --db)")
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S,
                                          isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self._setup_taking_turns()
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{self.path}: not a usable watch history ({exc})") from exc
        except OSError as exc:
            raise HistoryError(f"{self.path}: {exc}") from exc

    # -- opening ----------------------------------------------------------------------
    def _setup_taking_turns(self) -> None:
        """``_setup``, tried again while another watcher holds the file, up to the busy timeout.

        Switching a new file to WAL takes its lock from a shared one; when two watchers open the
        same new file at once SQLite answers "database is locked" at once instead of calling the
        busy handler (it would deadlock). ``_setup`` is idempotent, so waiting our turn is safe.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        pause = 0.01
        while True:
            try:
                return self._setup()
            except sqlite3.OperationalError as exc:
                if not _is_lock_contention(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause * (1 + random.random()))
            pause = min(pause * 2, 0.5)

    def _setup(self) -> None:
        if not self.readonly:
            mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise HistoryError(f"{self.path}: the file system does not allow SQLite's WAL mode (got {mode})")
            self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        version = self.version()
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{self.path}: written by a newer obdoctor (history schema {version}, "
                               f"this one knows {SCHEMA_VERSION})")
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise HistoryError(f"{self.path}: history schema {version} needs an upgrade: run obdoctor watch once")
            self._migrate()

    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self.transaction():
            version = self.version()  # another watcher may have migrated meanwhile
            while version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                version += 1
                self.db.execute(f"PRAGMA user_version={version}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (no lock upgrade, so two writers cannot deadlock)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- state the detector needs -------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def epoch(self) -> float | None:
        value = self.meta("epoch")
        return float(value) if value is not None else None

    def load_tracks(self) -> dict[str, Track]:
        return {r["key"]: Track(r["key"], r["kind"], r["tenant_id"], r["job_id"], r["ls_id"], r["signature"],
                                r["first_seen"], r["changed_at"], r["last_seen"], r["status"] or "",
                                bool(r["stalled"]), bool(r["done"]), r["retry_id"])
                for r in self.db.execute("SELECT * FROM tracks")}

    # -- writing one poll (call inside ``transaction()``) -------------------------------
    def write_poll(self, snapshot: Snapshot, tracks: dict[str, Track], changed: set[str], dropped: set[str],
                   events: list[Event], source: str, watcher: str | None = None) -> StoredPoll:
        at_ts = snapshot.at.timestamp()
        db = self.db
        if self.meta("epoch") is None:
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('epoch', ?)", (repr(at_ts),))
        poll_id = db.execute(
            "INSERT INTO polls(at, at_ts, watcher, source, usable, problems) VALUES (?,?,?,?,?,?)",
            (snapshot.at.isoformat(sep=" "), at_ts, watcher or watcher_id(), source, int(snapshot.usable),
             json.dumps(snapshot.problems, ensure_ascii=False)),
        ).lastrowid
        stalled = {k for k, t in tracks.items() if t.stalled}
        db.executemany(
            f"INSERT INTO samples(poll_id, at_ts, {', '.join(_SAMPLE_COLUMNS)}, stalled) "
            f"VALUES ({', '.join('?' * (len(_SAMPLE_COLUMNS) + 3))})",
            [(poll_id, at_ts, *_sample_values(s), int(s.key in stalled)) for s in snapshot.samples],
        )
        for key in dropped:
            db.execute("DELETE FROM tracks WHERE key=?", (key,))
        db.executemany(
            "INSERT OR REPLACE INTO tracks(key, kind, tenant_id, job_id, ls_id, signature, first_seen, changed_at, "
            "last_seen, status, stalled, done, retry_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(t.key, t.kind, t.tenant_id, t.job_id, t.ls_id, t.signature, t.first_seen, t.changed_at, t.last_seen,
              t.status, int(t.stalled), int(t.done), t.retry_id)
             for k, t in tracks.items() if k in changed and k not in dropped],
        )
        stored: dict[int, int] = {}
        for event in events:
            diagnosis = event.diagnosis
            if isinstance(diagnosis, Diagnosis) and id(diagnosis) not in stored:
                stored[id(diagnosis)] = self._write_diagnosis(poll_id, diagnosis)
            db.execute(
                "INSERT INTO events(poll_id, at, at_ts, kind, key, tenant_id, job_id, ls_id, message, result, "
                "stalled_since, diagnosis_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (poll_id, snapshot.at.isoformat(sep=" "), event.at, event.kind, event.key, event.tenant_id,
                 event.job_id, event.ls_id, event.message, event.result, event.stalled_since,
                 stored.get(id(diagnosis)) if diagnosis is not None else None),
            )
        return StoredPoll(poll_id, at_ts)

    def prune(self, before_ts: float) -> int:
        """Forget samples and polls older than ``before_ts`` (call inside ``transaction()``).

        Events and diagnoses are kept whatever their age (few, and what a post-mortem needs),
        and so are the polls they point at. Returns the number of polls removed.
        """
        old = "SELECT id FROM polls WHERE at_ts < ?"
        self.db.execute(f"DELETE FROM samples WHERE poll_id IN ({old})", (before_ts,))
        return self.db.execute(
            f"DELETE FROM polls WHERE id IN ({old}) AND id NOT IN (SELECT poll_id FROM events) "
            "AND id NOT IN (SELECT poll_id FROM diagnoses)", (before_ts,)).rowcount

    def _write_diagnosis(self, poll_id: int, d: Diagnosis) -> int:
        d.id = self.db.execute(
            "INSERT INTO diagnoses(poll_id, at, at_ts, tenant_id, job_id, trigger, diagnosed, exit_code, headline, "
            "error, report) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (poll_id, d.at.isoformat(sep=" "), d.at.timestamp(), d.tenant_id, d.job_id, d.trigger, int(d.diagnosed),
             d.exit_code, d.headline(), d.error,
             json.dumps(d.report, ensure_ascii=False, default=str) if d.report is not None else None),
        ).lastrowid
        return d.id

    # -- reading -----------------------------------------------------------------------
    def job_samples_since(self, tenant_id: int | None, job_id: int | None, since_ts: float) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM samples WHERE job_id IS ? AND tenant_id IS ? AND kind='job' AND at_ts>=? "
                               "ORDER BY at_ts, id", (job_id, tenant_id, since_ts)).fetchall()

    def job_samples(self, tenant_id: int | None, job_id: int, kind: str = "job") -> list[sqlite3.Row]:
        sql = "SELECT * FROM samples WHERE job_id=? AND kind=?"
        args: list = [job_id, kind]
        if tenant_id is not None:
            sql += " AND tenant_id=?"
            args.append(tenant_id)
        return self.db.execute(sql + " ORDER BY at_ts, id", args).fetchall()

    def events(self, tenant_id: int | None = None, job_id: int | None = None) -> list[sqlite3.Row]:
        sql, args = "SELECT * FROM events WHERE 1=1", []
        if tenant_id is not None:
            sql, args = sql + " AND tenant_id=?", [*args, tenant_id]
        if job_id is not None:
            sql, args = sql + " AND job_id=?", [*args, job_id]
        return self.db.execute(sql + " ORDER BY at_ts, id", args).fetchall()

    def diagnoses(self, tenant_id: int | None = None, job_id: int | None = None) -> list[sqlite3.Row]:
        sql, args = "SELECT * FROM diagnoses WHERE 1=1", []
        if tenant_id is not None:
            sql, args = sql + " AND tenant_id=?", [*args, tenant_id]
        if job_id is not None:
            sql, args = sql + " AND job_id=?", [*args, job_id]
        return self.db.execute(sql + " ORDER BY at_ts, id", args).fetchall()

    def ls_latest(self, tenant_id: int | None, job_id: int) -> list[sqlite3.Row]:
        """The last sample of each ls task of a job, with when it was first seen and how many times it stalled."""
        return self.db.execute(
            "SELECT s.*, (SELECT MIN(at_ts) FROM samples f WHERE f.job_id=s.job_id AND f.tenant_id IS s.tenant_id "
            "AND f.kind='ls_task' AND f.ls_id=s.ls_id) AS first_ts, "
            "(SELECT COUNT(*) FROM events e WHERE e.kind='stall' AND e.job_id=s.job_id AND e.tenant_id IS s.tenant_id "
            "AND e.ls_id=s.ls_id) AS stalls "
            "FROM samples s WHERE s.kind='ls_task' AND s.job_id=? AND (? IS NULL OR s.tenant_id=?) AND s.id = "
            "(SELECT MAX(id) FROM samples l WHERE l.kind='ls_task' AND l.job_id=s.job_id AND l.tenant_id IS s.tenant_id "
            "AND l.ls_id=s.ls_id) ORDER BY s.ls_id", (job_id, tenant_id, tenant_id)).fetchall()

    def latest_diagnosis(self, tenant_id: int | None, job_id: int | None, trigger: str) -> sqlite3.Row | None:
        """The last diagnosis of a job for one trigger: what an ongoing stall's exit code rests on."""
        return self.db.execute(
            "SELECT id, exit_code, headline FROM diagnoses WHERE tenant_id IS ? AND job_id IS ? AND trigger=? "
            "ORDER BY at_ts DESC, id DESC LIMIT 1", (tenant_id, job_id, trigger)).fetchone()

    def jobs(self, tenant_id: int | None = None) -> list[sqlite3.Row]:
        """One row per job seen: first and last sample, last status and stage, events and diagnoses."""
        sql = (
            "SELECT s.tenant_id, s.job_id, MIN(s.at_ts) AS first_ts, MAX(s.at_ts) AS last_ts, COUNT(*) AS samples, "
            "(SELECT status FROM samples x WHERE x.job_id=s.job_id AND x.tenant_id IS s.tenant_id AND x.kind='job' "
            "ORDER BY x.at_ts DESC, x.id DESC LIMIT 1) AS status, "
            "(SELECT stage FROM samples x WHERE x.job_id=s.job_id AND x.tenant_id IS s.tenant_id AND x.kind='job' "
            "ORDER BY x.at_ts DESC, x.id DESC LIMIT 1) AS stage, "
            "(SELECT COUNT(*) FROM events e WHERE e.tenant_id IS s.tenant_id AND e.job_id=s.job_id) AS events, "
            "(SELECT COUNT(*) FROM diagnoses d WHERE d.tenant_id IS s.tenant_id AND d.job_id=s.job_id) AS diagnoses "
            "FROM samples s WHERE s.kind='job'"
        )
        args: list = []
        if tenant_id is not None:
            sql += " AND s.tenant_id=?"
            args.append(tenant_id)
        return self.db.execute(sql + " GROUP BY s.tenant_id, s.job_id ORDER BY first_ts", args).fetchall()

    def counts(self) -> dict[str, int]:
        return {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("polls", "samples", "events", "diagnoses", "tracks")}


def _sample_values(s: Sample) -> tuple:
    values = []
    for column in _SAMPLE_COLUMNS:
        value = getattr(s, column)
        if column == "started" and value is not None:
            value = value.isoformat(sep=" ")
        values.append(value)
    return tuple(values)
