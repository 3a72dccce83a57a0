"""Run and step statistics: ``RunStatsSnapshot`` and ``RunStepStats``."""

from __future__ import annotations

import graphene

from berth.storage import RunStats, StepStats

from .enums import StepEventStatus
from .errors import PythonError

__all__ = [
    "PipelineRunStatsSnapshot",
    "PipelineRunStepStats",
    "RunStatsSnapshot",
    "RunStatsSnapshotOrError",
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


class PipelineRunStepStats(graphene.Interface):
    """How one step of a run went."""

    runId = graphene.NonNull(graphene.String)
    stepKey = graphene.NonNull(graphene.String)
    status = graphene.Field(StepEventStatus)
    startTime = graphene.Float()
    endTime = graphene.Float()


class RunStepStats(graphene.ObjectType):
    """How one step of a run went."""

    class Meta:
        interfaces = (PipelineRunStepStats,)

    def __init__(self, run_id: str, stats: StepStats) -> None:
        super().__init__(runId=run_id, stepKey=stats.step_key, status=stats.status,
                         startTime=stats.start_time, endTime=stats.end_time)
