"""An evidence bundle on disk (directory or .tar.gz), as described in docs/bundle-format.md."""

from __future__ import annotations

import tarfile
import tempfile
import tomllib
from datetime import datetime, timezone
from pathlib import Path

from obdoctor.evidence import LogQuery, LogSearchResult, Provenance, Row, SourceInfo, TableResult
from obdoctor.evidence.clock import (
    ClockShift, anchor_views, back_on_views, format_offset, from_zones, infer_from, parse_offset, searching,
)
from obdoctor.knowledge.versions import is_3x_view, scope_headline, scope_note
from obdoctor.logs.files import LogFile, discover, overlaps
from obdoctor.logs.parser import parse_line
from obdoctor.logs.search import Patterns, SearchReport, search_files
from obdoctor.evidence.rows import Columns
from obdoctor.sources.sqltext import iter_cells

SQL_EXTENSIONS = ("jsonl", "csv", "tsv", "txt")


def _known_views() -> set[str]:
    """Every view or table name obdoctor may read (the evidence kinds and the column catalogue)."""
    from obdoctor.evidence.evidence import VIEWS
    from obdoctor.knowledge.views import known_views

    return {n.upper() for names in VIEWS.values() for n in names} | {n.upper() for n in known_views()}


class BundleError(Exception):
    """The bundle cannot be opened at all (not a directory, not a readable archive)."""


