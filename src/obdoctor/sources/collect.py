"""``obdoctor collect``: record what a live diagnosis read, and write it as an evidence bundle.

Why a recording wrapper: the rules decide which views and which log lines matter. Running
them once against the live cluster through ``RecordingSource`` captures exactly that — every
table read and every log line found — so ``obdoctor analyze`` on the bundle walks the same
chain and reaches the same findings, while the bundle stays small (no whole log files).

What goes in (docs/bundle-format.md):

- ``sql/<NAME>.jsonl`` for every view read, all its rows, secrets masked
  (``security.redaction.redact_value``);
- ``logs/<ip>/<file>`` for every log file searched: only the lines some search matched, in
  file order, secrets masked (``redact_text``); compressed files are stored decompressed under
  their name without ``.gz``/``.zst``; a file searched with no match holds one placeholder
  line so the offline search covers the same files; ``logs/origins.tsv`` says where each
  line was on its server (file, line number, offset), so findings cite the server's lines;
- ``mounts/<ip>``: each server's ``/proc/mounts`` when the rules read it (a ``file://``
  destination), lines as read, hosts aliased with ``redact_hosts``; a server that could not be
  read is in ``[collect.missing]`` as ``"/proc/mounts <ip>"``;
- ``manifest.toml``: cluster, version, ``collected_at`` (the cluster's "now", which decides
  whether a job is stuck), and a ``[collect]`` table saying what was included, what was
  missing and why, what was redacted (counts by kind, never values) and the SHA-256 of every
  file. No password ever reaches it.

With ``redact_hosts`` every IP, host name and trace id (which encodes its server's IP) is
replaced by a stable alias — in rows, lines and the ``logs/<ip>/`` directory names alike — so
the bundle still analyses the same way, servers stay distinguishable, and no address leaves.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from obdoctor import __version__
from obdoctor.evidence import EvidenceSource, LogQuery, LogSearchResult, SourceInfo, TableResult
from obdoctor.evidence.kinds import MOUNTS_SOURCE
from obdoctor.security.redaction import HostPseudonyms, Redactor

_COMPRESSED = (".gz", ".zst")
PLACEHOLDER = ("[1970-01-01 00:00:00.000000] INFO  obdoctor-collect placeholder (collect.py:0) [0][collect][T0]"
               "[Y0-0000000000000000-0-0] [lt=0] searched on the server: no line of this file matched any search\n")
"""The one line of a file that was searched and matched nothing. Why not an empty file: readers
skip empty files, and "searched, nothing found" is evidence (e.g. the NFS share is mounted on
this server) that "not searched" is not. Its 1970 time keeps it out of every time window."""


ORIGINS = "origins.tsv"
ORIGINS_HEADER = "server\tfile\tline\torigin_file\torigin_line\torigin_offset\n"
"""``logs/origins.tsv``: for every collected line, where it was on its server (file name, line,
byte offset when known). A collected file keeps only matching lines, so its own line numbers
are not the ones a DBA would find with ``grep -n`` on the server; ``Bundle`` reads these back."""


def file_destination(evidence) -> bool:
    """Whether a tenant backs up or archives to a ``file://`` (NFS) destination: then the servers'
    ``/proc/mounts`` belong in the bundle even when no rule read them (a later failure needs them)."""
    from obdoctor.evidence.kinds import Kind

    paths = [p.value for p in evidence.get(Kind.PARAMETERS)] + [a.path for a in evidence.get(Kind.ARCHIVELOG)]
    return any(str(p or "").strip().lower().startswith(("file://", "location=file://")) for p in paths)


class RecordingSource:
    """An ``EvidenceSource`` that passes everything through and remembers it."""

    def __init__(self, inner: EvidenceSource):
        self.inner = inner
        self.tables: dict[str, TableResult] = {}
        self.searches: list[LogSearchResult] = []

    def info(self) -> SourceInfo:
        return self.inner.info()

    def read_table(self, name: str) -> TableResult:
        result = self.inner.read_table(name)
        self.tables[name] = result
        return result

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        result = self.inner.search_logs(query)
        self.searches.append(result)
        return result

    def server_zones(self, servers: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """Each of ``servers`` the log search reached: its zone (``+08:00 CST``) or why not, read over
        the SSH already open (``space.read_zones``: ``date``, read-only). No server is contacted
        for it alone; nothing when the source has no SSH."""
        searcher = getattr(self.inner, "searcher", None)
        reached = getattr(searcher, "stats", {})
        servers = [s for s in servers if s in reached and reached[s].failure is None]
        if not servers:
            return {}
        from obdoctor.sources.space import read_zones

        return read_zones(searcher, servers)


@dataclass
class CollectSummary:
    tables: list[str] = field(default_factory=list)
    rows: int = 0
    missing: dict[str, str] = field(default_factory=dict)
    log_files: int = 0
    log_lines: int = 0
    log_unchecked: list[str] = field(default_factory=list)
    redacted: int = 0
    redacted_by_kind: dict[str, int] = field(default_factory=dict)
    hosts_aliased: bool = False
    checksums: dict[str, str] = field(default_factory=dict)
    truncated: list[str] = field(default_factory=list)
    placeholders: int = 0
    mount_files: int = 0
    zones: dict[str, str] = field(default_factory=dict)
    """Server (as stored) -> its zone read at collection, ``+08:00 CST``."""


def _stored_name(name: str) -> str:
    """Where a file's lines go under ``logs/<ip>/``: its base name without compression suffix;
    the alert log in ``alert/``, where OceanBase keeps it."""
    name = name.rsplit("/", 1)[-1]
    for suffix in _COMPRESSED:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return f"alert/{name}" if name.startswith("alert.log") else name


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # Decimal, date, time...


def _toml_string(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _known_servers(recording: RecordingSource) -> list[str]:
    servers = set(recording.info().servers)
    for search in recording.searches:
        servers.update(search.query.servers)
        servers.update(r.server for r in search.records if r.server)
    return sorted(s for s in servers if s)


def _safe_part(part: str) -> bool:
    """A name that stays one directory level where it is written: not empty, not ``.``/``..``,
    no separator or NUL (server names come from evidence, file names from the servers)."""
    return bool(part) and part not in (".", "..") and not any(c in part for c in "/\\\0")


def write_bundle(recording: RecordingSource, out_dir: Path, *, redact_hosts: bool = False) -> CollectSummary:
    """Write the bundle directory ``out_dir`` from what ``recording`` saw."""
    summary = CollectSummary(hosts_aliased=redact_hosts)
    hosts = HostPseudonyms(known=_known_servers(recording)) if redact_hosts else None
    redactor = Redactor(hosts)
    redact_value, redact_text = redactor.value, redactor.text
    (out_dir / "sql").mkdir(parents=True, exist_ok=True)
    for name, table in sorted(recording.tables.items()):
        if name == MOUNTS_SOURCE:
            _write_mounts(table, out_dir, summary, hosts, redact_text)
            continue
        if not table.available:
            summary.missing[name] = table.reason or "not available"
            continue
        lines = []
        for row in table.rows:
            values = {}
            for column, value in row.as_dict().items():
                clean = redact_value(column, value)
                values[column] = _jsonable(clean)
            lines.append(json.dumps(values, ensure_ascii=False, sort_keys=False))
        (out_dir / "sql" / f"{name}.jsonl").write_text("".join(l + "\n" for l in lines), encoding="utf-8")
        summary.tables.append(name)
        summary.rows += len(lines)

    # (server, stored name) -> line on the server -> (text, file name on the server, byte offset)
    files: dict[tuple[str, str], dict[int, tuple[str, str, int | None]]] = {}
    for search in recording.searches:
        for entry in search.files_searched:
            server, _, name = entry.removesuffix(" (partly)").partition("/")
            files.setdefault((server, _stored_name(name)), {})
        for record in search.records:
            if not record.server or not record.path or record.line_no is None:
                continue
            name = _stored_name(record.path)
            files.setdefault((record.server, name), {})[record.line_no] = (
                record.raw, record.path.rsplit("/", 1)[-1], record.offset)
        if search.total_matches > len(search.records):
            summary.truncated.append(f"{search.query.purpose or 'a log search'}: {search.total_matches} matching "
                                     f"lines, the first {len(search.records)} kept")
        summary.log_unchecked.extend(u for u in search.unchecked if u not in summary.log_unchecked)
    origin_rows = [ORIGINS_HEADER]
    for (server, name), lines in sorted(files.items()):
        stored_server = hosts.alias_ip(server) if hosts else server
        if not _safe_part(stored_server) or not all(_safe_part(part) for part in name.split("/")):
            summary.log_unchecked.append(f"{str(server)[:80]!r} / {name[:80]!r}: not a server address and file "
                                         "name that can be written into a bundle: left out")
            continue
        directory = out_dir / "logs" / stored_server
        directory.mkdir(parents=True, exist_ok=True)
        text = []
        stored_line = 1  # a record may span lines (continuation lines): count them
        for number in sorted(lines):
            raw, origin, offset = lines[number]
            clean = redact_text(raw)
            text.append(clean + "\n")
            origin_rows.append("\t".join((stored_server, name, str(stored_line), origin, str(number),
                                          "" if offset is None else str(offset))) + "\n")
            stored_line += clean.count("\n") + 1
        if not text:  # searched, nothing matched: keep the file searchable (an empty file is skipped)
            text.append(PLACEHOLDER)
            summary.placeholders += 1
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text("".join(text), encoding="utf-8")
        summary.log_files += 1
        summary.log_lines += len(lines)
    if len(origin_rows) > 1:
        (out_dir / "logs" / ORIGINS).write_text("".join(origin_rows), encoding="utf-8")
    _read_zones(recording, _known_servers(recording), summary, hosts)
    summary.checksums = {
        str(path.relative_to(out_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out_dir.rglob("*")) if path.is_file()
    }
    (out_dir / "manifest.toml").write_text(_manifest(recording.info(), summary, recording, redactor), encoding="utf-8")
    return summary


def _read_zones(recording: RecordingSource, servers: list[str], summary: CollectSummary,
                hosts: HostPseudonyms | None) -> None:
    """The zone of every server the log search reached, read on it now (its log lines are stamped
    on it): ``[cluster.server_time_zones]``; one not read goes to ``[collect.missing]``."""
    read = getattr(recording, "server_zones", None)  # a recording of a source with no servers has none
    for server, (zone, why) in (read(servers) if callable(read) else {}).items():
        stored = hosts.alias_ip(server) if hosts else server
        if zone is None:
            summary.missing[f"date {stored}"] = why or "not read"
        else:
            summary.zones[stored] = zone


def _write_mounts(table: TableResult, out_dir: Path, summary: CollectSummary, hosts: HostPseudonyms | None,
                  redact_text) -> None:
    """``mounts/<server>``: each server's ``/proc/mounts`` lines as read (hosts aliased with the rest);
    a server that could not be read goes to ``[collect.missing]`` as ``"/proc/mounts <server>"``."""
    if not table.available:
        summary.missing[MOUNTS_SOURCE] = table.reason or "not available"
        return
    by_server: dict[str, list[str]] = {}
    for row in table.rows:
        server = str(row.get("SVR_IP") or "")
        stored = hosts.alias_ip(server) if hosts else server
        if not _safe_part(stored):
            summary.log_unchecked.append(f"{MOUNTS_SOURCE} of {server[:80]!r}: not a server name that can be written "
                                         "into a bundle: left out")
            continue
        if row.get("ERROR") and row.get("LINE") is None:
            summary.missing[f"{MOUNTS_SOURCE} {stored}"] = str(row.get("ERROR"))
            continue
        by_server.setdefault(stored, []).append(redact_text(str(row.get("LINE"))) + "\n")
    for server, lines in sorted(by_server.items()):
        (out_dir / "mounts").mkdir(parents=True, exist_ok=True)
        (out_dir / "mounts" / server).write_text("".join(lines), encoding="utf-8")
        summary.mount_files += 1


def _manifest(info: SourceInfo, summary: CollectSummary, recording: RecordingSource, redactor: Redactor) -> str:
    """The manifest. Its own texts (source, notes, reasons) are redacted first, so that the
    counts it states include them: ``values_redacted`` is the sum of ``[collect.redacted]``."""
    source = redactor.text(info.location or "live cluster")
    servers = [redactor.text(s) for s in sorted({r.server for s in recording.searches for r in s.records if r.server})]
    notes = [redactor.text(n) for n in info.notes]
    missing = {name: redactor.text(reason) for name, reason in summary.missing.items()}
    unchecked = [redactor.text(reason) for reason in summary.log_unchecked]
    summary.redacted_by_kind = dict(sorted(redactor.counts.items()))
    summary.redacted = sum(summary.redacted_by_kind.values())
    out = ["# Evidence bundle written by obdoctor collect (docs/bundle-format.md)", "[cluster]"]
    if info.cluster:
        out.append(f"name = {_toml_string(info.cluster)}")
    if info.version:
        out.append(f"version = {_toml_string(info.version)}")
    if info.collected_at:
        when = info.collected_at.replace(tzinfo=None)
        if info.utc_offset is not None:  # the views' clock, said (evidence.clock)
            when = when.replace(tzinfo=timezone(info.utc_offset))
        out.append(f"collected_at = {when.isoformat()}")
    if info.dba_tenant_id is not None:
        out.append(f"dba_tenant_id = {int(info.dba_tenant_id)}")
    for key in ("time_zone", "system_time_zone", "product"):  # views' zone, servers' zone, as the server said
        if getattr(info, key):
            out.append(f"{key} = {_toml_string(str(getattr(info, key)))}")
    if summary.zones:  # each server's zone read at collection (its log lines are stamped on it)
        out += ["", "[cluster.server_time_zones]", "# server -> its zone at collection (date +%z; +%Z in the comment)"]
        for server, zone in sorted(summary.zones.items()):
            offset, _, name = zone.partition(" ")
            out.append(f"{_toml_string(server)} = {_toml_string(offset)}" + (f"  # {name}" if name else ""))
    out += ["", "[collect]", f"tool = {_toml_string('obdoctor ' + __version__)}",
            f"written_at = {datetime.now().replace(microsecond=0).isoformat()}",
            f"source = {_toml_string(source)}",
            f"tables = [{', '.join(_toml_string(t) for t in summary.tables)}]",
            f"rows = {summary.rows}",
            f"log_files = {summary.log_files}",
            f"log_lines = {summary.log_lines}",
            f"servers_searched = [{', '.join(_toml_string(s) for s in servers)}]",
            f"hosts_aliased = {'true' if summary.hosts_aliased else 'false'}",
            f"values_redacted = {summary.redacted}",
            f"placeholder_files = {summary.placeholders}  # searched, no match: one 1970 placeholder line",
            f"mount_files = {summary.mount_files}  # mounts/<ip>: the servers' /proc/mounts",
            "why = " + _toml_string("only the views the rules read and the log lines their searches matched"),
            ]
    if summary.truncated:
        out.append(f"truncated = [{', '.join(_toml_string(t) for t in summary.truncated)}]")
    if notes:
        out.append(f"notes = [{', '.join(_toml_string(n) for n in notes)}]")
    out += ["", "[collect.missing]", "# view or search -> why it is not in the bundle"]
    for name, reason in sorted(missing.items()):
        out.append(f"{_toml_string(name)} = {_toml_string(reason)}")
    for index, reason in enumerate(unchecked, 1):
        out.append(f"{_toml_string(f'logs {index}')} = {_toml_string(reason)}")
    out += ["", "[collect.redacted]", "# kind -> how many values were masked or replaced (never the values)"]
    out += [f"{_toml_string(kind)} = {count}" for kind, count in summary.redacted_by_kind.items()]
    out += ["", "[collect.checksums]", "# SHA-256 of every file of the bundle but this manifest"]
    out += [f"{_toml_string(path)} = {_toml_string(digest)}" for path, digest in summary.checksums.items()]
    return "\n".join(out) + "\n"


def write_archive(recording: RecordingSource, out_file: Path, *, redact_hosts: bool = False) -> CollectSummary:
    """Write ``out_file`` (``.tar.gz``, or a directory when the name has no archive suffix),
    whole or not at all (``obdoctor.atomic``): built under a temporary name beside it, renamed
    when complete, removed on any error or interrupt."""
    from obdoctor.atomic import atomic_directory, atomic_file

    out_file = Path(out_file)
    if not out_file.name.endswith((".tar.gz", ".tgz")):
        if out_file.exists():
            raise FileExistsError(f"{out_file} exists: collect never overwrites a directory")
        with atomic_directory(out_file) as temp:
            return write_bundle(recording, temp, redact_hosts=redact_hosts)
    stem = out_file.name.removesuffix(".tar.gz").removesuffix(".tgz") or "bundle"
    with tempfile.TemporaryDirectory(prefix="obdoctor-collect-") as tmp:
        root = Path(tmp) / stem
        summary = write_bundle(recording, root, redact_hosts=redact_hosts)
        with atomic_file(out_file) as partial, tarfile.open(partial, "w:gz") as archive:
            archive.add(root, arcname=stem)
    return summary
