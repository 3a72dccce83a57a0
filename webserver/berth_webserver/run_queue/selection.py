"""Which queued runs may start now: priority order, then the limits, counted from storage.

A plain function of two lists read from run storage — the queued runs and the runs in flight
(STARTING, STARTED, CANCELING) — so that every webserver would count the same runs, and the
rules can be tested without processes.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING, Callable, Sequence

from berth.runs import RunRecord, RunStatus

if TYPE_CHECKING:
    from ..instance import RunQueueConfig

__all__ = ["IN_FLIGHT_STATUSES", "PRIORITY_TAG", "DequeuePlan", "plan_dequeue", "priority_of", "queue_order"]

PRIORITY_TAG = "dagster/priority"
# The runs that hold a slot: handed to a launcher and not finished yet.
IN_FLIGHT_STATUSES = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)


def priority_of(run: RunRecord) -> int:
    """The run's ``dagster/priority`` tag as an integer (higher starts first); 0 when absent or not a number."""
    try:
        return int(run.tags.get(PRIORITY_TAG, "0"))
    except ValueError:
        return 0


def queue_order(queued: Sequence[RunRecord]) -> list[RunRecord]:
    """Queued runs in the order they may start: higher priority first, then older first."""
    return sorted(queued, key=lambda run: (-priority_of(run), run.create_timestamp))


@dataclasses.dataclass(frozen=True)
class DequeuePlan:
    """What one dequeue pass does: the runs to launch now, and those waiting for their location."""

    launch: list[RunRecord]
    waiting_for_location: list[RunRecord]


class _Slots:
    """Counters of the runs holding slots, by the limits of the config."""

    def __init__(self, config: "RunQueueConfig", in_flight: Sequence[RunRecord]) -> None:
        self.config = config
        self.total = 0
        self.by_location: Counter[str] = Counter()
        self.by_tag: Counter[tuple[int, tuple[str, str]]] = Counter()
        for run in in_flight:
            self.take(run)

    def _tag_buckets(self, run: RunRecord) -> list[tuple[int, tuple[str, str]]]:
        buckets = []
        for number, limit in enumerate(self.config.tag_concurrency_limits):
            bucket = limit.bucket(run.tags)
            if bucket is not None:
                buckets.append((number, bucket))
        return buckets

    def full(self) -> bool:
        limit = self.config.max_concurrent_runs
        return limit is not None and self.total >= limit

    def admits(self, run: RunRecord) -> bool:
        per_location = self.config.max_concurrent_runs_per_location
        if per_location is not None and self.by_location[run.location_name] >= per_location:
            return False
        limits = self.config.tag_concurrency_limits
        return all(self.by_tag[bucket] < limits[bucket[0]].limit for bucket in self._tag_buckets(run))

    def take(self, run: RunRecord) -> None:
        self.total += 1
        self.by_location[run.location_name] += 1
        for bucket in self._tag_buckets(run):
            self.by_tag[bucket] += 1


def plan_dequeue(config: "RunQueueConfig", queued: Sequence[RunRecord], in_flight: Sequence[RunRecord],
                 location_ready: Callable[[str], bool]) -> DequeuePlan:
    """The queued runs that may start without exceeding any limit, in queue order.

    A run blocked by a location or tag limit does not hold back the runs behind it (as Dagster);
    a run whose location is not ready waits and is reported, and takes no slot.
    """
    slots = _Slots(config, in_flight)
    launch: list[RunRecord] = []
    waiting: list[RunRecord] = []
    for run in queue_order(queued):
        if slots.full():
            break
        if not location_ready(run.location_name):
            waiting.append(run)
        elif slots.admits(run):
            slots.take(run)
            launch.append(run)
    return DequeuePlan(launch, waiting)
