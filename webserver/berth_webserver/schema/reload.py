"""Reload and shutdown mutations for code locations, and their result types."""

from __future__ import annotations

from typing import Any

import graphene

from ..operations import reload_location, reload_workspace, shutdown_location
from ..workspace.errors import LocationNotFound
from .errors import PythonError, ReloadNotSupported, RepositoryLocationNotFound, UnauthorizedError, root_field
from .locations import GrapheneWorkspace, WorkspaceLocationEntry

__all__ = [
    "ReloadRepositoryLocationMutationResult",
    "ReloadWorkspaceMutationResult",
    "ShutdownRepositoryLocationMutationResult",
    "ShutdownRepositoryLocationSuccess",
    "LocationMutations",
]


class ReloadRepositoryLocationMutationResult(graphene.Union):
    """The reloaded location's entry (a load error is in its ``locationOrLoadError``), or an error."""

    class Meta:
        types = (WorkspaceLocationEntry, ReloadNotSupported, RepositoryLocationNotFound, UnauthorizedError,
                 PythonError)


class ReloadWorkspaceMutationResult(graphene.Union):
    """The reloaded workspace, or an error."""

    class Meta:
        types = (GrapheneWorkspace, UnauthorizedError, PythonError)


class ShutdownRepositoryLocationSuccess(graphene.ObjectType):
    """The location's server accepted to shut down."""

    repositoryLocationName = graphene.NonNull(graphene.String)


class ShutdownRepositoryLocationMutationResult(graphene.Union):
    """Whether the location's server is shutting down."""

    class Meta:
        types = (ShutdownRepositoryLocationSuccess, RepositoryLocationNotFound, UnauthorizedError, PythonError)


class LocationMutations(graphene.ObjectType):
    """The reload and shutdown root fields of ``Mutation``."""

    reloadRepositoryLocation = graphene.Field(graphene.NonNull(ReloadRepositoryLocationMutationResult),
                                              repositoryLocationName=graphene.NonNull(graphene.String))
    reloadWorkspace = graphene.NonNull(ReloadWorkspaceMutationResult)
    shutdownRepositoryLocation = graphene.Field(graphene.NonNull(ShutdownRepositoryLocationMutationResult),
                                                repositoryLocationName=graphene.NonNull(graphene.String))

    @staticmethod
    @root_field(mutation=True, raises=(LocationNotFound,))
    async def resolve_reloadRepositoryLocation(_root: Any, info: Any, repositoryLocationName: str) -> Any:
        return WorkspaceLocationEntry(await reload_location(info.context.workspace, repositoryLocationName))

    @staticmethod
    @root_field(mutation=True)
    async def resolve_reloadWorkspace(_root: Any, info: Any) -> Any:
        return GrapheneWorkspace.of(await reload_workspace(info.context.workspace))

    @staticmethod
    @root_field(mutation=True, raises=(LocationNotFound,))
    async def resolve_shutdownRepositoryLocation(_root: Any, info: Any, repositoryLocationName: str) -> Any:
        await shutdown_location(info.context.workspace, repositoryLocationName)
        return ShutdownRepositoryLocationSuccess(repositoryLocationName=repositoryLocationName)
