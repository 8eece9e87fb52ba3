"""An in-memory cluster whose backup views tests change between polls, and a clock tests move."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from obdoctor.evidence import LogQuery, LogSearchResult, Provenance, Row, SourceInfo, TableResult
from obdoctor.sources.bundle import Bundle

ROOT = Path(__file__).resolve().parents[2]
CHAIN = ROOT / "examples" / "failed-41-chain"
LS_TRACE = "YB427F000002-0005E98EBF2D9DBE-0-0"
"""Trace of the ls task in the example bundle: its observer.log on 127.0.0.3 has the -9082 lines."""


class TestClock:
    """``clock()`` returns the current fake time; ``advance`` moves it. No test ever sleeps."""

    __test__ = False

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **kw) -> datetime:
        self.now += timedelta(seconds=seconds, **kw)
        return self.now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)


# Jobs started 13:00, the clock of the tests starts at 14:31: rule P2 calls a task stuck only once
# it has run for its quiet window (60 min, data/backup_facts.toml), whatever the watcher saw.


class FakeCluster:
    """``tables[name]`` is a list of row dicts; names not set fall back to the bundle (if any).

    A name set to None reads as a missing view (error 1146 live).
    """

    def __init__(self, bundle: Path | None = CHAIN, version: str = "4.1.0.2"):
        self.bundle = Bundle(bundle) if bundle else None
        self.tables: dict[str, list[dict] | None] = {}
        self.version = version
        self.reads: list[str] = []
        self.log_searches = 0

    def close(self) -> None:
        if self.bundle:
            self.bundle.close()

    def info(self) -> SourceInfo:
        servers = self.bundle.info().servers if self.bundle else []
        return SourceInfo(kind="live", location="fake cluster", cluster="fake", version=self.version,
                          collected_at=datetime.now(), servers=servers)

    def read_table(self, name: str) -> TableResult:
        self.reads.append(name)
        if name in self.tables:
            rows = self.tables[name]
            if rows is None:
                return TableResult(name, available=False, reason="(1146) table doesn't exist")
            return TableResult(name, [Row(dict(r), Provenance("sql", name, row=i, location="fake"))
                                      for i, r in enumerate(rows, 1)])
        if self.bundle:
            return self.bundle.read_table(name)
        return TableResult(name, available=False, reason="(1146) table doesn't exist")

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        self.log_searches += 1
        if self.bundle:
            return self.bundle.search_logs(query)
        return LogSearchResult(query, unchecked=["no logs in the fake cluster"])


def job_row(job_id=1, tenant=1002, status="DOING", start="2023-09-26 13:00:56", **extra) -> dict:
    return {"TENANT_ID": tenant, "JOB_ID": job_id, "INCARNATION": 1, "BACKUP_SET_ID": job_id,
            "INITIATOR_TENANT_ID": tenant, "INITIATOR_JOB_ID": job_id, "EXECUTOR_TENANT_ID": str(tenant),
            "PLUS_ARCHIVELOG": "OFF", "BACKUP_TYPE": "FULL", "JOB_LEVEL": "USER_TENANT",
            "START_TIMESTAMP": start, "END_TIMESTAMP": None, "STATUS": status, "RESULT": 0, "COMMENT": "",
            "PATH": "file:///data/nfs/backup", **extra}


def task_row(job_id=1, tenant=1002, stage="BACKUP_DATA_MAJOR", start="2023-09-26 13:00:57", *,
             input_bytes=0, macro=1000, finish_macro=0, tablets=100, finish_tablets=0, turn=1) -> dict:
    return {"TENANT_ID": tenant, "TASK_ID": job_id, "JOB_ID": job_id, "INCARNATION": 1, "BACKUP_SET_ID": job_id,
            "START_TIMESTAMP": start, "END_TIMESTAMP": None, "STATUS": stage,
            "INPUT_BYTES": input_bytes, "OUTPUT_BYTES": input_bytes // 2, "TABLET_COUNT": tablets,
            "FINISH_TABLET_COUNT": finish_tablets, "MACRO_BLOCK_COUNT": macro,
            "FINISH_MACRO_BLOCK_COUNT": finish_macro, "META_TURN_ID": 1, "DATA_TURN_ID": turn,
            "RESULT": 0, "COMMENT": "", "PATH": "file:///data/nfs/backup"}


def ls_row(ls_id, job_id=1, tenant=1002, *, status="DOING", server="127.0.0.3", trace=LS_TRACE,
           input_bytes=0, finish_macro=0, macro=500, turn=1, retry=0, result=0,
           start_ts=int(datetime(2023, 9, 26, 14, 31).timestamp() * 1_000_000)) -> dict:
    return {"tenant_id": tenant, "task_id": job_id, "ls_id": ls_id, "job_id": job_id, "backup_set_id": job_id,
            "backup_type": "FULL", "task_type": "BACKUP_DATA_MAJOR", "status": status, "start_ts": start_ts,
            "end_ts": 0, "svr_ip": server, "svr_port": 2882, "task_trace_id": trace,
            "input_bytes": input_bytes, "output_bytes": input_bytes // 2, "tablet_count": 50,
            "finish_tablet_count": min(50, finish_macro // 10), "macro_block_count": macro,
            "finish_macro_block_count": finish_macro, "start_turn_id": 1, "turn_id": turn, "retry_id": retry,
            "result": result, "comment": ""}
