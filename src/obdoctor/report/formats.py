"""The report formats, as a registry: a formatter module registers itself, ``--format`` lists them.

Why a registry: a new format is one new module in ``obdoctor/report/`` with one function under
``@register(...)``; the CLI's choices, the dispatcher and the tests' list of formats all come
from here. Every module of the package is imported when the list is first asked for, so a
formatter module is never silently left out. Every formatter has one signature,
``render(report, options) -> str``, and receives the Report already redacted (``render.prepare``).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from obdoctor.findings import Report

if TYPE_CHECKING:  # pragma: no cover
    from obdoctor.report.terminal import Screen


@dataclass(frozen=True)
class RenderOptions:
    """What a formatter may be told besides the Report; each format reads only what concerns it."""

    screen: "Screen | None" = None
    """The text format's terminal (width, colour, charset, --full); None: its defaults."""


Formatter = Callable[[Report, RenderOptions], str]


@dataclass(frozen=True)
class Format:
    name: str
    render: Formatter
    order: int
    """Place in ``--format``'s choices (the first is the default)."""
    module: str
    suffixes: tuple[str, ...] = ()
    """File names ending so (``-o report.html``) get this format when ``--format`` is not given."""


_REGISTRY: dict[str, Format] = {}
_discovered = False


def register(name: str, *, order: int, suffixes: tuple[str, ...] = ()) -> Callable[[Formatter], Formatter]:
    """Register the decorated function as the formatter of ``name``; a name taken twice is a bug."""

    def decorate(fn: Formatter) -> Formatter:
        taken = _REGISTRY.get(name)
        if taken is not None and taken.module != fn.__module__:
            raise ValueError(f"report format {name!r} registered by both {taken.module} and {fn.__module__}")
        _REGISTRY[name] = Format(name, fn, order, fn.__module__, suffixes)
        return fn

    return decorate


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    import obdoctor.report as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    _discovered = True


def all_formats() -> list[Format]:
    _discover()
    return sorted(_REGISTRY.values(), key=lambda f: (f.order, f.name))


def for_file(path: str) -> str | None:
    """The format a file's name asks for (``report.html`` -> ``html``), None when it asks none."""
    lowered = path.lower()
    return next((f.name for f in all_formats() if any(lowered.endswith(x) for x in f.suffixes)), None)


def names() -> tuple[str, ...]:
    """The ``--format`` choices, the default first."""
    return tuple(f.name for f in all_formats())


def get(name: str) -> Format:
    _discover()
    return _REGISTRY[name]
