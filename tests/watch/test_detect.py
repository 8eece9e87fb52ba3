"""The stall rules on their own: what counts as a sign of life, what may stall, what ends a job."""

from __future__ import annotations

from datetime import datetime

from obdoctor.watch.detect import detect
from obdoctor.watch.samples import Sample, Snapshot

T0 = datetime(2023, 9, 26, 14, 0)
STALL = 1800.0


def job(status="DOING", stage="BACKUP_DATA_MINOR", nbytes=100, job_id=1, tenant=1002, **kw) -> Sample:
    kw.setdefault("task_id", job_id)
    return Sample("job", tenant, job_id, status=status, stage=stage, input_bytes=nbytes, **kw)


def ls(ls_id=1001, status="DOING", nbytes=10, turn=1, retry=0, job_id=1, tenant=1002, **kw) -> Sample:
    return Sample("ls_task", tenant, job_id, task_id=job_id, ls_id=ls_id, status=status, input_bytes=nbytes,
                  turn_id=turn, retry_id=retry, **kw)


def run(polls, step=300.0, epoch=None):
    """``polls``: a list of (jobs, ls_tasks[, finished]) per poll; returns the events of every poll."""
    tracks, out = {}, []
    for i, poll in enumerate(polls):
        jobs, tasks, finished = (*poll, [])[:3]
        snap = Snapshot(at=T0, jobs=jobs, ls_tasks=tasks, finished=finished, history_available=True,
                        ls_available=True)
        result = detect(tracks, snap, T0.timestamp() + i * step, STALL, epoch)
        tracks = {k: t for k, t in result.tracks.items() if k not in result.dropped}
        out.append(result.events)
    return out, tracks


def kinds(events):
    return [[(e.kind, e.ls_id) for e in poll] for poll in events]


def test_frozen_ls_task_stalls_once_at_the_window():
    events, _ = run([([job(nbytes=i)], [ls(nbytes=10)]) for i in range(10)])
    flat = [(i, e.kind, e.ls_id) for i, poll in enumerate(events) for e in poll]
    assert flat == [(6, "stall", 1001)]  # 6 polls x 5 minutes = 30 minutes, and only once


def test_retry_turn_and_status_changes_are_signs_of_life():
    """Counters frozen, but the scheduler retries the task, moves it to the next turn, or changes its status."""
    for change in (lambda i: ls(retry=i), lambda i: ls(turn=1 + i // 3), lambda i: ls(status="DOING" if i % 5 else "PENDING")):
        events, _ = run([([job(nbytes=i)], [change(i)]) for i in range(20)])
        assert not any(e.kind == "stall" for poll in events for e in poll)


def test_pending_ls_task_does_not_stall_but_a_frozen_job_does():
    events, _ = run([([job()], [ls(status="PENDING")]) for _ in range(8)])
    assert kinds(events)[6] == [("stall", None)]  # the job; the pending ls task waits for a slot


def test_any_ls_task_moving_is_progress_for_the_job():
    events, _ = run([([job()], [ls(1001, nbytes=i), ls(1002, nbytes=5)]) for i in range(10)])
    stalls = [(e.kind, e.ls_id) for poll in events for e in poll]
    assert stalls == [("stall", 1002)]


def test_coordinator_job_never_stalls():
    events, _ = run([([job(stage=None, task_id=None, coordinator=True)], []) for _ in range(10)])
    assert events == [[]] * 10


def test_stall_then_progress_is_resumed():
    polls = [([job()], []) for _ in range(8)] + [([job(nbytes=999)], [])]
    events, tracks = run(polls)
    assert kinds(events)[6] == [("stall", None)] and kinds(events)[8] == [("resumed", None)]
    assert not tracks["job:1002:1"].stalled


def test_job_that_leaves_the_view_ends_as_the_history_says():
    ended = job(status="FAILED", result=-9082, comment="backup device out of space")
    events, tracks = run([([job()], [ls()]), ([], [], [ended]), ([], [], [ended])])
    assert kinds(events) == [[], [("failed", None)], []]
    assert events[1][0].result == -9082 and "out of space" in events[1][0].message
    assert list(tracks) == ["job:1002:1"] and tracks["job:1002:1"].done  # its ls tracks are dropped
    events, _ = run([([job()], []), ([], [], [job(status="COMPLETED")])])
    assert kinds(events) == [[], [("completed", None)]]
    events, _ = run([([job()], []), ([], [], [])])
    assert kinds(events) == [[], [("gone", None)]]


def test_an_unreadable_poll_concludes_nothing():
    first = detect({}, Snapshot(at=T0, jobs=[job()], ls_tasks=[ls()], history_available=True, ls_available=True),
                   T0.timestamp(), STALL)
    blind = Snapshot(at=T0, usable=False)
    later = detect(first.tracks, blind, T0.timestamp() + 7200, STALL)
    assert later.events == [] and later.dropped == set()
    no_ls = Snapshot(at=T0, jobs=[job()], history_available=True, ls_available=False)
    partial = detect(first.tracks, no_ls, T0.timestamp() + 60, STALL)
    assert "ls_task:1002:1:1:1001" not in partial.dropped  # the ls view failed: its tasks are not gone


def test_failure_never_seen_running_counts_only_after_the_history_began():
    failed = job(status="FAILED", result=-9082, ended=datetime(2023, 9, 26, 14, 20))
    events, _ = run([([], [], [failed])], epoch=datetime(2023, 9, 26, 14, 10).timestamp())
    assert kinds(events) == [[("failed", None)]]
    events, _ = run([([], [], [failed])], epoch=datetime(2023, 9, 26, 14, 30).timestamp())
    assert events == [[]]
    events, _ = run([([], [], [failed])], epoch=None)  # the very first poll: old news
    assert events == [[]]


def test_a_retry_is_an_event_but_not_a_problem():
    events, tracks = run([([job(nbytes=i)], [ls(retry=min(i, 2), black_list="127.0.0.3:2882" if i else None)])
                          for i in range(4)])
    retries = [(i, e.message) for i, poll in enumerate(events) for e in poll]
    assert [i for i, _ in retries] == [1, 2]
    assert "retry 1 (was 0), black list 127.0.0.3:2882" in retries[0][1]
    assert tracks["ls_task:1002:1:1:1001"].retry_id == 2
