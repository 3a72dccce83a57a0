"""Run and step statistics: ``RunStatsSnapshot`` and ``RunStepStats``."""

from __future__ import annotations

from typing import Any, Optional

import graphene

from berth.storage import RunStats, StepStats

from ..operations.step_timeline import RunStepTimelines, StepMarker, StepTimeline
from .enums import StepEventStatus
from .errors import PythonError
from .events import DisplayableEvent, MessageEvent, StepEvent

__all__ = [
    "ExpectationResult",
    "MaterializationEvent",
    "PipelineRunStatsSnapshot",
    "PipelineRunStepStats",
    "RunStatsSnapshot",
    "RunStatsSnapshotOrError",
    "RunMarker",
    "RunStepStats",
]


class PipelineRunStatsSnapshot(graphene.Interface):
    """Counts and times of a whole run."""

    id = graphene.NonNull(graphene.String)
    runId = graphene.NonNull(graphene.String)
    stepsSucceeded = graphene.NonNull(graphene.Int)
    stepsFailed = graphene.NonNull(graphene.Int)
    materializations = graphene.NonNull(graphene.Int)
    expectations = graphene.NonNull(graphene.Int)
    enqueuedTime = graphene.Float()
    launchTime = graphene.Float()
    startTime = graphene.Float()
    endTime = graphene.Float()


class RunStatsSnapshot(graphene.ObjectType):
    """Counts and times of a whole run."""

    class Meta:
        interfaces = (PipelineRunStatsSnapshot,)

    def __init__(self, run_id: str, stats: RunStats) -> None:
        super().__init__(
            id=f"stats-{run_id}",
            runId=run_id,
            stepsSucceeded=stats.steps_succeeded,
            stepsFailed=stats.steps_failed,
            materializations=stats.materializations,
            expectations=stats.expectations,
            enqueuedTime=stats.enqueued_time,
            launchTime=stats.launch_time,
            startTime=stats.start_time,
            endTime=stats.end_time,
        )


class RunStatsSnapshotOrError(graphene.Union):
    """A run's stats, or the error that kept them from being read."""

    class Meta:
        types = (RunStatsSnapshot, PythonError)


class MaterializationEvent(graphene.ObjectType):
    """An asset materialization of a step (berth records none yet, so lists of them are empty)."""

    class Meta:
        interfaces = (MessageEvent, StepEvent, DisplayableEvent)


class ExpectationResult(graphene.ObjectType):
    """The outcome of a data expectation (berth records none yet, so lists of them are empty)."""

    class Meta:
        interfaces = (DisplayableEvent,)

    success = graphene.NonNull(graphene.Boolean)


class RunMarker(graphene.ObjectType):
    """A span of time within a step: one attempt, or one marker."""

    startTime = graphene.Float()
    endTime = graphene.Float()

    @classmethod
    def from_marker(cls, marker: StepMarker) -> "RunMarker":
        """Show a ``StepMarker``."""
        return cls(startTime=marker.start_time, endTime=marker.end_time)


class PipelineRunStepStats(graphene.Interface):
    """How one step of a run went."""

    runId = graphene.NonNull(graphene.String)
    stepKey = graphene.NonNull(graphene.String)
    status = graphene.Field(StepEventStatus)
    startTime = graphene.Float()
    endTime = graphene.Float()
    materializations = graphene.NonNull(graphene.List(graphene.NonNull(MaterializationEvent)))
    expectationResults = graphene.NonNull(graphene.List(graphene.NonNull(ExpectationResult)))


class RunStepStats(graphene.ObjectType):
    """How one step of a run went, with each finished attempt and each marker."""

    class Meta:
        interfaces = (PipelineRunStepStats,)

    attempts = graphene.NonNull(graphene.List(graphene.NonNull(RunMarker)))
    markers = graphene.NonNull(graphene.List(graphene.NonNull(RunMarker)))

    def __init__(self, run_id: str, stats: StepStats, timelines: Optional[RunStepTimelines] = None) -> None:
        super().__init__(runId=run_id, stepKey=stats.step_key, status=stats.status,
                         startTime=stats.start_time, endTime=stats.end_time,
                         materializations=[], expectationResults=[])
        self._timelines = timelines

    async def _timeline(self) -> StepTimeline:
        return await self._timelines.for_step(self.stepKey) if self._timelines is not None else StepTimeline()

    async def resolve_attempts(self, _info: Any) -> list[RunMarker]:
        return [RunMarker.from_marker(marker) for marker in (await self._timeline()).attempts]

    async def resolve_markers(self, _info: Any) -> list[RunMarker]:
        return [RunMarker.from_marker(marker) for marker in (await self._timeline()).markers]
