"""What the client returns: frozen dataclasses built from GraphQL result objects."""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional

from ._enums import (
    DagsterRunStatus,
    LocationLoadStatus,
    ReloadRepositoryLocationStatus,
    ShutdownRepositoryLocationStatus,
    StepEventStatus,
)

__all__ = [
    "ConfigValidationError",
    "InvalidOutputErrorInfo",
    "JobHandle",
    "JobSummary",
    "LocationStatus",
    "ReloadRepositoryLocationInfo",
    "Run",
    "RunEvent",
    "ShutdownRepositoryLocationInfo",
    "StepStats",
]


@dataclasses.dataclass(frozen=True)
class ReloadRepositoryLocationInfo:
    """The outcome of reloading a code location.

    ``failure_type`` is ``ReloadNotSupported``, ``RepositoryLocationNotFound``, ``PythonError``
    (the location failed to load) or another error type name; ``message`` says why.
    """

    status: ReloadRepositoryLocationStatus
    failure_type: Optional[str] = None
    message: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class ShutdownRepositoryLocationInfo:
    """The outcome of shutting down a code location's server; ``message`` says why it failed."""

    status: ShutdownRepositoryLocationStatus
    message: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class InvalidOutputErrorInfo:
    """The body of an ``InvalidOutputError``: which step named an output it does not have."""

    step_key: str
    invalid_output_name: str


@dataclasses.dataclass(frozen=True)
class JobHandle:
    """Where a job lives: code location, repository and job name."""

    location_name: str
    repository_name: str
    job_name: str

    def __str__(self) -> str:
        return f"{self.location_name}:{self.repository_name}"


@dataclasses.dataclass(frozen=True)
class JobSummary:
    """A job as a location lists it: where it lives, its name and its description."""

    location_name: str
    repository_name: str
    job_name: str
    description: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class ConfigValidationError:
    """One reason a run config is invalid: where (``path``), why (``reason``) and a message."""

    message: str
    path: tuple[str, ...] = ()
    reason: Optional[str] = None

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> ConfigValidationError:
        """Build from a ``PipelineConfigValidationError`` object."""
        return cls(node.get("message", ""), tuple(node.get("path") or ()), node.get("reason"))


@dataclasses.dataclass(frozen=True)
class StepStats:
    """How one step of a run went: its status and when it started and ended."""

    step_key: str
    status: Optional[StepEventStatus]
    start_time: Optional[float]
    end_time: Optional[float]

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> StepStats:
        """Build from a ``RunStepStats`` object."""
        status = node.get("status")
        return cls(
            step_key=node["stepKey"],
            status=StepEventStatus(status) if status else None,
            start_time=node.get("startTime"),
            end_time=node.get("endTime"),
        )


@dataclasses.dataclass(frozen=True)
class Run:
    """One run: what was asked (job, config, tags, selection) and how it went (status, times, steps).

    Times are POSIX seconds.
    """

    run_id: str
    job_name: str
    status: DagsterRunStatus
    location_name: Optional[str] = None
    repository_name: Optional[str] = None
    run_config: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    op_selection: Optional[tuple[str, ...]] = None
    creation_time: Optional[float] = None
    start_time: Optional[float] = None
    end_time: Optional[float] = None
    update_time: Optional[float] = None
    parent_run_id: Optional[str] = None
    root_run_id: Optional[str] = None
    can_terminate: bool = False
    step_stats: tuple[StepStats, ...] = ()

    @property
    def is_finished(self) -> bool:
        """True once the run reached SUCCESS, FAILURE or CANCELED."""
        return self.status.is_finished

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> Run:
        """Build from a ``Run`` object selected with the client's run fragment."""
        origin = node.get("repositoryOrigin") or {}
        selection = node.get("solidSelection")
        return cls(
            run_id=node["runId"],
            job_name=node.get("jobName") or node.get("pipelineName") or "",
            status=DagsterRunStatus(node["status"]),
            location_name=origin.get("repositoryLocationName"),
            repository_name=origin.get("repositoryName"),
            run_config=dict(node.get("runConfig") or {}),
            tags={tag["key"]: tag["value"] for tag in node.get("tags") or ()},
            op_selection=tuple(selection) if selection is not None else None,
            creation_time=node.get("creationTime"),
            start_time=node.get("startTime"),
            end_time=node.get("endTime"),
            update_time=node.get("updateTime"),
            parent_run_id=node.get("parentRunId"),
            root_run_id=node.get("rootRunId"),
            can_terminate=bool(node.get("canTerminate")),
            step_stats=tuple(StepStats.from_graphql(s) for s in node.get("stepStats") or ()),
        )


@dataclasses.dataclass(frozen=True)
class RunEvent:
    """One event of a run's event log.

    ``kind`` is the GraphQL type (``ExecutionStepStartEvent``, ``LogMessageEvent``, ...),
    ``event_type`` Dagster's event type (``STEP_START``; None for plain log lines),
    ``timestamp`` POSIX seconds, ``error`` the error message of a failure event.
    """

    kind: str
    run_id: str
    message: str
    timestamp: float
    level: str
    event_type: Optional[str] = None
    step_key: Optional[str] = None
    error: Optional[str] = None

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> RunEvent:
        """Build from a ``DagsterRunEvent`` union member selected with the event fragment."""
        error = node.get("error")
        return cls(
            kind=node.get("__typename", ""),
            run_id=node.get("runId", ""),
            message=node.get("message", ""),
            timestamp=_event_timestamp(node.get("timestamp")),
            level=node.get("level", ""),
            event_type=node.get("eventType"),
            step_key=node.get("stepKey"),
            error=error.get("message") if error else None,
        )

    @property
    def ends_run(self) -> bool:
        """True for the event that records a run's end (success, failure or cancelation)."""
        return self.event_type in _RUN_END_EVENT_TYPES


_RUN_END_EVENT_TYPES = frozenset(
    {"RUN_SUCCESS", "RUN_FAILURE", "RUN_CANCELED", "PIPELINE_SUCCESS", "PIPELINE_FAILURE", "PIPELINE_CANCELED"}
)


def _event_timestamp(value: Any) -> float:
    # Dagster sends event timestamps as strings of milliseconds since the epoch.
    if value in (None, ""):
        return 0.0
    return float(value) / 1000.0


@dataclasses.dataclass(frozen=True)
class LocationStatus:
    """A code location's load status; ``update_timestamp`` is POSIX seconds."""

    name: str
    load_status: LocationLoadStatus
    update_timestamp: Optional[float] = None

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> LocationStatus:
        """Build from a ``WorkspaceLocationStatusEntry`` object."""
        return cls(node["name"], LocationLoadStatus(node["loadStatus"]), node.get("updateTimestamp"))
