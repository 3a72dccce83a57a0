"""The runs this code server's workers are executing, and what happens when a worker ends.

Every worker's end is reported (by the worker factory, by the thread that waits on a
subprocess worker, or by polling /proc for a worker this server adopted from its predecessor).
A worker that ended without recording a terminal event — killed, crashed, ``os._exit(0)`` in an
op — leaves its run STARTED; ``ActiveRuns`` then records an ENGINE_EVENT saying why and marks the
run FAILURE (CANCELED when it was being canceled), so that no run stays STARTED forever, and kills
what is left of the run's process group. A worker deletes its worker record
(``berth.execution.worker_records``) once it has recorded its run's end, so an exit code 0 with
no record left needs no look at storage.

Cancel sends the worker SIGTERM, which interrupts the op wherever it waits. A worker that has not
ended ``terminate_grace`` seconds later (an op stuck in a C call, or one that swallowed the
interrupt) is killed with its whole process group — each worker leads its own, so the op's child
processes die with it. A forced cancel (the run was marked canceled at once) kills straight away.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import threading
import time
from typing import Optional

from berth.events import EventType, RunEvent
from berth.execution.worker import EXIT_OK, EXIT_STORAGE_UNAVAILABLE
from berth.execution.worker_records import ProcessIdentity, WorkerRecordDir
from berth.runs import RunStatus
from berth.server.storages import ServerStorage

__all__ = ["ActiveRun", "ActiveRuns", "DEFAULT_TERMINATE_GRACE_SECONDS", "describe_exit",
           "kill_process_group", "mark_run_ended_by_worker_exit"]

_log = logging.getLogger(__name__)

# How often workers orphaned by a dead worker factory are checked for having ended.
_ORPHAN_POLL_SECONDS = 0.1
# How long a canceled worker may take to stop before its process group is killed.
DEFAULT_TERMINATE_GRACE_SECONDS = 10.0


@dataclasses.dataclass(frozen=True)
class ActiveRun:
    """A run with a live worker process."""

    run_id: str
    pid: int
    started_at: float


def describe_exit(pid: int, returncode: Optional[int]) -> str:
    """A sentence about how a worker process ended, for the run's event log."""
    if returncode is None:
        return f"The run worker (pid {pid}) is gone; its exit status is unknown."
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"The run worker (pid {pid}) was killed by {name}."
    if returncode == EXIT_STORAGE_UNAVAILABLE:
        return (f"The run worker (pid {pid}) gave up: run storage stayed unreachable past its retry budget "
                "($BERTH_STORAGE_RETRY_SECONDS).")
    return f"The run worker (pid {pid}) exited with code {returncode}."


