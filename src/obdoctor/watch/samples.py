"""One poll of the backup views, flattened into samples the history stores and the detector compares.

A *job* sample joins a row of CDB_OB_BACKUP_JOBS with its set task (CDB_OB_BACKUP_TASKS: one task
per job), so the job carries the stage and the progress counters; an *ls_task* sample is a row of
``__all_virtual_backup_ls_task``. Finished jobs (the job history) are read too, because a job that
fails leaves CDB_OB_BACKUP_JOBS between two polls and only the history says how it ended.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from obdoctor.addresses import server_ip
from obdoctor.evidence.kinds import KINDS, Kind
from obdoctor.evidence.records import BackupJob, BackupTask, LSTask
from obdoctor.evidence.rows import Row, TableResult
from obdoctor.evidence.source import EvidenceSource, SourceInfo

COUNTERS = ("input_bytes", "output_bytes", "tablet_count", "finish_tablet_count",
            "macro_block_count", "finish_macro_block_count")


@dataclass
class Sample:
    kind: str
    """``job`` or ``ls_task``."""
    tenant_id: int | None
    job_id: int | None
    task_id: int | None = None
    ls_id: int | None = None
    status: str = ""
    """Job status (DOING, FAILED...) or ls task status (INIT, PENDING, DOING, FINISH)."""
    stage: str | None = None
    """The set task's status for a job (BACKUP_DATA_MINOR...), the task type for an ls task."""
    result: int | None = None
    input_bytes: int | None = None
    output_bytes: int | None = None
    tablet_count: int | None = None
    finish_tablet_count: int | None = None
    macro_block_count: int | None = None
    finish_macro_block_count: int | None = None
    turn_id: int | None = None
    """Data turn of the set task, turn of the ls task."""
    retry_id: int | None = None
    server: str | None = None
    black_list: str | None = None
    """Servers an ls task must not run on again (each failed try adds one)."""
    trace_id: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    comment: str | None = None
    coordinator: bool = False
    """A cluster-level job whose work runs in per-tenant jobs: it has no progress of its own."""

    @property
    def key(self) -> str:
        if self.kind == "ls_task":
            return f"ls_task:{self.tenant_id}:{self.job_id}:{self.task_id}:{self.ls_id}"
        return f"job:{self.tenant_id}:{self.job_id}"

    @property
    def job_key(self) -> str:
        return f"job:{self.tenant_id}:{self.job_id}"

    def signature(self) -> list:
        """What counts as a sign of life: status, stage, every counter, turn and retry, result, server."""
        return [self.status, self.stage, self.result, *(getattr(self, c) for c in COUNTERS),
                self.turn_id, self.retry_id, self.server]

    def progress_ratio(self) -> float | None:
        """Finished macro blocks (else tablets) over their total; None before the totals are known."""
        if self.macro_block_count and self.finish_macro_block_count is not None:
            return min(1.0, self.finish_macro_block_count / self.macro_block_count)
        if self.tablet_count and self.finish_tablet_count is not None:
            return min(1.0, self.finish_tablet_count / self.tablet_count)
        return None

    def label(self) -> str:
        text = f"tenant {self.tenant_id} job {self.job_id}"
        return text + (f" ls {self.ls_id}" if self.kind == "ls_task" else "")

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in ("started", "ended"):
            data[name] = data[name].isoformat(sep=" ") if data[name] else None
        data["key"] = self.key
        return data


