"""LocationStateEvent and the feed that fans them out to subscribers (GraphQL subscriptions)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import AsyncIterator, Optional

__all__ = ["LocationStateEvent", "LocationEventFeed", "LOCATION_UPDATED", "LOCATION_DISCONNECTED",
           "LOCATION_RECONNECTED", "LOCATION_ERROR"]

# Dagster's LocationStateChangeEventType values.
LOCATION_UPDATED = "LOCATION_UPDATED"
LOCATION_DISCONNECTED = "LOCATION_DISCONNECTED"
LOCATION_RECONNECTED = "LOCATION_RECONNECTED"
LOCATION_ERROR = "LOCATION_ERROR"

# A subscriber that does not read keeps at most this many events; older ones are dropped.
_QUEUE_LIMIT = 1000


@dataclasses.dataclass(frozen=True)
class LocationStateEvent:
    """A change of one location's state: it went away, came back, reloaded or failed to load."""

    location_name: str
    event_type: str
    message: str
    server_id: Optional[str] = None


class LocationEventFeed:
    """Publishes location events to every current subscriber, each with its own queue."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[LocationStateEvent]] = set()

    @property
    def subscriber_count(self) -> int:
        """How many subscribers are listening."""
        return len(self._queues)

    def publish(self, event: LocationStateEvent) -> None:
        """Hand the event to every subscriber (never blocks)."""
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    async def subscribe(self) -> AsyncIterator[LocationStateEvent]:
        """Yield every event published from now on, until the consumer stops iterating."""
        queue: asyncio.Queue[LocationStateEvent] = asyncio.Queue(maxsize=_QUEUE_LIMIT)
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)
