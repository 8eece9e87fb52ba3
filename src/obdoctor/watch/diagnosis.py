"""Run the matching diagnosis when the watcher raises a stall or sees a job FAIL.

The diagnosis reads the very rows the poll saw (so the report agrees with the alarm) and asks
the source for everything else (schedule queue, tenants, events, logs). Its clock is the poll's
time: rule P2 measures "running for" against ``collected_at``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.logquery import LogQuery, LogSearchResult
from obdoctor.evidence.rows import TableResult
from obdoctor.evidence.source import EvidenceSource, SourceInfo
from obdoctor.watch.samples import Snapshot


class PollSource:
    """An ``EvidenceSource`` answering from one poll's tables first, then from the live source."""

    def __init__(self, source: EvidenceSource, snapshot: Snapshot):
        self._source = source
        self._snapshot = snapshot

    def info(self) -> SourceInfo:
        info = self._snapshot.info or self._source.info()
        return dataclasses.replace(info, collected_at=self._snapshot.at, servers=list(info.servers),
                                   notes=list(info.notes))

    def read_table(self, name: str) -> TableResult:
        table = self._snapshot.tables.get(name)
        if table is not None:
            return dataclasses.replace(table, rows=list(table.rows), problems=list(table.problems))
        return self._source.read_table(name)

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        return self._source.search_logs(query)


@dataclass
class Diagnosis:
    tenant_id: int | None
    job_id: int | None
    trigger: str
    """The event that asked for it: ``stall`` or ``failed``."""
    at: datetime
    diagnosed: bool
    exit_code: int
    report: dict | None
    error: str | None = None
    id: int | None = None
    """Row id in the history once stored."""

    def findings(self) -> list[dict]:
        return list((self.report or {}).get("findings", []))

    def headline(self) -> str:
        """One line for the terminal and the history: the strongest finding, or why there is none."""
        if self.error:
            return f"diagnosis failed: {self.error}"
        found = self.findings()
        if not found:
            seen = [o["text"] for o in (self.report or {}).get("observations", [])
                    if self.job_id is None or f"job {self.job_id}" in o["text"]]
            return "no cause named" + (f"; the rules saw: {seen[0]}" if seen else " (the evidence shows nothing wrong yet)")
        f = found[0]
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        return f"{f['rule_id']} {f['cause']} [{f['verdict']}]: {f['summary']}{more}"

    def to_dict(self) -> dict:
        return {"id": self.id, "tenant_id": self.tenant_id, "job_id": self.job_id, "trigger": self.trigger,
                "at": self.at.isoformat(sep=" "), "diagnosed": self.diagnosed, "exit_code": self.exit_code,
                "headline": self.headline(), "error": self.error, "report": self.report}


def run(source: EvidenceSource, snapshot: Snapshot, tenant_id: int | None, job_id: int | None,
        trigger: str, no_progress_since: datetime | None = None, no_progress_of: str | None = None) -> Diagnosis:
    """Diagnose one job with every rule narrowed to it (a stall says since when nothing moved).
    Never raises: a failure is kept as ``error``."""
    from obdoctor.engine import diagnose
    from obdoctor.evidence import Evidence
    from obdoctor.exit_codes import ExitCode, for_report
    from obdoctor.report.json_report import report_dict
    from obdoctor.rules.base import RuleOptions

    try:
        options = RuleOptions(tenant_id=tenant_id, job_id=job_id, no_progress_since=no_progress_since,
                              no_progress_of=no_progress_of)
        report = diagnose(Evidence(PollSource(source, snapshot)), options)
    except Exception as exc:  # the watcher must keep watching even when a diagnosis breaks
        return Diagnosis(tenant_id, job_id, trigger, snapshot.at, False, int(ExitCode.UNDIAGNOSED), None,
                         error=f"{type(exc).__name__}: {exc}")
    code = for_report(report)
    if code == ExitCode.NOTHING_WRONG:
        code = ExitCode.UNDIAGNOSED  # the watcher saw a problem the rules could not name
    return Diagnosis(tenant_id, job_id, trigger, snapshot.at, report.diagnosed, int(code), report_dict(report))
