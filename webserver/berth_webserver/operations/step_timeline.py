"""When each step of a run ran: its attempts and markers, derived from the run's event log.

Dagster's rules (``build_run_step_stats_from_events``): STEP_START and STEP_RESTARTED open an
attempt; STEP_UP_FOR_RETRY, STEP_SUCCESS, STEP_FAILURE and STEP_SKIPPED close it. An attempt still
running is not listed; a close without an open counts as an attempt that starts when it ends.
Markers are spans that engine events open and close by name (``marker_start`` / ``marker_end``
in their metadata).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any, Iterable, Optional

from berth.events import EventRecord, EventType

if TYPE_CHECKING:
    from ..async_storage import AsyncRunStorage

__all__ = ["RunStepTimelines", "StepMarker", "StepTimeline", "step_timelines"]

_OPENS = frozenset({EventType.STEP_START, EventType.STEP_RESTARTED})
_CLOSES = frozenset({EventType.STEP_UP_FOR_RETRY, EventType.STEP_SUCCESS, EventType.STEP_FAILURE,
                     EventType.STEP_SKIPPED})


@dataclasses.dataclass(frozen=True)
class StepMarker:
    """A span of time (Dagster's ``RunMarker``); either end may be unknown."""

    start_time: Optional[float]
    end_time: Optional[float]


@dataclasses.dataclass(frozen=True)
class StepTimeline:
    """The finished attempts of one step and its markers, in the order they began."""

    attempts: tuple[StepMarker, ...] = ()
    markers: tuple[StepMarker, ...] = ()


class _StepTimelineBuilder:
    """Accumulates one step's spans while the events go by."""

    def __init__(self) -> None:
        self.attempts: list[StepMarker] = []
        self.open_attempt: Optional[float] = None
        self.markers: dict[str, list[Optional[float]]] = {}  # name -> [start, end], first-seen order

    def see(self, event_type: EventType, timestamp: float, metadata: Any) -> None:
        if event_type in _OPENS:
            self.open_attempt = timestamp
        elif event_type in _CLOSES:
            start = self.open_attempt if self.open_attempt is not None else timestamp
            self.attempts.append(StepMarker(start, timestamp))
            self.open_attempt = None
        elif event_type == EventType.ENGINE_EVENT:
            for index, key in ((0, "marker_start"), (1, "marker_end")):
                name = metadata.get(key) if isinstance(metadata, dict) else None
                if name:
                    self.markers.setdefault(str(name), [None, None])[index] = timestamp

    def build(self) -> StepTimeline:
        return StepTimeline(tuple(self.attempts), tuple(StepMarker(s, e) for s, e in self.markers.values()))


def step_timelines(records: Iterable[EventRecord]) -> dict[str, StepTimeline]:
    """Each step's timeline, by step key, from a run's events in log order."""
    builders: dict[str, _StepTimelineBuilder] = {}
    for record in records:
        event = record.event
        if event.step_key is None or event.event_type is None:
            continue
        builder = builders.get(event.step_key)
        if builder is None:
            builder = builders[event.step_key] = _StepTimelineBuilder()
        builder.see(event.event_type, event.timestamp, dict(event.metadata))
    return {key: builder.build() for key, builder in builders.items()}


class RunStepTimelines:
    """The step timelines of one run, read from storage on first use (most queries never ask).

    The steps of a run share one instance, so the log is read once however many steps ask.
    """

    def __init__(self, storage: "AsyncRunStorage", run_id: str) -> None:
        self._storage = storage
        self._run_id = run_id
        self._reading: Optional[asyncio.Future[dict[str, StepTimeline]]] = None

    async def for_step(self, step_key: str) -> StepTimeline:
        """The timeline of one step (empty when the log has none of its events)."""
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read())
        return (await self._reading).get(step_key, StepTimeline())

    async def _read(self) -> dict[str, StepTimeline]:
        return step_timelines(await self._storage.get_events(self._run_id))
