"""What the GraphQL resolvers do, as plain functions over the workspace, storage and launcher.

Resolvers stay thin: they turn arguments into these calls and results (or ``OperationError``s)
into GraphQL objects.
"""

from __future__ import annotations

from .delete import RunNotStopped, delete_run
from .errors import OperationError
from .launch import LaunchRequest, launch_run, prepare_run
from .locations import (
    find_job,
    find_repository,
    list_repositories,
    reload_location,
    reload_workspace,
    shutdown_location,
)
from .reexecute import reexecute_run
from .runs import check_page_limit, get_run, get_runs, read_events
from .terminate import TerminateOutcome, terminate_run, terminate_runs

__all__ = sorted(
    [
        "LaunchRequest",
        "OperationError",
        "RunNotStopped",
        "TerminateOutcome",
        "check_page_limit",
        "delete_run",
        "find_job",
        "find_repository",
        "get_run",
        "get_runs",
        "launch_run",
        "list_repositories",
        "prepare_run",
        "read_events",
        "reexecute_run",
        "reload_location",
        "reload_workspace",
        "shutdown_location",
        "terminate_run",
        "terminate_runs",
    ]
)
