"""Repositories: named sets of jobs, from ``Definitions(jobs=[...])`` or ``@repository`` functions."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional, Union

from berth.definitions.errors import DefinitionError
from berth.definitions.graph import GraphDefinition
from berth.definitions.job import JobDefinition

__all__ = ["RepositoryDefinition", "Definitions", "repository", "SINGLETON_REPOSITORY_NAME"]

# The name Dagster gives the repository of a Definitions object (and of bare top-level jobs).
SINGLETON_REPOSITORY_NAME = "__repository__"

JobLike = Union[JobDefinition, GraphDefinition]


class RepositoryDefinition:
    """A repository: a name, a description and its jobs (ordered by name)."""

    def __init__(self, name: str, jobs: Iterable[JobLike] = (), description: Optional[str] = None,
                 resources: Optional[Mapping[str, Any]] = None) -> None:
        self.name = name
        self.description = description
        collected: dict[str, JobDefinition] = {}
        for item in jobs:
            job = _as_job(item, name).with_top_level_resources(resources or {})
            job.check_resources()
            if job.name in collected and collected[job.name] is not job:
                raise DefinitionError(f'Repository "{name}" has two different jobs named "{job.name}".')
            collected[job.name] = job
        self.jobs: dict[str, JobDefinition] = {key: collected[key] for key in sorted(collected)}

    def get_job(self, name: str) -> JobDefinition:
        """The job called ``name``; KeyError names the repository when there is none."""
        try:
            return self.jobs[name]
        except KeyError:
            raise KeyError(f'repository "{self.name}" has no job named "{name}"') from None

    def has_job(self, name: str) -> bool:
        """True when the repository holds a job called ``name``."""
        return name in self.jobs

    def __repr__(self) -> str:
        return f"RepositoryDefinition({self.name!r}, jobs={list(self.jobs)})"


class Definitions:
    """The definitions of a code location; it becomes the repository named ``__repository__``."""

    def __init__(self, jobs: Optional[Iterable[JobLike]] = None, resources: Optional[Mapping[str, Any]] = None,
                 **unsupported: Any) -> None:
        for key, value in unsupported.items():
            if key not in ("assets", "schedules", "sensors", "executor", "loggers", "asset_checks", "metadata"):
                raise TypeError(f"Definitions got an unexpected argument {key!r}")
            if value and key != "metadata":
                raise DefinitionError(f"berth does not support Definitions({key}=...); see docs/api.md for the "
                                      "supported definitions API.")
        from berth.definitions.resource import resource_definitions

        self.resources = resource_definitions(resources)
        self.repository = RepositoryDefinition(SINGLETON_REPOSITORY_NAME, list(jobs or []),
                                               resources=self.resources)

    @property
    def jobs(self) -> dict[str, JobDefinition]:
        """The jobs, by name."""
        return self.repository.jobs

    def get_job_def(self, name: str) -> JobDefinition:
        """The job called ``name`` (Dagster's accessor)."""
        return self.repository.get_job(name)


def repository(fn: Optional[Callable[[], Any]] = None, *, name: Optional[str] = None,
               description: Optional[str] = None) -> Any:
    """Define a named repository from a function returning a list of jobs/graphs or {"jobs": {...}}."""

    def decorate(function: Callable[[], Any]) -> RepositoryDefinition:
        import inspect

        repo_name = name or function.__name__
        returned = function()
        if isinstance(returned, Mapping):
            unknown = set(returned) - {"jobs", "pipelines"}
            if unknown:
                raise DefinitionError(f'Repository "{repo_name}" returned unsupported keys {sorted(unknown)}.')
            jobs: list[Any] = []
            for group in returned.values():
                jobs.extend(group.values() if isinstance(group, Mapping) else group)
        elif isinstance(returned, (list, tuple)):
            jobs = list(returned)
        else:
            raise DefinitionError(f'Repository "{repo_name}" must return a list of jobs or a dict, '
                                  f"not {type(returned).__name__}.")
        return RepositoryDefinition(repo_name, jobs,
                                    description if description is not None else inspect.getdoc(function))

    return decorate(fn) if fn is not None else decorate


def _as_job(item: Any, repository_name: str) -> JobDefinition:
    if isinstance(item, JobDefinition):
        return item
    if isinstance(item, GraphDefinition):
        return item.to_job()
    raise DefinitionError(f'Repository "{repository_name}" got {item!r}, which is not a job or graph.')
