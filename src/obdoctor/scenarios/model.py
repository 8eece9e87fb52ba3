"""A scenario: one failure mode, declared once as data, with what obdoctor must conclude.

The same declaration becomes an offline bundle (``generator``) and, in the live tests, rows in
a real MariaDB and log files behind real sshd processes.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from obdoctor.logs import encode

_VAR = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass
class LogLine:
    ts: str
    body: str
    level: str = "INFO"
    module: str | None = None
    func: str = "process"
    src: str = "ob_backup_task.cpp:100"
    tid: int = 1000
    thread: str = "T1_Occam"
    tenant: int | None = 1
    trace: str = "Y0-0000000000000000-0-0"
    errcode: int | None = None
    repeat: int = 1
    every_seconds: float = 1.0
    """A repeated line is written ``repeat`` times, ``every_seconds`` apart; ``{i}`` in its body
    becomes the repetition index (0, 1, ...), as in OceanBase's retry loops."""


@dataclass
class LogFileSpec:
    server: str
    family: str = "observer"
    rotated: str | None = None
    """Rotation suffix (``20230519132325123``) for a rotated file; None for the live file."""
    compress: str | None = None
    noise: int = 100
    noise_from: str | None = None
    noise_to: str | None = None
    lines: list[LogLine] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        name = f"{self.family}.log"
        if self.rotated:
            name += f".{self.rotated}"
        if self.compress:
            name += f".{self.compress}"
        return name


@dataclass
class SqlTable:
    view: str
    rows: list[dict[str, Any]]
    format: str = "table"
    indent: int = 0
    """Leading spaces before obclient output (as pasted from a document)."""


@dataclass
class Scenario:
    name: str
    summary: str
    version: str
    collected_at: datetime
    servers: list[str]
    port: int
    seed: int
    sql: list[SqlTable]
    logs: list[LogFileSpec]
    expect: dict[str, Any]
    cluster_name: str = "obcluster"
    dba_tenant_id: int | None = None
    path: Path | None = None
    time_zone: str | None = None
    """The cluster's session zone (view times, collected_at); the manifest and the simulated cluster say it."""
    only_declared_views: bool = False
    """A partial bundle: the views it does not declare do not exist (the simulated cluster
    answers 1146 for them instead of an empty view)."""
    mounts: dict[str, str] = field(default_factory=dict)
    """Server -> its ``/proc/mounts`` text (``[[mounts]]``), written as the bundle's ``mounts/<ip>``
    and served by the live tests' sshd fixture in place of the real file."""

    def absent_views(self) -> list[str]:
        """Views the simulated cluster must not create for this scenario."""
        if not self.only_declared_views:
            return []
        from obdoctor.catalog.views import known_views

        declared = {t.view.upper() for t in self.sql}
        return [v for v in known_views() if v.upper() not in declared]


def _substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _VAR.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


def _variables(data: dict, port: int) -> dict[str, str]:
    """``[vars]``: plain strings, or ``{trace = "ip", seq = N}`` to make a trace id of that server."""
    out: dict[str, str] = {}
    for name, value in data.get("vars", {}).items():
        if isinstance(value, dict) and "trace" in value:
            out[name] = encode(value["trace"], int(value.get("port", port)), int(value["seq"]))
        else:
            out[name] = str(value)
    return out


def load(path: str | Path) -> Scenario:
    path = Path(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    meta = data["scenario"]
    cluster = data.get("cluster", {})
    port = int(cluster.get("port", 2882))
    variables = _variables(data, port)
    data = _substitute(data, variables)
    logs = []
    for spec in data.get("log", []):
        lines = [LogLine(**line) for line in spec.pop("lines", [])]
        logs.append(LogFileSpec(lines=lines, **spec))
    sql = [SqlTable(view=t["view"], rows=t.get("rows", []), format=t.get("format", "table"), indent=int(t.get("indent", 0)))
           for t in data.get("sql", [])]
    collected = meta["collected_at"]
    if isinstance(collected, str):
        collected = datetime.fromisoformat(collected)
    return Scenario(
        name=meta["name"], summary=meta.get("summary", ""), version=str(meta.get("version", "4.2.1.0")),
        collected_at=collected, servers=list(cluster.get("servers", [])), port=port, seed=int(meta.get("seed", 1)),
        sql=sql, logs=logs, expect=data.get("expect", {}), cluster_name=cluster.get("name", "obcluster"),
        dba_tenant_id=meta.get("dba_tenant_id"), path=path, time_zone=meta.get("time_zone"),
        only_declared_views=bool(meta.get("only_declared_views", False)),
        mounts={m["server"]: m["text"] for m in data.get("mounts", [])},
    )


def load_all(directory: str | Path) -> list[Scenario]:
    return [load(p) for p in sorted(Path(directory).glob("*.toml"))]
