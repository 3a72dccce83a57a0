"""RunMonitor: runs whose worker is gone are finished as FAILURE (or CANCELED), never left STARTED.

After a location's server (re)connects, every run of that location that storage still shows as
STARTING, STARTED or CANCELING, but that the server does not list as active, lost its worker
(the server restarted, the pod was deleted, the worker crashed). Storage gets an ENGINE_EVENT that
says so, then the run's terminal event, which sets its status.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Callable, Collection

from berth.events import EventType, RunEvent, SerializableError
from berth.runs import RunsFilter, RunStatus

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["RunMonitor", "WATCHED_STATUSES"]

WATCHED_STATUSES = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)


class RunMonitor:
    """Finishes the runs of a location whose workers its server no longer knows."""

    def __init__(self, storage: "RunStorage", launching: Callable[[], Collection[str]] = frozenset) -> None:
        self.storage = storage
        # Runs being handed to a server right now are not yet in its active list: leave them alone.
        self.launching = launching

    async def sweep(self, location_name: str, active_run_ids: Collection[str]) -> list[str]:
        """Finish the orphaned runs of the location; returns their ids."""
        return await asyncio.to_thread(self._sweep, location_name, frozenset(active_run_ids))

    def _sweep(self, location_name: str, active: frozenset[str]) -> list[str]:
        candidates = self.storage.get_runs(RunsFilter(statuses=list(WATCHED_STATUSES), location_name=location_name))
        finished: list[str] = []
        for run in candidates:
            if run.run_id in active or run.run_id in self.launching():
                continue
            current = self.storage.get_run(run.run_id)  # it may have finished since the query
            if current is None or current.status not in WATCHED_STATUSES:
                continue
            self._finish(current.run_id, current.status, location_name)
            finished.append(current.run_id)
        return finished

    def _finish(self, run_id: str, status: RunStatus, location_name: str) -> None:
        canceling = status == RunStatus.CANCELING
        message = (f"The run worker is gone: the code server of location '{location_name}' no longer "
                   f"runs it (the server restarted or the worker died).")
        self.storage.store_event(RunEvent(run_id, message, EventType.ENGINE_EVENT, level=logging.ERROR,
                                          error=None if canceling else SerializableError(message)))
        if canceling:
            self.storage.store_event(RunEvent(run_id, "Run canceled: its worker is gone.", EventType.RUN_CANCELED))
        else:
            self.storage.store_event(RunEvent(run_id, "Run failed: its worker is gone.", EventType.RUN_FAILURE,
                                              level=logging.ERROR))
