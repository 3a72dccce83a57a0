"""RunLauncher: hands stored runs to their location's code server, and cancels them there."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, NoReturn

import grpc
import grpc.aio

from berth.events import EventType, RunEvent, SerializableError
from berth.runs import RunRecord

from .workspace.errors import LocationNotFoundError

if TYPE_CHECKING:
    from .workspace.workspace import Workspace

__all__ = ["RunLauncher", "LaunchError"]


class LaunchError(Exception):
    """The run could not be handed to a code server; the run is marked FAILURE with the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RunLauncher:
    """Starts runs with StartRun on the job's code server and cancels them with CancelRun."""

    def __init__(self, workspace: "Workspace") -> None:
        self.workspace = workspace

    async def launch(self, run: RunRecord) -> None:
        """Start a stored run (status STARTING) on its location's server; raises LaunchError."""
        try:
            client = self.workspace.client(run.location_name)
        except LocationNotFoundError as exc:
            await self._fail(run, str(exc))
        self.workspace.launching.add(run.run_id)
        try:
            reply = await client.start_run(run.run_id, run.repository_name, run.job_name,
                                           self.workspace.storage_url)
        except grpc.aio.AioRpcError as exc:
            await self._fail(run, f"Could not reach the code server of location '{run.location_name}': "
                                  f"{exc.details() or exc.code().name}")
        finally:
            self.workspace.launching.discard(run.run_id)
        if not reply.started:
            await self._fail(run, reply.error.message or f"The code server of location '{run.location_name}' "
                                                         f"did not start the run.")

    async def terminate(self, run_id: str) -> bool:
        """Ask the server that runs it to cancel the run; False when no server has it."""
        run = self.workspace.storage.get_run(run_id)
        if run is None:
            return False
        try:
            client = self.workspace.client(run.location_name)
            reply = await client.cancel_run(run_id)
        except (LocationNotFoundError, grpc.aio.AioRpcError):
            return False
        return bool(reply.found)

    async def _fail(self, run: RunRecord, message: str) -> NoReturn:
        """Record why the launch failed (the run must not stay STARTING) and raise LaunchError."""
        storage = self.workspace.storage

        def record() -> None:
            storage.store_event(RunEvent(run.run_id, message, EventType.ENGINE_EVENT, level=logging.ERROR,
                                         error=SerializableError(message, "", "LaunchError")))
            storage.store_event(RunEvent(run.run_id, "Run failed: it could not be launched.",
                                         EventType.RUN_FAILURE, level=logging.ERROR))

        await asyncio.to_thread(record)
        raise LaunchError(message)
