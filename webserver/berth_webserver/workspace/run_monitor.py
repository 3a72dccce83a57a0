"""RunMonitor: runs whose worker is gone are finished as FAILURE (or CANCELED), never left STARTED.

After a location's server (re)connects, every run of that location that storage still shows as
STARTING, STARTED or CANCELING, but that the server does not list as active, lost its worker
(the server restarted, the pod was deleted, the worker crashed). ``end_unfinished_run`` records
an ENGINE_EVENT that says so, then the run's terminal event.

The server's list is asked for *after* storage is read: a run launched in between is then either
in that list (a server registers a worker before it answers StartRun) or still in the launcher's
``launching`` set, so a sweep never fails a run that was just started.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Awaitable, Callable, Collection

from berth.run_failure import end_unfinished_run
from berth.runs import RunsFilter, RunStatus

if TYPE_CHECKING:
    from berth.storage import RunStorage

    from ..async_storage import AsyncRunStorage

__all__ = ["RunMonitor", "WATCHED_STATUSES"]

WATCHED_STATUSES = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)
# Seconds a STARTING run is assumed to be mid-launch on some webserver (a StartRun answers in far less).
OTHER_WEBSERVER_LAUNCH_GRACE = 15.0


class RunMonitor:
    """Finishes the runs of a location whose workers its server no longer knows."""

    def __init__(self, storage: "AsyncRunStorage", launching: Callable[[], frozenset[str]]) -> None:
        """``launching()``: the ids of the runs being launched now (the launcher's)."""
        self.storage = storage
        self.launching = launching

    async def sweep(self, location_name: str,
                    list_active_runs: Callable[[], Awaitable[Collection[str]]]) -> list[str]:
        """Finish the orphaned runs of the location; returns their ids.

        ``list_active_runs()`` asks the location's server which runs it has workers for.
        """
        candidates = await self.storage.get_runs(RunsFilter(statuses=list(WATCHED_STATUSES),
                                                            location_name=location_name))
        if not candidates:
            return []
        # Launching first, then the server: a run that leaves the launching set is registered
        # with its server before (see RunLauncher.launching_run).
        launching = self.launching()
        active = frozenset(await list_active_runs()) | launching
        # Another webserver (sharing the database) may be handing a STARTING run to the server
        # right now, and its launching set is not visible here: leave recent ones alone.
        recent = time.time() - OTHER_WEBSERVER_LAUNCH_GRACE
        orphans = [run.run_id for run in candidates if run.run_id not in active
                   and not (run.status is RunStatus.STARTING and run.update_timestamp > recent)]
        return await self.storage.run(self._finish, location_name, orphans)

    def _finish(self, storage: "RunStorage", location_name: str, run_ids: list[str]) -> list[str]:
        reason = (f"The run worker is gone: the code server of location '{location_name}' no longer "
                  f"runs it (the server restarted or the worker died).")
        # end_unfinished_run re-reads each run: one that finished since the query is left alone.
        return [run_id for run_id in run_ids if end_unfinished_run(storage, run_id, reason)]
