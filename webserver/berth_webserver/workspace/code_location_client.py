"""CodeLocationClient: the webserver's asyncio gRPC client of one code server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional

import grpc
import grpc.aio

from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1 import code_location_pb2_grpc as pb_grpc

from .code_server_access import CodeServerAccess
from .entry import RepositorySnap

if TYPE_CHECKING:
    from berth.snapshot import JobSnap

__all__ = ["CodeLocationClient", "CHANNEL_OPTIONS"]

# Reconnect fast: the watcher must notice a restarted server within a second, and grpc's default
# backoff grows to two minutes. Snapshots arrive one job per message, but a big job may exceed 4 MiB.
CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 200),
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
    ("grpc.enable_retries", 0),
)
_SERVICE = pb.DESCRIPTOR.services_by_name["CodeLocation"]
_SNAPSHOT_STREAM_METHOD = f"/{_SERVICE.full_name}/{_SERVICE.methods_by_name['StreamRepositorySnapshot'].name}"


class CodeLocationClient:
    """Calls the CodeLocation service of one server; the channel is made in the running event loop."""

    def __init__(self, host: str, port: int, access: Optional[CodeServerAccess] = None) -> None:
        self.host = host
        self.port = port
        self.access = access or CodeServerAccess()
        self._metadata = self.access.metadata
        self._channel: Optional[grpc.aio.Channel] = None
        self._stub: Optional[pb_grpc.CodeLocationStub] = None
        self._raw_stream: Optional["grpc.aio.UnaryStreamMultiCallable"] = None

    @property
    def address(self) -> str:
        """host:port of the server."""
        return f"{self.host}:{self.port}"

    def set_port(self, port: int) -> None:
        """Point the client at another port (a managed server's port is known once it starts)."""
        if port != self.port:
            self.port = port
            self._channel, self._stub, self._raw_stream = None, None, None

    @property
    def stub(self) -> pb_grpc.CodeLocationStub:
        """The generated stub on a lazily created grpc.aio channel."""
        if self._stub is None:
            self._channel = self.access.open_channel(self.address, CHANNEL_OPTIONS)
            self._stub = pb_grpc.CodeLocationStub(self._channel)
        return self._stub

    async def get_server_info(self, timeout: float = 5.0) -> pb.ServerInfo:
        """Who the server is now (id, generation, load error)."""
        return await self.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=timeout)

    async def fetch_repositories(
        self, location_name: str, previous: Mapping[str, RepositorySnap] | None = None,
        timeout: float = 120.0,
    ) -> dict[str, RepositorySnap]:
        """Stream every repository snapshot of the location.

        Messages arrive as bytes: a job whose bytes, or else whose snapshot id, did not change since
        ``previous`` keeps its JobSnap object, so a reload of a big, mostly unchanged location
        decodes nothing twice and keeps one copy of each job.
        """
        # Imported lazily: keeps the webserver's import time small.
        from .serialized_job_snap import SerializedJobSnap

        by_wire: dict[bytes, "JobSnap"] = {}
        by_snapshot_id: dict[tuple[str, str], "JobSnap"] = {}
        for repo in (previous or {}).values():
            for job in repo.jobs.values():
                by_snapshot_id[(repo.name, job.snapshot_id)] = job
                if isinstance(job, SerializedJobSnap):
                    by_wire[job.wire] = job
        collected: dict[str, dict[str, "JobSnap"]] = {}
        current: Optional[dict[str, "JobSnap"]] = None
        current_name = ""
        async for wire in self._raw_snapshot_stream(pb.StreamRepositorySnapshotRequest(), timeout=timeout):
            unchanged = by_wire.get(wire)
            if unchanged is not None and current is not None:
                current[unchanged.name] = unchanged
                continue
            chunk = pb.RepositorySnapshotChunk.FromString(wire)
            if chunk.HasField("header"):
                current_name = chunk.header.name
                current = collected.setdefault(current_name, {})
            elif chunk.HasField("job") and current is not None:
                reused = by_snapshot_id.get((current_name, chunk.job.snapshot_id))
                current[chunk.job.name] = reused if reused is not None else SerializedJobSnap(wire, chunk.job)
        return {
            name: RepositorySnap(name, location_name, dict(sorted(jobs.items())))
            for name, jobs in sorted(collected.items())
        }

    @property
    def _raw_snapshot_stream(self) -> "grpc.aio.UnaryStreamMultiCallable":
        # The stub's method decodes every message; this one hands over the bytes.
        if self._raw_stream is None:
            self.stub  # noqa: B018 - makes the channel
            assert self._channel is not None
            self._raw_stream = self._channel.unary_stream(
                _SNAPSHOT_STREAM_METHOD,
                request_serializer=pb.StreamRepositorySnapshotRequest.SerializeToString,
                response_deserializer=None)
        return self._raw_stream

    async def start_run(self, run_id: str, repository_name: str, job_name: str,
                        timeout: float = 30.0) -> pb.StartRunReply:
        """Ask the server to start a worker for a stored run (a refusal raises ``AioRpcError``)."""
        request = pb.StartRunRequest(run_id=run_id, repository_name=repository_name, job_name=job_name)
        return await self.stub.StartRun(request, timeout=timeout, metadata=self._metadata)

    async def cancel_run(self, run_id: str, timeout: float = 10.0, force: bool = False) -> pb.CancelRunReply:
        """Ask the server to cancel a run's worker (``force``: kill its processes at once)."""
        return await self.stub.CancelRun(pb.CancelRunRequest(run_id=run_id, force=force), timeout=timeout,
                                         metadata=self._metadata)

    async def list_active_runs(self, timeout: float = 5.0) -> list[str]:
        """Ids of the runs whose workers this server is running."""
        reply = await self.stub.ListActiveRuns(pb.ListActiveRunsRequest(), timeout=timeout)
        return list(reply.run_ids)

    async def reload(self, timeout: float = 120.0) -> pb.ServerInfo:
        """Make the server re-import its definitions; returns its info after the reload."""
        reply = await self.stub.Reload(pb.ReloadRequest(), timeout=timeout, metadata=self._metadata)
        return reply.info

    async def shutdown(self, timeout: float = 10.0) -> pb.ShutdownReply:
        """Ask the server to drain and exit."""
        return await self.stub.Shutdown(pb.ShutdownRequest(), timeout=timeout, metadata=self._metadata)

    def watch(self) -> "grpc.aio.UnaryStreamCall":
        """Open the server's watch stream (first event: KIND_CONNECTED)."""
        return self.stub.Watch(pb.WatchRequest())

    async def close(self) -> None:
        """Close the channel."""
        channel, self._channel, self._stub, self._raw_stream = self._channel, None, None, None
        if channel is not None:
            await channel.close()
