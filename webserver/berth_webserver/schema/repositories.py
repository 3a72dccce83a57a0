"""Repositories: ``Repository`` and the results of looking repositories and jobs up."""

from __future__ import annotations

from typing import Any

import graphene

from ..workspace.entry import LocationEntry, RepositorySnap
from .errors import GrapheneInvalidSubsetError, PipelineNotFoundError, PythonError, RepositoryNotFoundError
from .jobs import Job, Pipeline
from .runs import RepositoryMetadata, RepositoryOrigin

__all__ = ["PipelineOrError", "RepositoriesOrError", "Repository", "RepositoryConnection", "RepositoryOrError"]


class Repository(graphene.ObjectType):
    """A repository of a code location, with its jobs."""

    id = graphene.NonNull(graphene.ID)
    name = graphene.NonNull(graphene.String)
    location = graphene.NonNull(lambda: _location_type())
    pipelines = graphene.NonNull(graphene.List(graphene.NonNull(Pipeline)))
    jobs = graphene.NonNull(graphene.List(graphene.NonNull(Job)))
    origin = graphene.NonNull(RepositoryOrigin)
    displayMetadata = graphene.NonNull(graphene.List(graphene.NonNull(RepositoryMetadata)))

    def __init__(self, entry: LocationEntry, repo: RepositorySnap) -> None:
        super().__init__(id=f"{entry.name}:{repo.name}", name=repo.name)
        self._entry = entry
        self._repo = repo

    def resolve_location(self, _info: Any) -> Any:
        from .locations import RepositoryLocation  # locations lists repositories

        return RepositoryLocation(self._entry)

    def resolve_pipelines(self, _info: Any) -> list[Pipeline]:
        return [Pipeline.of(self._entry.name, self._repo.name, snap) for snap in self._repo.jobs.values()]

    def resolve_jobs(self, _info: Any) -> list[Job]:
        return [Job.of(self._entry.name, self._repo.name, snap) for snap in self._repo.jobs.values()]

    def resolve_origin(self, _info: Any) -> RepositoryOrigin:
        return RepositoryOrigin(self._entry.name, self._repo.name, dict(self._entry.origin))

    def resolve_displayMetadata(self, _info: Any) -> list[RepositoryMetadata]:
        return [RepositoryMetadata(key=k, value=str(v)) for k, v in self._entry.origin.items()]


def _location_type() -> type:
    from .locations import RepositoryLocation

    return RepositoryLocation


class RepositoryConnection(graphene.ObjectType):
    """A list of repositories."""

    nodes = graphene.NonNull(graphene.List(graphene.NonNull(Repository)))


class RepositoriesOrError(graphene.Union):
    """Repositories, or why they could not be listed."""

    class Meta:
        types = (RepositoryConnection, RepositoryNotFoundError, PythonError)


class RepositoryOrError(graphene.Union):
    """A repository, or why it could not be found."""

    class Meta:
        types = (PythonError, Repository, RepositoryNotFoundError)


class PipelineOrError(graphene.Union):
    """A job, or why it could not be found."""

    class Meta:
        types = (Pipeline, PipelineNotFoundError, GrapheneInvalidSubsetError, PythonError)
