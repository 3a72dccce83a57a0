"""Import a code location (a Python file or module) and find its repositories.

At module top level: every ``Definitions`` object (repository ``__repository__``, at most one) and
every ``@repository`` function give repositories; a module with neither puts its top-level jobs
(or, failing those, graphs) in ``__repository__``, as Dagster does. Import errors propagate as
the original exception.

Every load imports the user code afresh, so that a reload picks up edits: the location's own
modules (the module itself, the rest of its package, and the modules it first imported from its
own directory) are dropped from the import cache first. Installed packages, the standard library
and berth itself are never imported again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import importlib.util
import os
import sys
import sysconfig
import threading
from types import ModuleType
from typing import Iterator, Optional

from berth.definitions.errors import DefinitionError, NoDefinitionsError
from berth.definitions.graph import GraphDefinition
from berth.definitions.job import JobDefinition
from berth.definitions.repository import SINGLETON_REPOSITORY_NAME, Definitions, RepositoryDefinition

__all__ = ["LoadedCodeLocation", "load_code_location", "repositories_in_module"]

# Modules that each code location (keyed by its target) imported first, from its own directory:
# dropped from the import cache before it loads again.
_OWN_MODULES: dict[tuple[str, str], set[str]] = {}
_OWN_MODULES_LOCK = threading.Lock()
_BERTH_PACKAGE = __name__.split(".")[0]


@dataclasses.dataclass(frozen=True)
class LoadedCodeLocation:
    """The repositories of an imported code location (ordered by name) and its module."""

    repositories: dict[str, RepositoryDefinition]
    module: ModuleType


def load_code_location(python_file: Optional[str] = None, module_name: Optional[str] = None,
                       working_directory: Optional[str] = None) -> LoadedCodeLocation:
    """Import the user code (exactly one of ``python_file`` and ``module_name``) and collect its repositories.

    ``working_directory`` (default: the file's directory, or the current directory for a module)
    goes first on ``sys.path`` so that the code's own imports resolve. The code is imported afresh
    on every call (see the module docstring), so calling again picks up edits to it.
    """
    if (python_file is None) == (module_name is None):
        raise ValueError("give exactly one of python_file and module_name")
    if python_file is not None:
        path = os.path.abspath(python_file)
        root = os.path.abspath(working_directory) if working_directory else os.path.dirname(path)
        with _fresh_imports(("file", path), _module_name_of_file(path), root):
            module = _import_file(path, root)
    else:
        root = os.path.abspath(working_directory or os.getcwd())
        _put_on_path(root)
        with _fresh_imports(("module", f"{module_name}@{root}"), str(module_name), root):
            module = importlib.import_module(str(module_name))
    return LoadedCodeLocation(repositories_in_module(module), module)


def repositories_in_module(module: ModuleType) -> dict[str, RepositoryDefinition]:
    """The repositories a module defines at top level (see the module docstring)."""
    found: dict[str, RepositoryDefinition] = {}
    definitions = [value for value in vars(module).values() if isinstance(value, Definitions)]
    if len({id(value) for value in definitions}) > 1:
        raise DefinitionError(f"Module {module.__name__} holds more than one Definitions object; "
                              "a code location may have only one.")
    if definitions:
        found[SINGLETON_REPOSITORY_NAME] = definitions[0].repository
    for value in vars(module).values():
        if isinstance(value, RepositoryDefinition):
            existing = found.get(value.name)
            if existing is not None and existing is not value:
                raise DefinitionError(f'Module {module.__name__} defines two repositories named "{value.name}".')
            found[value.name] = value
    if not found:
        jobs = [value for value in vars(module).values() if isinstance(value, JobDefinition)]
        if not jobs:
            jobs = [value.to_job() for value in vars(module).values() if isinstance(value, GraphDefinition)]
        if not jobs:
            raise NoDefinitionsError(f"No Definitions, @repository or job found in module {module.__name__} "
                                     f"({getattr(module, '__file__', '?')}).")
        found[SINGLETON_REPOSITORY_NAME] = RepositoryDefinition(SINGLETON_REPOSITORY_NAME, jobs)
    return {name: found[name] for name in sorted(found)}


@contextlib.contextmanager
def _fresh_imports(target: tuple[str, str], module_name: str, root: str) -> Iterator[None]:
    """Drop the location's own modules from the import cache, then note which ones this load imports."""
    package = module_name.split(".")[0]
    with _OWN_MODULES_LOCK:
        stale = _OWN_MODULES.pop(target, set())
        for name, module in list(sys.modules.items()):
            in_package = name == package or name.startswith(package + ".")
            if name in stale or name == module_name or (in_package and _is_own_code(module, root)):
                sys.modules.pop(name, None)
        # The finders cache directory listings: a module file added since the last load must be found.
        importlib.invalidate_caches()
        before = set(sys.modules)
        try:
            yield
        finally:
            new = set(sys.modules) - before
            # A module of a package imported before (berth, a library) is not the location's own code.
            _OWN_MODULES[target] = {
                name for name in new
                if (name.split(".")[0] in new or name.split(".")[0] == package)
                and _is_own_code(sys.modules.get(name), root)
            }


def _is_own_code(module: Optional[ModuleType], root: str) -> bool:
    """Whether a module's source lies under the location's directory, outside any installation."""
    if module is None or module.__name__.split(".")[0] == _BERTH_PACKAGE:
        return False
    file = getattr(module, "__file__", None)
    if not file:
        return False
    file = os.path.abspath(file)
    if not _is_under(file, root):
        return False
    return not any(_is_under(file, prefix) for prefix in _installation_dirs())


@functools.lru_cache(maxsize=1)
def _installation_dirs() -> frozenset[str]:
    # A virtualenv inside the working directory holds libraries, not the location's code.
    dirs = {sys.prefix, sys.exec_prefix, sys.base_prefix}
    dirs.update(path for key in ("stdlib", "platstdlib", "purelib", "platlib")
                if (path := sysconfig.get_paths().get(key)))
    return frozenset(os.path.abspath(d) for d in dirs)


def _is_under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _module_name_of_file(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _import_file(path: str, root: str) -> ModuleType:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"code location file not found: {path}")
    _put_on_path(root)
    name = _module_name_of_file(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered under its name so that pickling, dataclasses and typing can find it by module name.
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        if previous is not None:
            sys.modules[name] = previous
        else:
            sys.modules.pop(name, None)
        raise
    return module


def _put_on_path(directory: str) -> None:
    if directory not in sys.path:
        sys.path.insert(0, directory)
