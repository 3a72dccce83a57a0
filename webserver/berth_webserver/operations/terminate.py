"""Terminating and deleting runs, with Dagster's terminate policies."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Sequence, Union

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunStatus

from .errors import OperationError
from .runs import get_run

__all__ = [
    "MARK_AS_CANCELED_IMMEDIATELY",
    "SAFE_TERMINATE",
    "TerminateOutcome",
    "delete_run",
    "terminate_run",
    "terminate_runs",
]

SAFE_TERMINATE = "SAFE_TERMINATE"
MARK_AS_CANCELED_IMMEDIATELY = "MARK_AS_CANCELED_IMMEDIATELY"

# Runs that SAFE_TERMINATE can stop: not finished and not already being canceled.
_TERMINABLE = frozenset({RunStatus.QUEUED, RunStatus.NOT_STARTED, RunStatus.STARTING, RunStatus.STARTED})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TerminateOutcome:
    """What a terminate request did: the run afterwards, and why it failed when it did."""

    run: RunRecord
    terminated: bool
    message: str = ""


def _failure(run: RunRecord) -> TerminateOutcome:
    return TerminateOutcome(run, False, f"Run {run.run_id} could not be terminated due to having status "
                                        f"{run.status.value}.")


async def terminate_run(context: Any, run_id: str, policy: str = SAFE_TERMINATE) -> TerminateOutcome:
    """Terminate a run; raises ``RunNotFound``.

    SAFE_TERMINATE marks the run CANCELING and asks its code server to stop it (the worker records
    CANCELED); a run that no server has is marked CANCELED at once. MARK_AS_CANCELED_IMMEDIATELY
    marks it CANCELED now and asks the server to stop it, best effort.
    """
    storage = context.storage
    run = get_run(storage, run_id)
    if run.is_finished or (policy == SAFE_TERMINATE and run.status not in _TERMINABLE):
        return _failure(run)
    if policy == MARK_AS_CANCELED_IMMEDIATELY:
        storage.store_event(RunEvent(run_id, "Run marked as canceled.", EventType.RUN_CANCELED))
        try:
            await context.launcher.terminate(run_id)
        except Exception:  # noqa: BLE001 - best effort: the run is canceled whatever the server says
            log.warning("Could not ask the code server to stop run %s", run_id, exc_info=True)
        return TerminateOutcome(get_run(storage, run_id), True)
    storage.store_event(RunEvent(run_id, "Sending run termination request.", EventType.RUN_CANCELING))
    if not await context.launcher.terminate(run_id):
        # No server runs it (never started, or its worker is gone): nothing will record CANCELED.
        current = get_run(storage, run_id)
        if not current.is_finished:
            storage.store_event(RunEvent(run_id, "Run canceled: no code server was running it.",
                                         EventType.RUN_CANCELED))
    return TerminateOutcome(get_run(storage, run_id), True)


async def terminate_runs(context: Any, run_ids: Sequence[str],
                         policy: str = SAFE_TERMINATE) -> list[Union[TerminateOutcome, OperationError]]:
    """Terminate each run; an unknown run gives its ``RunNotFound`` in place of an outcome."""
    outcomes: list[Union[TerminateOutcome, OperationError]] = []
    for run_id in run_ids:
        try:
            outcomes.append(await terminate_run(context, run_id, policy))
        except OperationError as exc:
            outcomes.append(exc)
    return outcomes


def delete_run(storage: Any, run_id: str) -> None:
    """Delete a run with its tags and events; raises ``RunNotFound``."""
    get_run(storage, run_id)
    storage.delete_run(run_id)