@dataclass
class Snapshot:
    """What one poll saw. ``tables`` keeps the raw results so the diagnosis reads the same rows."""

    at: datetime
    jobs: list[Sample] = field(default_factory=list)
    ls_tasks: list[Sample] = field(default_factory=list)
    finished: list[Sample] = field(default_factory=list)
    """Jobs of the job history (terminal): how a job that left the running view ended."""
    history_available: bool = False
    ls_available: bool = False
    tables: dict[str, TableResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    usable: bool = True
    """False when the running-jobs view could not be read at all: nothing can be said."""
    info: SourceInfo | None = None

    @property
    def samples(self) -> list[Sample]:
        return [*self.jobs, *self.ls_tasks]


def _read(source: EvidenceSource, kind: Kind, snapshot: Snapshot) -> tuple[TableResult | None, str]:
    """The first readable view of ``kind`` (CDB_ first), and its name; None with the reasons noted."""
    reasons: dict[str, list[str]] = {}  # one line per distinct reason (a dead connection fails them all alike)
    for name in KINDS[kind].views:
        try:
            result = source.read_table(name)
        except Exception as exc:  # the protocol says never raises; a broken source must not stop the watch
            result = TableResult(name, available=False, reason=f"{type(exc).__name__}: {exc}")
        snapshot.tables[name] = result
        if result.available:
            snapshot.problems.extend(f"{name}: {p}" for p in result.problems)
            return result, name
        reasons.setdefault(result.reason or "not available", []).append(name)
    snapshot.problems.append(f"{kind.value}: " + "; ".join(f"{', '.join(names)}: {why}" for why, names in reasons.items()))
    return None, ""


# Samples are built from the evidence records (``obdoctor.evidence.records``), never from columns
# of their own: the watcher and the rules read a row the same way (a RESULT of 9040 is -9040 in both).

def _default_tenant(view: str, info: SourceInfo | None) -> int | None:
    """DBA_ views have no TENANT_ID column: their rows are the connected tenant's."""
    return info.dba_tenant_id if info and view.startswith("DBA_") else None


def _job(job: BackupJob) -> Sample:
    return Sample(kind="job", tenant_id=job.tenant_id, job_id=job.job_id, status=job.status, result=job.result,
                  started=job.start, ended=job.end, comment=job.comment)


def _add_task(job: Sample, task: BackupTask) -> None:
    job.task_id = task.task_id
    job.stage = task.status or None
    for column in COUNTERS:
        setattr(job, column, getattr(task, column))
    job.turn_id = task.data_turn_id if task.data_turn_id is not None else task.meta_turn_id
    if job.result in (None, 0) and task.result:
        job.result = task.result


def _ls_task(row: Row) -> Sample:
    task = LSTask.from_row(row)
    sample = Sample(
        kind="ls_task", tenant_id=task.tenant_id, job_id=task.job_id, task_id=task.task_id, ls_id=task.ls_id,
        status=task.status, stage=task.task_type, result=task.result, turn_id=task.turn_id,
        retry_id=task.retry_id, server=server_ip(task.svr_ip), black_list=task.black_list,
        trace_id=task.task_trace_id, started=task.start, comment=task.comment,
    )
    for column in COUNTERS:
        setattr(sample, column, getattr(task, column))
    return sample


def take(source: EvidenceSource, at: datetime) -> Snapshot:
    """Read the running jobs, their set tasks, ls tasks and the job history. Never raises."""
    snapshot = Snapshot(at=at)
    try:
        snapshot.info = source.info()
    except Exception as exc:
        snapshot.problems.append(f"source info: {type(exc).__name__}: {exc}")
    info = snapshot.info
    jobs_table, jobs_view = _read(source, Kind.JOBS, snapshot)
    if jobs_table is None:
        snapshot.usable = False
        return snapshot
    jobs: dict[tuple, Sample] = {}
    initiators: set[tuple] = set()
    for row in jobs_table.rows:
        record = BackupJob.from_row(row, _default_tenant(jobs_view, info))
        if record.job_id is None:
            snapshot.problems.append(f"{jobs_view} row {row.provenance.row}: no JOB_ID")
            continue
        jobs[(record.tenant_id, record.job_id)] = _job(record)
        init = (record.initiator_tenant_id, record.initiator_job_id)
        if init[0] is not None and init != (record.tenant_id, record.job_id):
            initiators.add(init)
    tasks_table, tasks_view = _read(source, Kind.TASKS, snapshot)
    for row in tasks_table.rows if tasks_table else []:
        task = BackupTask.from_row(row, _default_tenant(tasks_view, info))
        if (task.tenant_id, task.job_id) in jobs:
            _add_task(jobs[(task.tenant_id, task.job_id)], task)
    for key, job in jobs.items():
        job.coordinator = key in initiators and job.task_id is None
    snapshot.jobs = sorted(jobs.values(), key=lambda j: (j.tenant_id or 0, j.job_id or 0))
    ls_table, _ = _read(source, Kind.LS_TASKS, snapshot)
    if ls_table is not None:
        snapshot.ls_available = True
        snapshot.ls_tasks = sorted((_ls_task(r) for r in ls_table.rows),
                                   key=lambda s: (s.tenant_id or 0, s.job_id or 0, s.ls_id or 0))
    history_table, history_view = _read(source, Kind.JOB_HISTORY, snapshot)
    if history_table is not None:
        snapshot.history_available = True
        snapshot.finished = [_job(BackupJob.from_row(r, _default_tenant(history_view, info))) for r in history_table.rows]
    return snapshot
