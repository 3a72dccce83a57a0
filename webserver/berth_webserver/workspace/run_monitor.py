"""RunMonitor: runs whose worker is gone are finished as FAILURE (or CANCELED), never left STARTED.

After a location's server (re)connects, every run of that location that storage still shows as
STARTING, STARTED or CANCELING, but that the server does not list as active, lost its worker
(the server restarted, the pod was deleted, the worker crashed). ``end_unfinished_run`` records
an ENGINE_EVENT that says so, then the run's terminal event. Runs the launcher is handing to a
server right now are not in the server's list yet, so they are left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Collection

from berth.run_failure import end_unfinished_run
from berth.runs import RunsFilter, RunStatus

if TYPE_CHECKING:
    from berth.storage import RunStorage

    from ..async_storage import AsyncRunStorage

__all__ = ["RunMonitor", "WATCHED_STATUSES"]

WATCHED_STATUSES = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)


class RunMonitor:
    """Finishes the runs of a location whose workers its server no longer knows."""

    def __init__(self, storage: "AsyncRunStorage", launching: Callable[[], Collection[str]]) -> None:
        """``launching()``: the ids of the runs being launched now (the launcher's)."""
        self.storage = storage
        self.launching = launching

    async def sweep(self, location_name: str, active_run_ids: Collection[str]) -> list[str]:
        """Finish the orphaned runs of the location; returns their ids."""
        return await self.storage.run(self._sweep, location_name, frozenset(active_run_ids))

    def _sweep(self, storage: "RunStorage", location_name: str, active: frozenset[str]) -> list[str]:
        candidates = storage.get_runs(RunsFilter(statuses=list(WATCHED_STATUSES), location_name=location_name))
        reason = (f"The run worker is gone: the code server of location '{location_name}' no longer "
                  f"runs it (the server restarted or the worker died).")
        finished: list[str] = []
        for run in candidates:
            if run.run_id in active or run.run_id in self.launching():
                continue
            if end_unfinished_run(storage, run.run_id, reason):  # it may have finished since the query
                finished.append(run.run_id)
        return finished
