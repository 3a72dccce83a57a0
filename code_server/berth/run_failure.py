"""Ending a run that cannot finish by itself: the one place that writes "this run failed".

A launch that fails, a worker that dies, a worker that crashes outside any op, a run whose code
server forgot it: each ends the run the same way. An ENGINE_EVENT says why (with the error and
metadata when there are some), then RUN_FAILURE — or RUN_CANCELED when the run was being
canceled, since the user asked for exactly that — sets the final status.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Mapping, Optional

from berth.events import EventType, RunEvent, SerializableError
from berth.runs import RunStatus

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["end_unfinished_run"]


def end_unfinished_run(storage: "RunStorage", run_id: str, reason: str, *,
                       error: Optional[SerializableError] = None,
                       metadata: Optional[Mapping[str, Any]] = None) -> bool:
    """Record why the run could not finish and end it FAILURE (CANCELED when it was CANCELING).

    Does nothing to a run that is already finished or was deleted, so two parties that notice
    the same dead worker record its end once. Returns whether this call ended the run.
    """
    run = storage.get_run(run_id)
    if run is None or run.is_finished:
        return False
    canceling = run.status == RunStatus.CANCELING
    storage.store_event(RunEvent(run_id, reason, EventType.ENGINE_EVENT, level=logging.ERROR,
                                 error=None if canceling else error, metadata=dict(metadata or {})))
    if canceling:
        storage.store_event(RunEvent(run_id, f"Run canceled: {reason}", EventType.RUN_CANCELED))
    else:
        storage.store_event(RunEvent(run_id, f"Run failed: {reason}", EventType.RUN_FAILURE,
                                     level=logging.ERROR, error=error))
    return True
