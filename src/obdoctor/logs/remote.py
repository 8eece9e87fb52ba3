"""Compile a log search into a POSIX shell pipeline that runs on the observer host.

Why: an observer keeps gigabytes of logs; shipping them to the DBA's machine to grep them
there is slow and wasteful. Instead the remote host runs ``grep -aF`` (after ``zcat`` /
``zstdcat`` for rotated, compressed files) on only the files whose time span meets the
query's window, and only the matching lines travel back.

Safety: every value that goes into a command (the log directory, file names, patterns) is
validated first and then ``shlex.quote``-d. File names must be OceanBase log names
(``observer.log.20230926143056123.gz``...), patterns must be printable text without control
characters, the home path an absolute path. A value that fails validation raises
``UnsafeValue``: the caller reports it as "could not check", it is never sent.

Output protocol (stdout): ``@@F <index>`` before each file, then ``<line number>:<text>``
for each matching line (grep ``-n``), then ``@@S <index> <grep status>``. The same
``@@F <index>`` markers go to stderr so error messages (a truncated ``.gz``) can be tied to
their file. Lines of real logs start with ``[`` or a digit, so they never look like markers.

This module is pure (no I/O); ``obdoctor.sources.ssh`` runs what it builds.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from obdoctor.logs.files import LogFile, classify, span_meets
from obdoctor.logs.parser import parse_ts
from obdoctor.logs.traceid import is_trace_id

MAX_PATTERN = 1024
"""Longest fixed string accepted as a pattern (a log body fragment, a trace id, ``ret=-9082``)."""
MAX_PATTERNS = 256

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOME_PATH = re.compile(r"^/[A-Za-z0-9._/+@=,~-]*$")
_TRACE_LIKE = re.compile(r"^[YZ][0-9A-F]*-")
_LOG_NAME = re.compile(r"^(?:alert/)?[a-z]+\.log(?:\.wf)?(?:\.\d{14}|\.\d{17})?(?:\.gz|\.zst)?$")

PREAMBLE = ("LC_ALL=C; export LC_ALL; "
            "if read -r obd_pid obd_rest </proc/self/stat 2>/dev/null; then "
            "renice -n 19 -p \"$obd_pid\" >/dev/null 2>&1; ionice -c 2 -n 7 -p \"$obd_pid\" >/dev/null 2>&1; fi")
"""Byte-wise matching (faster, and the same result whatever the remote locale), and the search
at the lowest CPU and best-effort I/O priority, inherited by every grep/zcat it starts: the
observer being diagnosed may be the busy one, and a search must not compete with it. Lowering
one's own priority needs no privilege; where ``renice``/``ionice`` are missing it is skipped.
The shell's own pid comes from ``/proc/self/stat`` read by the ``read`` builtin: ``$$`` would
name the long-lived parent shell, not the subshell each command runs in (``sources.ssh``)."""


class UnsafeValue(ValueError):
    """A value that must not be put into a remote command (the message says which and why)."""


# -- validation -----------------------------------------------------------------------------
def check_pattern(pattern: str) -> str:
    """A fixed-string pattern: non-empty printable text, no newline (grep -F would split it)."""
    if not isinstance(pattern, str) or pattern == "":
        raise UnsafeValue("empty search pattern")
    if len(pattern) > MAX_PATTERN:
        raise UnsafeValue(f"search pattern longer than {MAX_PATTERN} characters")
    if _CONTROL.search(pattern):
        raise UnsafeValue(f"search pattern {pattern[:60]!r} holds a control character (newline, NUL...)")
    if _TRACE_LIKE.match(pattern):  # meant as a trace id: it must be one
        check_trace_id(pattern)
    return pattern


def check_trace_id(trace_id: str) -> str:
    """A trace id exactly as OceanBase prints it, else ``UnsafeValue``."""
    if not isinstance(trace_id, str) or _CONTROL.search(trace_id) or not is_trace_id(trace_id):
        raise UnsafeValue(f"{str(trace_id)[:60]!r} is not an OceanBase trace id")
    return trace_id


def check_home_path(home_path: str) -> str:
    """The observer's install directory: absolute, plain characters only, no ``..``."""
    if not isinstance(home_path, str) or not _HOME_PATH.match(home_path) or ".." in PurePosixPath(home_path).parts:
        raise UnsafeValue(f"home_path {str(home_path)[:80]!r} is not a plain absolute path")
    return home_path.rstrip("/") or "/"


