"""Durations, rates and ETA, the Prometheus text, pruning."""

from __future__ import annotations


import pytest

from obdoctor.watch import prometheus
from obdoctor.watch.durations import format_bytes, format_duration, parse_duration
from obdoctor.watch.rates import rate
from obdoctor.watch.watcher import Watcher
from tests.watch.fakes import job_row, ls_row, task_row


@pytest.mark.parametrize("text,seconds", [("45", 45), ("90s", 90), ("30m", 1800), ("1h30m", 5400), ("2d", 172800),
                                          ("1.5h", 5400), (" 10 m ", 600)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "10x", "m", "-5m", "1h 30"])
def test_parse_duration_refuses(text):
    if text == "1h 30":
        assert parse_duration(text) == 3630  # "1h30": a bare number is seconds
        return
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("text", ["30", "1h30", "2.5", " 45 "])
def test_watch_durations_need_a_unit(text):
    """``--stall-after 30``: seconds or minutes? Refused, not guessed."""
    with pytest.raises(ValueError, match="needs a unit"):
        parse_duration(text, unit_required=True)
    assert parse_duration("0", unit_required=True) == 0 and parse_duration("30m", unit_required=True) == 1800


def test_formats():
    assert [format_duration(s) for s in (None, 5, 125, 3725, 90000)] == ["-", "5s", "2m05s", "1h02m", "1d01h"]
    assert format_bytes(None) == "-" and format_bytes(512) == "512 B" and format_bytes(3 * 1024**3) == "3.0 GiB"


def test_rate_and_eta_over_the_window():
    rows = [{"at_ts": 0, "input_bytes": 0, "finish_macro_block_count": 0, "macro_block_count": 1000,
             "finish_tablet_count": 0, "tablet_count": 10},
            {"at_ts": 100, "input_bytes": 5000, "finish_macro_block_count": 100, "macro_block_count": 1000,
             "finish_tablet_count": 1, "tablet_count": 10}]
    r = rate(rows)
    assert (r.bytes_per_s, r.blocks_per_s, r.eta_s) == (50.0, 1.0, 900.0)
    rows[1]["macro_block_count"] = 0  # totals unknown: fall back to tablets
    assert rate(rows).eta_s == 900.0
    assert rate(rows[:1]).bytes_per_s is None
    frozen = [dict(rows[0], at_ts=0), dict(rows[0], at_ts=60)]
    assert rate(frozen).bytes_per_s == 0.0 and rate(frozen).eta_s is None


def test_prometheus_labels_are_escaped_and_write_is_atomic(tmp_path, cluster, clock, history):
    cluster.tables["CDB_OB_BACKUP_JOBS"] = [job_row()]
    cluster.tables["CDB_OB_BACKUP_TASKS"] = [task_row()]
    cluster.tables["__all_virtual_backup_ls_task"] = [ls_row(1001)]
    outcome = Watcher(cluster, history, clock=clock).poll()
    assert prometheus._labels(tenant_id='a"b\\c\nd') == '{tenant_id="a\\"b\\\\c\\nd"}'
    (tmp_path / "prom").mkdir()
    target = tmp_path / "prom" / "x.prom"
    target.write_text("old\n")
    prometheus.write(target, prometheus.render(outcome))
    text = target.read_text()
    assert text.count("# TYPE") == len(prometheus._METRICS) and "old" not in text
    assert list(target.parent.iterdir()) == [target]
    prometheus.write(tmp_path / "missing" / "dir" / "x.prom", "x\n")  # the directory is created
    assert (tmp_path / "missing" / "dir" / "x.prom").read_text() == "x\n"
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OSError):
        prometheus.write(tmp_path / "a-file" / "x.prom", "x\n")


def test_old_samples_are_pruned_but_events_and_their_polls_kept(cluster, clock, history):
    import obdoctor.watch.watcher as watcher_module

    watcher = Watcher(cluster, history, clock=clock, stall_after=600, keep=3600)
    for i in range(watcher_module.PRUNE_EVERY):
        cluster.tables["CDB_OB_BACKUP_JOBS"] = [job_row()]
        cluster.tables["CDB_OB_BACKUP_TASKS"] = [task_row(input_bytes=0 if i < 10 else i)]
        cluster.tables["__all_virtual_backup_ls_task"] = []
        watcher.poll()
        clock.advance(300)  # five hours in all
    counts = history.counts()
    assert counts["events"] == 2  # the stall and the resume, early on
    kept = history.db.execute("SELECT MIN(at_ts) FROM samples").fetchone()[0]
    assert kept >= clock.now.timestamp() - 300 - 3600
    assert counts["polls"] < watcher_module.PRUNE_EVERY
    event_polls = history.db.execute("SELECT COUNT(*) FROM events e JOIN polls p ON p.id = e.poll_id").fetchone()[0]
    assert event_polls == 2
