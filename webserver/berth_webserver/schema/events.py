"""Run events as Dagster's ``DagsterRunEvent`` union members, and the event connection."""

from __future__ import annotations

from typing import Any, Optional

import graphene

from berth.events import EventRecord, EventType

from .enums import DagsterEventType, LogLevel, log_level_name
from .errors import PythonError, RunNotFoundError

__all__ = [
    "DagsterRunEvent",
    "DisplayableEvent",
    "ErrorEvent",
    "EventConnection",
    "EventConnectionOrError",
    "MessageEvent",
    "MetadataEntry",
    "GrapheneRunEvent",
    "StepEvent",
    "graphql_event",
]


class MessageEvent(graphene.Interface):
    """An event with a message, a level and a time."""

    runId = graphene.NonNull(graphene.String)
    message = graphene.NonNull(graphene.String)
    timestamp = graphene.NonNull(graphene.String)
    level = graphene.NonNull(LogLevel)
    stepKey = graphene.String()
    solidHandleID = graphene.String()
    eventType = graphene.Field(DagsterEventType)


class StepEvent(graphene.Interface):
    """An event of one step."""

    stepKey = graphene.String()
    solidHandleID = graphene.String()


class ErrorEvent(graphene.Interface):
    """An event that carries an error."""

    error = graphene.Field(PythonError)


class MetadataEntry(graphene.Interface):
    """A labelled piece of event metadata."""

    label = graphene.NonNull(graphene.String)
    description = graphene.String()


class DisplayableEvent(graphene.Interface):
    """An event with a label, a description and metadata entries."""

    label = graphene.String()
    description = graphene.String()
    metadataEntries = graphene.NonNull(graphene.List(graphene.NonNull(MetadataEntry)))


class MarkerEvent(graphene.Interface):
    """An event that opens or closes a marker."""

    markerStart = graphene.String()
    markerEnd = graphene.String()


class GrapheneRunEvent(graphene.Interface):
    """An event of the run as a whole."""

    class Meta:
        name = "RunEvent"

    pipelineName = graphene.NonNull(graphene.String)


def _event_type(name: str, interfaces: tuple[type, ...], doc: str, **fields: Any) -> type:
    """Declare one member of the event union; only the interfaces and extra fields differ."""
    meta = type("Meta", (), {"interfaces": interfaces, "name": name})
    return type(name, (graphene.ObjectType,), {"Meta": meta, "__doc__": doc, **fields})


_STEP = (MessageEvent, StepEvent)
_STEP_ERROR = (MessageEvent, StepEvent, ErrorEvent)
_RUN = (MessageEvent, GrapheneRunEvent)
_RUN_ERROR = (MessageEvent, GrapheneRunEvent, ErrorEvent)

ExecutionStepStartEvent = _event_type("ExecutionStepStartEvent", _STEP, "A step started.")
ExecutionStepSuccessEvent = _event_type("ExecutionStepSuccessEvent", _STEP, "A step succeeded.")
ExecutionStepFailureEvent = _event_type("ExecutionStepFailureEvent", _STEP_ERROR, "A step failed.")
ExecutionStepSkippedEvent = _event_type("ExecutionStepSkippedEvent", _STEP, "A step was skipped.")
ExecutionStepRestartEvent = _event_type("ExecutionStepRestartEvent", _STEP, "A step restarted.")
ExecutionStepUpForRetryEvent = _event_type(
    "ExecutionStepUpForRetryEvent", _STEP_ERROR, "A step failed and will be retried.", secondsToWait=graphene.Float()
)
ExecutionStepOutputEvent = _event_type(
    "ExecutionStepOutputEvent", (MessageEvent, StepEvent, DisplayableEvent), "A step produced an output.",
    outputName=graphene.NonNull(graphene.String),
)
ExecutionStepInputEvent = _event_type(
    "ExecutionStepInputEvent", _STEP, "A step received an input.", inputName=graphene.NonNull(graphene.String)
)
RunEnqueuedEvent = _event_type("RunEnqueuedEvent", _RUN, "The run was queued.")
RunStartingEvent = _event_type("RunStartingEvent", _RUN, "The run is being launched.")
RunStartEvent = _event_type("RunStartEvent", _RUN, "The run worker started the run.")
RunSuccessEvent = _event_type("RunSuccessEvent", _RUN, "The run succeeded.")
RunFailureEvent = _event_type("RunFailureEvent", _RUN_ERROR, "The run failed.")
RunCancelingEvent = _event_type("RunCancelingEvent", _RUN, "The run is being canceled.")
RunCanceledEvent = _event_type("RunCanceledEvent", _RUN_ERROR, "The run was canceled.")
EngineEvent = _event_type(
    "EngineEvent", (MessageEvent, DisplayableEvent, StepEvent, MarkerEvent, ErrorEvent), "Something the engine did."
)
LogMessageEvent = _event_type("LogMessageEvent", (MessageEvent,), "A plain log line.")

