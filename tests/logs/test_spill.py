"""SpillSort: the same order as sorted(), whatever the run size (runs on disk, merged)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.logs.spill import SpillSort


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.tuples(st.integers(-5, 5), st.text(max_size=5)), max_size=80), run=st.integers(1, 30))
def test_spilled_runs_merge_into_sorted_order(items, run):
    spill = SpillSort(run=run)
    for i, (key, text) in enumerate(items):
        spill.add((key, i), text)
    assert list(spill.sorted()) == [text for (key, i), text in sorted(((k, i), t) for i, (k, t) in enumerate(items))]
    assert spill.count == len(items)
