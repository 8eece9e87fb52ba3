"""Variants of the example bundles and the invariants ``obdoctor analyze`` must keep on them.

The examples are what we believed the evidence means; a variant changes the evidence in a way
whose effect on the answer is known in advance, so the answer on it is checked against the
answer on the original rather than against a hand-written expectation:

* M1 less evidence (a view file, a row, a server's log folder, the manifest, the tail of a log):
  never "nothing wrong" (exit 0) where the original was not, never a confirmed cause the
  original did not have;
* M2 irrelevant evidence (another tenant's COMPLETED jobs, INFO lines, a server with clean
  logs): the same causes, verdicts and servers;
* M3 order (rows of a view, the order log files are created in): the same findings;
* M4 time (every time of the bundle moved by one delta): the same findings once the report's
  times are moved back;
* M5 names: a server, trace id, tenant or job a finding names is in the (mutated) evidence;
* M6 every variant: no traceback, no internal error, an exit code of the diagnosis domain;
* M7 status spellings (a status, stage or type cell of ``catalog/statuses.py``'s columns): one in
  lower case, padded, is read as the value (the same causes, verdicts and exit); one no version
  writes (``FAILED`` cut to ``FAIL``, a newer version's name, an empty cell) is named as not
  understood and the answer is never "nothing wrong", nor a confirmed cause the original lacks.

Bundles are edited as text, in the format they are in (table, vertical, TSV/CSV, JSON lines,
OceanBase log lines), so what is tested is what a DBA's copy would look like.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.exit_codes import ExitCode

DIAGNOSIS_CODES = {ExitCode.NOTHING_WRONG, ExitCode.DIAGNOSED, ExitCode.UNDIAGNOSED}
"""What ``analyze`` may answer on a bundle it can open (4 is a bug, 2 a bundle it cannot open)."""

_FIXED_NOW = datetime(2030, 1, 1, 12, 0, 0)


# -- running analyze -------------------------------------------------------------------------
@dataclass
class Outcome:
    code: int
    report: dict | None
    err: str

    @property
    def findings(self) -> list[dict]:
        return self.report["findings"] if self.report else []

    def causes(self, verdict: str | None = None) -> set[str]:
        return {f["cause"] for f in self.findings if verdict is None or f["verdict"] == verdict}


def analyze(bundle: Path) -> Outcome:
    """``obdoctor analyze <bundle> --format json`` in-process, with a fixed clock."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, env={}, color=False, now=lambda *a: _FIXED_NOW)
    code = main(["analyze", str(bundle), "--format", "json"], env)
    try:
        report = json.loads(out.getvalue())
    except ValueError:
        report = None
    return Outcome(int(code), report, err.getvalue())


# -- view files as text ----------------------------------------------------------------------
_BORDER = re.compile(r"^\+[-+]+\+\s*$")
_VERTICAL = re.compile(r"^\*+ \d+\. row \*+\s*$")
_IN_SET = re.compile(r"(\d+ rows? in set|Empty set)", re.IGNORECASE)


@dataclass
class ViewText:
    """A view file split into its head, its rows (each the text of one row, newline included)
    and its tail, so rows can be dropped, shuffled or added and the file written back."""

    fmt: str
    head: list[str]
    rows: list[str]
    tail: list[str]

    def render(self) -> str:
        rows = self.rows
        if self.fmt == "vertical":
            rows = [_VERTICAL_NUMBER.sub(f"{n}. row", r, count=1) for n, r in enumerate(rows, 1)]
        tail = [_recount(t, len(self.rows)) for t in self.tail]
        return "".join(self.head + rows + tail)


_VERTICAL_NUMBER = re.compile(r"\d+\. row")


def _count_line(n: int) -> str:
    return "Empty set" if n == 0 else f"{n} row{'s' if n != 1 else ''} in set"


def _recount(line: str, n: int) -> str:
    """The client's "N rows in set" line saying ``n`` rows, its indentation and timing kept."""
    return _IN_SET.sub(lambda m: _count_line(n), line, count=1) if _IN_SET.match(line.lstrip()) else line


