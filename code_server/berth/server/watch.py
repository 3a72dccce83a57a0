"""The watch stream: tells every connected webserver at once when this server reloads or stops.

Each ``Watch`` call subscribes a queue. The stream opens with KIND_CONNECTED (who the server is
now), carries KIND_RELOADED and KIND_SHUTTING_DOWN as they happen and a KIND_HEARTBEAT whenever a
second passes quietly, and ends when the hub closes (the server stops) or the client goes away.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterator, Optional

from berth.protocol.v1 import code_location_pb2

__all__ = ["HEARTBEAT_SECONDS", "Kind", "WatchHub"]

HEARTBEAT_SECONDS = 1.0

# The WatchEvent kinds (KIND_CONNECTED, ...), for ``publish``.
Kind = code_location_pb2.WatchEvent.Kind
_CLOSED = None


class WatchHub:
    """Fan-out of watch events to every open Watch stream."""

    def __init__(self, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.heartbeat_seconds = heartbeat_seconds
        self._lock = threading.Lock()
        self._subscribers: set[queue.SimpleQueue[Optional[code_location_pb2.WatchEvent]]] = set()
        self._closed = False

    def publish(self, kind: "code_location_pb2.WatchEvent.Kind",
                info: code_location_pb2.ServerInfo) -> None:
        """Send one event to every subscriber."""
        event = code_location_pb2.WatchEvent(kind=kind, info=info)
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.put(event)

    def close(self) -> None:
        """End every stream, now and for later subscribers."""
        with self._lock:
            self._closed = True
            for subscriber in self._subscribers:
                subscriber.put(_CLOSED)

    def stream(self, current_info: Callable[[], code_location_pb2.ServerInfo],
               on_disconnect: Callable[[Callable[[], None]], object]
               ) -> Iterator[code_location_pb2.WatchEvent]:
        """One subscriber's events, starting with KIND_CONNECTED; ends on close or disconnect.

        ``on_disconnect`` registers a callback to run when the client goes away (gRPC's
        ``context.add_callback``), so that a stream's thread is freed at once.
        """
        subscriber: queue.SimpleQueue[Optional[code_location_pb2.WatchEvent]] = queue.SimpleQueue()
        on_disconnect(lambda: subscriber.put(_CLOSED))
        with self._lock:
            closed = self._closed
            self._subscribers.add(subscriber)
        try:
            yield code_location_pb2.WatchEvent(kind=Kind.KIND_CONNECTED, info=current_info())
            while not closed:
                try:
                    event = subscriber.get(timeout=self.heartbeat_seconds)
                except queue.Empty:
                    event = code_location_pb2.WatchEvent(kind=Kind.KIND_HEARTBEAT, info=current_info())
                if event is _CLOSED:
                    return
                yield event
        finally:
            with self._lock:
                self._subscribers.discard(subscriber)
