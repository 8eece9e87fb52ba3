"""Watch mode on an in-memory cluster whose rows change between polls, with a test clock."""

from __future__ import annotations

from obdoctor.exit_codes import ExitCode
from obdoctor.watch.store import History
from obdoctor.watch.watcher import Watcher
from tests.watch.fakes import job_row, ls_row, task_row

STALL = 1800  # 30m
STEP = 300  # a poll every 5m


def _set(cluster, *, job=None, task=None, ls=(), jobs=None):
    cluster.tables["CDB_OB_BACKUP_JOBS"] = jobs if jobs is not None else [job or job_row()]
    cluster.tables["CDB_OB_BACKUP_TASKS"] = [task] if task else []
    cluster.tables["__all_virtual_backup_ls_task"] = list(ls)


def test_healthy_long_backup_raises_nothing(cluster, clock, history):
    """Six hours of bursty progress (counters move every 15m, turns change, a retry) never stall at 30m."""
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL, rate_window=1200)
    polls = 6 * 3600 // STEP
    for i in range(polls):
        burst = i // 3  # counters move on every third poll only
        turn = 1 if i < polls // 2 else 2
        status = "PENDING" if i == polls // 2 else "DOING"
        retry = 1 if i >= 10 else 0
        _set(cluster,
             task=task_row(stage="BACKUP_DATA_MINOR" if turn == 1 else "BACKUP_DATA_MAJOR", turn=turn,
                           input_bytes=burst * 10_000_000, macro=10_000, finish_macro=burst * 100),
             ls=[ls_row(1001, finish_macro=burst * 50, input_bytes=burst * 5_000_000, turn=turn, status=status,
                        retry=retry),
                 ls_row(1002, server="127.0.0.4", finish_macro=burst * 50, input_bytes=burst * 5_000_000,
                        turn=turn, status=status)])
        outcome = watcher.poll()
        assert outcome.exit_code == ExitCode.NOTHING_WRONG, (clock.now, outcome.reasons)
        assert not [e for e in outcome.events if e.kind == "stall"]
        clock.advance(STEP)
    assert history.counts()["polls"] == polls
    assert history.counts()["diagnoses"] == 0
    job = outcome.jobs[0]
    assert job.rate.bytes_per_s and job.rate.bytes_per_s > 0
    assert job.rate.eta_s is not None and job.rate.eta_s > 0
    assert cluster.log_searches == 0  # no diagnosis, so no log was read


def _frozen_ls_run(cluster, clock, make_watcher, polls=14):
    """ls 1001 stops moving after the third poll while ls 1002 keeps going."""
    outcomes = []
    for i in range(polls):
        frozen = min(i, 2)
        _set(cluster, task=task_row(input_bytes=1000 * (i + 1), finish_macro=10 * i),
             ls=[ls_row(1001, finish_macro=frozen * 10, input_bytes=frozen * 100),
                 ls_row(1002, server="127.0.0.4", trace="YB427F000004-0005E98EBF2D9DBE-0-0", finish_macro=i * 5,
                        input_bytes=i * 1000)])
        outcomes.append((clock.now, make_watcher().poll()))
        clock.advance(STEP)
    return outcomes


