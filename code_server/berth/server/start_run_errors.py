"""Why a code server refuses StartRun, each with the gRPC status code it answers with.

    StartRunRefused           base; ``status`` is the gRPC code
    ├── LocationLoadFailed    the user code failed to load        FAILED_PRECONDITION
    ├── ServerShuttingDown    the server is draining              UNAVAILABLE
    ├── RunAlreadyActive      a worker runs this run already      ALREADY_EXISTS
    └── WorkerNotStarted      no worker process could be started  INTERNAL

An unknown repository or job is the definitions' ``JobLookupError``, answered NOT_FOUND.
"""

from __future__ import annotations

import grpc

__all__ = ["LocationLoadFailed", "RunAlreadyActive", "ServerShuttingDown", "StartRunRefused", "WorkerNotStarted"]


class StartRunRefused(Exception):
    """StartRun was refused; the message says why (shown to the user)."""

    status = grpc.StatusCode.INTERNAL


class LocationLoadFailed(StartRunRefused):
    """The location's code failed to load, so it has no jobs to run."""

    status = grpc.StatusCode.FAILED_PRECONDITION


class ServerShuttingDown(StartRunRefused):
    """The server is draining and takes no new runs."""

    status = grpc.StatusCode.UNAVAILABLE


class RunAlreadyActive(StartRunRefused):
    """A worker of this server runs the run already."""

    status = grpc.StatusCode.ALREADY_EXISTS


class WorkerNotStarted(StartRunRefused):
    """Neither the worker factory nor a subprocess could start the worker."""
