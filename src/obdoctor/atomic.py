"""Outputs written whole or not at all (``-o`` of reports, ``collect``'s bundle).

A report or bundle is written to a temporary name beside its target and renamed over it only
once complete: an interrupted or failed run leaves the previous file intact and no partial
file behind, and a reader never sees half a file. A target that is one of the run's inputs
(``analyze b.tar.gz -o b.tar.gz``, or a file inside the bundle directory being read) is
refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


class OutputRefused(ValueError):
    """The target would overwrite an input of the same run."""


def check_not_input(target: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Refuse a target that is an input, or lies inside an input directory."""
    out = Path(target).resolve()
    for given in inputs:
        if not given:
            continue
        source = Path(given).resolve()
        if out == source or (source.is_dir() and out.is_relative_to(source)):
            raise OutputRefused(f"{target} is an input of this run ({given}): not overwritten")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` when the block ends
    without error, delete it otherwise. The file keeps the target's permissions, or gets the
    umask's for a new file (mkstemp would make it 0600)."""
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        mode = target.stat().st_mode & 0o7777 if target.is_file() else 0o666 & ~_umask()
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


@contextlib.contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary directory beside ``target`` (which must not exist); rename it to
    ``target`` on success, remove it on error."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} exists: not overwritten")
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or "."))
    try:
        yield temp
        os.chmod(temp, 0o777 & ~_umask())
        os.rename(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def write_text(target: str | Path, text: str, *, inputs: Iterable[str | Path | None] = ()) -> None:
    """``target`` holds ``text`` (UTF-8) afterwards, or is as it was before."""
    check_not_input(target, inputs)
    with atomic_file(target) as temp:
        temp.write_text(text, encoding="utf-8")
