"""Code locations: workspace entries, their status, and location state-change events."""

from __future__ import annotations

from typing import Any, Optional

import graphene

from berth.version import __version__

from ..workspace.entry import LocationEntry
from .enums import LocationStateChangeEventType, RepositoryLocationLoadStatus
from .errors import PythonError
from .runs import RepositoryMetadata

__all__ = [
    "DagsterLibraryVersion",
    "FeatureFlag",
    "LocationStateChangeEvent",
    "LocationStateChangeSubscription",
    "RepositoryLocation",
    "RepositoryLocationOrLoadError",
    "GrapheneWorkspace",
    "WorkspaceLocationEntry",
    "WorkspaceLocationEntryOrError",
    "WorkspaceLocationStatusEntries",
    "WorkspaceLocationStatusEntriesOrError",
    "WorkspaceLocationStatusEntry",
    "WorkspaceOrError",
]


class DagsterLibraryVersion(graphene.ObjectType):
    """A library the code server runs, with its version."""

    name = graphene.NonNull(graphene.String)
    version = graphene.NonNull(graphene.String)


class FeatureFlag(graphene.ObjectType):
    """A feature switched on or off for a location."""

    name = graphene.NonNull(graphene.String)
    enabled = graphene.NonNull(graphene.Boolean)


class RepositoryLocation(graphene.ObjectType):
    """A loaded code location with its repositories."""

    id = graphene.NonNull(graphene.ID)
    name = graphene.NonNull(graphene.String)
    isReloadSupported = graphene.NonNull(graphene.Boolean)
    environmentPath = graphene.String()
    repositories = graphene.NonNull(graphene.List(graphene.NonNull(lambda: _repository_type())))
    serverId = graphene.String()
    dagsterLibraryVersions = graphene.List(graphene.NonNull(DagsterLibraryVersion))

    def __init__(self, entry: LocationEntry) -> None:
        info = entry.server_info
        super().__init__(id=entry.name, name=entry.name, isReloadSupported=True, environmentPath=None,
                         serverId=entry.server_id)
        self._entry = entry
        self._version = getattr(info, "berth_version", "") or __version__

    def resolve_repositories(self, _info: Any) -> list[Any]:
        from .repositories import Repository

        return [Repository(self._entry, repo) for repo in self._entry.repositories.values()]

    def resolve_dagsterLibraryVersions(self, _info: Any) -> list[DagsterLibraryVersion]:
        return [DagsterLibraryVersion(name="berth", version=self._version)]


def _repository_type() -> type:
    from .repositories import Repository

    return Repository


class RepositoryLocationOrLoadError(graphene.Union):
    """A loaded location, or the error that kept it from loading."""

    class Meta:
        types = (RepositoryLocation, PythonError)


def _version_key(entry: LocationEntry) -> str:
    # Changes whenever the location is (re)loaded, as Dagster's versionKey does.
    return f"{entry.server_id or ''}:{entry.updated_at}"


class WorkspaceLocationEntry(graphene.ObjectType):
    """One location of the workspace: its status, and the location or its load error."""

    id = graphene.NonNull(graphene.ID)
    name = graphene.NonNull(graphene.String)
    locationOrLoadError = graphene.Field(RepositoryLocationOrLoadError)
    loadStatus = graphene.NonNull(RepositoryLocationLoadStatus)
    displayMetadata = graphene.NonNull(graphene.List(graphene.NonNull(RepositoryMetadata)))
    updatedTimestamp = graphene.NonNull(graphene.Float)
    versionKey = graphene.NonNull(graphene.String)
    featureFlags = graphene.NonNull(graphene.List(graphene.NonNull(FeatureFlag)))

    def __init__(self, entry: LocationEntry) -> None:
        super().__init__(id=entry.name, name=entry.name, loadStatus=entry.load_status,
                         displayMetadata=[RepositoryMetadata(key=k, value=str(v)) for k, v in entry.origin.items()],
                         updatedTimestamp=entry.updated_at, versionKey=_version_key(entry), featureFlags=[])
        self._entry = entry

    def resolve_locationOrLoadError(self, _info: Any) -> Optional[Any]:
        if self._entry.load_error is not None:
            return PythonError(self._entry.load_error)
        if self._entry.load_status != "LOADED":
            return None
        return RepositoryLocation(self._entry)


class WorkspaceLocationEntryOrError(graphene.Union):
    """A workspace entry, or an error."""

    class Meta:
        types = (WorkspaceLocationEntry, PythonError)


class GrapheneWorkspace(graphene.ObjectType):
    """Every code location of the workspace."""

    class Meta:
        name = "Workspace"

    id = graphene.NonNull(graphene.String)
    locationEntries = graphene.NonNull(graphene.List(graphene.NonNull(WorkspaceLocationEntry)))

    @classmethod
    def of(cls, entries: list[LocationEntry]) -> "GrapheneWorkspace":
        """Show these entries."""
        return cls(id="Workspace", locationEntries=[WorkspaceLocationEntry(e) for e in entries])


class WorkspaceOrError(graphene.Union):
    """The workspace, or an error."""

    class Meta:
        types = (GrapheneWorkspace, PythonError)


class WorkspaceLocationStatusEntry(graphene.ObjectType):
    """The load status of one location (cheap to poll)."""

    id = graphene.NonNull(graphene.ID)
    name = graphene.NonNull(graphene.String)
    loadStatus = graphene.NonNull(RepositoryLocationLoadStatus)
    updateTimestamp = graphene.NonNull(graphene.Float)
    versionKey = graphene.NonNull(graphene.String)

    @classmethod
    def of(cls, entry: LocationEntry) -> "WorkspaceLocationStatusEntry":
        """Show one entry's status."""
        return cls(id=entry.name, name=entry.name, loadStatus=entry.load_status,
                   updateTimestamp=entry.updated_at, versionKey=_version_key(entry))


class WorkspaceLocationStatusEntries(graphene.ObjectType):
    """The load status of every location."""

    entries = graphene.NonNull(graphene.List(graphene.NonNull(WorkspaceLocationStatusEntry)))


class WorkspaceLocationStatusEntriesOrError(graphene.Union):
    """Location statuses, or an error."""

    class Meta:
        types = (WorkspaceLocationStatusEntries, PythonError)


class LocationStateChangeEvent(graphene.ObjectType):
    """A location went down, came back, was reloaded or failed."""

    eventType = graphene.NonNull(LocationStateChangeEventType)
    message = graphene.NonNull(graphene.String)
    locationName = graphene.NonNull(graphene.String)
    serverId = graphene.String()


class LocationStateChangeSubscription(graphene.ObjectType):
    """One message of the location state-change stream."""

    event = graphene.NonNull(LocationStateChangeEvent)
