"""Compile fixed-string patterns into a matcher that finds candidate lines in a block of bytes.

Why separate from the reader: the same ``Patterns`` are run locally (this module, over
memory-mapped or decompressed blocks) and remotely (``logs/remote.py`` turns them into a
``grep -F`` pipeline). The matcher only answers "at which byte offsets of this block does
some pattern end"; the reader turns offsets into lines.

Three engines, same answers:

* ``simd`` (``obdoctor.logs._scan``, our C extension, built at install when a compiler is
  there): one SIMD pass (AVX-512, AVX2, or NEON/SSE2) finds the lines holding any literal
  *and* counts the newlines before them, so line numbers cost no second pass. Up to 16
  literals.
* ``hyperscan`` (Intel's SIMD multi-literal matcher) when the package is installed: one pass
  over the block finds every pattern at once, at several GB/s.
* a pure-Python fallback: ``bytes.find`` per pattern (CPython's fast search), one pass per
  pattern. Slower with many patterns, but always available.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdoctor.logs.fields import RecordFilter

try:  # our optional C extension (setup.py builds it when it can)
    from obdoctor.logs import _scan
except ImportError:  # pragma: no cover - exercised where no C compiler was available
    _scan = None

_hs = None  # hyperscan, imported only when the simd engine cannot serve (its import costs ~50 ms)


def _hyperscan():
    global _hs
    if _hs is None:
        try:
            import hyperscan
        except ImportError:  # pragma: no cover - the wheel is missing on a platform
            hyperscan = False
        _hs = hyperscan
    return _hs or None


@dataclass(frozen=True)
class Patterns:
    """Fixed-string patterns: a line matches if it holds any of ``any_of`` and all of ``all_of``,
    and (with ``fields``) its record's header passes the filter.

    All empty means "every line".
    """

    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    fields: RecordFilter | None = None
    regex: bool = False
    """``any_of`` are regular expressions (``logs search -E``); ``all_of`` stay fixed strings."""
    ignore_case: bool = False

    def compiled(self) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        return (tuple(p.encode() for p in self.any_of if p), tuple(p.encode() for p in self.all_of if p))

    @property
    def matches_everything(self) -> bool:
        return not any(self.any_of) and not any(self.all_of) and self.filter is None

    @property
    def filter(self) -> RecordFilter | None:
        """``fields`` when it selects anything."""
        return self.fields if self.fields is not None and not self.fields.empty else None

    def line_matches(self, line: bytes) -> bool:
        """The full rule on one line (the matcher only finds candidates)."""
        any_of, all_of = self.compiled()
        if any_of and not any(p in line for p in any_of):
            return False
        return all(p in line for p in all_of)


def compile_regex(patterns: Patterns):
    """``any_of`` as one compiled bytes expression (fixed strings escaped unless ``regex``;
    ``^``/``$`` at line ends, as grep reads them), or None when there is none."""
    import re

    if not any(patterns.any_of):
        return None
    parts = [p if patterns.regex else re.escape(p) for p in patterns.any_of if p]
    flags = re.MULTILINE | (re.IGNORECASE if patterns.ignore_case else 0)
    return re.compile("|".join(f"(?:{p})" for p in parts).encode("utf-8", "surrogateescape"), flags)


def hyperscan_available() -> bool:
    return _hyperscan() is not None


def simd_available() -> bool:
    return _scan is not None


def describe_engine(engine: str) -> str:
    """``simd (avx512)``: the engine and, for ours, the kernel this CPU runs."""
    if engine == "simd" and _scan is not None:
        return f"simd ({_scan.SIMD})"
    return engine or "none"


def engine_summary() -> str:
    """Which engine searches logs on this machine, in a sentence (``obdoctor --version``): a
    slow search where the C extension could not be built is explained, not a mystery."""
    if simd_available():
        return f"C extension, {describe_engine('simd')}"
    from obdoctor.logs import reader

    fallback = "hyperscan" if hyperscan_available() else "pure Python"
    counting = "numpy" if reader.load_numpy() else "bytes.count"
    return (f"{fallback} with {counting} line counting: the C extension is not built (no C compiler or "
            "Python headers at install; same answers, slower)")


class Matcher:
    """Finds the end offsets of pattern occurrences in a block (at most one report per line
    is needed, so callers skip to the next line after a hit)."""

    engine = "find"
    expands_records = False
    """True when ``records()`` returns whole records with their line counts (the C scanner)."""

    def __init__(self, patterns: Patterns, walk: bool = False):
        any_of, all_of = patterns.compiled()
        self.filter = patterns.filter
        # scan for the any_of set; when there is none, for the longest all_of pattern
        # (long literals are rarer), and let the caller check the rest on the line; with
        # neither, for a string the filter's header fields imply (unless ``walk``)
        self.literals: tuple[bytes, ...] = any_of or ((max(all_of, key=len),) if all_of else ())
        self.implied = not self.literals and self.filter is not None and not walk
        if self.implied:
            self.literals = tuple(x.encode() for x in self.filter.literals())
        self.any_of = any_of
        self.all_of = all_of
        self.patterns = patterns
        self._walker: Matcher | None = None

    @property
    def checks_records(self) -> bool:
        """Whether ``verify`` has work to do on a record the scan found."""
        return bool(self.all_of) or (self.filter is not None and not self.expands_records)

    def verify(self, line: bytes) -> bool:
        """The full rule on a record found by ``hits`` (a hit already proves ``any_of``;
        the C scanner already applied the filter)."""
        if self.all_of:
            if self.any_of and not any(p in line for p in self.any_of):
                return False
            if not all(p in line for p in self.all_of):
                return False
        if self.filter is not None and not self.expands_records:
            from obdoctor.logs.parser import parse_line

            return self.filter.accepts(parse_line(line))
        return True

    def for_path(self, path) -> Matcher:
        """The matcher for one file: alert.log's pipe format holds none of the strings a
        filter implies (``] WDIAG ``), so its records are all read and filtered."""
        if not self.implied or not str(path).rsplit("/", 1)[-1].startswith("alert"):
            return self
        if self._walker is None:
            try:
                self._walker = type(self)(self.patterns, walk=True)
            except ValueError:  # hyperscan: nothing to scan for
                self._walker = Matcher(self.patterns, walk=True)
        return self._walker

    def hits(self, block, start: int, end: int) -> list[int]:
        """Sorted start offsets (in ``block``) of the lines in ``block[start:end]`` holding a
        literal. ``block`` is any bytes-like object with ``find``/``rfind`` (bytes, mmap)."""
        lines: set[int] = set()
        for literal in self.literals:
            i = block.find(literal, start, end)
            while i >= 0:
                line_start = block.rfind(b"\n", start, i) + 1 or start
                if line_start < start:
                    line_start = start
                lines.add(line_start)
                nl = block.find(b"\n", i + len(literal), end)
                if nl < 0:
                    break
                i = block.find(literal, nl + 1, end)
        return sorted(lines)

    def scan(self, block, start: int, end: int) -> tuple[list[int], list[int] | None, int | None]:
        """``(line starts, newlines before each, newlines in the range)``; engines that do not
        count as they scan return ``None`` for both counts (the caller counts)."""
        return self.hits(block, start, end), None, None


class HyperscanMatcher(Matcher):
    """Same answers as ``Matcher``, one SIMD pass for all literals."""

    engine = "hyperscan"

    def __init__(self, patterns: Patterns, walk: bool = False):
        super().__init__(patterns, walk)
        if not self.literals:
            raise ValueError("nothing to scan for")
        _hs = _hyperscan()
        self._db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        self._db.compile(expressions=list(self.literals), ids=list(range(len(self.literals))), flags=0, literal=True)
        self._scratch = _hs.Scratch(self._db)

    def hits(self, block, start: int, end: int) -> list[int]:
        ends: list[int] = []
        view = memoryview(block)[start:end]
        try:
            self._db.scan(view, match_event_handler=_collect, context=ends, scratch=self._scratch)
        finally:
            view.release()
        if not ends:
            return []
        lines: list[int] = []
        last_line_end = -1
        for e in sorted(ends):
            pos = start + e
            if pos <= last_line_end:
                continue  # another pattern on a line already reported
            line_start = block.rfind(b"\n", start, pos - 1) + 1 or start
            if line_start < start:
                line_start = start
            lines.append(line_start)
            nl = block.find(b"\n", pos - 1, end)
            last_line_end = nl if nl >= 0 else end
        return lines


def _collect(_id, _from, to, _flags, ends):
    ends.append(to)


class SimdMatcher(Matcher):
    """Same answers as ``Matcher``; line starts and their line counts from one C pass."""

    engine = "simd"
    expands_records = True

    def __init__(self, patterns: Patterns, walk: bool = False):
        super().__init__(patterns, walk)
        spec = self.filter.c_spec() if self.filter is not None else None
        self._scanner = _scan.Scanner(list(self.literals), filter=spec)

    def scan(self, block, start: int, end: int):
        return self._scanner.scan(block, start, end)

    def records(self, block, start: int, end: int, max_record: int):
        """``(starts, stops, newlines before each, newlines in range)`` of the records (header
        line + continuation lines, cut at ``max_record`` bytes) holding a literal."""
        return self._scanner.records(block, start, end, max_record)

    def count(self, block, start: int, end: int, max_record: int) -> int:
        """``len(records(...)[0])`` without building the lists or counting lines (``--count``)."""
        return self._scanner.count(block, start, end, max_record)

    def hits(self, block, start: int, end: int) -> list[int]:
        return self._scanner.scan(block, start, end)[0]

    def text(self, block, start: int, end: int, max_record: int, head: bytes, numbered: bool, base: int):
        """``(bytes, records, first line number, newlines)``: the records ``records()`` finds,
        printed in C (``head``, ``line:`` when numbered, the record, a newline)."""
        return self._scanner.text(block, start, end, max_record, head, numbered, base)


class RegexMatcher(Matcher):
    """Regular expressions or case-insensitive strings (``logs search -E``/``-i``): Python's
    ``re`` over each region, then the same record expansion as the other engines. Slower than a
    literal scan (``re`` runs at a few hundred MB/s), so only these options use it."""

    engine = "re"

    def __init__(self, patterns: Patterns, walk: bool = False):
        super().__init__(patterns, walk)
        self._rx = compile_regex(patterns)
        if self._rx is not None:
            self.literals = (b"",)  # something to scan for: the expression

    def verify(self, line: bytes) -> bool:
        if self._rx is not None and self._rx.search(line) is None:
            return False
        if self.all_of and not all(p in line for p in self.all_of):
            return False
        if self.filter is not None:
            from obdoctor.logs.parser import parse_line

            return self.filter.accepts(parse_line(line))
        return True

    def hits(self, block, start: int, end: int) -> list[int]:
        lines: list[int] = []
        rx = self._rx
        pos = start
        while pos < end:
            m = rx.search(block, pos, end)
            if m is None:
                break
            at = m.start()
            line_start = block.rfind(b"\n", start, at) + 1 if at > start else start
            lines.append(max(line_start, start))
            nl = block.find(b"\n", max(at, m.end() - 1), end)
            if nl < 0:
                break
            pos = nl + 1
        return lines


ENGINES = ("simd", "hyperscan", "find")


def compile_patterns(patterns: Patterns, engine: str | None = None) -> Matcher:
    """The fastest available matcher, or the one named by ``engine`` (``"find"`` is always
    there). An engine that refuses the patterns (more than 16 literals for ``simd``, a literal
    holding a newline) gives way to the next: all give the same answers."""
    if patterns.matches_everything:
        return Matcher(patterns)
    if (patterns.regex or patterns.ignore_case) and any(patterns.any_of):
        return RegexMatcher(patterns)
    order = ENGINES if engine is None else ENGINES[ENGINES.index(engine):]
    for name in order:
        if name == "simd" and _scan is not None:
            try:
                return SimdMatcher(patterns)
            except ValueError:
                continue
        if name == "hyperscan" and _hyperscan() is not None:
            try:
                return HyperscanMatcher(patterns)
            except Exception:  # a pattern hyperscan refuses
                continue
    return Matcher(patterns)