def check_log_name(name: str) -> str:
    """A file name (relative to ``log/``) that OceanBase itself would have written."""
    if not isinstance(name, str) or not _LOG_NAME.match(name) or classify(PurePosixPath(name)) is None:
        raise UnsafeValue(f"{str(name)[:80]!r} is not an OceanBase log file name")
    return name


def log_dir(home_path: str) -> str:
    return check_home_path(home_path).rstrip("/") + "/log"


# -- listing ----------------------------------------------------------------------------------
def list_command(home_path: str) -> str:
    """List ``<home>/log/*`` and ``log/alert/*``: size, mtime, name, and the first line's timestamp.

    Output lines: ``<size> <mtime epoch>\\t<name>\\t<head>`` where ``head`` keeps only the
    characters of a timestamp, so whatever a file holds cannot break the listing.
    """
    directory = shlex.quote(log_dir(home_path))
    return (
        f"{PREAMBLE}; cd -- {directory} || exit 3; "
        "for f in * alert/*; do "
        '[ -f "$f" ] || continue; '
        'case "$f" in '
        '*.gz) h=$(gzip -dc -- "$f" 2>/dev/null | head -c 40);; '
        '*.zst) h=$(zstd -dcq -- "$f" 2>/dev/null | head -c 40);; '
        '*) h=$(head -c 40 -- "$f" 2>/dev/null);; '
        "esac; "
        "h=$(printf '%s' \"$h\" | head -n 1 | tr -cd '0-9:. |[-'); "
        "printf '%s\\t%s\\t%s\\n' \"$(stat -c '%s %Y' -- \"$f\")\" \"$f\" \"$h\"; "
        "done"
    )


@dataclass(frozen=True)
class RemoteFile:
    """A log file on a remote host, with what is known of its time span."""

    name: str
    """Relative to ``<home>/log/`` (``observer.log.20230926143056123``, ``alert/alert.log``)."""
    size: int
    mtime: datetime | None
    first_ts: datetime | None
    log: LogFile

    @property
    def family(self) -> str:
        return self.log.family


def parse_listing(text: str, server: str | None = None) -> tuple[list[RemoteFile], list[str]]:
    """``list_command`` output -> log files (sorted like ``logs.files.discover``), and skipped names."""
    files: list[RemoteFile] = []
    skipped: list[str] = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        stat, name, head = parts
        try:
            check_log_name(name)
        except UnsafeValue:
            skipped.append(name)
            continue
        size_text, _, mtime_text = stat.partition(" ")
        try:
            size = int(size_text)
            mtime = datetime.fromtimestamp(int(mtime_text))
        except ValueError:
            size, mtime = -1, None
        if size == 0:  # as logs.files.discover: an empty file is skipped, not "searched"
            skipped.append(name)
            continue
        log = classify(PurePosixPath(name), server)
        files.append(RemoteFile(name, size, mtime, _head_ts(head), log))  # type: ignore[arg-type]
    files.sort(key=lambda f: f.log.sort_key())
    return files, skipped


def _head_ts(head: str) -> datetime | None:
    head = head.strip()
    if head.startswith("["):
        return parse_ts(head[1:27])
    if head[:4].isdigit():
        return parse_ts(head[:26])
    return None


def overlaps(file: RemoteFile, since: datetime | None, until: datetime | None) -> bool:
    """Same rule as ``logs.files.overlaps``: span [first line, rotation time] meets [since, until]."""
    return span_meets(file.first_ts, file.log.rotated_at, since, until)


def choose(files: Iterable[RemoteFile], kinds: Iterable[str], since: datetime | None,
           until: datetime | None) -> list[RemoteFile]:
    """Files of the asked families overlapping the window; ``.wf`` twins only when the main file is gone.

    Mirrors ``sources.bundle._choose_files`` so that a live search and a search of the
    collected bundle look at the same files.
    """
    files = list(files)
    out: list[RemoteFile] = []
    for kind in kinds:
        family = [f for f in files if f.family == kind]
        main = [f for f in family if not f.log.wf]
        out.extend(f for f in (main or family) if overlaps(f, since, until))
    return out


# -- searching --------------------------------------------------------------------------------
def _grep(patterns: tuple[str, ...], first: bool) -> str:
    args = " ".join(f"-e {shlex.quote(check_pattern(p))}" for p in patterns)
    return f"grep -a{'n' if first else ''}F {args}"


