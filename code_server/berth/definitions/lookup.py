"""Finding a job in a code location's repositories by the names a run carries.

The code server (before it starts a worker) and the run worker (before it executes) look a job
up the same way: an empty repository name means the location's only repository.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from berth.definitions.job import JobDefinition
    from berth.definitions.repository import RepositoryDefinition

__all__ = ["JobLookupError", "find_job"]


class JobLookupError(LookupError):
    """No such repository in the location, or no such job in the repository."""


def find_job(repositories: Mapping[str, "RepositoryDefinition"], repository_name: str,
             job_name: str) -> tuple["RepositoryDefinition", "JobDefinition"]:
    """The repository and job the names select; raises ``JobLookupError``."""
    repository = repositories.get(repository_name)
    if repository is None and not repository_name and len(repositories) == 1:
        repository = next(iter(repositories.values()))
    if repository is None:
        raise JobLookupError(f"repository {repository_name!r} not found in this code location")
    job = repository.jobs.get(job_name)
    if job is None:
        raise JobLookupError(f"job {job_name!r} not found in repository {repository.name!r}")
    return repository, job
