"""Turn a scenario into an evidence bundle: SQL files, log files with noise and rotation.

Deterministic: the same scenario gives byte-identical files (the committed examples are
checked against a fresh generation in the tests).
"""

from __future__ import annotations

import gzip
import io
import random
import shutil
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

from obdoctor.catalog.views import column_names
from obdoctor.catalog.views import columns as view_columns
from obdoctor.logs import encode
from obdoctor.scenarios import render_sql
from obdoctor.scenarios.model import LogFileSpec, LogLine, Scenario

_NOISE = (
    ("INFO", "[STORAGE]", "run", "ob_tenant_freezer.cpp:512", "T{t}_Flush", "tenant freezer check(tenant_id={t}, active_memstore_used=%d, total_memstore_used=%d)"),
    ("INFO", "[CLOG]", "get_max_decided_scn", "ob_log_handler.cpp:1120", "T{t}_ApplySrv", "get max decided scn(ls_id={id:%d}, max_decided_scn={val:1692287649623874276, v:0})"),
    ("INFO", "[SERVER]", "handle_request", "ob_srv_deliver.cpp:478", "DeliverWorker", "deliver request(pcode=%d, tenant_id={t})"),
    ("INFO", "[COMMON]", "print_stat", "ob_io_struct.cpp:803", "IO_TUNING0", "[IO STATUS](tenant_id={t}, io_status=%d)"),
    ("INFO", "[RS]", "check_alive_", "ob_backup_task_scheduler.cpp:1394", "T1_BACKUP_SC", "backup task keep alive(job_id=%d)"),
    ("WDIAG", "[SHARE]", "get", "ob_tenant_config.cpp:238", "T{t}_TenantWea", "fail to get tenant config(ret=-4018, ret=\"OB_ENTRY_NOT_EXIST\", tenant_id={t}, key=%d)"),
    ("INFO", "[STORAGE.TRANS]", "statistics", "ob_trans_service.cpp:267", "T{t}_TxLoopWor", "[TRANS STAT] transaction statistics(total_trans=%d)"),
)


# 4.0 has the 3.x level set and no [errcode=] (ob_log_format.md section 4).
_LEVELS_40 = {"WDIAG": "WARN", "EDIAG": "ERROR"}


def render_line(line: LogLine, ts: datetime, *, version: str | None = None, body: str | None = None) -> str:
    """One 4.x log line (ob_log.cpp log_head): ``[ts] LEVEL [MOD] func (file:line) [tid][thread][Ttenant][trace] [lt=N][errcode=N] body``.

    For a 4.0 ``version`` the levels are WARN/ERROR and there is no ``[errcode=]``.
    """
    legacy = bool(version) and str(version).startswith("4.0")
    level = f"{_LEVELS_40.get(line.level, line.level) if legacy else line.level:<5}"
    module = f"[{line.module}] " if line.module else ""
    tenant = f"[T{line.tenant}]" if line.tenant is not None else ""
    errcode = ""
    if not legacy and line.level in ("ERROR", "WARN", "EDIAG", "WDIAG"):
        errcode = f"[errcode={line.errcode if line.errcode is not None else 0}]"
    stamp = ts.strftime("%Y-%m-%d %H:%M:%S.%f")
    return (f"[{stamp}] {level} {module}{line.func} ({line.src}) [{line.tid}][{line.thread}]{tenant}"
            f"[{line.trace}] [lt=12]{errcode} {line.body if body is None else body}")


def _signal(spec: LogFileSpec, version: str | None = None) -> list[tuple[datetime, str]]:
    out = []
    for line in spec.lines:
        start = datetime.fromisoformat(line.ts)
        for i in range(line.repeat):
            ts = start + timedelta(seconds=line.every_seconds * i)
            out.append((ts, render_line(line, ts, version=version, body=line.body.replace("{i}", str(i)))))
    return out


