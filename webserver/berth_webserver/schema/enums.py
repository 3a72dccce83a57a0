"""GraphQL enums, with Dagster's names and values."""

from __future__ import annotations

import logging

import graphene

__all__ = [
    "DagsterEventType",
    "EvaluationErrorReason",
    "LocationStateChangeEventType",
    "LogLevel",
    "ReexecutionStrategy",
    "RepositoryLocationLoadStatus",
    "GrapheneRunStatus",
    "StepEventStatus",
    "TerminateRunPolicy",
    "log_level_name",
]


class GrapheneRunStatus(graphene.Enum):
    """The status of a run."""

    class Meta:
        name = "RunStatus"

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


class StepEventStatus(graphene.Enum):
    """How a step ended (or that it is still running)."""

    SKIPPED = "SKIPPED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    IN_PROGRESS = "IN_PROGRESS"


class LogLevel(graphene.Enum):
    """The level of an event or log line."""

    CRITICAL = "CRITICAL"
    ERROR = "ERROR"
    INFO = "INFO"
    WARNING = "WARNING"
    DEBUG = "DEBUG"


def log_level_name(level: int) -> str:
    """Map a Python logging level onto the nearest ``LogLevel`` value at or below it."""
    if level >= logging.CRITICAL:
        return "CRITICAL"
    if level >= logging.ERROR:
        return "ERROR"
    if level >= logging.WARNING:
        return "WARNING"
    if level >= logging.INFO:
        return "INFO"
    return "DEBUG"


class DagsterEventType(graphene.Enum):
    """The kind of a structured run event (the subset that berth emits)."""

    STEP_OUTPUT = "STEP_OUTPUT"
    STEP_INPUT = "STEP_INPUT"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_RESTARTED = "STEP_RESTARTED"
    RUN_ENQUEUED = "RUN_ENQUEUED"
    RUN_STARTING = "RUN_STARTING"
    RUN_START = "RUN_START"
    RUN_SUCCESS = "RUN_SUCCESS"
    RUN_FAILURE = "RUN_FAILURE"
    RUN_CANCELING = "RUN_CANCELING"
    RUN_CANCELED = "RUN_CANCELED"
    PIPELINE_ENQUEUED = "PIPELINE_ENQUEUED"
    PIPELINE_STARTING = "PIPELINE_STARTING"
    PIPELINE_START = "PIPELINE_START"
    PIPELINE_SUCCESS = "PIPELINE_SUCCESS"
    PIPELINE_FAILURE = "PIPELINE_FAILURE"
    PIPELINE_CANCELING = "PIPELINE_CANCELING"
    PIPELINE_CANCELED = "PIPELINE_CANCELED"
    ENGINE_EVENT = "ENGINE_EVENT"


class EvaluationErrorReason(graphene.Enum):
    """Why a run config value failed validation."""

    RUNTIME_TYPE_MISMATCH = "RUNTIME_TYPE_MISMATCH"
    MISSING_REQUIRED_FIELD = "MISSING_REQUIRED_FIELD"
    MISSING_REQUIRED_FIELDS = "MISSING_REQUIRED_FIELDS"
    FIELD_NOT_DEFINED = "FIELD_NOT_DEFINED"
    FIELDS_NOT_DEFINED = "FIELDS_NOT_DEFINED"
    SELECTOR_FIELD_ERROR = "SELECTOR_FIELD_ERROR"


class TerminateRunPolicy(graphene.Enum):
    """How to terminate: ask the worker to stop safely, or mark the run canceled at once."""

    SAFE_TERMINATE = "SAFE_TERMINATE"
    MARK_AS_CANCELED_IMMEDIATELY = "MARK_AS_CANCELED_IMMEDIATELY"


class ReexecutionStrategy(graphene.Enum):
    """Which steps of the parent run a re-execution runs."""

    FROM_FAILURE = "FROM_FAILURE"
    ALL_STEPS = "ALL_STEPS"


class RepositoryLocationLoadStatus(graphene.Enum):
    """Whether a code location is still loading."""

    LOADING = "LOADING"
    LOADED = "LOADED"


class LocationStateChangeEventType(graphene.Enum):
    """What happened to a code location."""

    LOCATION_UPDATED = "LOCATION_UPDATED"
    LOCATION_DISCONNECTED = "LOCATION_DISCONNECTED"
    LOCATION_RECONNECTED = "LOCATION_RECONNECTED"
    LOCATION_ERROR = "LOCATION_ERROR"
