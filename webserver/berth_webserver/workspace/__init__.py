"""The workspace: code locations, their gRPC clients, watchers and supervised servers."""

from __future__ import annotations

from .entry import LOADED, LOADING, LocationEntry, RepositorySnap
from .errors import LocationNotFoundError, LocationUnreachableError, WorkspaceError, WorkspaceFileError
from .location_events import (LOCATION_DISCONNECTED, LOCATION_ERROR, LOCATION_RECONNECTED, LOCATION_UPDATED,
                              LocationStateEvent)
from .workspace import Workspace
from .workspace_file import LocationOrigin, load_workspace_file, origin_for_module, origin_for_python_file

__all__ = sorted([
    "LOADED", "LOADING", "LOCATION_DISCONNECTED", "LOCATION_ERROR", "LOCATION_RECONNECTED", "LOCATION_UPDATED",
    "LocationEntry", "LocationNotFoundError", "LocationOrigin", "LocationStateEvent", "LocationUnreachableError",
    "RepositorySnap", "Workspace", "WorkspaceError", "WorkspaceFileError", "load_workspace_file",
    "origin_for_module", "origin_for_python_file",
])
