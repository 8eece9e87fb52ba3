"""Which OceanBase generation evidence comes from, and what obdoctor reads there (data/versions.toml).

The rules are written for the 4.x backup design. A 3.x cluster or bundle is recognised by its
version (``ob_version()``/``version()``, the manifest) or by its 3.x-only backup views, and the
report says so, with what is and is not read, instead of a bare "no usable evidence".
"""

from __future__ import annotations

from obdoctor.catalog.data_files import data_toml


def _v3() -> dict:
    return data_toml("versions.toml")["v3"]


def is_3x_view(name: str) -> bool:
    return name.upper() in {v.upper() for v in _v3()["backup_views"]}


def is_3x(version: str | None) -> bool:
    text = (version or "").strip().lower().lstrip("v")
    return text.startswith("3.") or text == "3"


def scope_note(version: str | None, views_3x: list[str], logs_3x: bool = False) -> str | None:
    """The report's sentence for a 3.x cluster or bundle; None for anything else."""
    if not is_3x(version) and not views_3x and not logs_3x:
        return None
    v3 = _v3()
    which = f"OceanBase {version}" if is_3x(version) else v3["label"]
    why = (f" (its views: {', '.join(views_3x[:6])}{' ...' if len(views_3x) > 6 else ''})" if views_3x
           else " (its log lines are in the 3.x format)" if logs_3x and not is_3x(version) else "")
    return (f"this is {which}{why}: obdoctor diagnoses 4.x backups; here it reads {v3['reads']}; it does not read "
            f"{v3['does_not_read']}")


def scope_headline(version: str | None, views_3x: list[str], logs_3x: bool = False) -> str | None:
    """The report's headline when nothing was found on a 3.x cluster or bundle: which version,
    and that "nothing found" covers only what obdoctor reads there."""
    if not is_3x(version) and not views_3x and not logs_3x:
        return None
    which = f"OceanBase {version}" if is_3x(version) else _v3()["label"]
    return (f"{which}: outside the 4.x backups obdoctor diagnoses; from the events and logs it reads there, no "
            "backup problem was named (its 3.x backup views were not judged: see the notes).")