def _reader(name: str) -> str | None:
    """The decompressing reader of a compressed file (None: grep reads the file itself)."""
    quoted = shlex.quote(name)
    if name.endswith(".gz"):
        return f"gzip -dc -- {quoted}"
    if name.endswith(".zst"):
        return f"zstd -dcq -- {quoted}"
    return None


def search_command(home_path: str, files: list[str], any_of: Iterable[str] = (), all_of: Iterable[str] = ()) -> str:
    """The whole remote search: one pipeline per file, markers between them.

    ``any_of`` becomes one ``grep -anF -e a -e b`` (a line with any of them); each ``all_of``
    pattern a further ``grep -aF``. The caller re-checks every returned line exactly
    (``LogQuery.matches_text``): the remote filter only has to keep a superset.
    """
    any_of, all_of = tuple(any_of), tuple(all_of)
    if len(any_of) + len(all_of) > MAX_PATTERNS:
        raise UnsafeValue(f"more than {MAX_PATTERNS} search patterns")
    directory = shlex.quote(log_dir(home_path))
    if any_of:
        stages = [_grep(any_of, True), *(_grep((p,), False) for p in all_of)]
    elif all_of:
        stages = [_grep(all_of[:1], True), *(_grep((p,), False) for p in all_of[1:])]
    else:
        stages = ["grep -an -e ''"]
    parts = [f"{PREAMBLE}; cd -- {directory} || exit 3"]
    for index, name in enumerate(files):
        check_log_name(name)
        reader = _reader(name)
        first, rest = stages[0], stages[1:]
        pipeline = f"{reader} | {first}" if reader else f"{first} -- {shlex.quote(name)}"
        if rest:
            pipeline += " | " + " | ".join(rest)
        parts.append(f"printf '@@F %d\\n' {index} >&2; printf '@@F %d\\n' {index}; {pipeline}; printf '@@S %d %d\\n' {index} $?")
    return "; ".join(parts)


@dataclass
class FileOutput:
    """What came back for one file."""

    index: int
    lines: list[tuple[int, bytes]]
    status: int | None = None
    """grep's exit status: 0 matches, 1 none, 2 error; None when the output was cut off."""
    errors: list[str] | None = None


def parse_output(lines: Iterable[bytes]) -> Iterator[tuple[str, int, int | bytes]]:
    """Stream the search output as events: ``("file", i, 0)``, ``("line", n, text)``, ``("status", i, code)``."""
    for raw in lines:
        raw = raw.rstrip(b"\n")
        if raw.startswith(b"@@F "):
            try:
                yield "file", int(raw[4:]), 0
            except ValueError:
                continue
        elif raw.startswith(b"@@S "):
            try:
                index, status = raw[4:].split(b" ", 1)
                yield "status", int(index), int(status)
            except ValueError:
                continue
        else:
            number, sep, text = raw.partition(b":")
            if sep and number.isdigit():
                yield "line", int(number), text


def errors_by_file(stderr: str) -> dict[int, list[str]]:
    """stderr split by the ``@@F <index>`` markers into messages per file (index -1: before any file)."""
    out: dict[int, list[str]] = {}
    current = -1
    for line in stderr.splitlines():
        if line.startswith("@@F "):
            try:
                current = int(line[4:])
            except ValueError:
                pass
            continue
        if line.strip():
            out.setdefault(current, []).append(line.strip())
    return out


