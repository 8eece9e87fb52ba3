"""Columns of OceanBase's backup views and internal tables, per version (``data/ob_views.json``)."""

from __future__ import annotations

import functools
import json
import re

from obdoctor.catalog.data_files import data_text

_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


@functools.cache
def _views() -> dict:
    data = json.loads(data_text("ob_views.json"))
    return {k.upper(): v for k, v in data.items() if k != "_meta"}  # keep __all_* tables


def version_tuple(text: str | None) -> tuple[int, int, int] | None:
    if not text:
        return None
    m = _VERSION.match(str(text).strip())
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def known_views() -> list[str]:
    return [v.get("_name", k) for k, v in _views().items()]


def view(name: str) -> dict | None:
    return _views().get(name.upper())


def columns(name: str, version: str | None = None) -> list[dict]:
    """The view's columns as of ``version`` (all known columns when version is None).

    A column whose ``since`` cannot be read as a version (a note) counts as 4.3.1+.
    """
    entry = view(name)
    if entry is None:
        return []
    wanted = version_tuple(version)
    out = []
    for column in entry["columns"]:
        since = column.get("since")
        if since and wanted is not None:
            first = version_tuple(since) or (4, 3, 1)
            if since.startswith("post-"):
                first = (4, 4, 0)
            if first > wanted:
                continue
        out.append(column)
    return out


def column_names(name: str, version: str | None = None) -> list[str]:
    return [c["name"] for c in columns(name, version)]
