"""Records of the cluster itself: root service and server events, tenants, servers.

Their fields and columns are ``data/records.toml``; here is what they compute.
"""

from __future__ import annotations

from obdoctor.evidence.records.columns import Record
from obdoctor.catalog.errors import normalize_code


class _Values:
    """What the root service's and the servers' event histories share: NAMEx/VALUEx read by name."""

    values: dict[str, str | None]

    def value(self, name: str) -> str | None:
        return self.values.get(name)


class RootServiceEvent(_Values, Record):
    """A row of DBA_OB_ROOTSERVICE_EVENT_HISTORY; NAMEx/VALUEx pairs read by name."""

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


class ServerEvent(_Values, Record):
    """A row of DBA_OB_SERVER_EVENT_HISTORY (SERVER_EVENT_ADD): NAMEx/VALUEx pairs read by name."""


class Tenant(Record):
    """A row of DBA_OB_TENANTS (or __all_tenant): a tenant, its status and role."""


class Server(Record):
    """A row of DBA_OB_SERVERS, GV$OB_SERVERS or __all_server: an observer and whether it is up."""


class Mount(Record):
    """One mount of a server's ``/proc/mounts`` (``sources/mounts.py`` parses it), or, with
    ``error`` set and no mount point, why that server's mounts could not be read."""

    def option(self, name: str) -> str | None:
        """``vers`` -> ``4.1`` for ``vers=4.1``; ``hard`` -> ``""`` for a flag; None when absent."""
        for option in self.options:
            key, eq, value = option.partition("=")
            if key == name:
                return value if eq else ""
        return None
