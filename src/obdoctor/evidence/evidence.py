"""The one interface rules read: typed evidence over any source, with what was not checked.

A rule asks ``evidence.get(Kind.JOB_HISTORY)`` or ``evidence.search_logs(...)``; it never knows
whether the answer came from a bundle on disk or from a live cluster. Every kind returns a
``Found``: the records and, when the view could not be read, why. A narrower read is said on the
``Found`` (``.where(module=..., event=...)``, ``.first(tenant_id=...)``), so the one way in stays
``get`` and a rule's declared kinds are all it can reach. Which views make a kind and which
record its rows become is ``kinds.KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from obdoctor.catalog.statuses import NotUnderstood, respelt_note
from obdoctor.evidence.clock import use_cluster_zone, views_zone
from obdoctor.evidence.kinds import KINDS, Kind
from obdoctor.evidence.logquery import LogQuery, LogSearchResult
from obdoctor.evidence.rows import Row, TableResult
from obdoctor.evidence.source import EvidenceSource, SourceInfo

T = TypeVar("T")


@dataclass
class Found(Generic[T]):
    """Records of one kind, the view they came from, and whether it could be read at all."""

    items: list[T]
    source: str
    available: bool = True
    reason: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def where(self, **fields: object) -> Found[T]:
        """The records whose named fields equal the values given (``where(module="backup_data")``),
        with the view and its availability kept: a narrowed read still says whether it could be
        read. A field the records do not have raises (a misspelt filter must not match nothing)."""
        items = [r for r in self.items if all(getattr(r, name) == value for name, value in fields.items())]
        return Found(items, self.source, self.available, self.reason)

    def first(self, **fields: object) -> T | None:
        """The first record whose named fields equal the values given (a tenant by ``tenant_id``,
        a server by ``svr_ip``), None when there is none."""
        return next(iter(self.where(**fields)), None)


def _note_statuses(result: TableResult, row: Row) -> None:
    """A row's status cells read as another spelling (a note) or not understood (a problem, and
    named for ``rules/coverage.py``), each once however often the kind is read."""
    for column, text, value, known in row.statuses:
        if value is not None:
            note = respelt_note(result.name, column.upper(), text or "", value)
            if note not in result.notes:
                result.notes.append(note)
            continue
        item = NotUnderstood(result.name, row.provenance.row, column.upper(), text, known)
        if item not in result.not_understood:
            result.not_understood.append(item)
            result.problems.append(item.describe())
    row.statuses = None


VIEWS: dict[str, tuple[str, ...]] = {kind.value: spec.views for kind, spec in KINDS.items()}
"""The views of each kind, in the order they are tried (``kinds.KINDS``), by the kind's name."""


class Evidence:
    def __init__(self, source: EvidenceSource, *, since: datetime | None = None, until: datetime | None = None):
        self._source = source
        self._tables: dict[str, TableResult] = {}
        self._logs: dict[LogQuery, LogSearchResult] = {}
        self._typed: dict[str, Found] = {}
        self._info = source.info()
        use_cluster_zone(views_zone(self._info))  # epoch columns on the cluster's clock (evidence.clock)
        self.since = since
        self.until = until

    # -- about the source -------------------------------------------------------------
    @property
    def info(self) -> SourceInfo:
        return self._info

    @property
    def collected_at(self) -> datetime | None:
        return self._info.collected_at

    @property
    def version(self) -> str | None:
        return self._info.version

    def table(self, name: str) -> TableResult:
        if name not in self._tables:
            self._tables[name] = self._source.read_table(name)
        return self._tables[name]

    def tables_read(self) -> list[TableResult]:
        return list(self._tables.values())

    def log_searches(self) -> list[LogSearchResult]:
        return list(self._logs.values())

    # -- evidence by kind ------------------------------------------------------------------
    def get(self, kind: Kind) -> Found:
        """The typed records of one kind (``kinds.KINDS``), built once: rules ask for the same view
        many times, and a malformed row must be reported once, not once per asking. A kind is a
        ``Kind`` member, never its name as a string (a misspelt member fails where it is written)."""
        if not isinstance(kind, Kind):
            raise TypeError(f"evidence is read by Kind member, not {kind!r}")
        if kind not in self._typed:
            spec = KINDS[kind]
            build = spec.record.from_row if spec.per_tenant else (lambda r, _t, record=spec.record: record.from_row(r))
            self._typed[kind] = self._build(spec.views, build)
        return self._typed[kind]

    def get_if_there(self, kind: Kind) -> Found:
        """:meth:`get` for a kind no rule asked for (``rules/coverage.py`` reading every status
        column): when none of its views is there, that is no news, and is not recorded as read."""
        if kind in self._typed:
            return self._typed[kind]
        before = set(self._tables)
        found = self.get(kind)
        if not found.available:
            for name in set(self._tables) - before:
                del self._tables[name]
            del self._typed[kind]
        return found

    def _build(self, names: tuple[str, ...], build: Callable[[Row, int | None], T]) -> Found[T]:
        reasons: list[str] = []
        for name in names:
            result = self.table(name)
            if result.available:
                default_tenant = self._dba_tenant(name)
                if (name.startswith(("DBA_OB_BACKUP", "DBA_OB_ARCHIVE")) and default_tenant is None and result.rows
                        and not result.rows[0].has("TENANT_ID") and not any("TENANT_ID" in p for p in result.problems)):
                    result.problems.append("its rows have no TENANT_ID and the bundle does not say which tenant "
                                           "they were read in (manifest: dba_tenant_id): the tenant is unknown")
                items = []
                for row in result.rows:
                    try:
                        items.append(build(row, default_tenant))
                    except (TypeError, ValueError, OverflowError) as exc:  # a malformed row must not hide the others
                        result.problems.append(f"row {row.provenance.row}: {exc}")
                    result.problems.extend(f"row {row.provenance.row}: malformed cell {m}" for m in row.malformed
                                           if f"row {row.provenance.row}: malformed cell {m}" not in result.problems)
                    if row.statuses:
                        _note_statuses(result, row)
                return Found(items, name)
            reasons.append(f"{name}: {result.reason or 'not available'}")
        return Found([], names[0], available=False, reason="; ".join(reasons))

    def _dba_tenant(self, view: str) -> int | None:
        """DBA_ views drop TENANT_ID: their rows belong to the tenant they were read in."""
        return self._info.dba_tenant_id if view.startswith("DBA_") else None

    # -- logs -------------------------------------------------------------------------
    def search_logs(self, query: LogQuery) -> LogSearchResult:
        if query not in self._logs:
            self._logs[query] = self._source.search_logs(query)
        return self._logs[query]

    @property
    def log_servers(self) -> list[str]:
        return list(self._info.servers)

