"""RunQueue: launchRun stores runs QUEUED; the dequeuer starts them as the limits allow.

Several webservers may serve one database; one of them dequeues at a time. Two guards:

- the ``dequeuer`` leader lease (``RunStorage.leader_lease``): only its holder runs a pass, so the
  limits are applied by one process reading storage;
- the claim itself is atomic: a run moves QUEUED -> STARTING only through
  ``store_event_if_status(RUN_STARTING, expected=QUEUED)``, which one process can win. A former
  holder that still finishes a pass after losing the lease, or a ``terminateRun`` racing the
  claim, can therefore never launch a run twice or launch a canceled run.

A launch refused because the location is unavailable just now (its server shutting down or
briefly unreachable: ``LaunchError.location_unavailable``) does not fail the run: it goes back
STARTING -> QUEUED (atomically, with an engine event that says why) and its location counts as not
ready for ``UNAVAILABLE_BACKOFF_SECONDS``, so its runs wait as they do for a location that is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Optional

from berth.events import EventType, RunEvent, SerializableError
from berth.run_failure import end_unfinished_run
from berth.runs import RunRecord, RunsFilter, RunStatus

from ..launcher import LaunchError
from .selection import IN_FLIGHT_STATUSES, plan_dequeue

if TYPE_CHECKING:
    from berth.storage import RunStorage

    from ..async_storage import AsyncRunStorage
    from ..instance import RunQueueConfig
    from ..launchers.protocol import Launcher
    from ..workspace.workspace import Workspace

__all__ = ["DEQUEUER_LEASE", "RunQueue", "waiting_message"]

DEQUEUER_LEASE = "dequeuer"

_log = logging.getLogger(__name__)
# At most this long a stopping webserver waits for its launches under way (a StartRun takes ms).
_STOP_WAIT_SECONDS = 30.0
# How long a location whose server refused a launch as unavailable is left alone before a new try.
UNAVAILABLE_BACKOFF_SECONDS = 5.0


def waiting_message(location_name: str) -> str:
    """The event a queued run gets (once) while its location cannot take runs."""
    return (f"Waiting in the queue: code location '{location_name}' is not available; the run starts "
            "when it is back.")


class RunQueue:
    """The run queue of one webserver: its limits, and a dequeuer loop that runs while it leads."""

    def __init__(self, config: "RunQueueConfig", storage: "AsyncRunStorage", workspace: "Workspace",
                 launcher: "Launcher") -> None:
        self.config = config
        self._storage = storage
        self._workspace = workspace
        self._launcher = launcher
        self._lease = storage.sync.leader_lease(DEQUEUER_LEASE)
        self._told_waiting: set[str] = set()
        self._unavailable_until: dict[str, float] = {}
        self._wakeup: Optional[asyncio.Event] = None
        self._task: Optional[asyncio.Task[None]] = None
        self._pass: Optional[asyncio.Future[list[str]]] = None

    @property
    def is_leader(self) -> bool:
        """Whether this webserver held the dequeuer lease at its last try."""
        return self._lease.held

    def wake(self) -> None:
        """Run a pass soon (a run was just queued here) instead of at the next interval."""
        if self._wakeup is not None:
            self._wakeup.set()

    async def start(self) -> None:
        """Start the dequeuer loop on the running event loop."""
        self._wakeup = asyncio.Event()
        self._task = asyncio.create_task(self._loop(), name="berth-dequeuer")

    async def stop(self) -> None:
        """Stop the loop, let a pass under way finish its launches, and give the lease up.

        Waiting matters in a rolling update: a run claimed (STARTING) whose StartRun were cut
        off by the shutdown would have no worker and no failure recorded.
        """
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pass is not None and not self._pass.done():
            await asyncio.wait({self._pass}, timeout=_STOP_WAIT_SECONDS)
        await self._storage.run(lambda _storage: self._lease.release())

    async def _loop(self) -> None:
        assert self._wakeup is not None
        while True:
            try:
                if await self._storage.run(lambda _storage: self._lease.try_acquire()):
                    # Shielded: a stop between a claim and its launch would leave the run STARTING
                    # with no worker; the pass is short (one launch per free slot).
                    self._pass = asyncio.ensure_future(self.dequeue_once())
                    await asyncio.shield(self._pass)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database blip must not end the dequeuer
                _log.warning("run queue: a dequeue pass failed; trying again", exc_info=True)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.config.dequeue_interval_seconds)
            self._wakeup.clear()

    async def dequeue_once(self) -> list[str]:
        """One pass: read the queue and the runs in flight, launch what the limits allow.

        Returns the ids of the runs launched. Call it only while holding the lease (the loop does).
        """
        queued, in_flight = await self._storage.run(_queue_state)
        plan = plan_dequeue(self.config, queued, in_flight, self._location_ready)
        await self._tell_waiting(plan.waiting_for_location)
        started = await asyncio.gather(*(self._launch(run) for run in plan.launch))
        return [run.run_id for run, ok in zip(plan.launch, started) if ok]

    def _location_ready(self, location_name: str) -> bool:
        if self._unavailable_until.get(location_name, 0.0) > time.monotonic():
            return False
        entry = self._workspace.entry(location_name)
        return entry is not None and entry.is_available

    async def _tell_waiting(self, runs: list[RunRecord]) -> None:
        fresh = [run for run in runs if run.run_id not in self._told_waiting]
        if fresh:
            await self._storage.run(_record_waiting, fresh)
            self._told_waiting.update(run.run_id for run in fresh)

    async def _launch(self, run: RunRecord) -> bool:
        """Claim the run (QUEUED -> STARTING, atomically) and hand it to the launcher."""
        self._told_waiting.discard(run.run_id)
        with self._launcher.launching_run(run.run_id):
            claimed = await self._storage.run(_claim, run)
            if not claimed:
                return False  # terminated meanwhile, or another dequeuer took it
            try:
                await self._launcher.launch(run)
            except LaunchError as exc:
                if not exc.location_unavailable:
                    await self._fail(run, exc)
                    return False
                self._unavailable_until[run.location_name] = time.monotonic() + UNAVAILABLE_BACKOFF_SECONDS
                if not await self._storage.run(_requeue, run, str(exc)):
                    # Not STARTING any more: the server did start it after all (its worker
                    # recorded RUN_START), or it was ended meanwhile. Either way it is not queued.
                    _log.info("run queue: run %s left STARTING while its launch was refused", run.run_id)
                return False
            except Exception as exc:  # noqa: BLE001 - recorded in the run's log, as launchRun does
                await self._fail(run, exc)
                return False
        return True

    async def _fail(self, run: RunRecord, exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, LaunchError) else f"{type(exc).__name__}: {exc}"
        await self._storage.run(end_unfinished_run, run.run_id, f"Could not launch the run. {reason}",
                                error=SerializableError.from_exception(exc))


def _queue_state(storage: "RunStorage") -> tuple[list[RunRecord], list[RunRecord]]:
    queued = storage.get_runs(RunsFilter(statuses=[RunStatus.QUEUED]))
    in_flight = storage.get_runs(RunsFilter(statuses=list(IN_FLIGHT_STATUSES)))
    return queued, in_flight


def _claim(storage: "RunStorage", run: RunRecord) -> bool:
    event = RunEvent(run.run_id, f"Launching run of {run.job_name} (dequeued).", EventType.RUN_STARTING)
    return storage.store_event_if_status(event, expected=RunStatus.QUEUED) is not None


def _requeue(storage: "RunStorage", run: RunRecord, reason: str) -> bool:
    """Put a claimed run back in the queue (STARTING -> QUEUED), unless it moved on meanwhile."""
    event = RunEvent(run.run_id, f"Back in the queue: {reason} The run starts when the location can take it.",
                     EventType.ENGINE_EVENT, level=logging.WARNING)
    return storage.store_event_if_status(event, expected=RunStatus.STARTING, status=RunStatus.QUEUED) is not None


def _record_waiting(storage: "RunStorage", runs: list[RunRecord]) -> None:
    for run in runs:
        message = waiting_message(run.location_name)
        # Once per run, also across webservers taking over the lease: look before writing.
        if not any(record.event.message == message for record in storage.get_events(run.run_id)):
            storage.store_event(RunEvent(run.run_id, message, EventType.ENGINE_EVENT))
