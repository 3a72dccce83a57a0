"""Run events: what a run worker reports and run storage keeps (the event log).

Event types use Dagster's DagsterEventType names so that the GraphQL layer can
map them one to one onto Dagster's event union members.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import time
import traceback
from typing import Any, Mapping, Optional

__all__ = ["EventType", "SerializableError", "RunEvent", "EventRecord", "RUN_STATUS_FOR_EVENT"]


class EventType(str, enum.Enum):
    """The kind of a structured event; plain log lines have no event type."""

    RUN_ENQUEUED = "PIPELINE_ENQUEUED"
    RUN_STARTING = "PIPELINE_STARTING"
    RUN_START = "PIPELINE_START"
    RUN_SUCCESS = "PIPELINE_SUCCESS"
    RUN_FAILURE = "PIPELINE_FAILURE"
    RUN_CANCELING = "PIPELINE_CANCELING"
    RUN_CANCELED = "PIPELINE_CANCELED"
    STEP_START = "STEP_START"
    STEP_OUTPUT = "STEP_OUTPUT"
    STEP_INPUT = "STEP_INPUT"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_RESTARTED = "STEP_RESTARTED"
    ENGINE_EVENT = "ENGINE_EVENT"


# The run status that storage records when it stores an event of this type.
RUN_STATUS_FOR_EVENT: Mapping[EventType, str] = {
    EventType.RUN_STARTING: "STARTING",
    EventType.RUN_START: "STARTED",
    EventType.RUN_SUCCESS: "SUCCESS",
    EventType.RUN_FAILURE: "FAILURE",
    EventType.RUN_CANCELING: "CANCELING",
    EventType.RUN_CANCELED: "CANCELED",
}


@dataclasses.dataclass(frozen=True)
class SerializableError:
    """An exception as data: message, stack and class name, with its cause if any."""

    message: str
    stack: str = ""
    class_name: str = ""
    cause: Optional["SerializableError"] = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> "SerializableError":
        """Capture an exception (and its __cause__) with its formatted stack."""
        stack = "".join(traceback.format_tb(exc.__traceback__))
        cause = cls.from_exception(exc.__cause__) if exc.__cause__ is not None else None
        return cls(f"{type(exc).__name__}: {exc}", stack, type(exc).__name__, cause)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (used by storage)."""
        return {
            "message": self.message,
            "stack": self.stack,
            "class_name": self.class_name,
            "cause": self.cause.to_dict() if self.cause else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SerializableError":
        """Inverse of to_dict."""
        cause = data.get("cause")
        return cls(data["message"], data.get("stack", ""), data.get("class_name", ""),
                   cls.from_dict(cause) if cause else None)


@dataclasses.dataclass(frozen=True)
class RunEvent:
    """One event of a run as the worker emits it, before storage gives it an id.

    ``event_type`` is None for plain log lines (``context.log.info``).
    ``metadata`` holds small JSON-ready extras (output name, retry attempt, ...).
    """

    run_id: str
    message: str
    event_type: Optional[EventType] = None
    level: int = logging.INFO
    step_key: Optional[str] = None
    error: Optional[SerializableError] = None
    metadata: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    timestamp: float = dataclasses.field(default_factory=time.time)


@dataclasses.dataclass(frozen=True)
class EventRecord:
    """A stored event: the event plus its storage id, which is the cursor in the event log."""

    storage_id: int
    event: RunEvent
