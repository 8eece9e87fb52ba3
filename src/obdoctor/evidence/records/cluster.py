"""Records of the cluster itself: root service and server events, tenants, servers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cells import (
    integer, name_value_pairs, server_address, text, text_or_blank, time, upper_or_none,
)
from obdoctor.evidence.records.columns import Record, column, columns, derived
from obdoctor.catalog.errors import normalize_code

EVENT_PAIRS = tuple(f"{kind}{i}" for i in range(1, 7) for kind in ("NAME", "VALUE"))
"""An event's NAME1, VALUE1 .. NAME6, VALUE6 cells: what the event recorded, read by name."""


class _Event(Record):
    """What the root service's and the servers' event histories share: values read by name."""

    values: dict[str, str | None]

    def value(self, name: str) -> str | None:
        return self.values.get(name)


@dataclass
class RootServiceEvent(_Event):
    """A row of DBA_OB_ROOTSERVICE_EVENT_HISTORY; NAMEx/VALUEx pairs read by name."""

    timestamp: datetime | None = column(("TIMESTAMP", "GMT_CREATE"), time)
    module: str = column("MODULE", text_or_blank)
    event: str = column("EVENT", text_or_blank)
    values: dict[str, str | None] = columns(EVENT_PAIRS, name_value_pairs)
    extra_info: str | None = column("EXTRA_INFO", text)
    rs_svr_ip: str | None = column("RS_SVR_IP", server_address)
    rs_svr_port: int | None = column("RS_SVR_PORT", integer)
    provenance: Provenance

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
class ServerEvent(_Event):
    """A row of DBA_OB_SERVER_EVENT_HISTORY (SERVER_EVENT_ADD): NAMEx/VALUEx pairs read by name."""

    timestamp: datetime | None = column(("TIMESTAMP", "GMT_CREATE"), time)
    svr_ip: str | None = column("SVR_IP", server_address)
    module: str = column("MODULE", text_or_blank)
    event: str = column("EVENT", text_or_blank)
    values: dict[str, str | None] = columns(EVENT_PAIRS, name_value_pairs)
    extra_info: str | None = column("EXTRA_INFO", text)
    provenance: Provenance


@dataclass
class Tenant(Record):
    tenant_id: int | None = column("TENANT_ID", integer)
    name: str | None = column("TENANT_NAME", text)
    tenant_type: str | None = column("TENANT_TYPE", text)
    status: str | None = column("STATUS", upper_or_none)
    role: str | None = column("TENANT_ROLE", upper_or_none)
    provenance: Provenance


@dataclass
class Server(Record):
    svr_ip: str | None = column("SVR_IP", server_address)
    svr_port: int | None = column("SVR_PORT", integer)
    status: str | None = column("STATUS", upper_or_none)
    start_service_time: datetime | None = column("START_SERVICE_TIME", time)
    provenance: Provenance
    extra: dict = derived(default_factory=dict)
