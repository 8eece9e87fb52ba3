"""Stall and end-of-job detection: pure functions over what was tracked and what a poll saw.

A *track* remembers, per job and per ls task, the last signature (status, stage, counters,
turn, retry...) and when it last changed. A stall is a signature unchanged for ``stall_after``
seconds on a running job, or on an ls task in DOING. Time is the watcher's clock, passed in,
so tests drive it without sleeping; the tracks live in the history database, so ``--once``
runs from cron see the same stall as a long-running watcher.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from obdoctor.catalog.statuses import TERMINAL as TERMINAL_STATUSES
from obdoctor.security.controls import visible_line
from obdoctor.watch.diagnosis import Diagnosis
from obdoctor.watch.durations import format_bytes, format_duration
from obdoctor.watch.samples import Sample, Snapshot

TERMINAL = {status: status.lower() for status in TERMINAL_STATUSES}
"""How each terminal status ends a job in the history (``catalog.statuses``)."""
DIAGNOSED_EVENTS = ("stall", "failed")
"""Events that run a diagnosis: a stall (rule P2/P2A territory) and a FAILED job (P3)."""


@dataclass
class Track:
    key: str
    kind: str
    tenant_id: int | None
    job_id: int | None
    ls_id: int | None
    signature: str
    first_seen: float
    changed_at: float
    last_seen: float
    status: str = ""
    stalled: bool = False
    done: bool = False
    retry_id: int | None = None
    """Last retry id of an ls task: a new one is worth an event (the task failed once and is redone)."""


@dataclass
class Event:
    kind: str
    """``stall``, ``resumed``, ``retry``, ``failed``, ``completed``, ``canceled``, ``gone``."""
    key: str
    tenant_id: int | None
    job_id: int | None
    ls_id: int | None
    at: float
    message: str
    result: int | None = None
    stalled_since: float | None = None
    diagnosis: Diagnosis | None = None
    """Attached by the watcher for ``stall`` and ``failed`` events."""

    @property
    def needs_diagnosis(self) -> bool:
        return self.kind in DIAGNOSED_EVENTS

    def to_dict(self) -> dict:
        data = {"event": self.kind, "key": self.key, "tenant_id": self.tenant_id, "job_id": self.job_id,
                "ls_id": self.ls_id, "message": self.message, "result": self.result,
                "stalled_since": self.stalled_since}
        if self.diagnosis is not None:
            data["diagnosis"] = self.diagnosis.to_dict()
        return data


@dataclass
class Detection:
    tracks: dict[str, Track] = field(default_factory=dict)
    """Every track after the poll (new, changed or untouched)."""
    events: list[Event] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    """Keys whose track must be written back."""
    dropped: set[str] = field(default_factory=set)
    """ls task tracks of finished jobs, to delete."""


def _job_signatures(snapshot: Snapshot) -> dict[str, str]:
    """A job's sign of life includes every ls task of it: one ls task moving is progress."""
    by_job: dict[str, list] = {}
    for ls in snapshot.ls_tasks:
        by_job.setdefault(ls.job_key, []).append([ls.ls_id, *ls.signature()])
    return {job.key: json.dumps([job.signature(), sorted(by_job.get(job.key, []), key=lambda x: x[0] or 0)],
                                default=str)
            for job in snapshot.jobs}


def _stall_eligible(sample: Sample) -> bool:
    if sample.kind == "ls_task":
        return sample.status == "DOING"
    return not sample.coordinator and sample.status not in TERMINAL


def _describe(sample: Sample) -> str:
    parts = [sample.status + (f"/{sample.stage}" if sample.stage else "")]
    if sample.kind == "ls_task":
        if sample.server:
            parts.append(f"on {sample.server}")
        parts.append(f"turn {sample.turn_id} retry {sample.retry_id}")
    ratio = sample.progress_ratio()
    if ratio is not None:
        parts.append(f"{ratio:.1%} done")
    if sample.input_bytes is not None:
        parts.append(f"{format_bytes(sample.input_bytes)} read")
    return ", ".join(parts)