# -- error codes tallied on the server ----------------------------------------------------
CODES_AWK = r"""
function reset_record() { codes = ""; split("", seen) }
function header(line,   rest, p, n, f, m) {
  hts = ""; hlv = ""; hmod = ""; hthr = ""; hten = ""
  if (match(line, /^\[[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+\] /)) {
    hts = substr(line, 2, RLENGTH - 3); rest = substr(line, RLENGTH + 1)
    if (match(rest, /^[A-Z_]+[ \t]+/)) {
      m = substr(rest, 1, RLENGTH); sub(/[ \t]+$/, "", m); hlv = m; rest = substr(rest, RLENGTH + 1)
      if (match(rest, /^\[[A-Za-z0-9_.]+\] /)) hmod = substr(rest, 2, RLENGTH - 3)
    }
  } else if (line ~ /^[0-9][0-9][0-9][0-9]-/) {
    n = split(line, f, "|")
    if (n >= 12) {
      hts = f[1]; hlv = f[2]; hmod = f[3]; hthr = f[8]
      if (f[6] ~ /^[0-9]+$/) hten = f[6]
      return
    }
  }
  p = substr(line, 1, 2048)
  if (match(p, /\[[0-9]+\]\[[^]]*\](\[C[0-9]+\])?(\[T[0-9]+\])?\[[YZ]/)) {
    m = substr(p, RSTART, RLENGTH); sub(/^\[[0-9]+\]\[/, "", m)
    hthr = substr(m, 1, index(m, "]") - 1)
    if (length(hthr) > 64) hthr = ""
    if (match(m, /\[T[0-9]+\]\[[YZ]$/)) hten = substr(m, RSTART + 2, RLENGTH - 5)
  }
}
function passes(   up) {
  if (hts != "" && fsince != "" && hts < fsince) return 0
  if (hts != "" && funtil != "" && hts > funtil) return 0
  if (flevels != "" && index(flevels, " " hlv " ") == 0) return 0
  if (ftenant != "" && hten + 0 != ftenant + 0) return 0
  if (ftenant != "" && hten == "") return 0
  if (fthread != "" && hthr != fthread) return 0
  if (fmodule != "") { up = toupper(hmod); if (up != fmodule && index(up, fmodule ".") != 1) return 0 }
  return 1
}
function flush(   n, i, k, parts) {
  if (codes == "") return
  if (hdr) header(hline); else hts = hlv = hmod = hthr = hten = ""
  if (!passes()) { reset_record(); return }
  n = split(codes, parts, " ")
  for (i = 1; i <= n; i++) {
    k = parts[i]
    g[k "\t" hten "\t" hmod "\t" hlv "\t" hthr]++
    if (hts != "") {
      if (!(k in fts) || hts < fts[k]) { fts[k] = hts; fno[k] = hno; smp[k] = hline; sno[k] = hno }
      if (!(k in lts) || hts >= lts[k]) { lts[k] = hts; lno[k] = hno }
    } else if (!(k in sno)) { smp[k] = hline; sno[k] = hno }
  }
  reset_record()
}
function scan(line,   s, m, v, r) {
  s = " " line
  while (match(s, /[^A-Za-z0-9_](ret_code|ret|errcode|result)=(-[0-9]+|"OB_[A-Z0-9_]+")/)) {
    m = substr(s, RSTART + 1, RLENGTH - 1); s = substr(s, RSTART + RLENGTH - 1)
    v = substr(m, index(m, "=") + 1)
    if (substr(v, 1, 1) == "-") {
      if (length(v) > 8) continue
      v = v + 0
      if (v == 0) continue
    } else {
      v = substr(v, 2, length(v) - 2)
      if (v in code_of) v = code_of[v]
    }
    if (!(v in seen)) { seen[v] = 1; codes = codes " " v }
  }
}
BEGIN {
  n = split(fnames, pairs, " ")
  for (i = 1; i <= n; i++) { j = index(pairs[i], "="); code_of[substr(pairs[i], 1, j - 1)] = substr(pairs[i], j + 1) + 0 }
  reset_record()
}
NR == 1 { hno = 1; hline = $0; hdr = 0 }
{
  if ($0 ~ /^\[[0-9][0-9][0-9][0-9]-/ || ($0 ~ /^[0-9][0-9][0-9][0-9]-/ && index(substr($0, 1, 40), "|"))) {
    if (codes != "") flush()
    hno = NR; hline = $0; hdr = 1
  }
  if (index($0, "=-") || index($0, "=\"OB_")) scan($0)
}
END {
  flush()
  for (k in g) print "G\t" k "\t" g[k]
  for (k in fts) { print "F\t" k "\t" fts[k] "\t" fno[k]; print "L\t" k "\t" lts[k] "\t" lno[k] }
  for (k in smp) print "S\t" k "\t" sno[k] "\t" substr(smp[k], 1, 400)
}
"""
"""``logs codes --live``'s tally, run by POSIX ``awk`` on the server (no Python there is assumed):
records are the local reader's (a header line and its continuation lines), codes the same
spellings as ``logs.codes`` (``ret=``, ``errcode=``, ``ret_code=``, ``result=``: ``-N`` of at
most 7 digits, or ``"OB_NAME"``, a name the catalogue knows counted as its number; once
per record), the header fields the ones ``logs.codes``
reads. Only the tallies come back: ``G code tenant module level thread count`` per group,
``F``/``L`` the first and last time with their line, ``S`` the sample line (400 bytes), tab
separated; memory on the server is bounded by the distinct groups, not the records."""

