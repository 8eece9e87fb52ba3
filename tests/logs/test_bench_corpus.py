"""The benchmark corpus is deterministic and our search finds exactly what a naive scan finds."""

import importlib.util
from pathlib import Path

from obdoctor.logs.files import discover
from obdoctor.logs import Patterns, Records, search_files
from obdoctor.logs.search import read_records

BENCH = Path(__file__).resolve().parents[2] / "bench" / "corpus.py"


def load():
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_deterministic_and_searchable(tmp_path):
    corpus = load()
    a = corpus.generate(tmp_path / "a", 3 << 20)
    b = corpus.generate(tmp_path / "b", 3 << 20)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert any(p.name.endswith(".gz") for p in a) and any(p.name.endswith(".zst") for p in a)
    files = [f for d in sorted((tmp_path / "a" / "logs").iterdir()) for f in discover(d, d.name)[0]]
    wanted = (*corpus.NEEDLE_PATTERNS, "[errcode=-4012]")  # needles are rare in 3 MB: add a common one
    found = sorted((r.path, r.line_no) for r in search_files(files, Patterns(wanted), Records()))
    naive = sorted((r.path, r.line_no) for f in files for r in read_records(f) if any(p in r.raw for p in wanted))
    assert found == naive and found
    levels = [r.level for f in files for r in read_records(f)]
    assert levels.count("INFO") / len(levels) > 0.9  # mostly INFO, like a real observer
