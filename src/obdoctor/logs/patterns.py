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
    """Fixed-string patterns: a line matches if it holds any of ``any_of`` and all of ``all_of``.

    Both empty means "every line".
    """

    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()

    def compiled(self) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        return (tuple(p.encode() for p in self.any_of if p), tuple(p.encode() for p in self.all_of if p))

    @property
    def matches_everything(self) -> bool:
        return not any(self.any_of) and not any(self.all_of)

    def line_matches(self, line: bytes) -> bool:
        """The full rule on one line (the matcher only finds candidates)."""
        any_of, all_of = self.compiled()
        if any_of and not any(p in line for p in any_of):
            return False
        return all(p in line for p in all_of)


def hyperscan_available() -> bool:
    return _hyperscan() is not None


def simd_available() -> bool:
    return _scan is not None


def describe_engine(engine: str) -> str:
    """``simd (avx512)``: the engine and, for ours, the kernel this CPU runs."""
    if engine == "simd" and _scan is not None:
        return f"simd ({_scan.SIMD})"
    return engine or "none"


class Matcher:
    """Finds the end offsets of pattern occurrences in a block (at most one report per line
    is needed, so callers skip to the next line after a hit)."""

    engine = "find"
    expands_records = False
    """True when ``records()`` returns whole records with their line counts (the C scanner)."""

    def __init__(self, patterns: Patterns):
        any_of, all_of = patterns.compiled()
        # scan for the any_of set; when there is none, for the longest all_of pattern
        # (long literals are rarer), and let the caller check the rest on the line
        self.literals: tuple[bytes, ...] = any_of or ((max(all_of, key=len),) if all_of else ())
        self.any_of = any_of
        self.all_of = all_of

    def verify(self, line: bytes) -> bool:
        """The full rule on a record found by ``hits`` (a hit already proves ``any_of``)."""
        if not self.all_of:
            return True
        if self.any_of and not any(p in line for p in self.any_of):
            return False
        return all(p in line for p in self.all_of)

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

    def __init__(self, patterns: Patterns):
        super().__init__(patterns)
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

    def __init__(self, patterns: Patterns):
        super().__init__(patterns)
        self._scanner = _scan.Scanner(list(self.literals))

    def scan(self, block, start: int, end: int):
        return self._scanner.scan(block, start, end)

    def records(self, block, start: int, end: int, max_record: int):
        """``(starts, stops, newlines before each, newlines in range)`` of the records (header
        line + continuation lines, cut at ``max_record`` bytes) holding a literal."""
        return self._scanner.records(block, start, end, max_record)

    def hits(self, block, start: int, end: int) -> list[int]:
        return self._scanner.scan(block, start, end)[0]


ENGINES = ("simd", "hyperscan", "find")


def compile_patterns(patterns: Patterns, engine: str | None = None) -> Matcher:
    """The fastest available matcher, or the one named by ``engine`` (``"find"`` is always
    there). An engine that refuses the patterns (more than 16 literals for ``simd``, a literal
    holding a newline) gives way to the next: all give the same answers."""
    if patterns.compiled() == ((), ()):
        return Matcher(patterns)
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
