"""A worker stops when its run was already ended by someone else.

A run can be ended while its worker starts or runs: the code server died after forking the
worker but before answering StartRun (the webserver records the launch as failed), or the run
monitor ended the run. Such a worker must not execute it, nor write a second end.

``RunEndGuard`` wraps the worker's ``emit`` and ``should_stop``:
- RUN_START is stored only while the run is STARTING (``store_event_if_status``, one atomic
  write); a run already finished, deleted or back in the queue raises ``RunEndedElsewhere``
  before any step ran;
- between steps it reads the run's status: after each step that ended (its STEP_SUCCESS,
  STEP_FAILURE or STEP_SKIPPED went through ``emit``), else at most once per ``check_interval``
  seconds (the multiprocess executor asks ``should_stop`` every 50 ms); a run found finished
  makes ``should_stop`` true, records one engine event saying why the worker stops, and drops
  every later event of the worker (the run's end is someone else's).
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING, Any, Callable

from berth.events import EventType, RunEvent
from berth.runs import RunStatus

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["RunEndGuard", "RunEndedElsewhere"]

# How often, at most, the worker reads its run's status while no step ends (the multiprocess
# executor asks should_stop every 50 ms).
CHECK_INTERVAL_SECONDS = 1.0
_STEP_ENDS = frozenset({EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED})


class RunEndedElsewhere(Exception):
    """The run was ended (or deleted) by someone else before its worker began executing it."""


class RunEndGuard:
    """``emit`` and ``should_stop`` for one run's worker that notice a run ended elsewhere."""

    def __init__(self, storage: "RunStorage", run_id: str, emit: Callable[[RunEvent], Any],
                 should_stop: Callable[[], bool], check_interval: float = CHECK_INTERVAL_SECONDS) -> None:
        self._storage = storage
        self._run_id = run_id
        self._emit = emit
        self._should_stop = should_stop
        self._check_interval = check_interval
        self._last_check = time.monotonic()
        self._check_due = False
        self.ended_elsewhere = False

    def emit(self, event: RunEvent) -> Any:
        """Store ``event`` unless the run was ended elsewhere; RUN_START only on a STARTING run."""
        if self.ended_elsewhere:
            return None
        if event.event_type == EventType.RUN_START:
            return self._start(event)
        if event.event_type in _STEP_ENDS:
            self._check_due = True
        return self._emit(event)

    def should_stop(self) -> bool:
        """True on SIGTERM, or once the run is found finished (read at most every interval)."""
        if self._should_stop() or self.ended_elsewhere:
            return True
        now = time.monotonic()
        if self._check_due or now - self._last_check >= self._check_interval:
            self._last_check, self._check_due = now, False
            run = self._storage.get_run(self._run_id)
            if run is None or run.is_finished:
                self._stop(run.status if run is not None else None)
        return self.ended_elsewhere

    def _start(self, event: RunEvent) -> Any:
        stored = self._storage.store_event_if_status(event, RunStatus.STARTING)
        if stored is not None:
            self._last_check = time.monotonic()
            return stored
        run = self._storage.get_run(self._run_id)
        if run is None or run.is_finished or run.status == RunStatus.QUEUED:
            # QUEUED: the launch was refused as the location was unavailable (the answer to a
            # StartRun that forked this worker got lost) and the run went back to the queue; the
            # next launch starts it afresh.
            self.ended_elsewhere = True
            status = run.status.value if run is not None else "deleted"
            raise RunEndedElsewhere(f"run {self._run_id} is already {status}")
        # STARTED (adopted, or started by an older worker of the same launch) or CANCELING: the
        # unconditional write keeps the behaviour runs had before, and the cancel still stops it.
        return self._emit(event)

    def _stop(self, status: RunStatus | None) -> None:
        self.ended_elsewhere = True
        said = status.value if status is not None else "deleted"
        if status is not None:
            self._emit(RunEvent(self._run_id, f"The run was ended ({said}) by someone else while its worker "
                                f"(pid {os.getpid()}) ran: the worker stops without starting another step "
                                "and records nothing more.", EventType.ENGINE_EVENT, level=logging.WARNING,
                                metadata={"worker_pid": os.getpid()}))