class ActiveRuns:
    """Run id → worker, with cancel, reaping of ended workers and waiting for idleness."""

    def __init__(self, storage: ServerStorage,
                 terminate_grace: float = DEFAULT_TERMINATE_GRACE_SECONDS,
                 records: Optional[WorkerRecordDir] = None) -> None:
        """``records``: where this server's workers keep their records (None: unknown, so every
        worker's end is checked in storage)."""
        self._storage = storage
        self.records = records
        self.terminate_grace = terminate_grace
        # Runs being canceled: the timer that kills the worker's group when the grace is over.
        self._escalations: dict[str, threading.Timer] = {}
        # Why a worker was killed, for the run's event log.
        self._kill_reasons: dict[str, str] = {}
        self._changed = threading.Condition()
        self._by_run: dict[str, ActiveRun] = {}
        self._by_pid: dict[int, ActiveRun] = {}
        # Exits reported before the starter registered the worker (a very short run).
        self._early_exits: dict[int, Optional[int]] = {}

    def add(self, run: ActiveRun) -> None:
        """Track a worker that was just started."""
        with self._changed:
            if run.pid in self._early_exits:
                returncode = self._early_exits.pop(run.pid)
            else:
                self._by_run[run.run_id] = run
                self._by_pid[run.pid] = run
                return
        self._finish(run, returncode)

    def is_active(self, run_id: str) -> bool:
        """True while the run's worker is alive."""
        with self._changed:
            return run_id in self._by_run

    def run_ids(self) -> list[str]:
        """The ids of the runs with a live worker, oldest first."""
        with self._changed:
            return [run.run_id for run in sorted(self._by_run.values(), key=lambda r: r.started_at)]

    def __len__(self) -> int:
        with self._changed:
            return len(self._by_run)

    def on_worker_exit(self, pid: int, returncode: Optional[int]) -> None:
        """A worker ended: stop tracking it and make sure its run is finished in storage."""
        with self._changed:
            run = self._by_pid.pop(pid, None)
            if run is None:
                self._early_exits[pid] = returncode
                return
            self._by_run.pop(run.run_id, None)
        self._finish(run, returncode)

    def on_workers_lost(self, pids: list[int]) -> None:
        """The factory of these workers died: watch them ourselves until they end."""
        threading.Thread(target=self._watch_orphans, args=(set(pids),), name="berth-orphan-workers",
                         daemon=True).start()

    def adopt(self, run: ActiveRun, worker: ProcessIdentity) -> bool:
        """Watch a worker that an earlier server of this location started; False if one runs the run here.

        Its exit status cannot be known (it is not our child): /proc is polled until that very
        process is gone, and its run is then checked like any other's.
        """
        with self._changed:
            if run.run_id in self._by_run or run.pid in self._by_pid:
                return False
            self._by_run[run.run_id] = run
            self._by_pid[run.pid] = run
        threading.Thread(target=self._watch_adopted, args=(run, worker), name=f"berth-adopted-{run.pid}",
                         daemon=True).start()
        return True

    def cancel(self, run_id: str, force: bool = False) -> bool:
        """Mark the run CANCELING and stop its worker; False if no worker runs it.

        The worker gets SIGTERM, and its process group SIGKILL if it still runs after the
        terminate grace; with ``force`` the group is killed at once.
        """
        with self._changed:
            run = self._by_run.get(run_id)
        if run is None:
            return False
        storage = self._storage.get()
        record = storage.get_run(run_id)
        if record is not None and not record.is_finished and record.status != RunStatus.CANCELING:
            storage.store_event(RunEvent(run_id, "Sending the run worker a cancel request.",
                                         EventType.RUN_CANCELING))
        if force:
            self._kill_group(run, f"The run worker (pid {run.pid}) and its child processes were killed "
                                  "(SIGKILL) at once: the run was marked canceled immediately.")
            return True
        try:
            os.kill(run.pid, signal.SIGTERM)
        except ProcessLookupError:
            return True  # it just ended; its exit report finishes the run
        self._schedule_escalation(run)
        return True

    def _schedule_escalation(self, run: ActiveRun) -> None:
        timer = threading.Timer(self.terminate_grace, self._escalate, args=(run,))
        timer.daemon = True
        timer.name = f"berth-terminate-{run.pid}"
        with self._changed:
            if self._by_pid.get(run.pid) is not run or run.run_id in self._escalations:
                return  # gone already, or a kill is scheduled since an earlier cancel
            self._escalations[run.run_id] = timer
        timer.start()

    def _escalate(self, run: ActiveRun) -> None:
        with self._changed:
            self._escalations.pop(run.run_id, None)
            if self._by_pid.get(run.pid) is not run:
                return
        self._kill_group(run, f"The run worker (pid {run.pid}) did not stop within {self.terminate_grace:g} s "
                              "of the terminate request; it and its child processes were killed (SIGKILL).")

    def _kill_group(self, run: ActiveRun, reason: str) -> None:
        """SIGKILL the worker's process group (the worker leads it), remembering why."""
        with self._changed:
            if self._by_pid.get(run.pid) is not run:
                return  # ended meanwhile: its pid may belong to someone else by now
            self._kill_reasons[run.run_id] = reason
        kill_process_group(run.pid)

    def cancel_all(self) -> int:
        """Cancel every active run; return how many there were."""
        run_ids = self.run_ids()
        for run_id in run_ids:
            self.cancel(run_id)
        return len(run_ids)

    def wait_until_idle(self, timeout: Optional[float]) -> bool:
        """Wait until no worker runs; False if some still do after ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._by_run, timeout)

    def _finish(self, run: ActiveRun, returncode: Optional[int]) -> None:
        with self._changed:
            escalation = self._escalations.pop(run.run_id, None)
            kill_reason = self._kill_reasons.pop(run.run_id, None)
        if escalation is not None:
            escalation.cancel()
            # A canceled run leaves nothing behind: child processes the op started and did not
            # wait for are still in the worker's group (which keeps the group id from being reused).
            kill_process_group(run.pid, leader_gone=True)
        # Exit code 0 and no worker record left: the worker recorded the run's end itself. Not
        # looking saves a query per run, and keeps storage (SQLAlchemy, ~15 MiB) out of a server
        # that never needs it. Anything else (a kill, a crash, os._exit(0) in an op) is checked.
        record_left = self.records is not None and self.records.has_record(run.run_id)
        abnormal = returncode != EXIT_OK or record_left
        try:
            if abnormal and escalation is None:
                # What the run started is of no use once it failed: the op's children go too.
                kill_process_group(run.pid, leader_gone=True)
            if abnormal or self.records is None:
                mark_run_ended_by_worker_exit(self._storage, run, returncode, kill_reason)
            if record_left and self.records is not None:
                self.records.remove(run.run_id)
        except Exception:  # noqa: BLE001 - a storage hiccup must not kill the reporting thread
            _log.exception("could not finish run %s after its worker ended", run.run_id)
        finally:
            with self._changed:
                self._changed.notify_all()

    def _watch_adopted(self, run: ActiveRun, worker: ProcessIdentity) -> None:
        while worker.alive():
            time.sleep(_ORPHAN_POLL_SECONDS)
        self.on_worker_exit(run.pid, None)

    def _watch_orphans(self, pids: set[int]) -> None:
        while pids:
            for pid in list(pids):
                if not _process_alive(pid):
                    pids.discard(pid)
                    self.on_worker_exit(pid, None)
            time.sleep(_ORPHAN_POLL_SECONDS)


def mark_run_ended_by_worker_exit(storage: ServerStorage, run: ActiveRun, returncode: Optional[int],
                                  kill_reason: Optional[str] = None) -> None:
    """If the worker ended without finishing its run, record why and finish it.

    ``kill_reason`` says why this server killed the worker, when it did.
    """
    from berth.run_failure import end_unfinished_run

    reason = kill_reason or f"{describe_exit(run.pid, returncode)} The run did not finish: the worker " \
                            "ended without recording its end."
    end_unfinished_run(storage.get(), run.run_id, reason,
                       metadata={"worker_pid": run.pid, "returncode": returncode})


def kill_process_group(pid: int, leader_gone: bool = False) -> None:
    """SIGKILL the process group that ``pid`` leads; the process alone if it leads none."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        if not leader_gone:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    except PermissionError:
        _log.warning("not allowed to kill the process group of run worker %d", pid)


def _process_alive(pid: int) -> bool:
    # An orphan may be reparented to us (when we are PID 1 in a container): reap it then.
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
