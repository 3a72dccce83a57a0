"""Code locations and their repositories: look-ups, reload and shutdown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..workspace.entry import LocationEntry, RepositorySnap
from .errors import JobNotFound, RepositoryNotFound

if TYPE_CHECKING:
    from berth.snapshot import JobSnap

    from ..workspace.workspace import Workspace

__all__ = [
    "find_job",
    "find_repository",
    "list_repositories",
    "reload_location",
    "reload_workspace",
    "shutdown_location",
]


def _serves_repositories(entry: LocationEntry) -> bool:
    # A location that failed to load (or is unreachable) shows its error, not stale repositories.
    return entry.load_error is None and entry.load_status == "LOADED"


def list_repositories(workspace: "Workspace", location_name: Optional[str] = None,
                      repository_name: Optional[str] = None) -> list[tuple[LocationEntry, RepositorySnap]]:
    """Every loaded repository (of one location / with one name when given), in workspace order."""
    found: list[tuple[LocationEntry, RepositorySnap]] = []
    for entry in workspace.entries():
        if not _serves_repositories(entry) or location_name not in (None, entry.name):
            continue
        found.extend((entry, repo) for repo in entry.repositories.values()
                     if repository_name in (None, repo.name))
    return found


def find_repository(workspace: "Workspace", location_name: str,
                    repository_name: str) -> tuple[LocationEntry, RepositorySnap]:
    """The entry and repository a selector names; raises ``RepositoryNotFound``."""
    entry = workspace.entry(location_name)
    repo = entry.repositories.get(repository_name) if entry is not None and _serves_repositories(entry) else None
    if entry is None or repo is None:
        raise RepositoryNotFound(location_name, repository_name)
    return entry, repo


def find_job(workspace: "Workspace", location_name: str, repository_name: str, job_name: str) -> "JobSnap":
    """The ``JobSnap`` a selector names; raises ``JobNotFound`` (also for an unknown repository,
    since Dagster's job results have no repository error)."""
    try:
        _entry, repo = find_repository(workspace, location_name, repository_name)
    except RepositoryNotFound as exc:
        raise JobNotFound(location_name, repository_name, job_name, f"{exc}, so no job {job_name}") from None
    job_snap = repo.jobs.get(job_name)
    if job_snap is None:
        raise JobNotFound(location_name, repository_name, job_name)
    return job_snap


async def reload_location(workspace: "Workspace", name: str) -> LocationEntry:
    """Reload one location; returns its new entry (a load error is in ``load_error``).

    Raises ``LocationNotFound``.
    """
    return await workspace.reload_location(name)


async def reload_workspace(workspace: "Workspace") -> list[LocationEntry]:
    """Reload every location; returns the new entries."""
    return await workspace.reload_all()


async def shutdown_location(workspace: "Workspace", name: str) -> None:
    """Ask a location's server to drain and exit (its supervisor restarts it).

    Raises ``LocationNotFound``; an unreachable server propagates as ``LocationUnreachableError``
    (shown as ``PythonError``).
    """
    await workspace.shutdown_location(name)
