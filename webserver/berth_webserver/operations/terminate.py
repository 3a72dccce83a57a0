"""Terminating runs, with Dagster's terminate policies."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence, Union

from berth.events import EventType, RunEvent
from berth.runs import TERMINABLE_STATUSES, RunRecord, RunStatus

if TYPE_CHECKING:
    from berth.storage import RunStorage

    from ..context import RequestContext

from ..launcher import TerminateResult
from .errors import OperationError
from .runs import get_run

__all__ = [
    "MARK_AS_CANCELED_IMMEDIATELY",
    "SAFE_TERMINATE",
    "TerminateOutcome",
    "terminate_run",
    "terminate_runs",
]

SAFE_TERMINATE = "SAFE_TERMINATE"
MARK_AS_CANCELED_IMMEDIATELY = "MARK_AS_CANCELED_IMMEDIATELY"


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


async def terminate_run(context: "RequestContext", run_id: str, policy: str = SAFE_TERMINATE) -> TerminateOutcome:
    """Terminate a run; raises ``RunNotFound``.

    SAFE_TERMINATE asks the run's code server to stop it: the server marks it CANCELING and its
    worker records CANCELED. A run the server (reached) does not have is marked CANCELED at once;
    when the server cannot be reached the run is left as it is and the outcome is a failure, since
    its worker may still be running. MARK_AS_CANCELED_IMMEDIATELY marks the run CANCELED now and
    has the server kill its processes, best effort.
    """
    storage = context.storage
    run = await get_run(storage, run_id)
    if run.status is RunStatus.QUEUED:
        # Never launched: canceled here, unless a dequeuer claimed it meanwhile (then it is
        # STARTING and is stopped like any launched run).
        if await storage.run(_cancel_if_queued, run_id):
            return TerminateOutcome(await get_run(storage, run_id), True)
        run = await get_run(storage, run_id)
    if run.is_finished or (policy == SAFE_TERMINATE and run.status not in TERMINABLE_STATUSES):
        return _failure(run)
    if policy == MARK_AS_CANCELED_IMMEDIATELY:
        await storage.store_event(RunEvent(run_id, "Run marked as canceled.", EventType.RUN_CANCELED))
        try:
            await context.launcher.terminate(run, force=True)
        except Exception:
            log.warning("Could not ask the code server to stop run %s", run_id, exc_info=True)
        return TerminateOutcome(await get_run(storage, run_id), True)
    # The server records CANCELING itself before it signals the worker.
    result = await context.launcher.terminate(run)
    if result is TerminateResult.UNREACHABLE:
        return TerminateOutcome(await get_run(storage, run_id), False,
                                f"Run {run_id} could not be terminated: the code server of location "
                                f"'{run.location_name}' could not be reached, and the run may still be "
                                "running. Try again once the location is back, or terminate with "
                                "MARK_AS_CANCELED_IMMEDIATELY.")
    if result is TerminateResult.NOT_RUNNING:
        # The server has no worker for it (never started, or its worker is gone): nothing will record CANCELED.
        await storage.run(_cancel_unless_finished, run_id)
    return TerminateOutcome(await get_run(storage, run_id), True)


def _cancel_if_queued(storage: "RunStorage", run_id: str) -> bool:
    event = RunEvent(run_id, "Run canceled while queued: it was never launched.", EventType.RUN_CANCELED)
    return storage.store_event_if_status(event, expected=RunStatus.QUEUED) is not None


def _cancel_unless_finished(storage: "RunStorage", run_id: str) -> None:
    current = storage.get_run(run_id)
    if current is not None and not current.is_finished:
        storage.store_event(RunEvent(run_id, "Sending run termination request.", EventType.RUN_CANCELING))
        storage.store_event(RunEvent(run_id, "Run canceled: its code server was not running it.",
                                     EventType.RUN_CANCELED))


async def terminate_runs(context: "RequestContext", run_ids: Sequence[str],
                         policy: str = SAFE_TERMINATE) -> list[Union[TerminateOutcome, OperationError]]:
    """Terminate each run; an unknown run gives its ``RunNotFound`` in place of an outcome."""
    outcomes: list[Union[TerminateOutcome, OperationError]] = []
    for run_id in run_ids:
        try:
            outcomes.append(await terminate_run(context, run_id, policy))
        except OperationError as exc:
            outcomes.append(exc)
    return outcomes
