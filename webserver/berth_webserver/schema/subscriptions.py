"""The ``Subscription`` root: a run's events as they arrive, and location state changes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, AsyncIterator, Optional

import graphene

from berth.events import EventRecord
from berth.runs import RunRecord

from .. import operations as ops
from ..context import RequestContext
from ..operations.errors import RunNotFound
from ..operations.runs import parse_event_cursor
from .events import DagsterRunEvent, graphql_event
from .locations import LocationStateChangeEvent, LocationStateChangeSubscription
from .runs import GrapheneRun

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["PipelineRunLogsSubscriptionFailure", "PipelineRunLogsSubscriptionPayload",
           "PipelineRunLogsSubscriptionSuccess", "Subscription"]

# How often an unfinished run's event log is read again; short, so that events feel live.
POLL_INTERVAL = 0.05
# Past events are sent in batches of this size, so that a long log does not make one huge message.
BATCH_SIZE = 1000


class PipelineRunLogsSubscriptionSuccess(graphene.ObjectType):
    """A batch of a run's events; ``cursor`` resumes after it."""

    run = graphene.NonNull(GrapheneRun)
    messages = graphene.NonNull(graphene.List(graphene.NonNull(DagsterRunEvent)))
    hasMorePastEvents = graphene.NonNull(graphene.Boolean)
    cursor = graphene.NonNull(graphene.String)


class PipelineRunLogsSubscriptionFailure(graphene.ObjectType):
    """The run's events cannot be streamed (e.g. no such run)."""

    message = graphene.NonNull(graphene.String)
    missingRunId = graphene.String()


class PipelineRunLogsSubscriptionPayload(graphene.Union):
    """A batch of a run's events, or why there are none."""

    class Meta:
        types = (PipelineRunLogsSubscriptionSuccess, PipelineRunLogsSubscriptionFailure)


async def run_log_batches(context: RequestContext, run_id: str, cursor: Optional[str]) -> AsyncIterator[Any]:
    """Batches of a run's events after ``cursor``: the past first, then new ones as they arrive,
    until the run has finished and its last event was sent."""
    storage = context.storage
    try:
        after = parse_event_cursor(cursor)
        await ops.get_run(storage, run_id)
    except (RunNotFound, ValueError) as exc:
        missing = run_id if isinstance(exc, RunNotFound) else None
        yield PipelineRunLogsSubscriptionFailure(message=str(exc), missingRunId=missing)
        return
    sent_status = None
    while True:
        # The run is read before the events: a finished run has no later events. A run that ends
        # between the two reads is sent again on the next poll, without events, with its new status:
        # a batch goes out whenever there are events or the status changed.
        run, records = await storage.run(_run_and_events, run_id, after)
        if records:
            after = records[-1].storage_id
        has_more = len(records) == BATCH_SIZE
        if records or run.status != sent_status:
            yield PipelineRunLogsSubscriptionSuccess(
                run=GrapheneRun(run), messages=[graphql_event(r, run.job_name) for r in records],
                hasMorePastEvents=has_more, cursor=str(after) if after >= 0 else "")
            sent_status = run.status
        if has_more:
            continue
        if run.is_finished:
            return
        await asyncio.sleep(POLL_INTERVAL)


def _run_and_events(storage: "RunStorage", run_id: str, after: int) -> tuple[RunRecord, list[EventRecord]]:
    run = storage.get_run(run_id)
    if run is None:
        raise RunNotFound(run_id)
    return run, storage.get_events(run_id, after=after, limit=BATCH_SIZE)


class Subscription(graphene.ObjectType):
    """Live streams over the WebSocket."""

    pipelineRunLogs = graphene.Field(graphene.NonNull(PipelineRunLogsSubscriptionPayload),
                                     runId=graphene.NonNull(graphene.ID), cursor=graphene.String())
    locationStateChangeEvents = graphene.NonNull(LocationStateChangeSubscription)

    @staticmethod
    async def subscribe_pipelineRunLogs(_root: Any, info: Any, runId: str,
                                        cursor: Optional[str] = None) -> AsyncIterator[Any]:
        async for batch in run_log_batches(info.context, runId, cursor):
            yield batch

    @staticmethod
    async def subscribe_locationStateChangeEvents(_root: Any, info: Any) -> AsyncIterator[Any]:
        async for event in info.context.workspace.location_events():
            yield LocationStateChangeSubscription(event=LocationStateChangeEvent(
                eventType=event.event_type, message=event.message, locationName=event.location_name,
                serverId=event.server_id))
