"""Package attributes imported on first use (PEP 562), so that importing a package stays cheap.

``berth`` (the definitions API), ``berth.storage`` (SQLAlchemy) and the webserver's workspace
package export names whose modules are costly to import; a process that needs none of them (the
CLI, a code server serving snapshots) must not pay for them.
"""

from __future__ import annotations

import importlib
import sys
from typing import Callable, Collection, Mapping

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, module_of_name: Mapping[str, str],
                    exported: Collection[str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for names imported from their modules on first use.

    ``module_of_name`` maps each lazy name to its module (absolute, or relative to ``package``).
    A name, once imported, is kept as a package attribute, so later lookups skip ``__getattr__``.
    """

    def __getattr__(name: str) -> object:
        module_name = module_of_name.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exported))

    return __getattr__, __dir__
