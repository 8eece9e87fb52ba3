"""``logs search --count`` on the C scanner: one process below ``COUNT_PARALLEL_MIN`` (forked
workers would cost more than they save), workers above it, a compressed byte weighing
``COUNT_COMPRESSED`` plain ones; and the count is the records' count whichever way it runs."""

import pytest

from obdoctor.logs import search
from obdoctor.logs.patterns import Patterns, simd_available
from obdoctor.logs.search import SearchReport

from .conftest import make_lines, write
from .test_search import lf

pytestmark = pytest.mark.skipif(not simd_available(), reason="the threshold is the C scanner's")


def count(files, pats, report, workers=2) -> int:
    """The count through whichever entry point this tree has (``count_hits``, or
    ``search_files(..., Count())`` after the search API became sinks)."""
    if hasattr(search, "count_hits"):
        return search.count_hits(files, pats, workers=workers, report=report)
    from obdoctor.logs import Count

    return search.search_files(files, pats, Count(), workers=workers, report=report)


def test_a_small_count_stays_in_one_process(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "PARALLEL_MIN", 0)
    files = [lf(write(tmp_path / f"observer.log.2024031808000012{i}", make_lines(300, seed=i))) for i in range(2)]
    plain = sum(f.path.stat().st_size for f in files)
    pats = Patterns(("tick",))
    counts = set()
    for limit, workers in ((plain + 1, 1), (plain, 2)):
        monkeypatch.setattr(search, "COUNT_PARALLEL_MIN", limit)
        report = SearchReport()
        counts.add(count(files, pats, report))
        assert report.workers == workers and not report.failed
    assert len(counts) == 1 and counts.pop() > 0
    gz = [lf(write(tmp_path / "observer.log.20240318070000123.gz", make_lines(300, seed=5), "gz"))]
    monkeypatch.setattr(search, "COUNT_PARALLEL_MIN", gz[0].path.stat().st_size * (search.COUNT_COMPRESSED // 2))
    report = SearchReport()
    count(gz + files[:1], pats, report)
    assert report.workers == 2  # the .gz alone weighs more than the limit
