"""Step and run statistics, derived from a run's event log."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Literal, Optional

from ..events import EventType, RunEvent

__all__ = ["RunStats", "StepStats", "run_stats_from_events", "step_stats_from_events"]

StepStatus = Literal["IN_PROGRESS", "SUCCESS", "FAILURE", "SKIPPED"]

_STEP_OUTCOMES: dict[EventType, StepStatus] = {
    EventType.STEP_SUCCESS: "SUCCESS",
    EventType.STEP_FAILURE: "FAILURE",
    EventType.STEP_SKIPPED: "SKIPPED",
}
_RUN_ENDS = frozenset({EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED})


@dataclasses.dataclass(frozen=True)
class StepStats:
    """How one step of a run went.

    ``attempts`` counts STEP_START and STEP_RESTARTED events (a retry restarts the step).
    """

    step_key: str
    status: StepStatus
    start_time: Optional[float] = None
    end_time: Optional[float] = None
    attempts: int = 0


@dataclasses.dataclass(frozen=True)
class RunStats:
    """Counts and times of a whole run."""

    steps_succeeded: int
    steps_failed: int
    materializations: int = 0
    expectations: int = 0
    enqueued_time: Optional[float] = None
    launch_time: Optional[float] = None
    start_time: Optional[float] = None
    end_time: Optional[float] = None


def step_stats_from_events(events: Iterable[RunEvent]) -> list[StepStats]:
    """Fold step events (in log order) into one ``StepStats`` per step, in order of first event."""
    steps: dict[str, StepStats] = {}
    for event in events:
        if event.step_key is None or event.event_type is None:
            continue
        stats = steps.get(event.step_key) or StepStats(event.step_key, "IN_PROGRESS")
        kind = event.event_type
        if kind in (EventType.STEP_START, EventType.STEP_RESTARTED):
            stats = dataclasses.replace(
                stats,
                status="IN_PROGRESS",
                start_time=stats.start_time if stats.start_time is not None else event.timestamp,
                end_time=None,
                attempts=stats.attempts + 1,
            )
        elif kind == EventType.STEP_UP_FOR_RETRY:
            stats = dataclasses.replace(stats, status="IN_PROGRESS", end_time=None)
        elif kind in _STEP_OUTCOMES:
            stats = dataclasses.replace(stats, status=_STEP_OUTCOMES[kind], end_time=event.timestamp)
        steps[event.step_key] = stats
    return list(steps.values())


def run_stats_from_events(
    events: Iterable[RunEvent],
    *,
    start_time: Optional[float] = None,
    end_time: Optional[float] = None,
) -> RunStats:
    """Fold a run's events into ``RunStats``.

    ``start_time`` / ``end_time`` (the run row's) stand in when no event gives them, as when a
    status was set directly rather than through an event.
    """
    events = list(events)
    times: dict[str, Optional[float]] = {"enqueued": None, "launch": None, "start": None, "end": None}
    slots = {
        EventType.RUN_ENQUEUED: "enqueued",
        EventType.RUN_STARTING: "launch",
        EventType.RUN_START: "start",
    }
    for event in events:
        slot = "end" if event.event_type in _RUN_ENDS else slots.get(event.event_type)  # type: ignore[arg-type]
        if slot is not None and times[slot] is None:
            times[slot] = event.timestamp
    steps = step_stats_from_events(events)
    return RunStats(
        steps_succeeded=sum(1 for step in steps if step.status == "SUCCESS"),
        steps_failed=sum(1 for step in steps if step.status == "FAILURE"),
        enqueued_time=times["enqueued"],
        launch_time=times["launch"],
        start_time=times["start"] if times["start"] is not None else start_time,
        end_time=times["end"] if times["end"] is not None else end_time,
    )
