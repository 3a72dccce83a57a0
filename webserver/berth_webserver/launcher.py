"""RunLauncher: hands stored runs to their location's code server, and cancels them there.

The launcher only starts and stops runs; it writes nothing to storage. When a run cannot be
started it raises ``LaunchError`` and ``operations.launch.launch_run`` records the failure, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import grpc
import grpc.aio

from berth.runs import RunRecord

from .workspace.errors import LocationNotFound

if TYPE_CHECKING:
    from .workspace.code_location_client import CodeLocationClient

__all__ = ["LaunchError", "RunLauncher"]

# What a StartRun refusal means, by gRPC status (the code server's detail follows).
_REFUSALS = {
    grpc.StatusCode.FAILED_PRECONDITION: "its code failed to load",
    grpc.StatusCode.NOT_FOUND: "it does not have the job",
    grpc.StatusCode.UNAVAILABLE: "it is unreachable or shutting down",
    grpc.StatusCode.DEADLINE_EXCEEDED: "it did not answer in time",
    grpc.StatusCode.ALREADY_EXISTS: "it runs the run already",
}


class LaunchError(Exception):
    """The run could not be handed to a code server; ``str()`` says why, for the run's event log."""


class RunLauncher:
    """Starts runs with StartRun on the job's code server and cancels them with CancelRun.

    ``launching`` holds the runs between their storage write and the server's answer: a server
    does not list them as active yet, so the run monitor must leave them alone.
    """

    def __init__(self, client_of: Callable[[str], "CodeLocationClient"]) -> None:
        """``client_of(location_name)`` gives a location's client (raises ``LocationNotFound``)."""
        self._client_of = client_of
        self._launching: set[str] = set()

    @property
    def launching(self) -> frozenset[str]:
        """Ids of the runs being handed to a server right now."""
        return frozenset(self._launching)

    async def launch(self, run: RunRecord) -> None:
        """Start a stored run (status STARTING) on its location's server; raises ``LaunchError``."""
        try:
            client = self._client_of(run.location_name)
        except LocationNotFound as exc:
            raise LaunchError(str(exc)) from exc
        self._launching.add(run.run_id)
        try:
            await client.start_run(run.run_id, run.repository_name, run.job_name)
        except grpc.aio.AioRpcError as exc:
            reason = _REFUSALS.get(exc.code(), f"it answered {exc.code().name}")
            raise LaunchError(f"The code server of location '{run.location_name}' did not start the run: "
                              f"{reason} ({exc.details() or exc.code().name}).") from exc
        finally:
            self._launching.discard(run.run_id)

    async def terminate(self, run: RunRecord) -> bool:
        """Ask the server that runs it to cancel the run; False when no server has it."""
        try:
            reply = await self._client_of(run.location_name).cancel_run(run.run_id)
        except (LocationNotFound, grpc.aio.AioRpcError):
            return False
        return bool(reply.found)
