"""Shared by the diagnose/collect tests: scenario bundles, live sources over the sshd's, finding keys."""

from __future__ import annotations

import re
from pathlib import Path

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.exit_codes import for_report
from obdoctor.report.json_report import report_dict
from obdoctor.scenarios import generator, model
from obdoctor.sources.bundle import Bundle
from obdoctor.sources.live import LiveSource
from obdoctor.sources.ssh import SshLogSearcher, SshOptions

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.toml"))
NAMES = [p.stem for p in SCENARIO_FILES]
_IP = re.compile(r"\b127\.0\.0\.\d+\b")


def build_bundles(directory: Path) -> dict[str, Path]:
    """Every scenario's bundle, generated fresh (the same bytes as examples/)."""
    return {p.stem: generator.write_bundle(model.load(p), directory / p.stem) for p in SCENARIO_FILES}


def finding_keys(report: dict) -> list[tuple]:
    """What must be equal between diagnose, analyze and collect+analyze."""
    return sorted(
        (f["rule_id"], f["cause"], f["code"], f["tenant_id"], f["job_id"], tuple(sorted(f["servers"])),
         tuple(sorted(f["trace_ids"])), f["verdict"])
        for f in report["findings"]
    )


def named_servers(bundle: Path) -> set[str]:
    """Every loopback IP the bundle's views mention (what the rules may ask to search)."""
    return {ip for f in (bundle / "sql").iterdir() for ip in _IP.findall(f.read_text(errors="replace"))}


def searcher(cluster, *, targets=None, known_hosts=None, **options) -> SshLogSearcher:
    opts = SshOptions(known_hosts=str(known_hosts or cluster.known_hosts), local_reads="never",
                      connect_timeout=options.pop("connect_timeout", 5), **options)
    return SshLogSearcher(targets or cluster.targets(), opts)


def live_over_bundle_tables(cluster, bundle: Path, **options) -> tuple[LiveSource, SshLogSearcher]:
    """A LiveSource whose views come from the bundle and whose logs come over SSH.

    Why: it isolates the SSH half (the database half has its own tests, and the CLI tests
    use the real MariaDB); the bundle's tables answer exactly as the offline run sees them.
    """
    ssh = searcher(cluster, **options)
    return LiveSource(Bundle(bundle), ssh), ssh


def run(source) -> tuple[dict, int]:
    report = diagnose(Evidence(source))
    return report_dict(report), int(for_report(report))


def offline(bundle: Path) -> tuple[dict, int]:
    with Bundle(bundle) as source:
        return run(source)


def all_unchecked(report: dict) -> str:
    parts = [f"{u['what']}: {u['why']}" for u in report.get("unchecked", [])]
    for finding in report["findings"]:
        parts += [f"{u['what']}: {u['why']}" for u in finding.get("unchecked", [])]
    for source in report.get("sources_read", []):
        parts += list(source.get("unchecked", []) or [])
    return "\n".join(parts)