def split_view(path: Path) -> ViewText | None:
    """The file's rows, or None when its format is not one this harness edits."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if not lines or not lines[-1].endswith("\n"):
        return None
    ext = path.suffix.lower()
    if ext == ".jsonl":
        return ViewText("jsonl", [], [ln for ln in lines if ln.strip()], [])
    if ext in (".tsv", ".csv"):
        rows: list[str] = []
        pending = ""
        for line in lines[1:]:
            pending += line
            if ext == ".tsv" or pending.count('"') % 2 == 0:
                rows.append(pending)
                pending = ""
        return None if pending else ViewText(ext[1:], lines[:1], rows, [])
    if _BORDER.match(lines[0].lstrip()):
        borders = [i for i, ln in enumerate(lines) if _BORDER.match(ln.lstrip())]
        if len(borders) < 3:
            return None
        body = lines[borders[1] + 1:borders[-1]]
        rows = []
        for line in body:
            if line.lstrip().startswith("|") or not rows:
                rows.append(line)
            else:
                rows[-1] += line  # a cell's raw newline: the row goes on
        return ViewText("table", lines[:borders[1] + 1], rows, lines[borders[-1]:])
    starts = [i for i, ln in enumerate(lines) if _VERTICAL.match(ln.lstrip())]
    if starts and starts[0] == 0:
        end = next((i for i, ln in enumerate(lines) if _IN_SET.match(ln.lstrip())), len(lines))
        rows = ["".join(lines[a:b]) for a, b in zip(starts, starts[1:] + [end])]
        return ViewText("vertical", [], rows, lines[end:])
    return None  # "Empty set" alone, or a shape this harness does not edit


def table_cells(view: ViewText) -> tuple[list[str], list[list[str]]] | None:
    """Header and cells of a single-line-per-row table, or None (a cell holding '|' or a newline)."""
    header = [c.strip() for c in view.head[1].strip()[1:-1].split("|")]
    rows = []
    for row in view.rows:
        if row.count("\n") != 1:
            return None
        cells = [c.strip() for c in row.strip()[1:-1].split("|")]
        if len(cells) != len(header):
            return None
        rows.append(cells)
    return header, rows


def render_table(header: list[str], rows: list[list[str]]) -> ViewText:
    widths = [max(len(c) for c in col) for col in zip(header, *rows)]
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+\n"

    def line(cells: list[str]) -> str:
        return "|" + "|".join(f" {c:<{w}} " for c, w in zip(cells, widths)) + "|\n"

    return ViewText("table", [border, line(header), border], [line(r) for r in rows],
                    [border, _count_line(len(rows)) + "\n"])


def vertical_fields(row: str) -> list[tuple[str, str]]:
    out = []
    for line in row.splitlines()[1:]:
        name, sep, value = line.partition(": ")
        if not sep:
            name, value = line.rstrip(":"), ""
        out.append((name.strip(), value))
    return out


def render_vertical(fields: list[tuple[str, str]]) -> str:
    width = max(len(n) for n, _ in fields)
    body = "".join(f"{n:>{width}}: {v}".rstrip() + "\n" if v else f"{n:>{width}}:\n" for n, v in fields)
    return "*************************** 1. row ***************************\n" + body


# -- time ------------------------------------------------------------------------------------
_STAMP = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})([ T])(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?")
_EPOCH_US = re.compile(r"(?<![\w-])1[5-7]\d{14}(?![\w-])")
_EPOCH_NS = re.compile(r"(?<![\w-])1[5-7]\d{17}(?![\w-])")
_DAY = re.compile(r"(?<=: )(20\d{6})$", re.MULTILINE)  # the ls task history's ``date: 20230926``
_FILE_STAMP = re.compile(r"^(.*\.log\.)(\d{17})((?:\.gz|\.zst)?)$")


def shift_text(text: str, delta: timedelta) -> str:
    """Every absolute time in ``text`` moved by ``delta``: datetimes as printed (digits kept),
    epoch microseconds and nanoseconds (SCNs), and a vertical row's ``date: YYYYMMDD``."""
    def stamp(m: re.Match) -> str:
        frac = m[8] or ""
        try:
            when = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[5]), int(m[6]), int(m[7]),
                            int(frac[1:].ljust(6, "0")) if frac else 0) + delta
        except (ValueError, OverflowError):  # 0000-00-00 or 9999-12-31: not a time, left as is
            return m[0]
        out = when.strftime(f"%Y-%m-%d{m[4]}%H:%M:%S")
        return out + (f".{when.microsecond:06d}"[:len(frac)] if frac else "")

    us = int(delta.total_seconds() * 1_000_000)
    text = _STAMP.sub(stamp, text)
    text = _EPOCH_NS.sub(lambda m: str(int(m[0]) + us * 1000), text)
    text = _EPOCH_US.sub(lambda m: str(int(m[0]) + us), text)
    return _DAY.sub(lambda m: (datetime.strptime(m[1], "%Y%m%d") + delta).strftime("%Y%m%d")
                    if _valid_day(m[1]) else m[1], text)