_THREAD_NAME = re.compile(r"^[A-Za-z0-9_.#:-]{1,64}$")
_MODULE_NAME = re.compile(r"^[A-Za-z0-9_.]{1,64}$")


def codes_command(home_path: str, files: list[str], levels: Iterable[str] = (), since: str | None = None,
                  until: str | None = None, tenant: int | None = None, thread: str | None = None,
                  module: str | None = None, names: dict[bytes, int] | None = None) -> str:
    """The remote tally of ``files``: one ``awk`` per file (after ``gzip -dc``/``zstd -dcq`` for
    compressed ones) between the same ``@@F``/``@@S`` markers as a search. Every value is
    validated, then quoted; ``awk -v`` values hold no backslash (``-v`` would read escapes)."""
    from obdoctor.logs.fields import LEVELS

    levels = sorted(set(levels))
    for level in levels:
        if level not in LEVELS:
            raise UnsafeValue(f"{level[:20]!r} is not a log level")
    for name, stamp in (("since", since), ("until", until)):
        if stamp is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", stamp):
            raise UnsafeValue(f"--{name} {stamp[:40]!r} is not a log time stamp")
    if tenant is not None and (not isinstance(tenant, int) or tenant < 0):
        raise UnsafeValue(f"{tenant!r} is not a tenant id")
    if thread is not None and not _THREAD_NAME.match(thread):
        raise UnsafeValue(f"{thread[:64]!r} is not a thread name obdoctor sends to a server")
    if module is not None and not _MODULE_NAME.match(module):
        raise UnsafeValue(f"{module[:64]!r} is not a module name")
    pairs = []
    for name, code in sorted((names or {}).items()):  # only OB_ names are ever matched: the rest are not sent
        if re.fullmatch(rb"OB_[A-Z0-9_]{1,100}", name) and isinstance(code, int):
            pairs.append(f"{name.decode()}={code}")
    values = {"flevels": f" {' '.join(levels)} " if levels else "", "fsince": since or "", "funtil": until or "",
              "ftenant": "" if tenant is None else str(tenant), "fthread": thread or "",
              "fmodule": (module or "").upper()}
    awk = ('awk -v fnames="$obd_names" ' + " ".join(f"-v {k}={shlex.quote(v)}" for k, v in values.items())
           + ' "$obd_prog"')
    parts = [f"{PREAMBLE}; cd -- {shlex.quote(log_dir(home_path))} || exit 3",
             f"obd_prog={shlex.quote(CODES_AWK)}", f"obd_names={shlex.quote(' '.join(pairs))}"]  # sent once
    for index, name in enumerate(files):
        check_log_name(name)
        reader = _reader(name)
        pipeline = f"{reader} | {awk}" if reader else f"{awk} {shlex.quote(name)}"  # no "=" in a log name: never an assignment
        parts.append(f"printf '@@F %d\\n' {index} >&2; printf '@@F %d\\n' {index}; {pipeline}; printf '@@S %d %d\\n' {index} $?")
    return "; ".join(parts)


def split_codes_output(lines: Iterable[bytes]) -> tuple[dict[int, list[bytes]], dict[int, int]]:
    """(rows per file index, awk's exit status per file index) of a ``codes_command``'s stdout."""
    rows: dict[int, list[bytes]] = {}
    statuses: dict[int, int] = {}
    current = None
    for kind, number, value in codes_events(lines):
        if kind == "file":
            current = number
            rows.setdefault(current, [])
        elif kind == "status":
            statuses[number] = value  # type: ignore[assignment]
        elif current is not None:
            rows[current].append(value)  # type: ignore[arg-type]
    return rows, statuses


def codes_events(lines: Iterable[bytes]) -> Iterator[tuple[str, int, int | bytes]]:
    """Like :func:`parse_output`, for a tally: ``("file", i, 0)``, ``("status", i, code)`` and
    ``("row", 0, row)`` for each tally row (``G``/``F``/``L``/``S``)."""
    for raw in lines:
        if raw.startswith((b"@@F ", b"@@S ")):
            yield from parse_output((raw,))
        elif raw[:2] in (b"G\t", b"F\t", b"L\t", b"S\t"):
            yield "row", 0, raw.rstrip(b"\n")