def test_frozen_ls_task_raises_stall_with_p2_diagnosis(cluster, clock, history):
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    outcomes = _frozen_ls_run(cluster, clock, lambda: watcher)
    last_change = outcomes[2][0]
    stalls = [(at, e) for at, o in outcomes for e in o.events if e.kind == "stall"]
    assert len(stalls) == 1, stalls  # raised once, not at every poll
    at, event = stalls[0]
    assert event.ls_id == 1001 and event.job_id == 1 and event.tenant_id == 1002
    assert 0 <= (at - last_change).total_seconds() - STALL < STEP  # within one poll of the window
    assert event.stalled_since == last_change.timestamp()
    diagnosis = event.diagnosis
    assert diagnosis is not None and diagnosis.trigger == "stall"
    rules = {f["rule_id"] for f in diagnosis.findings()}
    assert "P2" in rules, diagnosis.headline()
    p2 = next(f for f in diagnosis.findings() if f["rule_id"] == "P2")
    assert p2["code"] == -9082 and "127.0.0.3" in p2["servers"]
    assert diagnosis.diagnosed and diagnosis.exit_code == ExitCode.DIAGNOSED
    # before the stall: healthy; from the stall on: exit 1 while it lasts
    codes = [o.exit_code for _, o in outcomes]
    first = next(i for i, (t, _) in enumerate(outcomes) if t == at)
    assert set(codes[:first]) == {ExitCode.NOTHING_WRONG}
    assert set(codes[first:]) == {ExitCode.DIAGNOSED}
    # the job itself still progresses (ls 1002): no job stall
    assert not any(e.ls_id is None for _, e in stalls)
    stored = history.db.execute("SELECT e.kind, d.trigger, d.report FROM events e JOIN diagnoses d "
                                "ON d.id = e.diagnosis_id").fetchall()
    assert [(r["kind"], r["trigger"]) for r in stored] == [("stall", "stall")]
    assert '"rule_id": "P2"' in stored[0]["report"]


def test_stall_is_the_same_with_a_new_watcher_per_poll(cluster, clock, tmp_path):
    """``--once`` from cron: every poll is a new process; the tracks in the history carry the stall."""
    path = tmp_path / "cron.sqlite"

    def fresh():
        return Watcher(cluster, History(path), clock=clock, stall_after=STALL)

    outcomes = _frozen_ls_run(cluster, clock, fresh)
    stalls = [(at, e) for at, o in outcomes for e in o.events if e.kind == "stall"]
    assert len(stalls) == 1 and stalls[0][1].ls_id == 1001
    assert outcomes[-1][1].exit_code == ExitCode.DIAGNOSED  # still stalled, diagnosis from the history


def test_progress_again_clears_the_stall(cluster, clock, history):
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    _frozen_ls_run(cluster, clock, lambda: watcher, polls=10)
    _set(cluster, task=task_row(input_bytes=99_999, finish_macro=500),
         ls=[ls_row(1001, finish_macro=400, input_bytes=40_000), ls_row(1002, server="127.0.0.4", finish_macro=400)])
    outcome = watcher.poll()
    assert [e.kind for e in outcome.events] == ["resumed"]
    assert outcome.exit_code == ExitCode.NOTHING_WRONG and not outcome.stalled


def test_whole_job_frozen_raises_job_and_ls_stall_with_one_diagnosis(cluster, clock, history):
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    for _ in range(8):
        _set(cluster, task=task_row(input_bytes=5000, finish_macro=50), ls=[ls_row(1001, finish_macro=50)])
        outcome = watcher.poll()
        clock.advance(STEP)
        if outcome.events:
            break
    kinds = sorted((e.kind, e.ls_id or 0) for e in outcome.events)
    assert kinds == [("stall", 0), ("stall", 1001)]
    assert outcome.events[0].diagnosis is outcome.events[1].diagnosis  # diagnosed once per job
    assert history.counts()["diagnoses"] == 1
    assert cluster.log_searches >= 1


def test_failed_job_attaches_p3_diagnosis(cluster, clock, history):
    """The job leaves CDB_OB_BACKUP_JOBS between two polls; the job history says FAILED -9082."""
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    for i in range(6):
        _set(cluster, task=task_row(input_bytes=1000 * i), ls=[ls_row(1001, input_bytes=1000 * i)])
        assert watcher.poll().exit_code == ExitCode.NOTHING_WRONG
        clock.advance(60)
    failed_rows = cluster.bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows
    cluster.tables["CDB_OB_BACKUP_JOB_HISTORY"] = [r.as_dict() for r in failed_rows]
    _set(cluster, jobs=[])
    clock.advance(120)
    outcome = watcher.poll()
    assert [e.kind for e in outcome.events] == ["failed"]
    event = outcome.events[0]
    assert event.result == -9082 and event.job_id == 1
    p3 = [f for f in event.diagnosis.findings() if f["rule_id"] == "P3"]
    assert p3 and p3[0]["verdict"] == "confirmed" and p3[0]["code"] == -9082
    assert outcome.exit_code == ExitCode.DIAGNOSED
    assert outcome.last_failure == {1002: -9082}
    # the next poll has nothing new to say: the failure was reported once
    clock.advance(60)
    again = watcher.poll()
    assert again.events == [] and again.exit_code == ExitCode.NOTHING_WRONG
    assert again.last_failure == {1002: -9082}


