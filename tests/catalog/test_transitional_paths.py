"""The catalogue moved (obdoctor.catalog, redaction to obdoctor.security); the old paths stay
importable, as the same module objects, while branches written against them merge."""

from __future__ import annotations

import importlib


def test_the_old_paths_are_the_moved_modules():
    for old, new in (("views", "obdoctor.catalog.views"), ("versions", "obdoctor.catalog.versions"),
                     ("errors", "obdoctor.catalog.errors"), ("redaction", "obdoctor.security.redaction")):
        moved = importlib.import_module(new)
        assert importlib.import_module(f"obdoctor.knowledge.{old}") is moved
        assert moved.__spec__.name == new
    from obdoctor.knowledge.views import column_names, columns, known_views, version_tuple, view  # noqa: F401