def _noise(spec: LogFileSpec, scenario: Scenario, rng: random.Random, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    out = []
    span = max((end - start).total_seconds(), 1.0)
    for _ in range(spec.noise):
        level, module, func, src, thread, body = rng.choice(_NOISE)
        tenant = rng.choice((1, 1001, 1002, 1004))
        ts = start + timedelta(seconds=rng.random() * span)
        trace = encode(spec.server, scenario.port, rng.randrange(1 << 40, 1 << 52))
        line = LogLine(
            ts="", level=level, module=module.strip("[]"), func=func, src=src, tid=rng.randrange(1000, 99999),
            thread=thread.replace("{t}", str(tenant)), tenant=tenant, trace=trace,
            errcode=-4018 if level == "WDIAG" else None,
            body=body.replace("{t}", str(tenant)).replace("%d", str(rng.randrange(1, 100000))),
        )
        out.append((ts, render_line(line, ts, version=scenario.version)))
    return out


def log_text(spec: LogFileSpec, scenario: Scenario, index: int) -> str:
    rng = random.Random(f"{scenario.seed}:{spec.server}:{spec.file_name}:{index}")
    signal = _signal(spec, scenario.version)
    times = [t for t, _ in signal]
    start = datetime.fromisoformat(spec.noise_from) if spec.noise_from else (min(times) - timedelta(minutes=2) if times else scenario.collected_at - timedelta(hours=1))
    end = datetime.fromisoformat(spec.noise_to) if spec.noise_to else (max(times) + timedelta(minutes=2) if times else scenario.collected_at)
    lines = sorted(signal + _noise(spec, scenario, rng, start, end), key=lambda tl: tl[0])
    return "".join(text + "\n" for _, text in lines)


def write_log(path: Path, text: str, compress: str | None) -> None:
    data = text.encode("utf-8")
    if compress == "gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as handle:
            handle.write(data)
        data = buffer.getvalue()
    elif compress == "zst":
        import zstandard

        data = zstandard.ZstdCompressor(level=3).compress(data)
    path.write_bytes(data)


def sql_rows(scenario: Scenario, view: str, rows: list[dict]) -> tuple[list[str], list[dict]]:
    """All the view's real columns for the scenario's version, declared values filled in."""
    known = column_names(view, scenario.version)
    if view.upper().startswith("DBA_OB_BACKUP") or view.upper() == "DBA_OB_ARCHIVELOG":
        known = [c for c in known if c.upper() != "TENANT_ID"] or known
        declared = {k.upper() for r in rows for k in r}
        if "TENANT_ID" in declared:  # the seed's DBA_ output does show TENANT_ID: keep it when declared
            known = ["TENANT_ID", *known]
    columns = known or sorted({k for r in rows for k in r})
    upper = {c.upper(): c for c in columns}
    types = _defaults(view, scenario.version)
    for r in rows:
        for k in r:
            if k.upper() not in upper:
                raise ValueError(f"{scenario.name}: column {k!r} is not in {view} (version {scenario.version})")
    filled = []
    for r in rows:
        by_upper = {k.upper(): v for k, v in r.items()}
        filled.append({c: by_upper.get(c.upper(), types.get(c.upper())) for c in columns})
    return columns, filled


def _defaults(view: str, version: str) -> dict[str, object]:
    """Undeclared cells: '' for text columns (as OceanBase shows unused NAMEx/VALUEx), NULL otherwise."""
    return {c["name"].upper(): ("" if c["type"].lower().startswith(("varchar", "longtext", "text")) else None)
            for c in view_columns(view, version)}


def write_bundle(scenario: Scenario, out_dir: Path) -> Path:
    """Write the bundle directory ``out_dir`` (replaced if it exists)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "sql").mkdir(parents=True)
    manifest = [
        "# Evidence bundle generated from scenario " + scenario.name,
        "[cluster]",
        f'name = "{scenario.cluster_name}"',
        f'version = "{scenario.version}"',
        f"collected_at = {scenario.collected_at.isoformat()}",
    ]
    if scenario.dba_tenant_id is not None:
        manifest.append(f"dba_tenant_id = {scenario.dba_tenant_id}")
    if scenario.time_zone:
        manifest.append(f'time_zone = "{scenario.time_zone}"')
    manifest += ["", "[scenario]", f'name = "{scenario.name}"', f'summary = """{scenario.summary}"""', ""]
    (out_dir / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    for table in scenario.sql:
        columns, rows = sql_rows(scenario, table.view, table.rows)
        ext, text = render_sql.render(table.format, columns, rows, indent=table.indent)
        (out_dir / "sql" / f"{table.view}.{ext}").write_text(text, encoding="utf-8")
    for index, spec in enumerate(scenario.logs):
        directory = out_dir / "logs" / spec.server
        directory.mkdir(parents=True, exist_ok=True)
        write_log(directory / spec.file_name, log_text(spec, scenario, index), spec.compress)
    for server, text in sorted(scenario.mounts.items()):  # as `cat /proc/mounts` printed it (bundle-format.md)
        (out_dir / "mounts").mkdir(exist_ok=True)
        (out_dir / "mounts" / server).write_text(text, encoding="utf-8")
    return out_dir


def write_tarball(bundle_dir: Path, out_file: Path) -> Path:
    with tarfile.open(out_file, "w:gz") as archive:
        archive.add(bundle_dir, arcname=bundle_dir.name)
    return out_file
