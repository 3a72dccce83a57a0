"""Workspace: the code locations the webserver serves, kept current by their watchers.

Each location has a CodeLocationClient, a LocationWatcher and, for python_file/python_module
entries, a supervised CodeServerProcess. Entries are immutable and replaced whole, so a resolver
always reads one consistent snapshot of a location.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, AsyncIterator, Mapping, Optional, Sequence

import grpc
import grpc.aio

from berth.events import SerializableError
from berth.protocol.user_errors import error_from_proto
from berth.protocol.v1 import code_location_pb2 as pb

from ..heap import release_free_memory
from .code_location_client import CodeLocationClient
from .code_server_access import CodeServerAccess
from .entry import LOADED, LOADING, LocationEntry
from .errors import LocationNotFound, LocationUnreachableError
from .location_events import (
    LOCATION_DISCONNECTED,
    LOCATION_ERROR,
    LOCATION_RECONNECTED,
    LOCATION_UPDATED,
    LocationEventFeed,
    LocationStateEvent,
)
from .location_watcher import LocationWatcher
from .run_monitor import RunMonitor
from .supervisor import CodeServerProcess, CodeServerStartError
from .workspace_file import LocationOrigin

if TYPE_CHECKING:
    from berth.snapshot import JobSnap

__all__ = ["Workspace"]


def _unreachable_error(name: str, detail: str) -> SerializableError:
    message = f"Location '{name}' is unreachable: {detail}"
    return SerializableError(message, "", "LocationUnreachableError")


class _Location:
    """The moving parts of one location (private to the workspace)."""

    def __init__(self, origin: LocationOrigin, client: CodeLocationClient,
                 process: Optional[CodeServerProcess]) -> None:
        self.origin = origin
        self.client = client
        self.process = process
        self.entry = LocationEntry(origin.location_name, LOADING, origin=origin.as_dict())
        self.lock = asyncio.Lock()
        self.watcher: Optional[LocationWatcher] = None
        self.swept_server_id: Optional[str] = None


class Workspace:
    """The code locations of one webserver; start() loads them, stop() releases them."""

    def __init__(self, origins: Sequence[LocationOrigin], storage_url: str, *,
                 code_server_host: str = "127.0.0.1", shutdown_grace: float = 5.0,
                 watch_retry_interval: float = 0.1,
                 processes: Optional[Mapping[str, CodeServerProcess]] = None,
                 access: Optional[CodeServerAccess] = None) -> None:
        """``storage_url``: what supervised code servers are started with (they open it themselves).

        ``processes``: supervised servers made (and perhaps spawned) beforehand, by location name.
        ``access``: the code servers' secret (and TLS for external ones); by default a fresh secret,
        which the supervised servers this workspace starts receive.
        """
        self.feed = LocationEventFeed()
        # Set by the app: a (re)connected server wakes it, to end the runs the server no longer runs.
        self.run_monitor: Optional[RunMonitor] = None
        self._retry = watch_retry_interval
        self._locations: dict[str, _Location] = {}
        access = access or CodeServerAccess.generated()
        for origin in origins:
            process = (processes or {}).get(origin.location_name)
            if process is None and origin.is_managed:
                process = CodeServerProcess(origin, storage_url, host=code_server_host,
                                            shutdown_grace=shutdown_grace, token=access.token)
            host, port = (origin.host, origin.port) if process is None else (process.host, process.port)
            client = CodeLocationClient(host, port, access if process is None else access.for_supervised())
            self._locations[origin.location_name] = _Location(origin, client, process)
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start managed servers, load every location concurrently, then watch them all."""
        self._started = True
        await asyncio.gather(*(self._start_location(location) for location in self._locations.values()))

    async def stop(self) -> None:
        """Stop watching, terminate managed servers and close channels."""
        self._started = False
        await asyncio.gather(*(self._stop_location(location) for location in self._locations.values()))

    async def _start_location(self, location: _Location) -> None:
        if location.process is not None:
            try:
                await location.process.start()
            except CodeServerStartError as exc:
                location.entry = location.entry.with_changes(
                    load_status=LOADED, load_error=SerializableError(str(exc), "", "CodeServerStartError"),
                    reachable=False, updated_at=time.time())
            location.client.set_port(location.process.port)
        if location.entry.load_status == LOADING:
            await self._load(location)
        watcher = LocationWatcher(location.client, retry_interval=self._retry,
                                  on_connected=lambda info: self._on_connected(location, info),
                                  on_reloaded=lambda info: self._on_reloaded(location, info),
                                  on_disconnected=lambda detail: self._on_disconnected(location, detail))
        location.watcher = watcher
        if location.process is not None:
            location.process.on_ready = watcher.wake
        watcher.start()

    async def _stop_location(self, location: _Location) -> None:
        if location.watcher is not None:
            await location.watcher.stop()
        if location.process is not None:
            await location.process.stop()
        await location.client.close()

    # -- reads (sync: used by resolvers) ---------------------------------------------------------

    def entries(self) -> list[LocationEntry]:
        """Every location entry, in workspace order."""
        return [location.entry for location in self._locations.values()]

    def entry(self, name: str) -> Optional[LocationEntry]:
        """The entry of that location, or None."""
        location = self._locations.get(name)
        return location.entry if location is not None else None

    def find_job(self, location: str, repository: str, job: str) -> Optional["JobSnap"]:
        """The job snapshot, or None when the location, repository or job is unknown."""
        entry = self.entry(location)
        if entry is None:
            return None
        repo = entry.repositories.get(repository)
        return repo.jobs.get(job) if repo is not None else None

    def client(self, name: str) -> CodeLocationClient:
        """The gRPC client of a location (for the run launcher); raises LocationNotFound."""
        return self._location(name).client

    def process(self, name: str) -> Optional[CodeServerProcess]:
        """The supervised process of a managed location, or None for an external server."""
        return self._location(name).process

    def location_events(self) -> AsyncIterator[LocationStateEvent]:
        """Every location state change from now on (for the GraphQL subscription)."""
        return self.feed.subscribe()

    # -- actions ---------------------------------------------------------------------------------

    async def reload_location(self, name: str) -> LocationEntry:
        """Make the location's server re-import its definitions; returns the entry once loaded."""
        location = self._location(name)
        try:
            info = await location.client.reload()
        except grpc.aio.AioRpcError as exc:
            return self._mark_unreachable(location, exc.details() or exc.code().name)
        entry = await self._load(location, info)
        self._publish_load(entry, LOCATION_UPDATED, "Location reloaded.")
        return entry

    async def reload_all(self) -> list[LocationEntry]:
        """Reload every location concurrently."""
        return list(await asyncio.gather(*(self.reload_location(name) for name in self._locations)))

    async def shutdown_location(self, name: str) -> None:
        """Ask the location's server to drain and exit; its supervisor starts it again."""
        location = self._location(name)
        try:
            reply = await location.client.shutdown()
        except grpc.aio.AioRpcError as exc:
            raise LocationUnreachableError(name, exc.details() or exc.code().name) from exc
        if not reply.accepted:
            raise LocationUnreachableError(name, reply.message or "the server refused to shut down")

    # -- loading and watching --------------------------------------------------------------------

    def _location(self, name: str) -> _Location:
        location = self._locations.get(name)
        if location is None:
            raise LocationNotFound(name)
        return location

    async def _load(self, location: _Location, info: Optional[pb.ServerInfo] = None) -> LocationEntry:
        """Fetch server info (unless given) and snapshots; the entry is replaced in one step."""
        async with location.lock:
            name = location.origin.location_name
            held = location.entry
            if (info is not None and held.reachable and held.server_info is not None
                    and held.server_info.server_id == info.server_id
                    and held.server_info.generation == info.generation):
                return held  # loaded meanwhile (the watcher and a reload saw the same generation)
            try:
                if info is None:
                    info = await location.client.get_server_info()
                if info.HasField("load_error") and info.load_error.message:
                    entry = LocationEntry(name, LOADED, error_from_proto(info.load_error), info, {},
                                          time.time(), location.origin.as_dict())
                else:
                    repositories = await location.client.fetch_repositories(name, location.entry.repositories)
                    entry = LocationEntry(name, LOADED, None, info, repositories, time.time(),
                                          location.origin.as_dict())
            except grpc.aio.AioRpcError as exc:
                return self._mark_unreachable(location, exc.details() or exc.code().name)
            location.entry = entry
            release_free_memory()  # the stream's messages and the replaced entry's jobs
            return entry

    def _mark_unreachable(self, location: _Location, detail: str) -> LocationEntry:
        name = location.origin.location_name
        location.entry = location.entry.with_changes(
            load_status=LOADED, load_error=_unreachable_error(name, detail), reachable=False, updated_at=time.time())
        return location.entry

    def _publish_load(self, entry: LocationEntry, event_type: str, message: str) -> None:
        if entry.load_error is not None and entry.reachable:
            event_type, message = LOCATION_ERROR, entry.load_error.message
        self.feed.publish(LocationStateEvent(entry.name, event_type, message, entry.server_id))

    async def _on_connected(self, location: _Location, info: pb.ServerInfo) -> None:
        entry = location.entry
        was_unreachable = not entry.reachable
        held = entry.server_info
        changed = held is None or held.server_id != info.server_id or held.generation != info.generation
        if changed:
            entry = await self._load(location, info)
            if entry.reachable:
                kind = LOCATION_RECONNECTED if was_unreachable else LOCATION_UPDATED
                self._publish_load(entry, kind, f"Location {'reconnected' if was_unreachable else 'updated'}"
                                                f" (server {info.server_id}).")
        elif was_unreachable:
            error = error_from_proto(info.load_error) if info.load_error.message else None
            location.entry = entry.with_changes(reachable=True, load_error=error, updated_at=time.time())
            self.feed.publish(LocationStateEvent(entry.name, LOCATION_RECONNECTED, "Location reconnected.",
                                                 info.server_id))
        if location.swept_server_id != info.server_id:
            location.swept_server_id = info.server_id
            await self._sweep_runs(location)

    async def _on_reloaded(self, location: _Location, info: pb.ServerInfo) -> None:
        held = location.entry.server_info
        if held is not None and held.server_id == info.server_id and held.generation == info.generation:
            return  # we asked for this reload and already hold its result
        entry = await self._load(location, info)
        self._publish_load(entry, LOCATION_UPDATED, f"Location reloaded (generation {info.generation}).")

    async def _on_disconnected(self, location: _Location, detail: str) -> None:
        if not location.entry.reachable and location.entry.load_status == LOADED:
            return
        entry = self._mark_unreachable(location, detail)
        self.feed.publish(LocationStateEvent(entry.name, LOCATION_DISCONNECTED,
                                             entry.load_error.message if entry.load_error else detail, None))

    async def _sweep_runs(self, location: _Location) -> None:
        # The monitor's own pass (under its lease, with its grace) does the checking.
        if self.run_monitor is not None:
            self.run_monitor.wake()
