"""Errors raised by the workspace.

    WorkspaceError
    ├── LocationNotFound           no location of that name in the workspace
    ├── LocationUnreachableError   the location's code server did not answer
    └── WorkspaceFileError         workspace.yaml is missing or malformed
"""

from __future__ import annotations

__all__ = ["WorkspaceError", "LocationNotFound", "LocationUnreachableError", "WorkspaceFileError"]


class WorkspaceError(Exception):
    """Base class of every workspace error."""


class LocationNotFound(WorkspaceError):
    """The workspace has no location of that name."""

    def __init__(self, location_name: str) -> None:
        super().__init__(f"Location '{location_name}' does not exist in the workspace.")
        self.location_name = location_name


class LocationUnreachableError(WorkspaceError):
    """The location's code server could not be reached (down, restarting or not yet started)."""

    def __init__(self, location_name: str, detail: str = "") -> None:
        message = f"Location '{location_name}' is unreachable"
        super().__init__(f"{message}: {detail}" if detail else f"{message}.")
        self.location_name = location_name


class WorkspaceFileError(WorkspaceError):
    """The workspace file could not be read or does not follow Dagster's workspace.yaml format."""
