"""Enumerations with the names and values of Dagster's GraphQL enums.

They are ``str`` enums, so a member compares equal to the plain string the server sends.
"""

from __future__ import annotations

import enum

__all__ = [
    "DagsterRunStatus",
    "LocationLoadStatus",
    "ReloadRepositoryLocationStatus",
    "ShutdownRepositoryLocationStatus",
    "StepEventStatus",
    "TerminateRunPolicy",
]


class DagsterRunStatus(str, enum.Enum):
    """The status of a run; the values of Dagster's ``RunStatus``."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUSPENDED = "SUSPENDED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"

    @property
    def is_finished(self) -> bool:
        """True for SUCCESS, FAILURE and CANCELED: the run will not change any more."""
        return self in _FINISHED


_FINISHED = frozenset({DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED})


class ReloadRepositoryLocationStatus(str, enum.Enum):
    """Whether reloading a code location succeeded."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


class ShutdownRepositoryLocationStatus(str, enum.Enum):
    """Whether shutting down a code location's server succeeded."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


class LocationLoadStatus(str, enum.Enum):
    """Whether a code location is still loading; Dagster's ``RepositoryLocationLoadStatus``."""

    LOADING = "LOADING"
    LOADED = "LOADED"


class StepEventStatus(str, enum.Enum):
    """How a step went; Dagster's ``StepEventStatus``."""

    SKIPPED = "SKIPPED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    IN_PROGRESS = "IN_PROGRESS"


class TerminateRunPolicy(str, enum.Enum):
    """How to terminate a run: ask it to stop, or mark it canceled at once."""

    SAFE_TERMINATE = "SAFE_TERMINATE"
    MARK_AS_CANCELED_IMMEDIATELY = "MARK_AS_CANCELED_IMMEDIATELY"
