"""The node-exporter textfile-collector file: written whole to a temp file, then renamed.

node_exporter reads ``*.prom`` files while we write; a rename within one directory is atomic,
so it sees the previous poll's file or this one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from obdoctor.watch.watcher import PollOutcome
from obdoctor.prometheus_text import labels as _labels, number as _number

_METRICS = (
    ("obdoctor_backup_job_running", "gauge", "1 for each backup job running (CDB_OB_BACKUP_JOBS)."),
    ("obdoctor_backup_progress_ratio", "gauge", "Finished macro blocks (else tablets) over their total, 0..1."),
    ("obdoctor_backup_input_bytes", "gauge", "Bytes read so far by the job's set task."),
    ("obdoctor_backup_rate_bytes_per_second", "gauge", "Input bytes per second over the rate window."),
    ("obdoctor_backup_eta_seconds", "gauge", "Estimated seconds to finish the data stage at the current rate."),
    ("obdoctor_backup_stalled", "gauge", "1 when the job or one of its ls tasks made no progress for --stall-after."),
    ("obdoctor_backup_seconds_since_progress", "gauge", "Seconds since the job last showed a sign of life."),
    ("obdoctor_backup_last_failure_code", "gauge", "Error code of the tenant's latest finished backup job if it FAILED, else 0."),
    ("obdoctor_watch_up", "gauge", "1 when the last poll could read the running backup jobs."),
    ("obdoctor_watch_last_poll_timestamp_seconds", "gauge", "Unix time of the last poll."),
)




def render(outcome: PollOutcome) -> str:
    values: dict[str, list[str]] = {name: [] for name, _, _ in _METRICS}

    def put(name: str, labels: str, value) -> None:
        if value is not None:
            values[name].append(f"{name}{labels} {_number(value)}")

    for job in outcome.jobs:
        s = job.sample
        labels = _labels(tenant_id=s.tenant_id, job_id=s.job_id)
        put("obdoctor_backup_job_running", labels, 1)
        put("obdoctor_backup_progress_ratio", labels, s.progress_ratio())
        put("obdoctor_backup_input_bytes", labels, s.input_bytes)
        put("obdoctor_backup_rate_bytes_per_second", labels, job.rate.bytes_per_s)
        put("obdoctor_backup_eta_seconds", labels, job.rate.eta_s)
        put("obdoctor_backup_stalled", labels, bool(job.stalled or job.stalled_ls))
        put("obdoctor_backup_seconds_since_progress", labels, round(job.quiet_s, 3))
    for tenant, code in sorted(outcome.last_failure.items(), key=lambda kv: kv[0] or 0):
        put("obdoctor_backup_last_failure_code", _labels(tenant_id=tenant), code)
    put("obdoctor_watch_up", "", outcome.snapshot.usable)
    put("obdoctor_watch_last_poll_timestamp_seconds", "", round(outcome.snapshot.at.timestamp(), 3))
    lines = []
    for name, kind, text in _METRICS:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", *values[name]]
    return "\n".join(lines) + "\n"


def prepare(path: str | Path) -> None:
    """Create the file's directory and check a file can be made in it (raises OSError)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    os.unlink(tmp)


def write(path: str | Path, text: str) -> None:
    """Atomically replace ``path`` with ``text`` (obdoctor.atomic); the directory is created when
    missing (it may be removed while the watcher runs)."""
    from obdoctor.atomic import write_text

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)
