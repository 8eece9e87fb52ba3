"""Transitional: the catalogue moved to ``obdoctor.catalog`` and redaction to ``obdoctor.security``.

``obdoctor.knowledge.<module>`` (``views``, ``versions``, ``errors``, ``error_docs``,
``data_files``, ``redaction``...) stays importable, as the very same module objects, while
branches written against the old paths merge; new code imports the new paths. To be removed
once nothing imports ``obdoctor.knowledge``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_MOVED = {
    "causes": "obdoctor.catalog.causes", "data_files": "obdoctor.catalog.data_files",
    "error_docs": "obdoctor.catalog.error_docs", "errors": "obdoctor.catalog.errors",
    "signatures": "obdoctor.catalog.signatures", "storage_errors": "obdoctor.catalog.storage_errors",
    "versions": "obdoctor.catalog.versions", "views": "obdoctor.catalog.views",
    "redaction": "obdoctor.security.redaction",
}



class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``obdoctor.knowledge.<module>`` to the moved module, only when it is imported."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package != __name__ or name not in _MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        module = importlib.import_module(_MOVED[spec.name.rpartition(".")[2]])
        spec.loader_state = module.__spec__  # the import system writes the alias's spec over it
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state  # already executed: keep its own identity


def __getattr__(name: str):
    if name in _MOVED:  # ``from obdoctor.knowledge import errors``
        return importlib.import_module(_MOVED[name])
    raise AttributeError(name)


if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _MovedFinder())
