"""RunMonitor: no run stays STARTING, STARTED or CANCELING after its worker is gone.

Every ``poll_interval_seconds`` (and at once when a location's server (re)connects, see
``wake``) the monitor reads the unfinished runs from storage, asks the run launcher about their
workers (``check_workers``: ALIVE / GONE / UNKNOWN, see ``worker_check``), and applies the rules
of ``run_verdicts.judge``: a run whose worker stayed gone for the grace, whose location stayed
unreachable, that never started, that will not cancel, or that ran past ``dagster/max_runtime``
is ended with ``end_unfinished_run`` (an ENGINE_EVENT that says why, then RUN_FAILURE, or
RUN_CANCELED when it was being canceled), and its worker is stopped through the launcher when
it may still run.

Storage is read *before* the launcher is asked: a run launched in between is then either on its
server's list or still in the launcher's launching set, so a sweep never ends a run that was
just started. A worker seen gone is checked again ``grace_seconds`` later (the monitor wakes for
it) before its run is ended.

Several webservers may share one database: only the holder of the ``run-monitor`` leader lease
sweeps (``try_acquire`` on each pass is cheap). What a monitor saw earlier (since when a worker is
gone or unknown) lives in its memory, so a webserver that takes the lease over starts the grace
and the timeouts afresh: it ends runs later, never sooner.

The loop runs as a task on the webserver's event loop (storage calls go to the storage's thread
pool); a failing pass is logged and the next one comes as usual.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Optional, Protocol, Sequence

from berth.events import EventType, RunEvent
from berth.run_failure import end_unfinished_run
from berth.runs import RunRecord, RunsFilter, RunStatus

from ..worker_check import WorkerCheck, WorkerHealth
from .run_verdicts import RunMonitorSettings, Verdict, judge

if TYPE_CHECKING:
    from berth.storage import LeaderLease, RunStorage

    from ..async_storage import AsyncRunStorage
    from ..launcher import TerminateResult

__all__ = ["LEASE_NAME", "RunMonitor", "RunMonitorSettings", "WATCHED_STATUSES", "WorkerLauncher"]

_log = logging.getLogger(__name__)

WATCHED_STATUSES = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)
LEASE_NAME = "run-monitor"
# The soonest the loop comes back for a pending re-check (a bound on busy waking).
_MIN_WAIT_SECONDS = 0.05
# The longest a stopping monitor waits for the database to take its lease back.
_RELEASE_WAIT_SECONDS = 5.0


class WorkerLauncher(Protocol):
    """What the monitor needs of a run launcher (the code-server one, a Kubernetes Job one)."""

    async def check_workers(self, runs: Sequence[RunRecord]) -> dict[str, WorkerCheck]:
        """Whether each run's worker is there, by run id."""

    async def terminate(self, run: RunRecord, force: bool = False) -> "TerminateResult":
        """Stop the run's worker (``force``: kill it at once)."""


