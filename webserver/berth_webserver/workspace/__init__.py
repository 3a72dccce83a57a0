"""The workspace: code locations, their gRPC clients, watchers and supervised servers.

Names are imported on first use: the webserver reads its workspace file and spawns its code
servers before it pays for gRPC, protobuf and the rest of the workspace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from berth.lazy_imports import lazy_attributes

if TYPE_CHECKING:
    from .entry import LOADED, LOADING, LocationEntry, RepositorySnap
    from .errors import LocationNotFound, LocationUnreachableError, WorkspaceError, WorkspaceFileError
    from .location_events import (
        LOCATION_DISCONNECTED,
        LOCATION_ERROR,
        LOCATION_RECONNECTED,
        LOCATION_UPDATED,
        LocationStateEvent,
    )
    from .workspace import Workspace
    from .workspace_file import LocationOrigin, load_workspace_file, origin_for_module, origin_for_python_file

# Exported name -> the module of this package that defines it.
_MODULE_OF = {
    "LOADED": "entry", "LOADING": "entry", "LocationEntry": "entry", "RepositorySnap": "entry",
    "LocationNotFound": "errors", "LocationUnreachableError": "errors", "WorkspaceError": "errors",
    "WorkspaceFileError": "errors",
    "LOCATION_DISCONNECTED": "location_events", "LOCATION_ERROR": "location_events",
    "LOCATION_RECONNECTED": "location_events", "LOCATION_UPDATED": "location_events",
    "LocationStateEvent": "location_events",
    "Workspace": "workspace",
    "LocationOrigin": "workspace_file", "load_workspace_file": "workspace_file",
    "origin_for_module": "workspace_file", "origin_for_python_file": "workspace_file",
}

__all__ = [
    "LOADED", "LOADING", "LOCATION_DISCONNECTED", "LOCATION_ERROR", "LOCATION_RECONNECTED", "LOCATION_UPDATED",
    "LocationEntry", "LocationNotFound", "LocationOrigin", "LocationStateEvent", "LocationUnreachableError",
    "RepositorySnap", "Workspace", "WorkspaceError", "WorkspaceFileError", "load_workspace_file",
    "origin_for_module", "origin_for_python_file",
]


__getattr__, __dir__ = lazy_attributes(__name__, {name: f".{module}" for name, module in _MODULE_OF.items()},
                                      __all__)
