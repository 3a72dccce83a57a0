"""RunLauncher: hands stored runs to their location's code server, cancels them there, and tells
the run monitor whose workers are still there.

The launcher only starts, stops and checks runs; it writes nothing to storage. When a run cannot
be started it raises ``LaunchError`` and ``operations.launch.launch_run`` records the failure, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import grpc
import grpc.aio

from berth.runs import RunRecord

from .worker_check import WorkerCheck, WorkerHealth
from .workspace.errors import LocationNotFound

if TYPE_CHECKING:
    from .workspace.code_location_client import CodeLocationClient

__all__ = ["LaunchError", "RunLauncher", "TerminateResult"]

_log = logging.getLogger(__name__)

# What a StartRun refusal means, by gRPC status (the code server's detail follows).
_REFUSALS = {
    grpc.StatusCode.FAILED_PRECONDITION: "its code failed to load",
    grpc.StatusCode.NOT_FOUND: "it does not have the job",
    grpc.StatusCode.UNAVAILABLE: "it is unreachable or shutting down",
    grpc.StatusCode.DEADLINE_EXCEEDED: "it did not answer in time",
    grpc.StatusCode.ALREADY_EXISTS: "it runs the run already",
}


class TerminateResult(enum.Enum):
    """What the run's code server said to a terminate request."""

    REQUESTED = "requested"  # it runs the run and is stopping it
    NOT_RUNNING = "not running"  # it was reached and has no worker for the run
    UNREACHABLE = "unreachable"  # no answer (down, unknown location, error): the run may still run


class LaunchError(Exception):
    """The run could not be handed to a code server; ``str()`` says why, for the run's event log.

    ``location_unavailable``: the location could not take the run just now (its server is
    unreachable or shutting down), so a queued run may wait and be tried again.
    """

    def __init__(self, message: str, *, location_unavailable: bool = False) -> None:
        super().__init__(message)
        self.location_unavailable = location_unavailable


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
        try:
            await client.start_run(run.run_id, run.repository_name, run.job_name)
        except grpc.aio.AioRpcError as exc:
            reason = _REFUSALS.get(exc.code(), f"it answered {exc.code().name}")
            raise LaunchError(f"The code server of location '{run.location_name}' did not start the run: "
                              f"{reason} ({exc.details() or exc.code().name}).",
                              location_unavailable=exc.code() == grpc.StatusCode.UNAVAILABLE) from exc

    @contextlib.contextmanager
    def launching_run(self, run_id: str) -> Iterator[None]:
        """Within the block the run counts as being launched: wrap its storage write and ``launch``.

        Entered before the run is stored, so that no moment exists where storage shows the run
        STARTING while neither this set nor its server's active list holds it.
        """
        self._launching.add(run_id)
        try:
            yield
        finally:
            self._launching.discard(run_id)

    async def terminate(self, run: RunRecord, force: bool = False) -> TerminateResult:
        """Ask the run's code server to cancel it; ``force`` kills its processes at once.

        Only a server that answered can say it does not run the run (``NOT_RUNNING``); any
        failure to get an answer is ``UNREACHABLE``, since the run's worker may still be running.
        """
        try:
            reply = await self._client_of(run.location_name).cancel_run(run.run_id, force=force)
        except (LocationNotFound, grpc.aio.AioRpcError) as exc:
            _log.warning("could not ask the code server of location %r to cancel run %s: %s",
                         run.location_name, run.run_id, exc.details() if isinstance(exc, grpc.aio.AioRpcError)
                         else exc)
            return TerminateResult.UNREACHABLE
        return TerminateResult.REQUESTED if reply.found else TerminateResult.NOT_RUNNING

    async def check_workers(self, runs: Sequence[RunRecord]) -> dict[str, WorkerCheck]:
        """Whether each run's worker is still there, by run id (see ``worker_check``).

        One ListActiveRuns call per location. A run being launched counts as alive. Read the
        runs from storage *before* calling this: the launching set is read first, then the
        servers, so a run that leaves the set in between is already on its server's list (a
        server registers a worker before it answers StartRun).
        """
        launching = self.launching
        by_location: dict[str, list[RunRecord]] = {}
        for run in runs:
            by_location.setdefault(run.location_name, []).append(run)
        checks: dict[str, WorkerCheck] = {}
        answers = await asyncio.gather(*(self._check_location(name, located, launching)
                                         for name, located in by_location.items()))
        for answer in answers:
            checks.update(answer)
        return checks

    async def _check_location(self, location_name: str, runs: Sequence[RunRecord],
                              launching: frozenset[str]) -> dict[str, WorkerCheck]:
        alive = WorkerCheck(WorkerHealth.ALIVE)
        if all(run.run_id in launching for run in runs):
            return {run.run_id: alive for run in runs}
        try:
            active = frozenset(await self._client_of(location_name).list_active_runs())
        except LocationNotFound:
            unknown = WorkerCheck(WorkerHealth.UNKNOWN,
                                  f"location '{location_name}' is not in the workspace (it was removed)")
        except grpc.aio.AioRpcError as exc:
            unknown = WorkerCheck(WorkerHealth.UNKNOWN, f"the code server of location '{location_name}' is "
                                                        f"unreachable ({exc.details() or exc.code().name})")
        else:
            gone = WorkerCheck(WorkerHealth.GONE, f"the code server of location '{location_name}' no longer "
                                                  "runs it (the server restarted, or the worker died or exited "
                                                  "without recording the run's end)")
            return {run.run_id: alive if run.run_id in launching or run.run_id in active else gone
                    for run in runs}
        return {run.run_id: alive if run.run_id in launching else unknown for run in runs}
