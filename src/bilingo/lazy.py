"""Names a module keeps for its importers but defines elsewhere, imported on first use.

A module's ``__getattr__`` (PEP 562) is called only for a name it lacks: ``check`` on sealed
pairs imports the modules it runs, not the classes and Markdown parser it never builds.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def where(**modules: Iterable[str]) -> dict[str, str]:
    """``{name: module}`` from ``module=names``."""
    return {name: module for module, names in modules.items() for name in names}


def attributes(module_name: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A ``__getattr__`` for ``module_name`` that imports ``homes[name]`` (a module of
    ``module_name``'s package, or of the package itself when it is one) the first time
    ``name`` is asked for, and keeps the value in the module so later look-ups are plain."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        module = sys.modules[module_name]
        package = module_name if hasattr(module, "__path__") else module_name.rpartition(".")[0]
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(module, name, value)  # asked once
        return value

    return __getattr__


class _Module:
    """Stands for a module in an importer's globals until first used, then puts the module
    itself there: later look-ups are plain, and a patched attribute is seen as it is."""

    def __init__(self, name: str, importer: str, alias: str) -> None:
        self._name, self._importer, self._alias = name, importer, alias

    def __getattr__(self, attr: str) -> Any:
        real = importlib.import_module(self._name)
        importer = sys.modules.get(self._importer)
        if importer is not None and vars(importer).get(self._alias) is self:
            setattr(importer, self._alias, real)
        return getattr(real, attr)


def module(name: str, importer: str, alias: str) -> Any:
    """Module ``name``, imported when ``importer`` first uses it through its global
    ``alias`` (declare the real import under ``TYPE_CHECKING`` for the type checker)."""
    return _Module(name, importer, alias)
