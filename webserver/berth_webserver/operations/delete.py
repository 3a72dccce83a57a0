"""Deleting a run: a run in progress is stopped first, then its outputs go, then the run.

A worker that went on after its run was deleted would write events for a run that no longer
exists, and outputs that nothing would ever delete. So a run in progress is terminated
(SAFE_TERMINATE), and the deletion waits until no worker runs it and its end is recorded; a run
still running after ``stop_grace`` seconds is killed (as MARK_AS_CANCELED_IMMEDIATELY does). A
run whose worker cannot be seen to stop — its code server unreachable — is not deleted:
``RunNotStopped`` says why, and a later try (or the run monitor, which ends such runs) settles it.

The run's output file (``$BERTH_HOME/logs/runs/<run id>.log``, written where its worker ran) is
deleted too when this webserver can see it: the same host as the code server (``berth dev``), or
a shared ``$BERTH_HOME``. Elsewhere it is left to the host that has it.

The outputs are deleted before the run, so that a failed output deletion (the object store
unreachable) leaves the run in place to delete again, never outputs that no run owns.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Optional

from berth.runs import RunRecord

from ..worker_check import WorkerHealth
from .errors import OperationError
from .runs import get_run
from .terminate import SAFE_TERMINATE, terminate_run

if TYPE_CHECKING:
    from berth.output_store import OutputStore

    from ..context import RequestContext

__all__ = ["DEFAULT_STOP_GRACE_SECONDS", "RunNotStopped", "delete_run"]

# How long a terminated run may take to end before it is killed; the code server's own
# terminate grace (10 s by default) kills a stuck op before this, so a kill from here is rare.
DEFAULT_STOP_GRACE_SECONDS = 15.0
# How long a killed worker may take to be reported gone.
_KILL_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.1
# How long a run whose worker is gone may take to have its end recorded.
_SETTLE_SECONDS = 2.0


class RunNotStopped(OperationError):
    """A run in progress whose worker could not be seen to stop; it was not deleted."""


async def delete_run(context: "RequestContext", run_id: str,
                     stop_grace: float = DEFAULT_STOP_GRACE_SECONDS) -> int:
    """Delete a run with its tags, events and outputs; returns how many outputs it had.

    Raises ``RunNotFound``, or ``RunNotStopped`` for a run in progress whose worker could not be
    stopped.
    """
    run = await get_run(context.storage, run_id)
    if not run.is_finished:
        await _stop(context, run, stop_grace)
    outputs = await asyncio.to_thread(_delete_outputs, _output_store(context), run_id)
    await asyncio.to_thread(_delete_run_log, run_id)
    await context.storage.delete_run(run_id)
    return outputs


def _output_store(context: "RequestContext") -> "OutputStore":
    if context.output_store is not None:
        return context.output_store
    from berth.output_store import open_output_store

    return open_output_store()


def _delete_outputs(store: "OutputStore", run_id: str) -> int:
    try:
        return store.delete_run(run_id)
    except ValueError:  # an id the store refuses as a path (not one berth made): it holds no outputs
        return 0


def _delete_run_log(run_id: str) -> None:
    from berth.execution.worker_records import delete_run_log

    try:
        delete_run_log(run_id)
    except OSError:  # not ours to delete (permissions): the run goes all the same
        pass


async def _stop(context: "RequestContext", run: RunRecord, stop_grace: float) -> None:
    await terminate_run(context, run.run_id, SAFE_TERMINATE)
    if await _worker_alive(context, run) is None:
        raise _unreachable(run)
    if await _wait_until_ended(context, run, stop_grace):
        return
    if await _worker_alive(context, run):
        await context.launcher.terminate(run, force=True)
        if await _wait_until_ended(context, run, _KILL_WAIT_SECONDS):
            return
    if await _worker_alive(context, run) is None:
        raise _unreachable(run)
    raise RunNotStopped(f"Run {run.run_id} did not stop, so it was not deleted. Try again.")


def _unreachable(run: RunRecord) -> RunNotStopped:
    return RunNotStopped(f"Run {run.run_id} is in progress and the code server of location "
                         f"'{run.location_name}' cannot be reached to stop it, so it was not deleted. "
                         "Try again once the location is back, or once the run has ended.")


async def _wait_until_ended(context: "RequestContext", run: RunRecord, timeout: float) -> bool:
    """True once no worker runs the run and its end is recorded, within ``timeout`` seconds.

    The code server records the end of a worker it killed just after it stops listing the run, so
    a run not listed is waited for until its end is recorded too — for ``_SETTLE_SECONDS`` at most,
    since a worker that died unnoticed leaves a run that nothing will end.
    """
    deadline = time.monotonic() + timeout
    gone_since = None
    while True:
        current = await context.storage.get_run(run.run_id)
        if current is None:
            return True  # deleted meanwhile
        running = await _worker_alive(context, current)
        if running is False:
            gone_since = gone_since or time.monotonic()
            if current.is_finished or time.monotonic() - gone_since >= _SETTLE_SECONDS:
                return True
        else:
            gone_since = None
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(_POLL_SECONDS)


async def _worker_alive(context: "RequestContext", run: RunRecord) -> Optional[bool]:
    """Whether a worker runs the run: True, False, or None when its launcher cannot tell."""
    health = (await context.launcher.check_workers([run]))[run.run_id].health
    return None if health is WorkerHealth.UNKNOWN else health is WorkerHealth.ALIVE
