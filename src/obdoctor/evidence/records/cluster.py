"""Records of the cluster itself: root service and server events, tenants, servers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cells import _address, _ts
from obdoctor.evidence.rows import Row
from obdoctor.catalog.errors import normalize_code


@dataclass
class RootServiceEvent:
    """A row of DBA_OB_ROOTSERVICE_EVENT_HISTORY; NAMEx/VALUEx pairs read by name."""

    timestamp: datetime | None
    module: str
    event: str
    values: dict[str, str | None]
    extra_info: str | None
    rs_svr_ip: str | None
    rs_svr_port: int | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "RootServiceEvent":
        values: dict[str, str | None] = {}
        for i in range(1, 7):
            name = row.text(f"NAME{i}")
            if name:
                values.setdefault(name, row.text(f"VALUE{i}"))
        return cls(
            timestamp=_ts(row, "TIMESTAMP") or _ts(row, "GMT_CREATE"),
            module=row.text("MODULE") or "",
            event=row.text("EVENT") or "",
            values=values,
            extra_info=row.text("EXTRA_INFO"),
            rs_svr_ip=_address(row, "RS_SVR_IP"),
            rs_svr_port=row.integer("RS_SVR_PORT"),
            provenance=row.provenance,
        )

    def value(self, name: str) -> str | None:
        return self.values.get(name)

    def int_value(self, name: str) -> int | None:
        text = self.values.get(name)
        try:
            return int(text) if text is not None else None
        except ValueError:
            return None

    @property
    def tenant_id(self) -> int | None:
        return self.int_value("tenant_id")

    @property
    def result(self) -> int | None:
        value = self.int_value("result")
        return normalize_code(value) if value else value


@dataclass
class ServerEvent:
    """A row of DBA_OB_SERVER_EVENT_HISTORY (SERVER_EVENT_ADD): NAMEx/VALUEx pairs read by name."""

    timestamp: datetime | None
    svr_ip: str | None
    module: str
    event: str
    values: dict[str, str | None]
    extra_info: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "ServerEvent":
        values: dict[str, str | None] = {}
        for i in range(1, 7):
            name = row.text(f"NAME{i}")
            if name:
                values.setdefault(name, row.text(f"VALUE{i}"))
        return cls(_ts(row, "TIMESTAMP") or _ts(row, "GMT_CREATE"), _address(row, "SVR_IP"), row.text("MODULE") or "",
                   row.text("EVENT") or "", values, row.text("EXTRA_INFO"), row.provenance)

    def value(self, name: str) -> str | None:
        return self.values.get(name)


@dataclass
class Tenant:
    tenant_id: int | None
    name: str | None
    tenant_type: str | None
    status: str | None
    role: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "Tenant":
        return cls(
            tenant_id=row.integer("TENANT_ID"),
            name=row.text("TENANT_NAME"),
            tenant_type=row.text("TENANT_TYPE"),
            status=(row.text("STATUS") or "").upper() or None,
            role=(row.text("TENANT_ROLE") or "").upper() or None,
            provenance=row.provenance,
        )


@dataclass
class Server:
    svr_ip: str | None
    svr_port: int | None
    status: str | None
    start_service_time: datetime | None
    provenance: Provenance
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Row) -> "Server":
        return cls(
            svr_ip=_address(row, "SVR_IP"),
            svr_port=row.integer("SVR_PORT"),
            status=(row.text("STATUS") or "").upper() or None,
            start_service_time=_ts(row, "START_SERVICE_TIME"),
            provenance=row.provenance,
        )


@dataclass
class Mount:
    """One mount of a server's ``/proc/mounts`` (``sources/mounts.py`` parses it), or, with
    ``error`` set and no mount point, why that server's mounts could not be read."""

    svr_ip: str | None
    device: str | None
    mount_point: str | None
    fstype: str | None
    options: tuple[str, ...]
    line: str | None
    error: str | None
    provenance: Provenance

    @classmethod
    def from_row(cls, row: Row) -> "Mount":
        options = tuple(o for o in (row.text("OPTIONS") or "").split(",") if o)
        return cls(row.text("SVR_IP"), row.text("DEVICE"), row.text("MOUNT_POINT"), row.text("FSTYPE"), options,
                   row.text("LINE"), row.text("ERROR"), row.provenance)

    def option(self, name: str) -> str | None:
        """``vers`` -> ``4.1`` for ``vers=4.1``; ``hard`` -> ``""`` for a flag; None when absent."""
        for option in self.options:
            key, eq, value = option.partition("=")
            if key == name:
                return value if eq else ""
        return None
