"""Where the packaged data files live, and a cached TOML loader for them."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any


def data_text(name: str) -> str:
    return resources.files("obdoctor").joinpath("data", name).read_text(encoding="utf-8")


@functools.cache
def data_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(data_text(name))


@functools.cache
def data_dir_tomls(directory: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Every ``*.toml`` of a data sub-directory, parsed, in name order."""
    folder = resources.files("obdoctor").joinpath("data", directory)
    entries = sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return tuple((p.name, tomllib.loads(p.read_text(encoding="utf-8"))) for p in entries)
