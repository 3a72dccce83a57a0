"""The ``CodeLocation`` gRPC servicer: translates messages to and from ``LocationHost`` calls."""

from __future__ import annotations

from typing import Iterator, Union

import grpc

from berth.protocol.user_errors import error_to_proto
from berth.protocol.v1 import code_location_pb2, code_location_pb2_grpc
from berth.server.generation import CodeGeneration
from berth.server.location import LocationHost
from berth.server.start_run_errors import StartRunRefused

__all__ = ["CodeLocationServicer"]


def _load_error(generation: CodeGeneration) -> code_location_pb2.UserError:
    assert generation.load_error is not None
    return error_to_proto(generation.load_error)


class CodeLocationServicer(code_location_pb2_grpc.CodeLocationServicer):
    """Serves one ``LocationHost`` over the ``berth.protocol.v1.CodeLocation`` service."""

    def __init__(self, location: LocationHost) -> None:
        self.location = location

    def GetServerInfo(self, request: code_location_pb2.GetServerInfoRequest,
                      context: grpc.ServicerContext) -> code_location_pb2.ServerInfo:
        """Who this server is (location, server id, generation, load error)."""
        return self.location.server_info()

    def ListRepositories(self, request: code_location_pb2.ListRepositoriesRequest,
                         context: grpc.ServicerContext) -> code_location_pb2.ListRepositoriesReply:
        """The location's repositories with their job counts, or its load error."""
        generation = self.location.generation
        if generation.load_error is not None:
            return code_location_pb2.ListRepositoriesReply(load_error=_load_error(generation))
        return code_location_pb2.ListRepositoriesReply(repositories=[
            code_location_pb2.RepositorySummary(name=name, job_count=len(repository.jobs))
            for name, repository in generation.repositories.items()
        ])

    def StreamRepositorySnapshot(self, request: code_location_pb2.StreamRepositorySnapshotRequest,
                                 context: grpc.ServicerContext
                                 ) -> Iterator[Union[bytes, code_location_pb2.RepositorySnapshotChunk]]:
        """A header then one job per message, per repository; pre-serialized chunks are bytes."""
        generation = self.location.generation
        if generation.load_error is not None:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, generation.load_error.message)
        if request.repository_name and request.repository_name not in generation.repositories:
            context.abort(grpc.StatusCode.NOT_FOUND,
                          f"repository {request.repository_name!r} not found in this code location")
        names = [request.repository_name] if request.repository_name else list(generation.repositories)
        for name in names:
            try:
                messages = generation.snapshot_messages(name)
            except Exception as exc:  # noqa: BLE001 - a snapshot bug in user code is reported
                context.abort(grpc.StatusCode.INTERNAL, f"could not snapshot repository {name!r}: {exc}")
            yield from messages.chunks

    def StartRun(self, request: code_location_pb2.StartRunRequest,
                 context: grpc.ServicerContext) -> code_location_pb2.StartRunReply:
        """Start a worker for a stored run; a refusal is a gRPC status with the reason."""
        from berth.definitions.lookup import JobLookupError

        if not request.run_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "run_id is required")
        try:
            pid = self.location.start_run(request.run_id, request.repository_name, request.job_name)
        except StartRunRefused as exc:
            context.abort(exc.status, str(exc))
        except JobLookupError as exc:
            context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
        return code_location_pb2.StartRunReply(worker_pid=pid)

    def CancelRun(self, request: code_location_pb2.CancelRunRequest,
                  context: grpc.ServicerContext) -> code_location_pb2.CancelRunReply:
        """Cancel an active run; found=false when no worker here runs it."""
        if self.location.cancel_run(request.run_id, request.force):
            return code_location_pb2.CancelRunReply(found=True, message="cancel requested")
        return code_location_pb2.CancelRunReply(found=False,
                                                message=f"no active run {request.run_id} on this server")

    def ListActiveRuns(self, request: code_location_pb2.ListActiveRunsRequest,
                       context: grpc.ServicerContext) -> code_location_pb2.ListActiveRunsReply:
        """The ids of the runs with a live worker."""
        return code_location_pb2.ListActiveRunsReply(run_ids=self.location.active_runs.run_ids())

    def Reload(self, request: code_location_pb2.ReloadRequest,
               context: grpc.ServicerContext) -> code_location_pb2.ReloadReply:
        """Re-import the definitions; the reply carries the new info (and load error, if any)."""
        if self.location.shutting_down.is_set():
            context.abort(grpc.StatusCode.UNAVAILABLE, "code server is shutting down")
        return code_location_pb2.ReloadReply(info=self.location.reload())

    def Shutdown(self, request: code_location_pb2.ShutdownRequest,
                 context: grpc.ServicerContext) -> code_location_pb2.ShutdownReply:
        """Stop taking runs, drain within the grace period, then exit."""
        active = self.location.request_shutdown()
        return code_location_pb2.ShutdownReply(
            accepted=True, active_runs=active,
            message=f"shutting down after {active} active runs finish "
                    f"(grace {self.location.shutdown_grace:g} s)" if active else "shutting down")

    def Watch(self, request: code_location_pb2.WatchRequest,
              context: grpc.ServicerContext) -> Iterator[code_location_pb2.WatchEvent]:
        """Connected, then reloads, shutdown and heartbeats, until the server stops."""
        return self.location.watch.stream(self.location.server_info, context.add_callback)