def test_job_turning_failed_in_the_running_view(cluster, clock, history):
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    _set(cluster, task=task_row())
    watcher.poll()
    clock.advance(60)
    _set(cluster, job=job_row(status="FAILED", RESULT=-9082, COMMENT="backup device out of space"), task=task_row())
    outcome = watcher.poll()
    assert [e.kind for e in outcome.events] == ["failed"]
    assert any(f["rule_id"] == "P3" for f in outcome.events[0].diagnosis.findings())


def test_failure_between_two_cron_runs_is_still_reported(cluster, clock, history):
    """A short job that starts and fails between two polls was never seen running."""
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    _set(cluster, jobs=[])
    assert watcher.poll().events == []  # first poll: the history begins (epoch 14:31)
    clock.advance(minutes=10)
    cluster.tables["CDB_OB_BACKUP_JOB_HISTORY"] = [
        r.as_dict() for r in cluster.bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows]
    outcome = watcher.poll()
    assert [(e.kind, e.job_id) for e in outcome.events] == [("failed", 1)]
    assert outcome.exit_code == ExitCode.DIAGNOSED


def test_old_failures_before_the_history_began_are_not_news(cluster, clock, history):
    clock.advance(hours=2)
    cluster.tables["CDB_OB_BACKUP_JOB_HISTORY"] = [
        r.as_dict() for r in cluster.bundle.read_table("CDB_OB_BACKUP_JOB_HISTORY").rows]
    _set(cluster, jobs=[])
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    for _ in range(2):
        outcome = watcher.poll()
        assert outcome.events == [] and outcome.exit_code == ExitCode.NOTHING_WRONG
        clock.advance(60)
    assert outcome.last_failure == {1002: -9082}  # still shown as the tenant's last failure


def test_unreadable_jobs_view_is_exit_5_and_concludes_nothing(cluster, clock, history):
    """Apart from 3 (a stall with no cause named): nothing is known about the backups."""
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    _set(cluster, task=task_row(), ls=[ls_row(1001)])
    watcher.poll()
    for name in ("CDB_OB_BACKUP_JOBS", "DBA_OB_BACKUP_JOBS", "__all_virtual_backup_job"):
        cluster.tables[name] = None
    clock.advance(hours=2)
    outcome = watcher.poll()
    assert outcome.exit_code == ExitCode.UNREACHABLE == 5
    assert not outcome.snapshot.usable and outcome.events == []
    assert "could not be read" in outcome.reasons[0]
    assert "CDB_OB_BACKUP_JOBS, DBA_OB_BACKUP_JOBS, __all_virtual_backup_job: (1146)" in outcome.snapshot.problems[0]
    assert history.db.execute("SELECT usable FROM polls ORDER BY id DESC LIMIT 1").fetchone()[0] == 0


def test_stall_the_rules_cannot_explain_is_exit_3(clock, history):
    """No logs, no trace: the watcher knows it is stuck, the rules cannot say why."""
    from tests.watch.fakes import FakeCluster

    bare = FakeCluster(bundle=None)
    bare.tables["CDB_OB_BACKUP_JOB_HISTORY"] = []
    watcher = Watcher(bare, history, clock=clock, stall_after=600)
    events = []
    for _ in range(4):
        _set(bare, task=task_row(), ls=[ls_row(1001, trace=None, server=None)])
        outcome = watcher.poll()
        events += outcome.events
        clock.advance(STEP)
    stall = next(e for e in events if e.kind == "stall")
    assert not stall.diagnosis.diagnosed
    assert outcome.exit_code == ExitCode.UNDIAGNOSED