def detect(tracks: dict[str, Track], snapshot: Snapshot, now: float, stall_after: float,
           epoch: float | None = None) -> Detection:
    """Compare a poll with the tracks. ``epoch``: when the history began (failures before it are old news)."""
    out = Detection(tracks={k: replace(t) for k, t in tracks.items()})
    signatures = _job_signatures(snapshot)
    seen: set[str] = set()
    for sample in snapshot.samples:
        key = sample.key
        seen.add(key)
        signature = signatures.get(key) or json.dumps(sample.signature(), default=str)
        track = out.tracks.get(key)
        out.changed.add(key)
        if track is None:
            track = Track(key, sample.kind, sample.tenant_id, sample.job_id, sample.ls_id, signature,
                          first_seen=now, changed_at=now, last_seen=now, status=sample.status)
            out.tracks[key] = track
        elif track.signature != signature:
            if track.stalled:
                out.events.append(Event("resumed", key, sample.tenant_id, sample.job_id, sample.ls_id, now,
                                        f"{sample.label()}: progress again after "
                                        f"{format_duration(now - track.changed_at)} without: {_describe(sample)}",
                                        stalled_since=track.changed_at))
            track.signature, track.changed_at, track.stalled = signature, now, False
        if sample.kind == "ls_task" and track.retry_id is not None and (sample.retry_id or 0) > track.retry_id:
            out.events.append(Event(
                "retry", key, sample.tenant_id, sample.job_id, sample.ls_id, now,
                f"{sample.label()}: retry {sample.retry_id} (was {track.retry_id})"
                + (f", black list {sample.black_list}" if sample.black_list else "")
                + (f", now on {sample.server}" if sample.server else ""), result=sample.result or None))
        track.last_seen, track.status, track.retry_id = now, sample.status, sample.retry_id
        if track.done:
            continue
        if sample.kind == "job" and sample.status in TERMINAL:
            _end(out, track, sample, now, TERMINAL[sample.status])
            continue
        if _stall_eligible(sample) and not track.stalled and now - track.changed_at >= stall_after:
            track.stalled = True
            out.events.append(Event(
                "stall", key, sample.tenant_id, sample.job_id, sample.ls_id, now,
                f"{sample.label()}: no progress for {format_duration(now - track.changed_at)}: {_describe(sample)}",
                result=sample.result or None, stalled_since=track.changed_at))
    if snapshot.usable:
        _vanished(out, snapshot, seen, now)
        _unseen_failures(out, snapshot, now, epoch)
    return out


def _end(out: Detection, track: Track, sample: Sample, now: float, how: str) -> None:
    track.done, track.stalled, track.status = True, False, sample.status
    out.changed.add(track.key)
    text = {"failed": f"FAILED with result {sample.result}" if sample.result else "FAILED",
            "completed": "COMPLETED", "canceled": "CANCELED"}[how]
    # the COMMENT quotes what a tenant's admin set (a destination): shown on one line, escapes as text
    out.events.append(Event(how, track.key, track.tenant_id, track.job_id, None, now,
                            f"tenant {track.tenant_id} job {track.job_id}: {text}"
                            + (f" ({visible_line(sample.comment)})" if how == "failed" and sample.comment else ""),
                            result=sample.result or None))
    prefix = f"ls_task:{track.tenant_id}:{track.job_id}:"
    out.dropped.update(k for k in out.tracks if k.startswith(prefix))


def _vanished(out: Detection, snapshot: Snapshot, seen: set[str], now: float) -> None:
    """Jobs gone from the running view: the job history says how they ended."""
    finished = {(j.tenant_id, j.job_id): j for j in snapshot.finished}
    for key, track in list(out.tracks.items()):
        if key in seen or track.done:
            continue
        if track.kind == "ls_task":
            if snapshot.ls_available:
                out.dropped.add(key)
            continue
        ended = finished.get((track.tenant_id, track.job_id))
        if ended is not None and ended.status in TERMINAL:
            _end(out, track, ended, now, TERMINAL[ended.status])
        elif snapshot.history_available:
            track.done = True
            out.changed.add(key)
            out.events.append(Event("gone", key, track.tenant_id, track.job_id, None, now,
                                    f"tenant {track.tenant_id} job {track.job_id} left the running jobs "
                                    f"but is not in the job history (yet)"))


def _unseen_failures(out: Detection, snapshot: Snapshot, now: float, epoch: float | None) -> None:
    """A job that started and FAILED between two polls (cron) was never seen running."""
    if epoch is None:
        return
    for job in snapshot.finished:
        if job.status != "FAILED" or job.key in out.tracks or job.ended is None:
            continue
        if job.ended.timestamp() < epoch:
            continue
        track = Track(job.key, "job", job.tenant_id, job.job_id, None, "", now, now, now, job.status)
        out.tracks[job.key] = track
        _end(out, track, job, now, "failed")
