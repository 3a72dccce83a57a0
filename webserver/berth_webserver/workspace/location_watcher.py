"""LocationWatcher: holds a code server's Watch stream and tells the workspace what changed.

The stream's first event says who the server is (KIND_CONNECTED). When the stream breaks the
location is marked unreachable and the watcher reconnects every ``retry_interval`` seconds (or at
once when the supervisor reports that the server is ready again). Deciding what a server identity
means (nothing new, a restart, an in-place reload) is the workspace's job.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Awaitable, Callable, Optional

import grpc
import grpc.aio

from berth.protocol.v1 import code_location_pb2 as pb

from .code_location_client import CodeLocationClient

__all__ = ["LocationWatcher"]

OnServerInfo = Callable[[pb.ServerInfo], Awaitable[None]]
OnDisconnected = Callable[[str], Awaitable[None]]


class LocationWatcher:
    """Watches one location until stopped; calls back on every server identity and every outage."""

    def __init__(self, client: CodeLocationClient, *, on_connected: OnServerInfo,
                 on_reloaded: OnServerInfo, on_disconnected: OnDisconnected,
                 retry_interval: float = 0.1, stale_after: float = 5.0) -> None:
        self.client = client
        self.on_connected = on_connected
        self.on_reloaded = on_reloaded
        self.on_disconnected = on_disconnected
        self.retry_interval = retry_interval
        self.stale_after = stale_after
        self._wake = asyncio.Event()
        self._task: Optional[asyncio.Task[None]] = None
        self._call: Optional[grpc.aio.UnaryStreamCall] = None

    def start(self) -> None:
        """Start watching in a background task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"watch {self.client.address}")

    def wake(self) -> None:
        """Retry the connection now (the supervisor saw the server come up)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop watching and close the stream."""
        task, self._task = self._task, None
        if self._call is not None:
            self._call.cancel()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        connected = True  # the workspace's first load counts as connected; an outage is reported once
        while True:
            delivered, detail = await self._follow_stream()
            if delivered or connected:
                connected = False
                await self.on_disconnected(detail)
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.retry_interval)

    async def _follow_stream(self) -> tuple[bool, str]:
        """Read the stream until it breaks: whether it delivered any event, and why it ended."""
        delivered = False
        heartbeats = False
        self._call = call = self.client.watch()
        try:
            while True:
                # A server that sends heartbeats and then falls silent is gone (a vanished pod
                # sends no FIN); without heartbeats, wait for the stream to end.
                read = call.read()
                event = await (asyncio.wait_for(read, self.stale_after) if heartbeats else read)
                if event is grpc.aio.EOF:
                    return delivered, "the code server closed its watch stream"
                delivered = True
                if event.kind == pb.WatchEvent.KIND_CONNECTED:
                    await self.on_connected(event.info)
                elif event.kind == pb.WatchEvent.KIND_RELOADED:
                    await self.on_reloaded(event.info)
                elif event.kind == pb.WatchEvent.KIND_HEARTBEAT:
                    heartbeats = True
        except asyncio.TimeoutError:
            return delivered, f"no heartbeat from the code server for {self.stale_after:g} s"
        except grpc.aio.AioRpcError as exc:
            return delivered, exc.details() or exc.code().name
        finally:
            call.cancel()
            self._call = None
