"""Small evidence bundles declared inline, for pass/fail fixtures of the archive, destination,
restore and clean rules (the same generator as ``scenarios/``, without a file per case)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.rules.base import RuleOptions, all_rules
from obdoctor.scenarios import generator
from obdoctor.scenarios.model import LogFileSpec, LogLine, Scenario, SqlTable
from obdoctor.sources.bundle import Bundle

SERVERS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
TRACE = "YB427F000002-0005F0A1C0DE0042-0-0"


def servers_table() -> list[dict]:
    return [{"SVR_IP": ip, "SVR_PORT": 2882, "ID": i, "ZONE": f"zone{i}", "SQL_PORT": 2881, "WITH_ROOTSERVER": "NO",
             "STATUS": "ACTIVE", "START_SERVICE_TIME": "2024-01-01 00:00:00.000000"} for i, ip in enumerate(SERVERS, 1)]


def line(ts: str, body: str, *, level: str = "WDIAG", errcode: int | None = None, tenant: int = 1002,
         thread: str = "T1002_BACKUP", trace: str = TRACE, src: str = "ob_backup_task.cpp:100", **more) -> dict:
    return dict(ts=ts, body=body, level=level, errcode=errcode, tenant=tenant, thread=thread, trace=trace, src=src,
                module=more.pop("module", "STORAGE"), **more)


def run(tmp_path: Path, *, sql: dict[str, list[dict]], logs: dict[tuple[str, str], list[dict]] | None = None,
        version: str = "4.2.1.0", collected_at: str = "2024-06-01 12:00:00", rules: tuple[str, ...] = (),
        options: RuleOptions | None = None, files: dict[str, str] | None = None):
    """Write the bundle (plus ``files``: path in the bundle -> text, such as ``mounts/<ip>``), diagnose it
    with ``rules`` (ids; all when empty) and return the report."""
    scenario = Scenario(
        name="case", summary="", version=version, collected_at=datetime.fromisoformat(collected_at), servers=SERVERS,
        port=2882, seed=1, sql=[SqlTable(view=v, rows=r) for v, r in sql.items()],
        logs=[LogFileSpec(server=s, family=f, noise=20, lines=[LogLine(**l) for l in lines])
              for (s, f), lines in (logs or {}).items()],
        expect={},
    )
    path = generator.write_bundle(scenario, tmp_path / "bundle")
    for name, text in (files or {}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    chosen = [r for r in all_rules() if not rules or r.id in rules]
    with Bundle(path) as bundle:
        return diagnose(Evidence(bundle), options or RuleOptions(), chosen)


def causes(report) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.cause, f.verdict.value) for f in report.findings]


def evidence_text(report) -> str:
    return " | ".join(f"{s.looked_at}: {s.showed}" for f in report.findings for s in f.evidence)