_TYPE_FOR_EVENT: dict[Optional[EventType], type] = {
    EventType.RUN_ENQUEUED: RunEnqueuedEvent,
    EventType.RUN_STARTING: RunStartingEvent,
    EventType.RUN_START: RunStartEvent,
    EventType.RUN_SUCCESS: RunSuccessEvent,
    EventType.RUN_FAILURE: RunFailureEvent,
    EventType.RUN_CANCELING: RunCancelingEvent,
    EventType.RUN_CANCELED: RunCanceledEvent,
    EventType.STEP_START: ExecutionStepStartEvent,
    EventType.STEP_OUTPUT: ExecutionStepOutputEvent,
    EventType.STEP_INPUT: ExecutionStepInputEvent,
    EventType.STEP_SUCCESS: ExecutionStepSuccessEvent,
    EventType.STEP_FAILURE: ExecutionStepFailureEvent,
    EventType.STEP_SKIPPED: ExecutionStepSkippedEvent,
    EventType.STEP_UP_FOR_RETRY: ExecutionStepUpForRetryEvent,
    EventType.STEP_RESTARTED: ExecutionStepRestartEvent,
    EventType.ENGINE_EVENT: EngineEvent,
    None: LogMessageEvent,
}


class DagsterRunEvent(graphene.Union):
    """Any event of a run."""

    class Meta:
        types = tuple(dict.fromkeys(_TYPE_FOR_EVENT.values()))


def graphql_event(record: EventRecord, job_name: str) -> graphene.ObjectType:
    """The ``DagsterRunEvent`` member for a stored event of a run of ``job_name``."""
    event = record.event
    event_class = _TYPE_FOR_EVENT.get(event.event_type, LogMessageEvent)
    fields: dict[str, Any] = {
        "runId": event.run_id,
        "message": event.message,
        "timestamp": str(int(event.timestamp * 1000)),
        "level": log_level_name(event.level),
        "stepKey": event.step_key,
        "solidHandleID": event.step_key,
        "eventType": event.event_type.value if event.event_type is not None else None,
    }
    interfaces = event_class._meta.interfaces  # type: ignore[attr-defined]
    if ErrorEvent in interfaces:
        fields["error"] = PythonError(event.error) if event.error is not None else None
    if GrapheneRunEvent in interfaces:
        fields["pipelineName"] = job_name
    if DisplayableEvent in interfaces:
        from .metadata import metadata_entries

        fields["metadataEntries"] = metadata_entries(event.metadata.get("entries") or {},
                                                     event.metadata.get("entry_kinds"))
    if event_class is ExecutionStepOutputEvent:
        fields["outputName"] = str(event.metadata.get("output_name", "result"))
    if event_class is ExecutionStepInputEvent:
        fields["inputName"] = str(event.metadata.get("input_name", ""))
    if event_class is ExecutionStepUpForRetryEvent:
        fields["secondsToWait"] = event.metadata.get("seconds_to_wait")
    return event_class(**fields)


class EventConnection(graphene.ObjectType):
    """A page of a run's event log; ``cursor`` resumes after its last event."""

    events = graphene.NonNull(graphene.List(graphene.NonNull(DagsterRunEvent)))
    cursor = graphene.NonNull(graphene.String)
    hasMore = graphene.NonNull(graphene.Boolean)


class EventConnectionOrError(graphene.Union):
    """A page of a run's events, or why it could not be read."""

    class Meta:
        types = (EventConnection, RunNotFoundError, PythonError)
