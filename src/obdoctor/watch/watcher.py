"""One poll of the watch loop: read, detect, diagnose, store, summarise.

The clock is injected (tests pass a fake one and never sleep). Detection runs twice: once
before the write lock to know which diagnoses to run (they read logs and may take seconds, so
they must not hold the lock that another watcher waits for), and again inside the poll's
transaction on the freshest tracks, so two watchers sharing a file do not both raise the same
stall.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from obdoctor.catalog.statuses import TERMINAL
from obdoctor.evidence.source import EvidenceSource
from obdoctor.exit_codes import ExitCode
from obdoctor.watch import diagnosis as diagnosis_module
from obdoctor.watch.detect import Event, Track, detect
from obdoctor.watch.rates import DEFAULT_WINDOW_S, Rate, rate
from obdoctor.watch.samples import Sample, Snapshot, take
from obdoctor.watch.store import History

DEFAULT_STALL_AFTER_S = 1800.0
DEFAULT_KEEP_S = 14 * 86400.0
PRUNE_EVERY = 60
"""Old samples are pruned on one poll in this many (a DELETE per poll would be wasted work)."""


@dataclass
class JobStatus:
    """A running job as the view, the JSON lines and the Prometheus file show it."""

    sample: Sample
    rate: Rate
    stalled: bool
    quiet_s: float
    """Seconds since the last sign of life."""
    ls_tasks: list[Sample] = field(default_factory=list)
    stalled_ls: list[int | None] = field(default_factory=list)
    baseline: bool = True
    """An earlier poll saw the job: False at first sight, when nothing can yet be said about
    progress (the view says "no baseline yet", not "progressing")."""


@dataclass
class PollOutcome:
    poll_id: int
    snapshot: Snapshot
    events: list[Event]
    jobs: list[JobStatus]
    stalled: list[Track]
    """Tracks stalled after this poll (new or older stalls)."""
    last_failure: dict[int | None, int]
    """Per tenant: the result code of its latest finished job if it FAILED, else 0."""
    exit_code: ExitCode
    reasons: list[str] = field(default_factory=list)
    """Why the exit code is not 0, one line each."""


class Watcher:
    def __init__(self, source: EvidenceSource, history: History, *, clock: Callable[[], datetime],
                 stall_after: float = DEFAULT_STALL_AFTER_S, rate_window: float = DEFAULT_WINDOW_S,
                 keep: float | None = DEFAULT_KEEP_S, source_name: str = "",
                 diagnose: Callable[..., diagnosis_module.Diagnosis] = diagnosis_module.run):
        self.source = source
        self.history = history
        self.clock = clock
        self.stall_after = stall_after
        self.rate_window = rate_window
        self.keep = keep
        self.source_name = source_name
        self._diagnose = diagnose

    def poll(self) -> PollOutcome:
        at = self.clock()
        now = at.timestamp()
        snapshot = take(self.source, at)
        planned = detect(self.history.load_tracks(), snapshot, now, self.stall_after, self.history.epoch())
        diagnoses: dict[tuple, diagnosis_module.Diagnosis] = {}
        # a job and several of its ls tasks may stall together: the job's own event says it best
        events = sorted(planned.events, key=lambda e: e.ls_id is not None)
        for event in events:
            wanted = (event.tenant_id, event.job_id, event.kind)
            if event.needs_diagnosis and wanted not in diagnoses:
                frozen = None  # a stall: tell the rules since when nothing moved (they see one snapshot)
                if event.kind == "stall" and event.stalled_since is not None:
                    frozen = snapshot.at - timedelta(seconds=max(0.0, now - event.stalled_since))
                what = f"ls {event.ls_id} of job {event.job_id}" if event.ls_id is not None else None
                diagnoses[wanted] = self._diagnose(self.source, snapshot, event.tenant_id, event.job_id, event.kind,
                                                   no_progress_since=frozen, no_progress_of=what)
        with self.history.transaction():
            final = detect(self.history.load_tracks(), snapshot, now, self.stall_after, self.history.epoch())
            for event in final.events:
                event.diagnosis = diagnoses.get((event.tenant_id, event.job_id, event.kind))
            stored = self.history.write_poll(snapshot, final.tracks, final.changed, final.dropped, final.events,
                                             self.source_name)
            if self.keep is not None and stored.id % PRUNE_EVERY == 0:
                self.history.prune(now - max(self.keep, self.rate_window, self.stall_after))
        tracks = {k: t for k, t in final.tracks.items() if k not in final.dropped}
        jobs = self._job_statuses(snapshot, tracks, now)
        stalled = [t for t in tracks.values() if t.stalled and not t.done]
        outcome = PollOutcome(stored.id, snapshot, final.events, jobs, stalled, _last_failures(snapshot),
                              ExitCode.NOTHING_WRONG)
        outcome.exit_code, outcome.reasons = self._verdict(outcome)
        return outcome

    def _job_statuses(self, snapshot: Snapshot, tracks: dict[str, Track], now: float) -> list[JobStatus]:
        out = []
        for job in snapshot.jobs:
            track = tracks.get(job.key)
            rows = self.history.job_samples_since(job.tenant_id, job.job_id, now - self.rate_window)
            ls = [s for s in snapshot.ls_tasks if s.job_key == job.key]
            out.append(JobStatus(
                job, rate(rows), bool(track and track.stalled), (now - track.changed_at) if track else 0.0, ls,
                [s.ls_id for s in ls if (t := tracks.get(s.key)) is not None and t.stalled],
                baseline=track is not None and track.first_seen < now,
            ))
        return out

    def _verdict(self, outcome: PollOutcome) -> tuple[ExitCode, list[str]]:
        """0 healthy; 1 every stall/failure has a named cause; 3 one has none; 5 the running jobs
        could not be read (nothing known about the backups: not the same alarm as 3)."""
        if not outcome.snapshot.usable:
            return ExitCode.UNREACHABLE, ["the running backup jobs could not be read: "
                                          + "; ".join(outcome.snapshot.problems)]
        codes, reasons = [], []
        fresh = {(e.tenant_id, e.job_id, e.kind): e for e in outcome.events if e.needs_diagnosis}
        for event in fresh.values():
            code = event.diagnosis.exit_code if event.diagnosis else int(ExitCode.UNDIAGNOSED)
            codes.append(code)
            reasons.append(event.message + (f" -> {event.diagnosis.headline()}" if event.diagnosis else ""))
        for track in outcome.stalled:
            if (track.tenant_id, track.job_id, "stall") in fresh:
                continue
            fresh[(track.tenant_id, track.job_id, "stall")] = None  # one line per stalled job
            row = self.history.latest_diagnosis(track.tenant_id, track.job_id, "stall")
            codes.append(row["exit_code"] if row else int(ExitCode.UNDIAGNOSED))
            reasons.append(f"tenant {track.tenant_id} job {track.job_id} still stalled"
                           + (f" -> {row['headline']}" if row else ""))
        if not codes:
            return ExitCode.NOTHING_WRONG, []
        if all(c == ExitCode.DIAGNOSED for c in codes):
            return ExitCode.DIAGNOSED, reasons
        return ExitCode.UNDIAGNOSED, reasons


def _last_failures(snapshot: Snapshot) -> dict[int | None, int]:
    latest: dict[int | None, Sample] = {}
    for job in [*snapshot.finished, *(j for j in snapshot.jobs if j.status in TERMINAL)]:
        current = latest.get(job.tenant_id)
        if current is None or (job.job_id or 0) >= (current.job_id or 0):
            latest[job.tenant_id] = job
    return {t: (j.result or -1) if j.status == "FAILED" else 0 for t, j in latest.items()}