def test_a_broken_diagnosis_does_not_stop_the_watch(cluster, clock, history):
    import obdoctor.watch.diagnosis as diagnosis

    watcher = Watcher(cluster, history, clock=clock, stall_after=600,
                      diagnose=lambda *a, **k: diagnosis.run(_Broken(), *a[1:], **k))
    events = []
    for _ in range(4):
        _set(cluster, task=task_row(), ls=[ls_row(1001)])
        outcome = watcher.poll()
        events += outcome.events
        clock.advance(STEP)
    stall = next(e for e in events if e.kind == "stall")
    assert stall.diagnosis is not None and not stall.diagnosis.diagnosed
    assert "connection lost" in (stall.diagnosis.error or str(stall.diagnosis.report))
    assert outcome.exit_code == ExitCode.UNDIAGNOSED  # still stalled, and no cause named


class _Broken:
    def info(self):
        raise RuntimeError("connection lost")

    def read_table(self, name):
        raise RuntimeError("connection lost")

    def search_logs(self, query):
        raise RuntimeError("connection lost")


def test_diagnosis_error_is_kept_not_raised(cluster, clock):
    from obdoctor.watch import diagnosis
    from obdoctor.watch.samples import Snapshot

    result = diagnosis.run(_Broken(), Snapshot(at=clock.now), 1002, 1, "stall")  # no info in the poll either
    assert result.error == "RuntimeError: connection lost" and result.exit_code == ExitCode.UNDIAGNOSED
    assert result.headline().startswith("diagnosis failed")


def test_cluster_level_coordinator_job_is_not_a_stall(cluster, clock, history):
    """A CLUSTER job in the sys tenant runs through per-tenant jobs: it has no progress of its own."""
    watcher = Watcher(cluster, history, clock=clock, stall_after=STALL)
    for i in range(10):
        _set(cluster, jobs=[job_row(job_id=5, tenant=1, JOB_LEVEL="CLUSTER", INITIATOR_TENANT_ID=1, INITIATOR_JOB_ID=5),
                            job_row(INITIATOR_TENANT_ID=1, INITIATOR_JOB_ID=5)],
             task=task_row(input_bytes=i * 1000), ls=[ls_row(1001, input_bytes=i * 1000)])
        outcome = watcher.poll()
        assert outcome.events == [] and outcome.exit_code == ExitCode.NOTHING_WRONG
        clock.advance(STEP)
    coordinator = next(j for j in outcome.jobs if j.sample.tenant_id == 1)
    assert coordinator.sample.coordinator and not coordinator.stalled


def test_young_job_stall_says_what_the_rules_saw(clock, history):
    """A job younger than P2's quiet window (60 min) whose progress the watcher saw stop: the
    rules are told since when (one snapshot cannot show it), so the stall is called stuck, with
    the watcher's history as the evidence, instead of "no cause named"."""
    from tests.watch.fakes import FakeCluster

    bare = FakeCluster(bundle=None)  # no log line to prove anything
    bare.tables["CDB_OB_BACKUP_JOB_HISTORY"] = []
    watcher = Watcher(bare, history, clock=clock, stall_after=600)
    events = []
    for _ in range(4):
        _set(bare, job=job_row(start="2023-09-26 14:25:00"), task=task_row(start="2023-09-26 14:25:01"),
             ls=[ls_row(1001)])
        outcome = watcher.poll()
        events += outcome.events
        clock.advance(STEP)
    stall = next(e for e in events if e.kind == "stall" and e.ls_id is None)
    found = stall.diagnosis.findings()
    assert [(f["rule_id"], f["cause"], f["verdict"]) for f in found] == [("P2", "stuck", "unknown")]
    steps = [(e["looked_at"], e["showed"], e["provenance"]) for e in found[0]["evidence"]]
    assert any(p == [{"kind": "history", "name": "obdoctor watch history"}] and "no progress of job 1 since" in showed
               for _, showed, p in steps)
    assert stall.diagnosis.headline().startswith("P2 stuck [unknown]")
    assert stall.diagnosis.exit_code == ExitCode.UNDIAGNOSED  # stuck, but no cause named yet
