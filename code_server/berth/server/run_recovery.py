"""Runs a dead code server left behind: adopted when their worker lives, failed when it is gone.

A code server killed outright (``kill -9``, the OOM killer) leaves its workers running: they are
processes of their own, and its worker factory dies without them. The next server of the same
location, writing to the same storage on the same host, reads the worker records those workers
wrote (``berth.execution.worker_records``) before it starts serving, so that the first
``ListActiveRuns`` anyone asks it already lists them. For each record:

- written on another host or pid namespace, or still watched by a live code server (a replica
  of the location): not ours to judge, left alone;
- its run is unfinished and that very worker process still runs: **adopted**. The server watches
  it from now on (it shows among the active runs, and terminate works), rewrites the record with
  itself as watcher, and says so in the run's event log;
- its run is unfinished and the worker is gone: the run is **failed** (canceled if it was being
  canceled) with an engine event that says why, after what is left of its process group is killed.

Runs without a record here (started on another host, or whose worker died before writing one)
are left to the webserver's run monitor, which compares storage with every server's active runs.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from typing import TYPE_CHECKING, Callable

from berth.events import EventType, RunEvent
from berth.execution.worker_records import WorkerRecord, WorkerRecordDir, host_identity, process_identity
from berth.server.active_runs import ActiveRun, ActiveRuns, kill_process_group

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["RecoveredRuns", "recover_runs"]

_log = logging.getLogger(__name__)


@dataclasses.dataclass
class RecoveredRuns:
    """What a recovery did, by run id."""

    adopted: list[str] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)


def recover_runs(records: WorkerRecordDir, storage_of: Callable[[], "RunStorage"], active_runs: ActiveRuns,
                 location_name: str) -> RecoveredRuns:
    """Adopt or fail the runs that earlier servers of this location left behind on this host."""
    done = RecoveredRuns()
    host = host_identity()
    left = [record for record in records.records() if host and record.host == host and _unwatched(record)]
    if not left:
        return done  # the usual case costs one listdir, and no storage
    storage = storage_of()
    for record in left:
        try:
            _recover(record, records, storage, active_runs, location_name, done)
        except Exception:  # noqa: BLE001 - one run's trouble (storage down) must not stop the server
            _log.exception("could not recover run %s of location %s", record.run_id, location_name)
    return done


def _unwatched(record: WorkerRecord) -> bool:
    # A live watcher other than this process is another server of the location: it owns the run.
    watcher = record.watcher
    return watcher is None or watcher.pid == os.getpid() or not watcher.alive()


def _recover(record: WorkerRecord, records: WorkerRecordDir, storage: "RunStorage", active_runs: ActiveRuns,
             location_name: str, done: RecoveredRuns) -> None:
    run = storage.get_run(record.run_id)
    worker = record.worker
    if run is None or run.is_finished or (run.location_name and run.location_name != location_name):
        if not worker.alive():
            records.remove(record.run_id)  # nothing to do for anyone
        return  # a live worker of a finished run deletes its record as it exits
    if worker.alive():
        _adopt(record, records, storage, active_runs, location_name, done)
        return
    # Gone for sure: that pid either does not exist or belongs to a process started later.
    from berth.run_failure import end_unfinished_run

    if process_identity(worker.pid) is None:
        # The pid is free, so a group with its id can only be the worker's: its leftovers go. (A
        # pid in use by another process means the worker's group is empty: the kernel reuses
        # no pid that is still some group's id.)
        kill_process_group(worker.pid, leader_gone=True)
    reason = (f"The worker of this run (pid {worker.pid}) was not found after the code server of location "
              f"'{location_name}' restarted: it ended while no code server watched it, without recording "
              "the run's end.")
    if end_unfinished_run(storage, record.run_id, reason,
                          metadata={"worker_pid": worker.pid, "code_server_pid": os.getpid()}):
        done.failed.append(record.run_id)
    records.remove(record.run_id)


def _adopt(record: WorkerRecord, records: WorkerRecordDir, storage: "RunStorage", active_runs: ActiveRuns,
           location_name: str, done: RecoveredRuns) -> None:
    me = process_identity(os.getpid())
    if not active_runs.adopt(ActiveRun(record.run_id, record.worker.pid, time.time()), record.worker):
        return
    # Written before anything else can fail: a server that dies now is replaced by one that knows.
    dataclasses.replace(record, watcher=me).write(records.record_path(record.run_id))
    done.adopted.append(record.run_id)
    storage.store_event(RunEvent(
        record.run_id,
        f"The code server of location '{location_name}' restarted; the run worker (pid {record.worker.pid}) "
        f"is still running and the new code server (pid {os.getpid()}) watches it now.",
        EventType.ENGINE_EVENT, metadata={"worker_pid": record.worker.pid, "code_server_pid": os.getpid()}))
