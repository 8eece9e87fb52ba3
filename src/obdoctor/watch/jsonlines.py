"""``--json``: one JSON object per line, per sample and per event, then one per poll.

Lines are self-contained (each has ``type`` and ``at``) so ``jq`` or a log shipper can take
them one by one.
"""

from __future__ import annotations

import json

from obdoctor.watch.watcher import PollOutcome


def records(outcome: PollOutcome) -> list[dict]:
    at = outcome.snapshot.at.isoformat(sep=" ")
    stalled = {t.key for t in outcome.stalled}
    rates = {job.sample.key: job for job in outcome.jobs}
    out = []
    for sample in outcome.snapshot.samples:
        record = {"type": "sample", "at": at, "poll": outcome.poll_id, **sample.to_dict(),
                  "progress": sample.progress_ratio(), "stalled": sample.key in stalled}
        job = rates.get(sample.key)
        if job is not None:
            record["rate"] = job.rate.to_dict()
            record["quiet_s"] = job.quiet_s
            record["baseline"] = job.baseline
        out.append(record)
    for event in outcome.events:
        out.append({"type": "event", "at": at, "poll": outcome.poll_id, **event.to_dict()})
    out.append({"type": "poll", "at": at, "poll": outcome.poll_id, "usable": outcome.snapshot.usable,
                "jobs": len(outcome.snapshot.jobs), "ls_tasks": len(outcome.snapshot.ls_tasks),
                "stalled": sorted(stalled), "last_failure": {str(k): v for k, v in outcome.last_failure.items()},
                "exit_code": int(outcome.exit_code), "reasons": outcome.reasons,
                "problems": outcome.snapshot.problems})
    return out


def dumps(outcome: PollOutcome) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records(outcome))
