"""The live terminal view (rich): running jobs, progress, rate, ETA, stalls and recent events."""

from __future__ import annotations

from collections import deque
from datetime import datetime

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from obdoctor.watch.detect import Event
from obdoctor.watch.durations import format_bytes, format_duration
from obdoctor.watch.watcher import PollOutcome

_EVENT_STYLE = {"stall": "bold red", "failed": "bold red", "retry": "yellow", "resumed": "green", "completed": "green",
                "canceled": "yellow", "gone": "yellow"}


class EventLog:
    """The last few events across polls, newest last, for the bottom of the view."""

    def __init__(self, size: int = 8):
        self.items: deque[tuple[datetime, Event]] = deque(maxlen=size)

    def add(self, at: datetime, events: list[Event]) -> None:
        for event in events:
            self.items.append((at, event))


def jobs_table(outcome: PollOutcome) -> Table:
    """One row per running job; fits 120 columns (cron mails and log files are not wide)."""
    table = Table(expand=False, show_lines=False, pad_edge=False, box=box.SIMPLE_HEAD, collapse_padding=True,
                  caption="ls: doing/finished/all ls tasks; retries summed over them", caption_justify="left")
    for column, justify in (("tenant", "right"), ("job", "right"), ("stage", "left"), ("done", "right"),
                            ("read", "right"), ("rate", "right"), ("ETA", "right"), ("ls", "right"),
                            ("retries", "right"), ("quiet for", "right"), ("state", "left")):
        table.add_column(column, justify=justify, no_wrap=True)
    for job in outcome.jobs:
        s = job.sample
        ratio = s.progress_ratio()
        doing = sum(1 for t in job.ls_tasks if t.status == "DOING")
        done = sum(1 for t in job.ls_tasks if t.status == "FINISH")
        retries = sum(t.retry_id or 0 for t in job.ls_tasks)
        if job.stalled or job.stalled_ls:
            what = "job" if job.stalled else "ls " + ",".join(str(i) for i in job.stalled_ls)
            state = Text(f"STALLED {what}", style="bold red")
        elif s.coordinator:
            state = Text("coordinating", style="dim")
        elif not job.baseline:
            state = Text("no baseline yet", style="dim")
        elif job.quiet_s > 0:
            state = Text("no change seen", style="yellow")
        else:
            state = Text("progressing", style="green")
        table.add_row(
            str(s.tenant_id), str(s.job_id), Text(s.stage or s.status),
            f"{ratio:.1%}" if ratio is not None else "-", format_bytes(s.input_bytes),
            (format_bytes(job.rate.bytes_per_s) + "/s") if job.rate.bytes_per_s is not None else "-",
            format_duration(job.rate.eta_s), f"{doing}/{done}/{len(job.ls_tasks)}", str(retries),
            format_duration(job.quiet_s), state,
        )
    return table


def render(outcome: PollOutcome, log: EventLog, *, stall_after: float, db: str) -> Group:
    at = outcome.snapshot.at.strftime("%Y-%m-%d %H:%M:%S")
    header = Text(f"obdoctor watch  {at}  poll #{outcome.poll_id}  stall after {format_duration(stall_after)}  "
                  f"history {db}", style="bold")
    parts: list = [header]
    if not outcome.snapshot.usable:
        parts.append(Text("cannot read the running backup jobs: " + "; ".join(outcome.snapshot.problems),
                          style="bold red"))
    elif outcome.jobs:
        parts.append(jobs_table(outcome))
    else:
        parts.append(Text("no backup job running", style="dim"))
    if outcome.last_failure:
        failed = [f"tenant {t}: {c}" for t, c in sorted(outcome.last_failure.items(), key=lambda kv: kv[0] or 0) if c]
        if failed:
            parts.append(Text("latest job FAILED: " + ", ".join(failed), style="yellow"))
    if log.items:
        parts.append(Text("events:", style="bold"))
        for when, event in log.items:
            line = Text(f"  {when.strftime('%H:%M:%S')} {event.kind:<9} {event.message}",
                        style=_EVENT_STYLE.get(event.kind, ""))
            parts.append(line)
            if event.diagnosis is not None:
                parts.append(Text(f"             diagnosis #{event.diagnosis.id}: {event.diagnosis.headline()}"))
    return Group(*parts)
