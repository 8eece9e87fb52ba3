"""Where a search's records go: counted, handed over parsed, or folded into a tally.

A sink is what ``search_files(files, patterns, sink)`` searches into: a class with one method,
``run(scan)``, that calls the kernel path of the ``Scan`` it needs and returns its answer.
Putting the choice in the sink keeps each caller on its fast path: ``Count`` never moves a hit
between processes, ``Fold`` moves only tallies, ``Printer`` (``printer.py``) has the records
formatted in C when nothing needs Python (no colour, no redaction). A new sink goes here (or
in its own module of ``obdoctor.logs`` when it is large, as the printer is) and is exported
from the package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from obdoctor.logs.files import LogFile
from obdoctor.logs.record import LogRecord
from obdoctor.logs.search import Scan


class Count:
    """The number of matching records (``int``), counted inside the workers."""

    def run(self, scan: Scan) -> int:
        return scan.count()


class Records:
    """The matching records, parsed, as an iterator of ``LogRecord`` (server, path, line number
    and offset set). Records of one file come in file order and files interleave; with
    ``ordered=False`` (callers that sort anyway) a big file may be shared by two workers, its
    halves interleaving."""

    def __init__(self, ordered: bool = True):
        self.ordered = ordered

    def run(self, scan: Scan) -> Iterator[LogRecord]:
        return scan.records(self.ordered)


class Fold:
    """``(file, fold(batches))`` per file (or segment of a big one), as an iterator: ``fold``
    reduces the file's batches of unparsed hits (``[(line number, offset, bytes), ...]``) to
    something small (a tally) inside the worker, so only that crosses a process and memory
    stays bounded however many records match. ``fold`` is a module-level function (or a
    ``functools.partial`` of one: it is pickled to the workers). A file read only in part gives
    the fold of what could be read, and is named in the report's ``failed``."""

    def __init__(self, fold: Callable[[Iterator[list[tuple[int, int, bytes]]]], object]):
        self.fold = fold

    def run(self, scan: Scan) -> Iterator[tuple[LogFile, object]]:
        return scan.fold(self.fold)