class RunMonitor:
    """Ends the unfinished runs whose workers are gone, stuck or over time; one webserver at a time."""

    def __init__(self, storage: "AsyncRunStorage", launcher: WorkerLauncher,
                 settings: RunMonitorSettings = RunMonitorSettings()) -> None:
        """Watch the runs of ``storage``, asking ``launcher`` about their workers."""
        self.storage = storage
        self.launcher = launcher
        self.settings = settings
        self._lease: Optional["LeaderLease"] = None
        # Run id -> (what the launcher says of its worker, since when it has said so).
        self._seen: dict[str, tuple[WorkerHealth, float]] = {}
        self._wake: Optional[asyncio.Event] = None  # made by start(), on the loop that runs the monitor
        self._task: Optional[asyncio.Task[None]] = None
        self.sweeps = 0  # passes made while holding the lease (for tests and logs)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the periodic loop on the running event loop (nothing when monitoring is disabled)."""
        if self.settings.enabled and self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._loop(self._wake), name="berth-run-monitor")

    async def stop(self) -> None:
        """Stop the loop and give the lease up, so that another webserver takes over at once."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        lease, self._lease = self._lease, None
        if lease is not None:
            try:
                # Bounded: a database that does not answer must not hold the webserver's shutdown up
                # (the lease dies with this process's connection or file anyway).
                await asyncio.wait_for(self.storage.run(_release, lease), _RELEASE_WAIT_SECONDS)
            except Exception:  # noqa: BLE001 - stopping goes on whatever the database does
                _log.warning("the run monitor could not give its lease up cleanly", exc_info=True)

    def wake(self) -> None:
        """Sweep now rather than at the next interval (a location's server came back, say)."""
        if self._wake is not None:
            self._wake.set()

    async def _loop(self, wake: asyncio.Event) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the monitor must outlive any storage or network trouble
                _log.exception("the run monitor's pass failed; trying again in %g s",
                               self.settings.poll_interval_seconds)
            try:
                await asyncio.wait_for(wake.wait(), self._next_wait())
            except asyncio.TimeoutError:
                pass
            wake.clear()

    def _next_wait(self) -> float:
        """Until the next pass: the interval, or sooner when a gone worker is due to be checked again."""
        wait = self.settings.poll_interval_seconds
        now = time.time()
        for health, since in self._seen.values():
            due = since + self.settings.grace_seconds - now
            # Only re-checks still ahead: one already due was judged (a STARTING run waits for its
            # start timeout instead). The margin keeps a timer that fires early from missing it.
            if health == WorkerHealth.GONE and due > 0:
                wait = min(wait, due + _MIN_WAIT_SECONDS)
        return max(wait, _MIN_WAIT_SECONDS)

    # -- one pass ------------------------------------------------------------------------------

    async def sweep(self) -> list[str]:
        """One pass, if this process holds the lease; returns the ids of the runs it ended."""
        if not await self._hold_lease():
            self._seen.clear()  # another webserver watches; what we saw is stale when we take over
            return []
        self.sweeps += 1
        runs = await self.storage.get_runs(RunsFilter(statuses=list(WATCHED_STATUSES)))
        if not runs:
            self._seen.clear()
            return []
        # Storage first, then the launcher (its launching set, then the servers): see the docstring.
        checks = await self.launcher.check_workers(runs)
        now = time.time()
        self._forget_all_but({run.run_id for run in runs})
        ended = []
        for run in runs:
            check = checks.get(run.run_id, WorkerCheck(WorkerHealth.UNKNOWN, "the launcher did not say"))
            verdict = judge(run, check, self._since(run.run_id, check.health, now), now, self.settings)
            if verdict is None:
                continue
            try:
                if await self._apply(run, check, verdict):
                    ended.append(run.run_id)
            except Exception:  # noqa: BLE001 - one run's trouble must not keep the others unchecked
                _log.exception("the run monitor could not end run %s", run.run_id)
        return ended

    def _since(self, run_id: str, health: WorkerHealth, now: float) -> float:
        seen = self._seen.get(run_id)
        if seen is None or seen[0] != health:
            seen = self._seen[run_id] = (health, now)
        return seen[1]

    def _forget_all_but(self, run_ids: set[str]) -> None:
        for run_id in [run_id for run_id in self._seen if run_id not in run_ids]:
            del self._seen[run_id]

    async def _apply(self, run: RunRecord, check: WorkerCheck, verdict: Verdict) -> bool:
        # Which webserver ended it: with several, the one that held the lease then.
        metadata = {"ended_by": f"run monitor on {socket.gethostname()} pid {os.getpid()}",
                    "worker": check.health.value}
        # end_unfinished_run re-reads the run: one that finished since the query is left alone.
        if not await self.storage.run(end_unfinished_run, run.run_id, verdict.reason, metadata=metadata):
            return False
        self._seen.pop(run.run_id, None)
        _log.warning("run monitor ended run %s: %s", run.run_id, verdict.reason)
        if verdict.stop_worker:
            await self._stop_worker(run, verdict.kill)
        return True

    async def _stop_worker(self, run: RunRecord, kill: bool) -> None:
        from ..launcher import TerminateResult

        # The run is finished already, so the worker's own end (RUN_CANCELED) is not recorded again.
        result = await self.launcher.terminate(run, force=kill)
        if result == TerminateResult.UNREACHABLE:
            await self.storage.store_event(RunEvent(
                run.run_id, f"Could not ask location '{run.location_name}' to stop the run's worker; its "
                            "processes may still be running.", EventType.ENGINE_EVENT, level=logging.WARNING))

    async def _hold_lease(self) -> bool:
        if self._lease is None:
            self._lease = self.storage.sync.leader_lease(LEASE_NAME)
        was_held = self._lease.held
        held = await self.storage.run(_try_acquire, self._lease)
        if held and not was_held:
            _log.info("this webserver now runs the run monitor (lease %r)", LEASE_NAME)
        return held


def _try_acquire(_storage: "RunStorage", lease: "LeaderLease") -> bool:
    return lease.try_acquire()


def _release(_storage: "RunStorage", lease: "LeaderLease") -> None:
    lease.release()
