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


# -- the whole command against MariaDB + sshd ---------------------------------------------------------
def write_config(path: Path, db, cluster, *, known_hosts: Path | None = None, timeout: float = 20,
                 connect_timeout: float = 5, nodes: dict | None = None) -> Path:
    """Our TOML config (docs/live.md) pointing at the simulated cluster."""
    lines = [
        "[cluster]", 'name = "obcluster"',
        "[db]", 'host = "127.0.0.1"', f"port = {db.port}", 'user = "root@sys"', f'password = "{db.password}"',
        f"connect_timeout = {connect_timeout}", "read_timeout = 10",
        "[ssh]", f'username = "{cluster.user}"', f'key_file = "{cluster.client_key}"',
        f'known_hosts = "{known_hosts or cluster.known_hosts}"', f"timeout = {timeout}",
    ]
    for ip, node in cluster.nodes.items():
        port, home = (nodes or {}).get(ip, (node.port, node.home))
        lines += ["[[servers]]", f'ip = "{ip}"', f"port = {port}", f'home_path = "{home}"']
    path.write_text("\n".join(lines) + "\n")
    return path


def write_obdiag_yaml(home: Path, db, cluster) -> Path:
    """obdiag's ~/.obdiag/config.yml as a DBA has it, under a fake HOME."""
    path = home / ".obdiag" / "config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    nodes = "\n".join(f"    - ip: {ip}\n      ssh_port: {n.port}\n      home_path: {n.home}" for ip, n in cluster.nodes.items())
    path.write_text(f"""obcluster:
  ob_cluster_name: obcluster
  db_host: 127.0.0.1
  db_port: {db.port}
  tenant_sys:
    user: root@sys
    password: '{db.password}'
servers:
  nodes:
{nodes}
  global:
    ssh_username: {cluster.user}
    ssh_password: ''
    ssh_key_file: {cluster.client_key}
    home_path: /nonexistent
""")
    return path


def load_scenario(db, cluster, name: str, bundle: Path, **load) -> None:
    from obdoctor.scenarios import model

    import pymysql
    import pytest

    try:
        scenario = model.load(ROOT / "scenarios" / f"{name}.toml")
        load.setdefault("omit", scenario.absent_views())  # a partial bundle's missing views are 1146
        db.load(scenario, **load)
    except (ValueError, pymysql.MySQLError) as exc:  # the loader's to fix (test_mysql_source fails on it too)
        pytest.skip(f"the simulated database cannot hold scenario {name}: {str(exc)[:300]}")
    cluster.load_bundle(bundle)


def members(archive: Path) -> dict[str, bytes]:
    """Files of a .tar.gz bundle by their path inside the bundle."""
    import tarfile

    with tarfile.open(archive) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def check_origins(files: dict[str, bytes], original: Path) -> None:
    """Every row of logs/origins.tsv: the stored line is the server file's line at that number."""
    from obdoctor.security.redaction import redact_text
    from obdoctor.logs.files import classify, open_bytes

    rows = [r.split("\t") for r in files.get("logs/origins.tsv", b"").decode().splitlines()[1:]]
    cache: dict[Path, list[str]] = {}
    for server, stored, line, origin, origin_line, _offset in rows:
        stored_lines = files[f"logs/{server}/{stored}"].decode().splitlines()
        path = original / "logs" / server / ("alert/" + origin if stored.startswith("alert/") else origin)
        if path not in cache:
            with open_bytes(classify(path, server)) as stream:
                cache[path] = stream.read().decode("utf-8", "replace").splitlines()
        assert stored_lines[int(line) - 1] == redact_text(cache[path][int(origin_line) - 1]), (server, stored, line)


def check_collected(archive: Path, original: Path, password: str) -> None:
    """A collected bundle: no password, a manifest, and logs far smaller than the originals."""
    import tomllib

    files = members(archive)
    assert password.encode() not in b"".join(files.values())
    manifest = tomllib.loads(files["manifest.toml"].decode())
    assert manifest["cluster"]["version"]
    assert manifest["collect"]["tables"] or not any((original / "sql").glob("*"))  # a logs-only scenario has none
    # only lines of the server's real files travel into the bundle, and far from all of them
    from obdoctor.security.redaction import redact_text
    from obdoctor.logs.files import discover, open_bytes
    from obdoctor.sources.collect import PLACEHOLDER

    check_origins(files, original)
    for key, data in files.items():
        if not key.startswith("logs/") or key == "logs/origins.tsv":
            continue
        server = key.split("/")[1]
        lines = [l for l in data.decode().splitlines() if l + "\n" != PLACEHOLDER]
        originals: set[str] = set()
        for log in discover(original / "logs" / server, server)[0]:
            with open_bytes(log) as stream:
                originals.update(redact_text(l) for l in stream.read().decode("utf-8", "replace").splitlines())
        assert set(lines) <= originals, f"{key} holds lines that are not in the server's logs"
        assert len(lines) <= max(len(originals) // 2, 50), f"{key}: {len(lines)} of {len(originals)} lines collected"
