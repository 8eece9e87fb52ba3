"""Decode what a storage error line embeds: curl codes, OSS SDK codes, HTTP statuses, service errors.

-9003 OB_OSS_ERROR, -9060 OB_COS_ERROR and -9105 OB_S3_ERROR say only "the object storage
failed". The line that logs them (``oss info(aos_ret->code=-990, ...)``, ``curl code 6``,
``error_code="AccessDenied"``) says why. The tables are in ``data/storage_errors.toml``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from obdoctor.catalog.causes import CauseId, named_cause
from obdoctor.catalog.data_files import data_toml
from obdoctor.catalog.views import version_tuple


@dataclass(frozen=True)
class StorageDetail:
    kind: str
    """``curl``, ``aos`` (OSS SDK status), ``http`` or ``service`` (the service's error code)."""
    code: str
    name: str
    meaning: str
    cause: CauseId

    def describe(self) -> str:
        label = {"curl": "curl code", "aos": "OSS/COS SDK status", "http": "HTTP status", "service": "service error"}[self.kind]
        name = f" {self.name}" if self.name and self.name != self.code else ""
        return f"{label} {self.code}{name}: {self.meaning}"


_CAUSE_TABLES = ("curl", "aos", "http", "service_errors")
"""The tables whose entries name a cause."""


@functools.cache
def _tables() -> dict:
    """The tables, each entry's cause checked (and made a ``CauseId``) as they load."""
    tables = dict(data_toml("storage_errors.toml"))
    for table in _CAUSE_TABLES:
        tables[table] = {key: {**entry, "cause": named_cause(entry["cause"], f"storage_errors.toml [{table}] {key}")}
                         for key, entry in tables[table].items()}
    return tables


def signatures() -> tuple[str, ...]:
    return tuple(_tables()["signatures"])


_CURL = re.compile(r"curl[ _-]?(?:code|ret|error|errno)?\s*[=:(]?\s*\"?(\d{1,3})\b", re.IGNORECASE)
_CURLE = re.compile(r"\b(CURLE_[A-Z_]+)\b")
_AOS = re.compile(r"(?:aos_ret->code|\bcode)\s*[=:]\s*(-\d{3,4})\b")
_HTTP = re.compile(r"(?:aos_ret->code|http[_ ]?(?:status|code)|status[_ ]?code|response[_ ]?code|\bcode)\s*[=:]\s*\"?([1-5]\d\d)\b",
                   re.IGNORECASE)


def decode(text: str) -> list[StorageDetail]:
    """Every storage detail recognisable in ``text`` (a log line), most specific first."""
    tables = _tables()
    found: list[StorageDetail] = []

    def add(detail: StorageDetail) -> None:
        if all((d.kind, d.code) != (detail.kind, detail.code) for d in found):
            found.append(detail)

    curl = tables["curl"]
    for m in _CURL.finditer(text):
        entry = curl.get(m.group(1))
        if entry:
            add(StorageDetail("curl", m.group(1), entry["name"], entry["meaning"], entry["cause"]))
    by_name = {v["name"]: (k, v) for k, v in curl.items()}
    for m in _CURLE.finditer(text):
        if m.group(1) in by_name:
            k, v = by_name[m.group(1)]
            add(StorageDetail("curl", k, v["name"], v["meaning"], v["cause"]))
    for fragment, number in tables["curl_messages"].items():
        if fragment.lower() in text.lower():
            v = curl[str(number)]
            add(StorageDetail("curl", str(number), v["name"], v["meaning"], v["cause"]))
    for m in _AOS.finditer(text):
        entry = tables["aos"].get(m.group(1))
        if entry:
            add(StorageDetail("aos", m.group(1), entry["name"], entry["meaning"], entry["cause"]))
    for name, entry in tables["service_errors"].items():
        if re.search(rf"\b{name}\b", text):
            add(StorageDetail("service", name, name, entry["meaning"], entry["cause"]))
    for m in _HTTP.finditer(text):
        entry = tables["http"].get(m.group(1))
        if entry:
            add(StorageDetail("http", m.group(1), "", entry["meaning"], entry["cause"]))
    order = {"curl": 0, "aos": 1, "service": 2, "http": 3}
    return sorted(found, key=lambda d: order[d.kind])


def storage_kind(path: str | None) -> str | None:
    """``nfs`` for ``file://``, else the URI scheme (``oss``, ``cos``, ``s3``, ``obs``...); None if unknown."""
    if not path:
        return None
    m = re.match(r"\s*([a-z0-9]+)://", path, re.IGNORECASE)
    if not m:
        return "nfs" if path.strip().startswith("/") else None
    scheme = m.group(1).lower()
    return "nfs" if scheme == "file" else scheme


def file_path(uri: str | None) -> str | None:
    """``file:///data/nfs/backup?x=y`` -> ``/data/nfs/backup``: the directory a ``file://``
    destination names on each server; None for another scheme or a host part (``file://host/p``)."""
    if not uri or not uri.strip().lower().startswith("file://"):
        return None
    parts = urlsplit(uri.strip())
    if parts.netloc:
        return None
    path = unquote(parts.path).rstrip("/") or "/"
    return path if path.startswith("/") else None


def nfs_requirements(version: str | None) -> list[str]:
    """OceanBase's NFS requirements that apply to this version (all of them when unknown), as prose:
    the required mount options with why, the practices beyond the options, then the recommended
    options and the documented mount command's options.

    Written from ``data/nfs_mounts.toml``, the file the per-server mount check
    (``rules/services/nfs_mounts.py``) reads, so the advice and the check cannot disagree.
    """
    facts = data_toml("nfs_mounts.toml")
    wanted = version_tuple(version)

    def applies(entry: dict) -> bool:
        low, high = version_tuple(entry.get("from")), version_tuple(entry.get("until"))
        return wanted is None or not ((low and wanted < low) or (high and wanted >= high))

    entries = [r for r in facts["requirement"] if applies(r)]
    required = [r for r in entries if r["level"] == "required"]
    recommended = [r for r in entries if r["level"] != "required"]
    out = []
    if required:
        out.append("Mount with "
                   + "; ".join(f"{r['shown']} ({r['why']})" for r in required) + ".")
    out += [p["text"] for p in facts.get("practice", ()) if applies(p)]
    if recommended:
        out.append(f"Recommended: {', '.join(r['shown'] for r in recommended)}; "
                   f"the documented mount command's options: {facts['mount_options']}.")
    return out


_HOSTS = (r"(?:^|[?&\s(,])host=([^&\s'\",)\]]+)", r"(?:resolve|resolving) host(?: name)?:\s*'?([\w.-]+)",
          r"[Cc]onnect(?:ed)? to ([\w.-]+)(?: port|:\d)", r"\bendpoint\s*[=:]\s*\"?(?:https?://)?([\w.-]+)",
          r"https?://([\w.-]+)")


def hosts_in(text: str) -> list[str]:
    """Host names a storage error line names (``host=`` of the URI, curl's ``Could not resolve host:``,
    ``Failed to connect to X port``, an endpoint): the host that failed, to check from the server."""
    found: list[str] = []
    for pattern in _HOSTS:
        for m in re.finditer(pattern, text):
            host = m.group(1).rstrip(".,;)").split(":")[0]
            if host and host not in found and not host.isdigit():
                found.append(host)
    return found
