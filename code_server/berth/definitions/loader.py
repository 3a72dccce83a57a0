"""Import a code location (a Python file or module) and find its repositories.

At module top level: every ``Definitions`` object (repository ``__repository__``, at most one) and
every ``@repository`` function give repositories; a module with neither puts its top-level jobs
(or, failing those, graphs) in ``__repository__``, as Dagster does. Import errors propagate as
the original exception.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import sys
from types import ModuleType
from typing import Optional

from berth.definitions.errors import DefinitionError, NoDefinitionsError
from berth.definitions.graph import GraphDefinition
from berth.definitions.job import JobDefinition
from berth.definitions.repository import SINGLETON_REPOSITORY_NAME, Definitions, RepositoryDefinition

__all__ = ["LoadedCodeLocation", "load_code_location", "repositories_in_module"]


@dataclasses.dataclass(frozen=True)
class LoadedCodeLocation:
    """The repositories of an imported code location (ordered by name) and its module."""

    repositories: dict[str, RepositoryDefinition]
    module: ModuleType


def load_code_location(python_file: Optional[str] = None, module_name: Optional[str] = None,
                       working_directory: Optional[str] = None) -> LoadedCodeLocation:
    """Import the user code (exactly one of ``python_file`` and ``module_name``) and collect its repositories.

    ``working_directory`` (default: the file's directory, or the current directory for a module)
    goes first on ``sys.path`` so that the code's own imports resolve. A file is imported afresh on
    every call, so calling again picks up edits to it.
    """
    if (python_file is None) == (module_name is None):
        raise ValueError("give exactly one of python_file and module_name")
    if python_file is not None:
        module = _import_file(os.path.abspath(python_file), working_directory)
    else:
        _put_on_path(os.path.abspath(working_directory or os.getcwd()))
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


def _import_file(path: str, working_directory: Optional[str]) -> ModuleType:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"code location file not found: {path}")
    _put_on_path(os.path.abspath(working_directory) if working_directory else os.path.dirname(path))
    name = os.path.splitext(os.path.basename(path))[0]
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