def _valid_day(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        return False
    return True


def shift_name(name: str, delta: timedelta) -> str:
    m = _FILE_STAMP.match(name)
    if not m:
        return name
    when = datetime.strptime(m[2][:14], "%Y%m%d%H%M%S") + timedelta(milliseconds=int(m[2][14:])) + delta
    return f"{m[1]}{when.strftime('%Y%m%d%H%M%S')}{when.microsecond // 1000:03d}{m[3]}"


# -- file helpers ----------------------------------------------------------------------------
def read_any(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data.decode("utf-8", "replace")


def write_any(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    elif path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)


def bundle_text(root: Path) -> str:
    """All the evidence's text (decompressed) and its file names (a server's log folder names
    it), for "is this name in the evidence"."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return "\n".join([str(p.relative_to(root)) for p in files] + [read_any(p) for p in files])


def view_files(root: Path) -> list[Path]:
    sql = root / "sql"
    return sorted(p for p in sql.iterdir() if p.is_file()) if sql.is_dir() else []


def log_files(root: Path) -> list[Path]:
    logs = root / "logs"
    return sorted(p for p in logs.rglob("*") if p.is_file() and p.parent != logs) if logs.is_dir() else []


# -- mutations -------------------------------------------------------------------------------
@dataclass
class Mutation:
    family: str
    """M1 (less evidence), M2 (irrelevant additions), M3 (order), M4 (time shift), M7 (status spellings)."""
    name: str
    apply: Callable[[Path], None] = field(repr=False)
    shift: timedelta | None = None
    row: tuple[str, int] | None = None
    """M1 row drops: the view file and the row's number (1-based)."""
    spelling: str | None = None
    """M7: ``variant`` (another spelling of the value) or ``unknown`` (no known value)."""

    @property
    def id(self) -> str:
        return f"{self.family}:{self.name}"


def _drop_path(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        target = root / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return apply


def _drop_row(rel: str, index: int) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        view = split_view(root / rel)
        del view.rows[index]
        (root / rel).write_text(view.render(), encoding="utf-8")
    return apply


def _truncate(rel: str, fraction: float, mid_line: bool) -> Callable[[Path], None]:
    """Keep the first ``fraction`` of a log, cut at a line end or in the middle of a line
    (a copy taken while the server was still writing)."""
    def apply(root: Path) -> None:
        path = root / rel
        text = read_any(path)
        cut = int(len(text) * fraction)
        if not mid_line:
            cut = text.rfind("\n", 0, cut) + 1
        write_any(path, text[:cut])
    return apply


def _shuffle_rows(seed: int) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        rng = random.Random(seed)
        for path in view_files(root):
            view = split_view(path)
            if view is None or len(view.rows) < 2:
                continue
            rng.shuffle(view.rows)
            path.write_text(view.render(), encoding="utf-8")
    return apply


def _recreate_logs(seed: int) -> Callable[[Path], None]:
    """The same log files, created in another order (a directory lists them in another order)."""
    def apply(root: Path) -> None:
        rng = random.Random(seed)
        logs = root / "logs"
        if not logs.is_dir():
            return
        saved = [(p.relative_to(root), p.read_bytes()) for p in logs.rglob("*") if p.is_file()]
        shutil.rmtree(logs)
        rng.shuffle(saved)
        for rel, data in saved:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
    return apply


def _split_logs(root: Path) -> None:
    """Each uncompressed ``*.log`` cut in two at a line end: the first half becomes a rotated
    file named after its last line's time (as OceanBase names them), the rest stays current."""
    for path in log_files(root):
        if not path.name.endswith(".log"):
            continue
        lines = read_any(path).splitlines(keepends=True)
        stamps = [m[1] for m in map(_LOG_STAMP.match, lines[:len(lines) // 2]) if m]
        if len(lines) < 4 or not stamps:
            continue
        when = datetime.strptime(stamps[-1], "%Y-%m-%d %H:%M:%S.%f")
        rotated = path.with_name(f"{path.name}.{when.strftime('%Y%m%d%H%M%S')}{when.microsecond // 1000:03d}")
        if rotated.exists():
            continue
        rotated.write_text("".join(lines[:len(lines) // 2]), encoding="utf-8")
        path.write_text("".join(lines[len(lines) // 2:]), encoding="utf-8")


def _shift_all(delta: timedelta) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            write_any(path, shift_text(read_any(path), delta))
            moved = shift_name(path.name, delta)
            if moved != path.name:
                path.rename(path.with_name(moved))
    return apply


OTHER_TENANT = 1999
"""A tenant no example has (the additions check it is absent before adding it)."""
OTHER_SERVER = "127.0.0.99"
_NOISE_TRACE = "YB427F000063-0005E98EBF000001-0-0"


def _noise_line(stamp: str, n: int) -> str:
    return (f"[{stamp}] INFO  [COMMON] print_stat (ob_io_struct.cpp:803) [7{n:04d}][IO_TUNING0][T1]"
            f"[{_NOISE_TRACE}] [lt=9] [IO STATUS](tenant_id=1, io_status={n})\n")


_LOG_STAMP = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6})\]")


def _add_info_lines(every: int) -> Callable[[Path], None]:
    """After every ``every``-th line of each log, an INFO line of no concern with the same time."""
    def apply(root: Path) -> None:
        for path in log_files(root):
            out, n = [], 0
            for i, line in enumerate(read_any(path).splitlines(keepends=True)):
                out.append(line)
                m = _LOG_STAMP.match(line)
                if m and i % every == every - 1 and line.endswith("\n"):
                    n += 1
                    out.append(_noise_line(m[1], n))
            write_any(path, "".join(out))
    return apply


def _add_clean_server(root: Path) -> None:
    stamps = [m[1] for p in log_files(root) for m in map(_LOG_STAMP.match, read_any(p).splitlines()) if m]
    stamps = sorted(stamps)[::max(1, len(stamps) // 20)] or ["2023-09-26 14:00:00.000000"]
    folder = root / "logs" / OTHER_SERVER
    folder.mkdir(parents=True)
    (folder / "observer.log").write_text("".join(_noise_line(s, i) for i, s in enumerate(stamps)), encoding="utf-8")


def _completed_row(fields: dict[str, str], job_id: int) -> dict[str, str]:
    """A row of the job history: another tenant's job that completed."""
    out = dict(fields)
    for name in list(out):
        key = name.upper()
        if key in ("TENANT_ID", "EXECUTOR_TENANT_ID"):
            out[name] = str(OTHER_TENANT)
        elif key in ("JOB_ID", "INITIATOR_JOB_ID"):
            out[name] = str(job_id)
        elif key == "STATUS":
            out[name] = "COMPLETED"
        elif key == "RESULT":
            out[name] = "0"
        elif key in ("COMMENT", "DESCRIPTION"):
            out[name] = ""
    return out


def _add_rows(rel: str, variants: Callable[[dict[str, str]], list[dict[str, str]]]) -> Callable[[Path], None]:
    """Rows made from the file's first row by ``variants`` (a copy with some cells changed),
    appended to the view file in its own format."""
    def apply(root: Path) -> None:
        path = root / rel
        view = split_view(path)
        if view.fmt == "vertical":
            for row in variants(dict(vertical_fields(view.rows[0]))):
                view.rows.append(render_vertical(list(row.items())))
        elif view.fmt == "table":
            header, rows = table_cells(view)
            rows += [list(row.values()) for row in variants(dict(zip(header, rows[0])))]
            view = render_table(header, rows)
        elif view.fmt == "jsonl":
            first = json.loads(view.rows[0])
            for row in variants({k: str(v) for k, v in first.items()}):
                view.rows.append(json.dumps({k: (int(v) if isinstance(first[k], int) else v)
                                             for k, v in row.items()}) + "\n")
        else:
            sep = "\t" if view.fmt == "tsv" else ","
            header = view.head[0].rstrip("\n").split(sep)
            for row in variants(dict(zip(header, view.rows[0].rstrip("\n").split(sep)))):
                view.rows.append(sep.join(row.values()) + "\n")
        path.write_text(view.render(), encoding="utf-8")
    return apply


def _other_tenant_jobs(first: dict[str, str]) -> list[dict[str, str]]:
    return [_completed_row(first, job) for job in (901, 902)]


def _other_server(first: dict[str, str]) -> list[dict[str, str]]:
    """A row of DBA_OB_SERVERS: one more ACTIVE server, no root service."""
    out = dict(first)
    for name in out:
        key = name.upper()
        if key == "SVR_IP":
            out[name] = OTHER_SERVER
        elif key == "ID":
            out[name] = "99"
        elif key == "WITH_ROOTSERVER":
            out[name] = "NO"
        elif key == "STATUS":
            out[name] = "ACTIVE"
    return [out]


def _columns(view: ViewText) -> set[str]:
    if view.fmt == "vertical":
        names = [n for n, _ in vertical_fields(view.rows[0])]
    elif view.fmt == "table":
        names = view.head[1].strip()[1:-1].split("|")
    elif view.fmt == "jsonl":
        names = list(json.loads(view.rows[0]))
    else:
        names = view.head[0].split("\t" if view.fmt == "tsv" else ",")
    return {n.strip().upper() for n in names}


def _editable(root: Path, views: tuple[str, ...], column: str) -> str | None:
    """The first of ``views`` in the bundle whose rows can be added to, with ``column``."""
    for path in view_files(root):
        if path.name.split(".")[0].upper() not in views:
            continue
        view = split_view(path)
        if view is None or not view.rows or column not in _columns(view):
            return None  # a DBA_ job view is one tenant's: no other tenant can be added to it
        if view.fmt == "table" and table_cells(view) is None:
            return None
        if view.fmt in ("csv", "tsv") and any('"' in r for r in view.rows[:1]):
            return None
        return str(path.relative_to(root))
    return None


# -- M7: status spellings ----------------------------------------------------------------------
def _status_cells(root: Path) -> list[tuple[str, int, str, str]]:
    """(view file, row index, column, value) of every status, stage or type cell obdoctor reads
    against known values, in the files this harness can edit cell by cell."""
    from obdoctor.catalog.statuses import known_values

    out = []
    for path in view_files(root):
        view, rel = path.name.split(".")[0], str(path.relative_to(root))
        text = split_view(path)
        rows = _row_cells(text) if text else None
        for i, cells in enumerate(rows or []):
            out += [(rel, i, name, value) for name, value in cells.items()
                    if known_values(view, name) and value.strip() and value.strip().upper() != "NULL"]
    return out


def _row_cells(view: ViewText) -> list[dict[str, str]] | None:
    if view.fmt == "vertical":
        return [dict(vertical_fields(r)) for r in view.rows]
    if view.fmt == "table":
        cells = table_cells(view)
        return None if cells is None else [dict(zip(cells[0], r)) for r in cells[1]]
    if view.fmt == "jsonl":
        return [{k: str(v) for k, v in json.loads(r).items()} for r in view.rows]
    sep = "\t" if view.fmt == "tsv" else ","
    if any('"' in r for r in view.rows):
        return None
    header = view.head[0].rstrip("\n").split(sep)
    return [dict(zip(header, r.rstrip("\n").split(sep))) for r in view.rows]


def _set_cell(rel: str, index: int, column: str, value: str) -> Callable[[Path], None]:
    """The view file with one cell changed, written back in its own format."""
    def apply(root: Path) -> None:
        path = root / rel
        view = split_view(path)
        if view.fmt == "vertical":
            fields = [(n, value if n == column else v) for n, v in vertical_fields(view.rows[index])]
            view.rows[index] = render_vertical(fields)
        elif view.fmt == "table":
            header, rows = table_cells(view)
            rows[index][header.index(column)] = value
            view = render_table(header, rows)
        elif view.fmt == "jsonl":
            row = json.loads(view.rows[index])
            row[column] = value
            view.rows[index] = json.dumps(row) + "\n"
        else:
            sep = "\t" if view.fmt == "tsv" else ","
            header = view.head[0].rstrip("\n").split(sep)
            cells = view.rows[index].rstrip("\n").split(sep)
            cells[header.index(column)] = value
            view.rows[index] = sep.join(cells) + "\n"
        path.write_text(view.render(), encoding="utf-8")
    return apply


NEWER_STATUS = "SUSPENDED_BY_A_NEWER_VERSION"
"""A value no 4.0 .. 4.3.5 writes in any status column."""


def unknown_spellings(value: str, view: str, column: str) -> list[str]:
    """Spellings of ``value`` that name no known value of the column: the value cut short (``FAIL``
    for ``FAILED``; a cut that is itself known, ``SUSPEND``, gets ``_X``), a newer version's, empty."""
    from obdoctor.catalog.statuses import known_values, read_status

    known = known_values(view, column)
    cut = value[:-2] if len(value) > 3 else value + "X"
    while read_status(cut, known).understood:
        cut += "_X"
    return [cut, NEWER_STATUS, ""]


def status_mutations(root: Path, pick: Callable[[list, int], list]) -> list[Mutation]:
    out = []
    for rel, index, column, value in pick(_status_cells(root), 2):
        view = Path(rel).name.split(".")[0]
        where = f"{column} of row {index + 1} of {rel}"
        variant = " " + value.strip().lower() + " "
        out.append(Mutation("M7", f"{where} {variant!r} for {value!r}", _set_cell(rel, index, column, variant),
                            row=(rel, index + 1), spelling="variant"))
        for spelt in pick(unknown_spellings(value.strip(), view, column), 1):
            out.append(Mutation("M7", f"{where} {spelt!r} for {value!r}", _set_cell(rel, index, column, spelt),
                                row=(rel, index + 1), spelling="unknown"))
    return out


DELTAS = (timedelta(hours=7), timedelta(days=3, minutes=17), timedelta(days=100), -timedelta(days=400),
          timedelta(hours=23, minutes=59, seconds=59))
"""Hours, days, into the next year (the examples are from September), back over a leap day,
and a shift with a carry in every field. Whole seconds: a report prints some times to the
second, which a shift by a fraction would round differently."""


def mutations(root: Path, rng: random.Random, full: bool = False) -> list[Mutation]:
    """Every variant of the bundle at ``root`` (``full``), or a seeded sample of each family."""
    def pick(items: list, k: int) -> list:
        return list(items) if full or len(items) <= k else rng.sample(items, k)

    out: list[Mutation] = []
    views = view_files(root)
    logs = log_files(root)
    # M1: less evidence
    drops = [str(p.relative_to(root)) for p in views + logs]
    drops += [str(p.relative_to(root)) for p in sorted((root / "logs").iterdir())] if (root / "logs").is_dir() else []
    drops += ["manifest.toml"] if (root / "manifest.toml").exists() else []
    drops += [str(p.relative_to(root)) for p in sorted((root / "mounts").iterdir())] if (root / "mounts").is_dir() else []
    out += [Mutation("M1", f"drop {rel}", _drop_path(rel)) for rel in pick(sorted(set(drops)), 6)]
    rows = [(str(p.relative_to(root)), i) for p in views if (v := split_view(p)) for i in range(len(v.rows))]
    out += [Mutation("M1", f"drop row {i + 1} of {rel}", _drop_row(rel, i), row=(rel, i + 1)) for rel, i in pick(rows, 4)]
    cuts = [(str(p.relative_to(root)), f, mid) for p in logs for f, mid in ((0.5, False), (0.9, True), (0.1, False))]
    out += [Mutation("M1", f"truncate {rel} to {int(f * 100)}%{' mid-line' if mid else ''}", _truncate(rel, f, mid))
            for rel, f, mid in pick(cuts, 3)]
    # M2: irrelevant additions
    history = _editable(root, ("CDB_OB_BACKUP_JOB_HISTORY", "DBA_OB_BACKUP_JOB_HISTORY"), "TENANT_ID")
    if history and not re.search(rf"\b{OTHER_TENANT}\b", bundle_text(root)):
        out.append(Mutation("M2", f"another tenant's COMPLETED jobs in {history}", _add_rows(history, _other_tenant_jobs)))
    if logs:
        out.append(Mutation("M2", "INFO lines of no concern in every log", _add_info_lines(7)))
        out.append(Mutation("M2", f"a server {OTHER_SERVER} with clean logs", _add_clean_server))
    servers = _editable(root, ("DBA_OB_SERVERS",), "SVR_IP")
    if servers:
        add_row = _add_rows(servers, _other_server)
        out.append(Mutation("M2", f"a server {OTHER_SERVER}, ACTIVE, in {servers}" + (" with clean logs" if logs else ""),
                            (lambda r: (add_row(r), _add_clean_server(r))) if logs else add_row))
    # M3: order
    seeds = pick([1, 2, 3], 1)
    out += [Mutation("M3", f"rows shuffled (seed {s})", _shuffle_rows(s)) for s in seeds]
    if logs:
        out += [Mutation("M3", f"log files created in another order (seed {s})", _recreate_logs(s)) for s in seeds]
        out.append(Mutation("M3", "each log cut into a rotated file and the current one", _split_logs))
    # M4: time
    out += [Mutation("M4", f"every time shifted by {d}", _shift_all(d), shift=d) for d in pick(list(DELTAS), 2)]
    # M7: status spellings
    out += status_mutations(root, pick)
    return out


# -- invariants ------------------------------------------------------------------------------
def _projection(outcome: Outcome) -> dict:
    """What a finding says, without where its lines sit (line numbers move with the variants)."""
    def finding(f: dict) -> tuple:
        return (f["rule_id"], f["cause"], f["verdict"], f["code"], f["tenant_id"], f["job_id"],
                tuple(sorted(f["servers"])), tuple(sorted(f["trace_ids"])), f["time"], f["summary"])
    return {"exit": outcome.code, "headline": outcome.report["headline"],
            "findings": sorted(map(finding, outcome.findings), key=repr)}


def _core(outcome: Outcome) -> list[tuple]:
    return sorted({(f["cause"], f["verdict"], f["tenant_id"], f["job_id"], tuple(sorted(f["servers"])))
                   for f in outcome.findings}, key=repr)


_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+")


def names_in_evidence(outcome: Outcome, text: str) -> list[str]:
    """M5: every server, trace id, tenant and job a finding names, absent from the evidence."""
    missing = []
    for f in outcome.findings:
        for server in f["servers"]:
            ip = _IP.match(server)
            if ip and ip[0] not in text:
                missing.append(f"{f['cause']}: server {server}")
        missing += [f"{f['cause']}: trace id {t}" for t in f["trace_ids"] if t not in text]
        for key in ("tenant_id", "job_id"):
            if f[key] is not None and not re.search(rf"(?<![\d.]){f[key]}(?![\d.])", text):
                missing.append(f"{f['cause']}: {key} {f[key]}")
    return missing


BROADER = {
    "nfs_not_mounted_everywhere": "dest_unreachable",
    "standby_log_sync_stopped": "checkpoint_not_advancing",
}
"""A cause and the broader one it narrows (``data/causes``: -9070 is "cannot reach the
destination", which the mounts narrow to "not mounted on every server"; a checkpoint that does
not advance is narrowed to "log sync stopped" by the tenant's STANDBY role). With the evidence
that narrows it gone, saying the broader cause is still true, not a new claim."""


def _drops_unreadable_row(mutation: Mutation, original: Outcome) -> bool:
    """The row dropped is the one the original could not read (what kept it from an all-clear):
    what is left is a clean history, and an all-clear on it is earned."""
    if mutation.row is None or not original.report["undecided"]:
        return False
    rel, number = mutation.row
    view = Path(rel).name.split(".")[0]
    return all(u["what"] == f"part of {view}" and f"(row {number}:" in u["why"] for u in original.report["undecided"])


def failed_task_servers(root: Path) -> dict[tuple, set[str]]:
    """(tenant, job, code) -> the servers whose log stream task failed with that code, from the
    ls task history and (4.2+) the job's COMMENT, as obdoctor reads them."""
    from obdoctor.evidence import Evidence
    from obdoctor.evidence.kinds import Kind
    from obdoctor.sources.bundle import Bundle

    from obdoctor.addresses import server_ip

    out: dict[tuple, set[str]] = {}
    with Bundle(root) as bundle:
        evidence = Evidence(bundle)
        for task in evidence.get(Kind.LS_TASK_HISTORY):
            if task.result and task.svr_ip:
                out.setdefault((task.tenant_id, task.job_id, task.result), set()).add(task.svr_ip)
        for job in evidence.get(Kind.JOB_HISTORY):  # 4.2+: the COMMENT names the failing server
            comment = job.structured_comment
            if comment and comment.origin == "server" and comment.result and server_ip(comment.addr):
                out.setdefault((job.tenant_id, job.job_id, comment.result), set()).add(server_ip(comment.addr))
    return out


def wrong_server(outcome: Outcome, failed: dict[tuple, set[str]]) -> list[str]:
    """M5: a finding whose code a log stream task failed with names servers, but not that
    task's server (the root service that logged the failure instead of where it failed)."""
    bad = []
    for f in outcome.findings:
        where = failed.get((f["tenant_id"], f["job_id"], f["code"]))
        named = {_IP.match(s)[0] for s in f["servers"] if _IP.match(s)}
        if where and named and not named & where:
            bad.append(f"M5: {f['cause']} names {sorted(named)}, the task failed on {sorted(where)}")
    return bad


def _whole(text: str) -> str:
    """``12:00:00.000000`` -> ``12:00:00``: a report leaves a zero fraction out, a shifted time
    written back may not."""
    return re.sub(r"(\d{2}:\d{2}:\d{2})\.0+(?!\d)", r"\1", text)


def violations(mutation: Mutation, original: Outcome, mutated: Outcome, text: str,
               failed: dict[tuple, set[str]] | None = None) -> list[str]:
    """The invariants ``mutated`` breaks, each a sentence (empty: all kept)."""
    bad = []
    if mutated.code not in DIAGNOSIS_CODES or "Traceback" in mutated.err or mutated.report is None:
        return [f"M6: exit {mutated.code}, stderr {mutated.err[-300:]!r}"]
    if mutated.report["internal_errors"]:
        return [f"M6: internal errors {mutated.report['internal_errors']}"]
    bad += [f"M5: names what the evidence lacks: {m}" for m in names_in_evidence(mutated, text)]
    bad += wrong_server(mutated, failed or {})
    if mutation.family == "M1":
        if (mutated.code == ExitCode.NOTHING_WRONG and original.code != ExitCode.NOTHING_WRONG
                and not _drops_unreadable_row(mutation, original)):
            bad.append(f"M1: exit 0 where the original was {original.code}")
        had = original.causes("confirmed")
        gained = {c for c in mutated.causes("confirmed") - had
                  if not any(BROADER.get(h) == c for h in had)}
        if gained:
            bad.append(f"M1: confirmed cause(s) the original lacks: {sorted(gained)}")
    elif mutation.family == "M2":
        if _core(mutated) != _core(original) or mutated.code != original.code:
            bad.append(f"M2: answer changed: exit {original.code} -> {mutated.code}, "
                       f"{_core(original)} -> {_core(mutated)}")
    elif mutation.family == "M3":
        if _projection(mutated) != _projection(original):
            bad.append(f"M3: findings differ: {_projection(original)} -> {_projection(mutated)}")
    elif mutation.family == "M7" and mutation.spelling == "variant":
        if _core(mutated) != _core(original) or mutated.code != original.code:
            bad.append(f"M7: another spelling of the value changed the answer: exit {original.code} -> "
                       f"{mutated.code}, {_core(original)} -> {_core(mutated)}")
    elif mutation.family == "M7":
        if mutated.code == ExitCode.NOTHING_WRONG:
            bad.append("M7: exit 0 with a status obdoctor does not understand")
        gained = mutated.causes("confirmed") - original.causes("confirmed")
        if gained:
            bad.append(f"M7: confirmed cause(s) the original lacks: {sorted(gained)}")
        view = Path(mutation.row[0]).name.split(".")[0]
        if not any(u["what"] == f"part of {view}" and f"(row {mutation.row[1]}: not understood" in u["why"]
                   for u in mutated.report["undecided"]):
            bad.append(f"M7: the row not understood is not named: {mutated.report['undecided']}")
    elif mutation.family == "M4":
        back = json.loads(_whole(shift_text(json.dumps(_projection(mutated)), -mutation.shift)))
        if back != json.loads(_whole(json.dumps(_projection(original)))):
            bad.append(f"M4: findings differ once shifted back: {_projection(original)} -> {back}")
    return bad


def run_variant(example: Path, mutation: Mutation, work: Path, original: Outcome) -> list[str]:
    copy = work / example.name
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(example, copy)
    mutation.apply(copy)
    mutated = analyze(copy)
    found = violations(mutation, original, mutated, bundle_text(copy), failed_task_servers(copy))
    return [f"{example.name} [{mutation.id}] {v}" for v in found]
