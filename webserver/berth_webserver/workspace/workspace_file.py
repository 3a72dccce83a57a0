"""Reading Dagster's ``workspace.yaml`` into location origins.

Supported entries (paths relative to the folder of the yaml file)::

    load_from:
      - grpc_server: {host: localhost, port: 4266, location_name: hello}
      - python_file: {relative_path: hello/definitions.py, location_name: hello, working_directory: .}
      - python_module: {module_name: pkg.defs, location_name: pkg, working_directory: .}
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Optional, Sequence

from .errors import WorkspaceFileError

__all__ = ["LocationOrigin", "load_workspace_file", "origin_for_python_file", "origin_for_module"]

GRPC_SERVER = "grpc_server"
PYTHON_FILE = "python_file"
PYTHON_MODULE = "python_module"


@dataclasses.dataclass(frozen=True)
class LocationOrigin:
    """Where a location's code server is: an external gRPC server, or one the webserver starts."""

    kind: str  # grpc_server | python_file | python_module
    location_name: str
    host: str = "127.0.0.1"
    port: int = 0
    python_file: Optional[str] = None  # absolute
    module_name: Optional[str] = None
    working_directory: Optional[str] = None  # absolute

    @property
    def is_managed(self) -> bool:
        """True when the webserver starts and supervises this location's code server."""
        return self.kind != GRPC_SERVER

    def as_dict(self) -> dict[str, str]:
        """The origin as strings, for LocationEntry.origin and the schema."""
        if self.kind == GRPC_SERVER:
            return {"kind": self.kind, "host": self.host, "port": str(self.port)}
        out = {"kind": self.kind}
        if self.python_file:
            out["python_file"] = self.python_file
        if self.module_name:
            out["module_name"] = self.module_name
        if self.working_directory:
            out["working_directory"] = self.working_directory
        return out


def origin_for_python_file(path: str, location_name: Optional[str] = None,
                           working_directory: Optional[str] = None) -> LocationOrigin:
    """A managed origin for a definitions file (as ``berth dev -f FILE``)."""
    absolute = os.path.abspath(path)
    name = location_name or Path(absolute).stem
    return LocationOrigin(PYTHON_FILE, name, python_file=absolute,
                          working_directory=os.path.abspath(working_directory) if working_directory else None)


def origin_for_module(module_name: str, location_name: Optional[str] = None,
                      working_directory: Optional[str] = None) -> LocationOrigin:
    """A managed origin for an importable module (as ``berth dev -m MODULE``)."""
    return LocationOrigin(PYTHON_MODULE, location_name or module_name, module_name=module_name,
                          working_directory=os.path.abspath(working_directory) if working_directory else None)


def load_workspace_file(path: str) -> list[LocationOrigin]:
    """Read a workspace.yaml; raises WorkspaceFileError with a clear message when it is malformed."""
    import yaml  # lazily: only the CLI reads workspace files

    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except OSError as exc:
        raise WorkspaceFileError(f"Cannot read workspace file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise WorkspaceFileError(f"Workspace file {path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("load_from"), list):
        raise WorkspaceFileError(f"Workspace file {path} must hold a 'load_from' list.")
    base = os.path.dirname(os.path.abspath(path))
    origins = [_parse_entry(item, base, path) for item in document["load_from"]]
    _check_unique_names(origins, path)
    return origins


def _parse_entry(item: Any, base: str, path: str) -> LocationOrigin:
    if not isinstance(item, dict) or len(item) != 1:
        raise WorkspaceFileError(f"{path}: each load_from item must be a mapping with one key, got {item!r}")
    kind, spec = next(iter(item.items()))
    # Dagster accepts the short forms `python_file: path.py` and `python_module: pkg.mod`.
    if isinstance(spec, str) and kind == PYTHON_FILE:
        spec = {"relative_path": spec}
    elif isinstance(spec, str) and kind == PYTHON_MODULE:
        spec = {"module_name": spec}
    if not isinstance(spec, dict):
        raise WorkspaceFileError(f"{path}: '{kind}' must be a mapping, got {spec!r}")
    working_directory = spec.get("working_directory")
    if working_directory:
        working_directory = os.path.join(base, str(working_directory))
    if kind == GRPC_SERVER:
        if "port" not in spec:
            raise WorkspaceFileError(f"{path}: grpc_server needs a port")
        host = str(spec.get("host", "localhost"))
        port = int(spec["port"])
        name = str(spec.get("location_name") or f"{host}:{port}")
        return LocationOrigin(GRPC_SERVER, name, host=host, port=port)
    if kind == PYTHON_FILE:
        if "relative_path" not in spec:
            raise WorkspaceFileError(f"{path}: python_file needs a relative_path")
        file_path = os.path.join(base, str(spec["relative_path"]))
        return origin_for_python_file(file_path, spec.get("location_name"), working_directory)
    if kind == PYTHON_MODULE:
        if "module_name" not in spec:
            raise WorkspaceFileError(f"{path}: python_module needs a module_name")
        return origin_for_module(str(spec["module_name"]), spec.get("location_name"),
                                 working_directory or base)
    raise WorkspaceFileError(f"{path}: unknown load_from entry '{kind}' "
                             f"(expected grpc_server, python_file or python_module)")


def _check_unique_names(origins: Sequence[LocationOrigin], path: str) -> None:
    seen: set[str] = set()
    for origin in origins:
        if origin.location_name in seen:
            raise WorkspaceFileError(f"{path}: location name '{origin.location_name}' is used twice")
        seen.add(origin.location_name)