class Bundle:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.root = self._open(self.path)
        self.notes: list[str] = []
        self._info: SourceInfo | None = None
        self._clock: ClockShift | None = None
        self._clock_done = False
        self._tables: dict[str, TableResult] = {}
        self.manifest = self._read_manifest()
        self._sql_files = self._index_sql()
        origins = self.root / "logs" / "origins.tsv"  # read now: its problems are notes of info()
        self._origins = _read_origins(origins, self.notes) if origins.is_file() else {}
        if not self._sql_files and not (self.root / "logs").is_dir():
            self.notes.append(f"{self.path}: no sql/ files and no logs/ directory: nothing to diagnose "
                              "(see docs/bundle-format.md)")

    # -- opening ----------------------------------------------------------------------
    def _open(self, path: Path) -> Path:
        if path.is_dir():
            return self._find_root(path)
        if path.is_file() and (path.name.endswith((".tar.gz", ".tgz", ".tar"))):
            self._tmp = tempfile.TemporaryDirectory(prefix="obdoctor-bundle-")
            try:
                with tarfile.open(path) as archive:
                    archive.extractall(self._tmp.name, filter="data")
            except (tarfile.TarError, OSError, EOFError) as exc:
                first = str(exc).splitlines()[0].rstrip(":") if str(exc) else type(exc).__name__
                raise BundleError(f"{path}: not a readable .tar.gz bundle ({first})") from exc
            return self._find_root(Path(self._tmp.name))
        if not path.exists():
            raise BundleError(f"{path}: no such file or directory")
        raise BundleError(f"{path}: a bundle is a directory or a .tar.gz file")

    @staticmethod
    def _find_root(path: Path) -> Path:
        """The directory holding sql/, logs/ or manifest.toml (archives often wrap one folder)."""
        for candidate in [path, *sorted(p for p in path.iterdir() if p.is_dir())]:
            if any((candidate / n).exists() for n in ("sql", "logs", "manifest.toml")):
                return candidate
        return path

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "Bundle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read_manifest(self) -> dict:
        path = self.root / "manifest.toml"
        if not path.exists():
            return {}
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            self.notes.append(f"manifest.toml ignored: {exc}")
            return {}

    def _index_sql(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        self._sql_twins: dict[str, list[Path]] = {}
        self._views_3x: list[str] = []
        sql = self.root / "sql"
        if not sql.is_dir():
            return found
        for file in sorted(sql.iterdir()):
            stem, _, ext = file.name.rpartition(".")
            if file.is_file() and ext.lower() in SQL_EXTENSIONS:
                if stem.upper() in found:  # read too: the one that shows a failure wins (read_table)
                    self._sql_twins.setdefault(stem.upper(), []).append(file)
                    continue
                found[stem.upper()] = file
                if is_3x_view(stem):
                    self._views_3x.append(stem)  # said once, with the version (info)
                elif stem.upper() not in _known_views():
                    self.notes.append(f"sql/{file.name}: {stem} is not a view obdoctor knows; it is kept but not read")
            elif file.is_file():
                self.notes.append(f"sql/{file.name} ignored: extension not one of {', '.join(SQL_EXTENSIONS)}")
        return found

    # -- EvidenceSource ---------------------------------------------------------------
    def info(self) -> SourceInfo:
        """What the manifest and the directory say; computed once (its notes are said once)."""
        if self._info is None:
            self._info = self._read_info()
        return self._info

    def _read_info(self) -> SourceInfo:
        cluster = self.manifest.get("cluster", {}) if isinstance(self.manifest.get("cluster"), dict) else {}
        said = {**self.manifest, **cluster}  # [cluster] wins; top-level keys are accepted too
        collected = said.get("collected_at")
        if isinstance(collected, str):
            try:
                collected = datetime.fromisoformat(collected)
            except ValueError:
                self.notes.append(f"manifest collected_at {collected!r} is not a date")
                collected = None
        time_zone = _zone_text(said.get("time_zone"))
        offset = parse_offset(time_zone, collected if isinstance(collected, datetime) else None)
        if time_zone and offset is None and time_zone.upper() != "SYSTEM":
            self.notes.append(f"manifest time_zone {time_zone!r} is not a zone obdoctor can resolve")
        if isinstance(collected, datetime) and collected.tzinfo is not None:
            if offset is None and not time_zone:
                offset, time_zone = collected.utcoffset(), format_offset(collected.utcoffset())
            if offset is not None:  # "now" on the views' clock
                collected = collected.astimezone(timezone(offset))
            collected = collected.replace(tzinfo=None)
        servers = sorted(p.name for p in (self.root / "logs").iterdir() if p.is_dir()) if (self.root / "logs").is_dir() else []
        dba_tenant = cluster.get("dba_tenant_id")
        version = str(said["version"]) if said.get("version") else None
        logs_3x = version is None and not self._views_3x and self._logs_are_3x(servers)
        scope = scope_note(version, self._views_3x, logs_3x)  # a 3.x bundle: which version, what is read
        if scope:
            self.notes.append(scope)
        return SourceInfo(
            kind="bundle", location=str(self.path), cluster=cluster.get("name"), version=version,
            collected_at=collected if isinstance(collected, datetime) else None,
            servers=servers, notes=list(self.notes),
            dba_tenant_id=int(dba_tenant) if isinstance(dba_tenant, int) else None,
            time_zone=time_zone, system_time_zone=_zone_text(said.get("system_time_zone")), utc_offset=offset,
            product=str(said["product"]) if said.get("product") else None,
            version_scope=scope_headline(version, self._views_3x, logs_3x),
        )

    def _logs_are_3x(self, servers: list[str]) -> bool:
        """Whether the first lines of the plain observer/rootservice logs are in the 3.x format."""
        for server in servers:
            for file in sorted((self.root / "logs" / server).glob("*.log*")):
                if not file.name.startswith(("observer.log", "rootservice.log")) or file.suffix in (".gz", ".zst"):
                    continue
                try:
                    with file.open("rb") as handle:
                        head = handle.read(4096).decode("utf-8", errors="replace").splitlines()[:5]
                except OSError:
                    continue
                formats = {parse_line(line).format for line in head if line.strip()}
                if formats & {"3.x"} and not formats & {"4.x", "4.0"}:
                    return True
                if formats & {"4.x", "4.0"}:
                    return False
        return False

    # -- one clock (evidence.clock) -----------------------------------------------------------
    def clock(self) -> ClockShift | None:
        """How log times relate to view times, decided once, at the first log search."""
        if self._clock_done:
            return self._clock
        self._clock_done = True
        info = self.info()
        decided, self._clock, note = from_zones(info, "as manifest.toml says")
        if decided:
            if note:
                self._note(note)
            return self._clock
        self._clock, note = self._infer_clock()
        if note:
            self._note(note)
        elif info.time_zone and (self.root / "logs").is_dir():
            self._note(f"views are on {info.time_zone}; the bundle does not say the servers' zone "
                       "(manifest system_time_zone) and no trace id links a row to a log line: log times are "
                       "taken to be on the views' clock")
        return self._clock

    def _infer_clock(self) -> tuple[ClockShift | None, str | None]:
        """The shift from anchors: trace ids in rows that also appear in log lines."""
        logs_dir = self.root / "logs"
        if not logs_dir.is_dir():
            return None, None
        tables = [self.read_table(n) for n in anchor_views(lambda n: n.upper() in self._sql_files)]

        def search(traces: tuple[str, ...]):
            files: list[LogFile] = []
            for server in self.info().servers:
                found, _ = discover(logs_dir / server, server)
                files.extend(f for f in found if not f.wf)
            return search_files(files, Patterns(traces, ()), workers=2, ordered=False)

        return infer_from(tables, search)

    def _restore_origin(self, record) -> None:
        """A collected line's file, line and offset on its server (``logs/origins.tsv``)."""
        if not self._origins or not record.server or record.line_no is None:
            return
        stored = Path(record.path).relative_to(self.root / "logs" / record.server).as_posix()
        found = self._origins.get((record.server, stored), {}).get(record.line_no)
        if found:
            record.origin, record.line_no, record.offset = found

    def sql_views(self) -> list[str]:
        return [p.name for p in self._sql_files.values()]

    def read_table(self, name: str) -> TableResult:
        """Read once (the clock's anchors and the rules ask for the same views)."""
        key = name.upper()
        if key not in self._tables:
            self._tables[key] = self._read_table(name)
        return self._tables[key]

    def _read_table(self, name: str) -> TableResult:
        file = self._sql_files.get(name.upper())
        if file is None:
            return TableResult(name, available=False, reason=f"not in the bundle (sql/{name}.*)")
        twins = self._sql_twins.get(name.upper())
        if not twins:
            return self._read_sql_file(name, file)
        results = [self._read_sql_file(name, f) for f in (file, *twins)]
        files = [f"sql/{f.name}" for f in (file, *twins)]
        chosen = _showing_failure(results)
        if len({_content(r) for r in results}) == 1:
            self._note(f"{' and '.join(files)} hold the same view {name} with the same rows; read {files[chosen]}")
        else:
            counts = ", ".join(f"{f}: {len(r.rows)} rows" for f, r in zip(files, results))
            why = "the one that shows a failure" if _failure_score(results[chosen]) else "the first"
            self._note(f"{' and '.join(files)} hold the same view {name} and disagree ({counts}); "
                       f"read {files[chosen]}, {why}")
        return results[chosen]

    def _note(self, text: str) -> None:
        """A note said once, also after ``info()`` was computed (the report reads it at the end)."""
        if text not in self.notes:
            self.notes.append(text)
        if self._info is not None and text not in self._info.notes:
            self._info.notes.append(text)

    def _read_sql_file(self, name: str, file: Path) -> TableResult:
        try:
            data = file.read_bytes()
        except OSError as exc:
            return TableResult(name, available=False, reason=f"sql/{file.name} unreadable: {exc}")
        text, encoding = decode_text(data)
        del data
        location = f"sql/{file.name}"
        problems: list[str] = []
        rows: list[Row] = []
        shared: dict[int, Columns] = {}  # one Columns per header list (tables, CSV)
        for line, header, values in iter_cells(text, file.suffix[1:], problems):
            if header is None:
                rows.append(Row(values, Provenance("sql", name, row=len(rows) + 1, line=line, location=location)))
            else:
                columns = shared.get(id(header)) or shared.setdefault(id(header), Columns(header))
                rows.append(Row.from_cells(columns, values, (name, location, len(rows) + 1, line)))
        blank = not text.strip()
        del text  # a big view: the text is not kept beside its rows
        if encoding != "utf-8":
            self._note(f"{location} is not UTF-8: read as {encoding}")
        if not rows and problems and not blank:
            return TableResult(name, available=False, reason=f"{location}: {problems[0]}", problems=problems)
        return TableResult(name, rows, problems=[f"{location}: {p}" for p in problems])

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        """On the servers' clock: the window moved there, the lines brought back (evidence.clock)."""
        shift = self.clock() if (self.root / "logs").is_dir() else None
        return back_on_views(self._search_logs(searching(query, shift)), query, shift)

    def _search_logs(self, query: LogQuery) -> LogSearchResult:
        result = LogSearchResult(query)
        logs_dir = self.root / "logs"
        servers = query.servers or tuple(self.info().servers)
        if not logs_dir.is_dir():
            result.unchecked.append("the bundle has no logs/ directory")
            return result
        patterns = Patterns(query.any_of, query.all_of)
        chosen_all: list[LogFile] = []
        for server in servers:
            directory = logs_dir / server
            if not directory.is_dir():
                result.unchecked.append(f"no logs of server {server} in the bundle (logs/{server}/)")
                continue
            files, skipped = discover(directory, server)
            for path, reason in skipped:  # a log we may not read is evidence we could not check
                if reason not in ("not an OceanBase log file name", "empty file"):
                    result.unchecked.append(f"{server}/{path.name}: {reason}")
            chosen = _choose_files(files, query)
            if not chosen:
                result.unchecked.append(f"no {'/'.join(query.kinds)} log of server {server} in the bundle")
                continue
            chosen_all.extend(chosen)
        report = SearchReport()
        # one pass over all servers' files, both cores (obdoctor.logs.search.search_files)
        for record in search_files(chosen_all, patterns, workers=2, report=report, ordered=False):  # sorted below
            if not query.keeps(record):
                continue
            result.total_matches += 1
            if len(result.records) < query.limit:
                self._restore_origin(record)
                record.path = str(Path(record.path).relative_to(self.root))
                result.records.append(record)
        for log in chosen_all:
            if log in report.searched:
                result.files_searched.append(f"{log.server}/{log.name}")
        for log, reason in report.failed:  # truncated gz/zst, unreadable file
            result.unchecked.append(f"{log.server}/{log.name}: {reason}")
            result.files_searched.append(f"{log.server}/{log.name} (partly)")
        result.records.sort(key=lambda r: (r.ts is None, r.ts or datetime.min))
        return result


def _zone_text(value: object) -> str | None:
    """A manifest zone as text (TOML may give ``+08:00`` as a string only; anything else is kept as said)."""
    if value is None or value == "":
        return None
    return str(value).strip()


def decode_text(data: bytes) -> tuple[str, str]:
    """Saved view text as (text, encoding): UTF-8 (a BOM dropped), else GB18030 (a superset of
    GBK, what a Chinese Windows client saves), else UTF-8 with U+FFFD for what cannot be read."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "utf-8 with undecodable bytes replaced"


_FAILED_WORDS = ("FAIL", "ERROR", "INTERRUPT")


def _failure_score(result: TableResult) -> int:
    """How many rows show a failure: a FAILED-like status, a non-zero result, a failure event."""
    score = 0
    for row in result.rows:
        status = (row.text("STATUS") or "").upper()
        event = (row.text("EVENT") or "").upper()
        code = row.integer("RESULT")
        if any(w in status or w in event for w in _FAILED_WORDS) or code not in (None, 0):
            score += 1
    return score


def _content(result: TableResult) -> tuple:
    return (result.available, tuple(tuple(sorted((k, None if v is None else str(v)) for k, v in r.as_dict().items()))
                                    for r in result.rows))


def _showing_failure(results: list[TableResult]) -> int:
    """Which of several files of one view to read: the one showing the most failures (never the
    all-clear), then the one with more rows, then the first."""
    return max(range(len(results)), key=lambda i: (results[i].available, _failure_score(results[i]),
                                                   len(results[i].rows), -i))


def _read_origins(path: Path, notes: list[str]) -> dict[tuple[str, str], dict[int, tuple[str, int, int | None]]]:
    """``logs/origins.tsv`` (written by ``obdoctor collect``): (server, stored file) -> stored
    line -> (file name on the server, line there, byte offset there or None). A bad row is
    noted and skipped: its line then keeps its number in the bundle's file."""
    origins: dict[tuple[str, str], dict[int, tuple[str, int, int | None]]] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        notes.append(f"logs/{path.name} unreadable ({exc}): collected lines keep their numbers in the bundle")
        return origins
    bad = 0
    for number, line in enumerate(text.splitlines(), 1):
        cells = line.split("\t")
        if number == 1 and cells[:1] == ["server"]:
            continue
        try:
            server, stored, stored_line, origin, origin_line, offset = cells
            entry = (origin, int(origin_line), int(offset) if offset else None)
            origins.setdefault((server, stored), {})[int(stored_line)] = entry
        except ValueError:
            bad += 1
    if bad:
        notes.append(f"logs/{path.name}: {bad} malformed row(s) ignored")
    return origins


def _choose_files(files: list[LogFile], query: LogQuery) -> list[LogFile]:
    """Files of the asked families overlapping the window; .wf twins only when their main file is gone."""
    out = []
    for kind in query.kinds:
        family = [f for f in files if f.family == kind]
        main = [f for f in family if not f.wf]
        for f in main or family:
            if overlaps(f, query.since, query.until):
                out.append(f)
    return out
