"""An evidence bundle on disk (directory or .tar.gz), as described in docs/bundle-format.md.

A bundle comes from elsewhere (another company, a careless script), so nothing in it is
trusted to name a path: every file read is resolved and must lie under the bundle (a symbolic
link pointing out is refused with a note), a server name taken from evidence becomes a
directory name only when it is an IP address or one of the bundle's own server directories,
and an archive is extracted member by member within a size and file-count budget
(docs/security.md).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import stat
import tarfile
import tempfile
import tomllib
from datetime import datetime, timezone
from pathlib import Path

from obdoctor.addresses import server_ip
from obdoctor.evidence.kinds import MOUNTS_SOURCE
from obdoctor.evidence import LogQuery, LogSearchResult, Provenance, Row, SourceInfo, TableResult
from obdoctor.evidence.clock import (
    ClockShift, anchor_views, format_offset, from_zones, infer_by_server, infer_from, parse_offset, search_on_views,
    system_offset, with_recorded,
)
from obdoctor.catalog.versions import is_3x_view, scope_headline, scope_note
from obdoctor.logs import LogFile, Patterns, Records, SearchReport, discover, overlaps, parse_line, search_files
from obdoctor.evidence.rows import Columns
from obdoctor.sources.loose import UNKNOWN_SERVER
from obdoctor.sources.paste import SESSION
from obdoctor.security.controls import visible_line
from obdoctor.sources.sqltext import iter_cells

SQL_EXTENSIONS = ("jsonl", "csv", "tsv", "txt")


def _known_views() -> set[str]:
    """Every view or table name obdoctor may read (the evidence kinds and the column catalogue)."""
    from obdoctor.evidence.evidence import VIEWS
    from obdoctor.catalog.views import known_views

    return {n.upper() for names in VIEWS.values() for n in names} | {n.upper() for n in known_views()}


class BundleError(Exception):
    """The bundle cannot be opened at all (not a directory, not a readable archive, over budget)."""


DEFAULT_MAX_EXTRACT_BYTES = 4 << 30
"""What an archive may expand to on disk (4 GiB): a collected bundle is megabytes; a
hand-made one with full logs of a few servers stays under it. ``--max-extract`` raises it."""
DEFAULT_MAX_EXTRACT_FILES = 100_000
"""Members an archive may hold (``--max-extract-files``)."""


ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
"""File names read as a whole bundle, extracted (any other file is one saved paste)."""


class Bundle:
    def __init__(self, path: str | Path, *, max_extract_bytes: int = DEFAULT_MAX_EXTRACT_BYTES,
                 max_extract_files: int = DEFAULT_MAX_EXTRACT_FILES, stdin: bytes | None = None):
        self.path = Path(path)
        self.max_extract_bytes = max_extract_bytes
        self.max_extract_files = max_extract_files
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.notes: list[str] = []
        self._staging: Path | None = None
        self._pasted: dict[str, list[tuple[object, str]]] = {}
        self._log_origin: dict[Path, str] = {}
        self._mixed: set[Path] = set()
        self._paste_failed: dict[str, str] = {}
        self._paste_name = "<stdin>"
        if stdin is None and self.path.is_file() and not self.path.name.lower().endswith(ARCHIVE_SUFFIXES):
            stdin, self._paste_name = self._read_one_file(self.path), self.path.name  # one saved file: a paste
        self.root = self._open(self.path) if stdin is None else self._paste_root()
        self._info: SourceInfo | None = None
        self._clock: ClockShift | None = None
        self._clock_done = False
        self._tables: dict[str, TableResult] = {}
        self.manifest = self._read_manifest()
        self._sql_files = self._index_sql()
        self._logs = self._logs_dir()
        if stdin is not None or not self._pinned():
            self._read_loose(stdin)
        origins = self.root / "logs" / "origins.tsv"  # read now: its problems are notes of info()
        self._origins = {}
        if self._logs is not None and (origins.exists() or origins.is_symlink()) \
                and self._readable(origins, "logs/origins.tsv"):
            self._origins = _read_origins(origins, self.notes)
        if not self._sql_files and not self._pasted and self._logs is None:
            where = ("the paste" if self._paste_name == "<stdin>" else self._paste_name) if stdin is not None \
                else str(self.path)
            self.notes.append(f"{where}: no query output and no OceanBase log line recognised: nothing to diagnose "
                              "(see: obdoctor docs bundle-format)")

    # -- evidence as a DBA has it (sources.loose) ----------------------------------------
    def _paste_root(self) -> Path:
        self._tmp = tempfile.TemporaryDirectory(prefix="obdoctor-paste-")
        self._boundary = Path(self._tmp.name).resolve()
        if self._paste_name == "<stdin>":
            self.path = Path("<stdin>")
        return self._boundary

    @staticmethod
    def _read_one_file(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise BundleError(f"{path}: unreadable ({exc.strerror or exc})") from exc

    def _pinned(self) -> bool:
        """The layout ``collect`` writes (sql/, logs/ or manifest.toml): read exactly as it says."""
        return any((self.root / n).exists() for n in ("sql", "logs"))

    def _read_loose(self, stdin: bytes | None) -> None:
        """Recognise query outputs and logs by content anywhere under the folder (or in the paste)."""
        from obdoctor.sources.loose import gather

        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="obdoctor-loose-")
        self._staging = Path(self._tmp.name).resolve() / ".staged"
        self._staging.mkdir()
        found = gather(None if stdin is not None else self.root, stdin, self._staging, self._inside,
                       self._aliases(), self._paste_name)
        self.notes.extend(found.notes)
        for block, shown in found.blocks:
            if block.view == SESSION:
                self._session_facts(block, shown)
                continue
            self._pasted.setdefault(block.view.upper(), []).append((block, shown))
        for view, blocks in self._pasted.items():
            if view not in {v.upper() for v in _known_views()} and not is_3x_view(view):
                self.notes.append(f"{blocks[0][1]}: {blocks[0][0].view} is not a view obdoctor knows; kept but not read")
        for staged, shown, _ in found.logs:
            self._log_origin[staged] = shown
        self._mixed = set(found.mixed)
        self._paste_failed = found.failed
        if found.logs:
            self._logs = self._staging / "logs"

    def _session_facts(self, block, shown: str) -> None:
        """``SELECT version(), now(), effective_tenant_id()`` in a paste: the version, the moment
        of the evidence and the tenant DBA_ views were read in, used when no manifest says them."""
        problems: list[str] = []
        for _, header, values in iter_cells(block.text, block.ext, problems):
            row = dict(zip(header, values)) if header is not None else values
            for key, value in row.items():
                key, text = str(key).lower(), str(value or "")
                found = re.search(r"(\d+\.\d+\.\d+(?:\.\d+)?)\s*$", text.split("OceanBase")[-1].lstrip("-v _"))
                if "version" in key and found:
                    self.manifest.setdefault("version", found.group(1))
                    self.notes.append(f"{shown}: version {found.group(1)} from {key}")
                elif "tenant_id" in key and text.isdigit():  # DBA_ views were read in this tenant
                    cluster = self.manifest.setdefault("cluster", {})
                    if isinstance(cluster, dict):
                        cluster.setdefault("dba_tenant_id", int(text))
                        self.notes.append(f"{shown}: DBA_ views read in tenant {text} ({key})")
                elif ("now" in key or "current_timestamp" in key or "sysdate" in key) and text:
                    self.manifest.setdefault("collected_at", text.replace(" ", "T", 1))
                    self.notes.append(f"{shown}: the evidence's moment {text} from {key}")
            break

    def _aliases(self) -> dict[str, str]:
        """Host names a folder may carry -> server address (manifest ``[cluster] hosts``/``aliases``)."""
        cluster = self.manifest.get("cluster", {}) if isinstance(getattr(self, "manifest", None), dict) else {}
        out: dict[str, str] = {}
        for key in ("hosts", "aliases"):
            table = cluster.get(key) if isinstance(cluster, dict) else None
            if isinstance(table, dict):
                out.update({str(k): str(v) for k, v in table.items()})
        return out

    # -- opening ----------------------------------------------------------------------
    def _open(self, path: Path) -> Path:
        if path.is_dir():
            self._boundary = path.resolve()
            return self._find_root(path)
        if path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES):
            import zipfile

            zipped = path.name.lower().endswith(".zip")
            self._tmp = tempfile.TemporaryDirectory(prefix="obdoctor-bundle-")
            self._boundary = Path(self._tmp.name).resolve()
            try:
                (self._extract_zip if zipped else self._extract)(path, self._boundary)
            except (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError,
                    OSError, EOFError) as exc:  # NotImplementedError: a zip compression method Python lacks
                self.close()
                first = str(exc).splitlines()[0].rstrip(":") if str(exc) else type(exc).__name__
                raise BundleError(f"{path}: not a readable {'.zip' if zipped else '.tar.gz'} bundle ({first})") from exc
            except BaseException:  # over budget, Ctrl-C, SIGTERM (cli.main): nothing left behind
                self.close()
                raise
            return self._find_root(self._boundary)
        if not path.exists():
            raise BundleError(f"{path}: no such file or directory")
        raise BundleError(f"{path}: a bundle is a directory, a .tar.gz or a .zip file")

    def _extract(self, path: Path, destination: Path) -> None:
        """Extract member by member, streaming: the budget is checked from each header before
        its bytes are written, links pointing outside and device files are skipped with a note,
        and tarfile's ``data`` filter refuses absolute and ``..`` names."""
        files = written = 0
        refused: list[str] = []
        with tarfile.open(path) as archive:
            for member in archive:
                files += 1
                self._within_budget(path, files, written)
                if member.isreg():
                    written += member.size
                    self._within_budget(path, files, written)
                elif not (member.isdir() or member.issym() or member.islnk()):
                    refused.append(f"{member.name} (not a file, directory or link)")
                    continue
                try:
                    archive.extract(member, destination, filter="data")
                except tarfile.FilterError as exc:
                    refused.append(f"{member.name} ({_first_line(exc)})")
        self._note_refused(refused)

    def _extract_zip(self, path: Path, destination: Path) -> None:
        """A .zip (a bundle zipped on a laptop), with the .tar.gz's limits: the budget is checked
        from the central directory before a byte is written (zipfile stops reading a member at
        its declared size), absolute and ``..`` names and links are refused with a note."""
        import stat
        import zipfile
        from pathlib import PurePosixPath

        refused: list[str] = []
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            self._within_budget(path, len(members), sum(m.file_size for m in members))
            for member in members:
                name = member.filename.replace("\\", "/")
                if name.startswith("/") or ".." in PurePosixPath(name).parts or ":" in name.split("/")[0]:
                    refused.append(f"{member.filename} (an absolute or .. name)")
                elif stat.S_ISLNK(member.external_attr >> 16):
                    refused.append(f"{member.filename} (a link)")
                else:
                    archive.extract(member, destination)
        self._note_refused(refused)

    def _within_budget(self, path: Path, files: int, written: int) -> None:
        """Refuse an archive past ``--max-extract-files`` members or ``--max-extract`` bytes."""
        if files > self.max_extract_files:
            raise BundleError(f"{path}: more than {self.max_extract_files:,} members: not extracted "
                              "(an archive bomb?); raise the limit with --max-extract-files")
        if written > self.max_extract_bytes:
            raise BundleError(f"{path}: expands to more than {_size(self.max_extract_bytes)}: not "
                              "extracted (an archive bomb?); raise the limit with --max-extract")

    def _note_refused(self, refused: list[str]) -> None:
        for what in refused[:20]:
            self.notes.append(f"archive member {what}: refused, not extracted")
        if len(refused) > 20:
            self.notes.append(f"{len(refused) - 20} more archive member(s) refused")

    def _find_root(self, path: Path) -> Path:
        """The directory holding sql/, logs/ or manifest.toml (archives often wrap one folder);
        a wrapping folder that is a link pointing outside is not followed."""
        for candidate in [path, *sorted(p for p in path.iterdir() if p.is_dir())]:
            if candidate != path and not self._inside(candidate):
                self.notes.append(f"{candidate.name}/: a link pointing outside the bundle: refused")
                continue
            if any((candidate / n).exists() for n in ("sql", "logs", "manifest.toml")):
                return candidate
        return path

    # -- staying inside -------------------------------------------------------------------
    def _inside(self, path: Path) -> bool:
        """Whether ``path``, links resolved, lies under the bundle."""
        try:
            resolved = path.resolve()
            if self._staging is not None and resolved.is_relative_to(self._staging):
                return True
            resolved.relative_to(self._boundary)
            return True
        except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop
            return False

    def _zeroed(self, log: LogFile) -> bool:
        """:func:`_begins_with_nul`, once per file (every query of the rules asks)."""
        cache = self.__dict__.setdefault("_nul_files", {})
        if log.path not in cache:
            cache[log.path] = _begins_with_nul(log)
        return cache[log.path]

    def _readable(self, path: Path, shown: str) -> bool:
        """``_inside``, noting the refusal when not."""
        if self._inside(path):
            return True
        self._note(f"{shown}: a link pointing outside the bundle: refused, not read")  # also read after info()
        return False

    def _logs_dir(self) -> Path | None:
        logs = self.root / "logs"
        if not logs.is_dir() or not self._readable(logs, "logs/"):
            return None
        return logs

    def _server_names(self) -> list[str]:
        """The server directories under logs/, links pointing outside left out (with a note)."""
        if self._logs is None:
            return []
        names = []
        for entry in sorted(self._logs.iterdir()):
            if entry.name == UNKNOWN_SERVER and self._staging is not None:
                continue  # searched with every server's files (_search_logs), never named a server
            if _odd_name(entry.name):
                self._note(f"logs/{visible_line(entry.name)}: {ODD_NAME}")
                continue
            if entry.is_dir() and self._readable(entry, f"logs/{entry.name}/"):
                names.append(entry.name)
        return names

    def _server_dir(self, server: str, known: list[str]) -> tuple[Path | None, str | None]:
        """The directory of a server named by evidence, or why that name is not used as a path:
        only an IP address (``ip:port`` and ``[v6]:port`` reduced to the address) or one of the
        bundle's own server directories (aliases such as ``host-1.invalid``) become a path."""
        name = str(server).strip()
        if name not in known:
            name = _address_of(name)
            if name is None:
                return None, (f"server name {str(server)[:80]!r} from the evidence is not an IP address nor a "
                              "server of the bundle: not used as a path")
        directory = self._logs / name  # type: ignore[operator]
        if not directory.is_dir():
            return None, f"no logs of server {name} in the bundle (logs/{name}/)"
        if not self._inside(directory):
            return None, f"logs/{name}/: a link pointing outside the bundle: refused, not read"
        return directory, None

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
        if not (path.exists() or path.is_symlink()) or not self._readable(path, "manifest.toml"):
            return {}
        data, why = read_regular(path, "manifest.toml", MAX_MANIFEST_BYTES)
        if data is None:
            self.notes.append(why)
            return {}
        try:
            return tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            self.notes.append(f"manifest.toml ignored: {exc}")
            return {}

    def _index_sql(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        self._sql_twins: dict[str, list[Path]] = {}
        self._views_3x: list[str] = []
        sql = self.root / "sql"
        if not sql.is_dir() or not self._readable(sql, "sql/"):
            return found
        for file in sorted(sql.iterdir()):
            if _odd_name(file.name):
                self.notes.append(f"sql/{visible_line(file.name)}: {ODD_NAME}")
                continue
            stem, _, ext = file.name.rpartition(".")
            if not file.is_file() and not file.is_dir() and self._readable(file, f"sql/{file.name}"):
                self.notes.append(f"sql/{file.name}: {_not_regular(file)}: not read")
                continue
            if file.is_file() and ext.lower() in SQL_EXTENSIONS:
                if not self._readable(file, f"sql/{file.name}"):
                    continue
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
        if collected is not None and not isinstance(collected, datetime):  # a TOML date, time of day, number
            self.notes.append(f"manifest collected_at {collected!s} is not a date and time: the bundle's 'now' "
                              "is unknown, so no age is told")
            collected = None
        time_zone = _zone_text(said.get("time_zone"))
        system_zone = _zone_text(said.get("system_time_zone"))
        offset = parse_offset(time_zone, collected)
        if time_zone and time_zone.upper() == "SYSTEM":  # the views are on the servers' zone
            offset, note = system_offset(system_zone, collected)
            if note:
                self.notes.append(note)
        elif time_zone and offset is None:
            self.notes.append(f"manifest time_zone {time_zone!r} is not a zone obdoctor can resolve")
        if collected is not None and collected.tzinfo is not None:
            if offset is None and not time_zone:
                offset, time_zone = collected.utcoffset(), format_offset(collected.utcoffset())
            if offset is not None:  # "now" on the views' clock
                collected = collected.astimezone(timezone(offset))
            collected = collected.replace(tzinfo=None)
        servers = self._server_names()
        dba_tenant = cluster.get("dba_tenant_id")
        version = str(said["version"]) if said.get("version") else None
        logs_3x = version is None and not self._views_3x and self._logs_are_3x(servers)
        scope = scope_note(version, self._views_3x, logs_3x)  # a 3.x bundle: which version, what is read
        if scope:
            self.notes.append(scope)
        return SourceInfo(
            kind="bundle", location=str(self.path), cluster=cluster.get("name"), version=version,
            collected_at=collected,
            servers=servers, notes=list(self.notes),
            dba_tenant_id=int(dba_tenant) if isinstance(dba_tenant, int) else None,
            time_zone=time_zone, system_time_zone=system_zone, utc_offset=offset,
            product=str(said["product"]) if said.get("product") else None,
            version_scope=scope_headline(version, self._views_3x, logs_3x),
        )

    def _logs_are_3x(self, servers: list[str]) -> bool:
        """Whether the first lines of the plain observer/rootservice logs are in the 3.x format."""
        for server in servers:
            for file in sorted((self._logs / server).glob("*.log*")):
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
        recorded = self._recorded_zones()
        if recorded:
            servers = info.servers
            default = None
            if any(s not in recorded for s in servers):
                decided, default, _ = from_zones(info, "as manifest.toml says")
                if not decided:
                    default, _ = self._infer_clock()
            self._clock, notes = with_recorded(info, recorded, default, servers, self._inferred_by_server)
            for note in notes:
                self._note(note)
            return self._clock
        decided, self._clock, note = from_zones(info, "as manifest.toml says")
        if decided:
            if note:
                self._note(note)
            return self._clock
        self._clock, note = self._infer_clock()
        if note:
            self._note(note)
        elif info.time_zone and self._logs is not None:
            self._note(f"views are on {info.time_zone}; the bundle does not say the servers' zone "
                       "(manifest system_time_zone) and no trace id links a row to a log line: log times are "
                       "taken to be on the views' clock")
        return self._clock

    def _recorded_zones(self) -> dict[str, str]:
        """Each server's zone as ``collect`` read it (``[cluster.server_time_zones]``: server -> ``+08:00``)."""
        cluster = self.manifest.get("cluster")
        zones = cluster.get("server_time_zones") if isinstance(cluster, dict) else None
        if not isinstance(zones, dict):
            return {}
        return {str(server): str(text) for server, text in zones.items() if isinstance(text, (str, int, float))}

    def _infer_clock(self) -> tuple[ClockShift | None, str | None]:
        """The shift from anchors: trace ids in rows that also appear in log lines."""
        found = self._anchors()
        return infer_from(*found) if found else (None, None)

    def _inferred_by_server(self) -> dict:
        """Each server's shift as its own trace ids say (to check a zone read at collection)."""
        found = self._anchors()
        return infer_by_server(*found) if found else {}

    def _anchors(self):
        """(anchor tables, search of trace ids in every server's logs), None without logs."""
        logs_dir = self._logs
        if logs_dir is None:
            return None
        tables = [self.read_table(n) for n in anchor_views(lambda n: n.upper() in self._sql_files or n.upper() in self._pasted)]

        def search(traces: tuple[str, ...]):
            files: list[LogFile] = []
            for server in self.info().servers:
                found, _ = discover(logs_dir / server, server)
                files.extend(f for f in found if not f.wf)
            return search_files(files, Patterns(traces, ()), Records(ordered=False), workers=2)

        return tables, search

    def _restore_origin(self, record) -> None:
        """A collected line's file, line and offset on its server (``logs/origins.tsv``)."""
        if not self._origins or not record.server or record.line_no is None:
            return
        stored = Path(record.path).relative_to(self._logs / record.server).as_posix()
        found = self._origins.get((record.server, stored), {}).get(record.line_no)
        if found:
            record.origin, record.line_no, record.offset = found

    def _missing_at_collection(self, name: str) -> str | None:
        """Why ``obdoctor collect`` could not read a view (manifest ``[collect.missing]``)."""
        collect = self.manifest.get("collect")
        missing = collect.get("missing") if isinstance(collect, dict) else None
        if not isinstance(missing, dict):
            return None
        why = next((v for k, v in missing.items() if str(k).upper() == name.upper()), None)
        return str(why) if why else None

    def sql_views(self) -> list[str]:
        return [p.name for p in self._sql_files.values()] + sorted({s for b in self._pasted.values() for _, s in b})

    def read_table(self, name: str) -> TableResult:
        """Read once (the clock's anchors and the rules ask for the same views)."""
        key = name.upper()
        if key not in self._tables:
            self._tables[key] = self._read_table(name)
        return self._tables[key]

    def _read_table(self, name: str) -> TableResult:
        if name == MOUNTS_SOURCE:
            return self._read_mounts()
        if name.upper() in self._pasted:
            return self._read_pasted(name)
        if name.upper() in self._paste_failed:
            return TableResult(name, available=False, reason=self._paste_failed[name.upper()])
        file = self._sql_files.get(name.upper())
        if file is None:
            why = self._missing_at_collection(name)
            return TableResult(name, available=False,
                               reason=f"not collected: {why}" if why else f"not in the bundle (sql/{name}.*)")
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

    def _read_mounts(self) -> TableResult:
        """``mounts/<server>``: each server's ``/proc/mounts`` as ``obdoctor collect`` saved it; a server
        whose mounts could not be read then is in the manifest's ``[collect.missing]`` under
        ``"/proc/mounts <server>"`` and becomes a row saying why."""
        from obdoctor.sources import mounts

        directory = self.root / "mounts"
        read: dict[str, tuple[str | None, str | None]] = {}
        where: dict[str, str] = {}
        if directory.is_dir() and self._readable(directory, "mounts/"):
            for file in sorted(directory.iterdir()):
                if not self._readable(file, f"mounts/{visible_line(file.name)}"):
                    continue
                if not file.is_file():
                    if not file.is_dir():
                        self._note(f"mounts/{visible_line(file.name)}: {_not_regular(file)}: not read")
                    continue
                if server_ip(file.name) != file.name:
                    self._note(f"mounts/{visible_line(file.name)}: not named after a server (mounts/<ip>): not read")
                    continue
                data, why = read_regular(file, f"mounts/{file.name}", MAX_MANIFEST_BYTES)
                read[file.name] = (decode_text(data)[0], None) if data is not None else (None, why)
                where[file.name] = f"mounts/{file.name}"
        collect = self.manifest.get("collect")
        missing = collect.get("missing") if isinstance(collect, dict) else None
        for key, why in (missing.items() if isinstance(missing, dict) else ()):
            server = str(key).removeprefix(MOUNTS_SOURCE + " ")
            if str(key).startswith(MOUNTS_SOURCE + " ") and server not in read:
                read[server] = (None, f"not collected: {why}")
        if not read:
            return TableResult(MOUNTS_SOURCE, available=False,
                               reason="the bundle has no mounts/ folder (each server's /proc/mounts, saved by obdoctor "
                                      "collect when a destination is file://)")
        return mounts.table(read, where)

    def _note(self, text: str) -> None:
        """A note said once, also after ``info()`` was computed (the report reads it at the end)."""
        if text not in self.notes:
            self.notes.append(text)
        if self._info is not None and text not in self._info.notes:
            self._info.notes.append(text)

    def _read_pasted(self, name: str) -> TableResult:
        """A view recognised in loose files or a paste; several outputs of it: the one showing a failure."""
        blocks = self._pasted[name.upper()]
        results = [self._read_text(name, b.text, b.ext, f"{shown}", b.first_line - 1) for b, shown in blocks]
        chosen = _showing_failure(results)
        for block, shown in blocks[:1]:
            self._note(f"{shown}: view {block.view} {block.how}")
        if len(results) > 1:
            where = ", ".join(f"{s} line {b.first_line}" for b, s in blocks)
            self._note(f"{len(results)} outputs of {name} ({where}); read the one at {blocks[chosen][1]} "
                       f"line {blocks[chosen][0].first_line}")
        return results[chosen]

    def _read_sql_file(self, name: str, file: Path) -> TableResult:
        data, why = read_regular(file, f"sql/{file.name}", MAX_VIEW_BYTES)
        if data is None:
            return TableResult(name, available=False, reason=why)
        text, encoding = decode_text(data)
        del data
        if encoding != "utf-8":
            self._note(f"sql/{file.name} is not UTF-8: read as {encoding}")
        return self._read_text(name, text, file.suffix[1:], f"sql/{file.name}", 0)

    def _read_text(self, name: str, text: str, extension: str, location: str, shift: int) -> TableResult:
        problems: list[str] = []
        rows: list[Row] = []
        shared: dict[int, Columns] = {}  # one Columns per header list (tables, CSV)
        for line, header, values in iter_cells(text, extension, problems):
            line += shift
            if header is None:
                rows.append(Row(values, Provenance("sql", name, row=len(rows) + 1, line=line, location=location)))
            else:
                columns = shared.get(id(header)) or shared.setdefault(id(header), Columns(header))
                rows.append(Row.from_cells(columns, values, (name, location, len(rows) + 1, line)))
        blank = not text.strip()
        del text  # a big view: the text is not kept beside its rows
        if not rows and problems and not blank:
            return TableResult(name, available=False, reason=f"{location}: {problems[0]}", problems=problems)
        return TableResult(name, rows, problems=[f"{location}: {p}" for p in problems])

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        """On the servers' clock: the window moved there, the lines brought back (evidence.clock)."""
        shift = self.clock() if self._logs is not None else None
        return search_on_views(query, shift, self.info().servers, self._search_logs)

    def _search_logs(self, query: LogQuery) -> LogSearchResult:
        result = LogSearchResult(query)
        known = self.info().servers
        servers = query.servers or tuple(known)
        if self._logs is None:
            result.unchecked.append("the bundle has no logs/ directory")
            return result
        patterns = Patterns(query.any_of, query.all_of)
        chosen_all: list[LogFile] = []
        unknown = self._logs / UNKNOWN_SERVER
        unknown = unknown if self._staging is not None and unknown.is_dir() else None
        for server in servers:
            directory, why_not = self._server_dir(server, known)
            if directory is None:
                if unknown is None or not why_not.startswith("no logs of server"):
                    result.unchecked.append(why_not)  # else: the lines of no known server are searched below
                continue
            server = directory.name
            files, skipped = discover(directory, server)
            outside = [f for f in files if not self._inside(f.path)]
            for log in outside:
                result.unchecked.append(f"{server}/{log.path.relative_to(directory)}: a link pointing outside "
                                        "the bundle: refused, not read")
            files = [f for f in files if f not in outside]
            zeroed = [f for f in files if self._zeroed(f)]
            for log in zeroed:
                result.unchecked.append(f"{server}/{log.name}: begins with NUL bytes (a sparse or zeroed file), "
                                        "not OceanBase log lines: not searched")
            files = [f for f in files if f not in zeroed]
            for path, reason in skipped:  # a log we may not read is evidence we could not check
                if reason not in ("not an OceanBase log file name", "empty file"):
                    result.unchecked.append(f"{server}/{path.name}: {reason}")
            chosen = _choose_files(files, query)
            chosen += [f for f in files if f.path in self._mixed and f not in chosen and not f.wf
                       and overlaps(f, query.since, query.until)]  # a paste mixes the families
            if not chosen and unknown is None:
                result.unchecked.append(f"no {'/'.join(query.kinds)} log of server {server} in the bundle")
                continue
            chosen_all.extend(chosen)
        if unknown is not None:  # lines of no known server: searched all the same
            files, _ = discover(unknown, UNKNOWN_SERVER)
            chosen_all.extend(f for f in files if overlaps(f, query.since, query.until))  # any family: a paste mixes them
        report = SearchReport()
        # one pass over all servers' files, both cores
        for record in search_files(chosen_all, patterns, Records(ordered=False), workers=2, report=report):  # sorted below
            if not query.keeps(record):
                continue
            result.total_matches += 1
            if len(result.records) < query.limit:
                self._restore_origin(record)
                shown = self._log_origin.get(Path(record.path))
                record.path = shown or str(Path(record.path).relative_to(self.root))
                result.records.append(record)
        for log in chosen_all:
            if log in report.searched:
                result.files_searched.append(f"{log.server}/{log.name}")
        for log, reason in report.failed:  # truncated gz/zst, unreadable file
            result.unchecked.append(f"{log.server}/{log.name}: {reason}")
            result.files_searched.append(f"{log.server}/{log.name} (partly)")
        result.records.sort(key=lambda r: (r.ts is None, r.ts or datetime.min))
        return result


MAX_MANIFEST_BYTES = 16 << 20
"""``manifest.toml`` and a server's ``mounts/`` file at most: a few KiB in practice."""
MAX_VIEW_BYTES = 256 << 20
"""A view's saved output (and ``logs/origins.tsv``) at most: it is read whole, and its rows take
several times its size in memory. A sparse file claiming gigabytes costs nothing to make."""


def read_regular(path: Path, shown: str, limit: int, *, head: bool = False) -> tuple[bytes | None, str | None]:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes, else (None, why);
    with ``head``, its first ``limit`` bytes whatever its size.

    Opened without blocking and checked from the open descriptor, not the name: a FIFO would
    block the open until a writer comes (forever), a device (``/dev/zero``) never ends, a
    socket cannot be opened; a file swapped for one of them after a check is caught all the same."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            return None, f"{shown}: not a regular file (a socket): not read"
        return None, f"{shown} unreadable: {exc.strerror or exc}"
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, f"{shown}: {_kind_of(st.st_mode)}: not read"
        if head:
            return handle.read(limit), None
        data = handle.read(limit + 1) if st.st_size <= limit else b""
        if st.st_size > limit or len(data) > limit:
            size = max(st.st_size, len(data))
            return None, f"{shown}: {_size(size)}, more than the {_size(limit)} such a file can hold: not read"
    return data, None


def _kind_of(mode: int) -> str:
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else
            "a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode) else "no file")
    return f"not a regular file ({kind})"


def _not_regular(path: Path) -> str:
    try:
        return _kind_of(path.stat().st_mode)
    except OSError as exc:
        return f"not a regular file ({exc.strerror or exc})"


ODD_NAME = "a name holding control characters (a newline, an escape): not read"
"""Neither OceanBase nor ``collect`` writes such a name; shown, it would begin a line of the
report of its own or drive the terminal."""


def _odd_name(name: str) -> bool:
    return visible_line(name) != name


def _begins_with_nul(log: LogFile) -> bool:
    """The first 4 KiB (decompressed) are NUL bytes: a sparse file's hole or a zeroed one. An
    OceanBase log begins with a record; searched, gigabytes of holes cost minutes per query."""
    from obdoctor.logs import open_bytes

    try:
        with open_bytes(log) as stream:
            head = stream.read(4096)
    except Exception:  # outside input: the search itself reports an unreadable file
        return False
    return bool(head) and not head.strip(b"\0")


def _address_of(name: str) -> str | None:
    """``name`` as a canonical-enough IP address (the text itself, port stripped), or None.

    IPv6 scope ids (``fe80::1%eth0``) are refused: Python accepts nearly anything after the
    ``%``, slashes included."""
    text, port = name, ""
    if text.startswith("[") and "]" in text:
        text, _, port = text[1:].partition("]")
        port = port.removeprefix(":") if port.startswith(":") else port
    elif text.count(":") == 1:
        text, _, port = text.partition(":")
    if not text or "%" in text or "/" in text or (port and not (port.isdigit() and len(port) <= 5)):
        return None
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return None
    return text


def _size(n: int) -> str:
    return f"{n / (1 << 30):g} GiB" if n >= 1 << 30 else f"{n / (1 << 20):g} MiB"


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def parse_size(text: str) -> int:
    """``4G``, ``500M``, ``1.5GiB``, ``123`` (bytes) -> bytes; ValueError when not a size."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    cleaned = text.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = (cleaned[:-1], cleaned[-1]) if cleaned[-1:] in "KMGT" and cleaned[-1:] else (cleaned, "")
    value = float(number)
    if not 0 < value < 1 << 20 or len(text) > 20:
        raise ValueError(f"not a size: {text!r}")
    return int(value * units[unit])


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
    data, why = read_regular(path, f"logs/{path.name}", MAX_VIEW_BYTES)
    if data is None:
        notes.append(f"{why}: collected lines keep their numbers in the bundle")
        return origins
    text = data.decode("utf-8", errors="replace")
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
