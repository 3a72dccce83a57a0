"""The run worker: executes one stored run and records its events in run storage.

A worker is a process of its own, so that a run can be canceled (SIGTERM) or killed without
touching the code server. The worker factory forks it from a process that has already imported the
user code (``execute_run``); when the factory is down the code server starts it as
``python -m berth.execution.worker`` instead (``main``), which imports the code itself.

SIGTERM means cancel (``berth.execution.interrupts``): the op that is running gets
``RunInterrupted`` wherever it waits, berth's own bookkeeping excepted, and the engine records
RUN_CANCELED. The worker leads its own process group, so that the code server can kill it together
with the op's child processes when the op does not stop within the terminate grace.

Given a worker record path, the worker writes its record first of all and deletes it once the
run's end is recorded (``berth.execution.worker_records``): a record left behind tells the code
server — this one, or the next after a crash — that the run did not end by itself.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from berth.events import EventType, RunEvent, SerializableError
from berth.execution.code_target import CodeTarget
from berth.execution.errors import RunInterrupted
from berth.execution.interrupts import INTERRUPTS
from berth.runs import RunStatus

if TYPE_CHECKING:
    from berth.definitions.repository import RepositoryDefinition
    from berth.storage import RunStorage

__all__ = ["execute_run", "main", "run_from_target", "EXIT_OK", "EXIT_RUN_NOT_FOUND", "EXIT_STORAGE_UNAVAILABLE",
           "EXIT_WORKER_ERROR"]

EXIT_OK = 0
EXIT_RUN_NOT_FOUND = 3
EXIT_WORKER_ERROR = 70
# EX_TEMPFAIL: run storage stayed unreachable past its retry budget, so nothing more could be recorded.
EXIT_STORAGE_UNAVAILABLE = 75

def _finish_without_executing(storage: "RunStorage", run_id: str, status: RunStatus) -> None:
    """Record CANCELED for a run canceled before its worker began."""
    if status == RunStatus.CANCELING:
        storage.store_event(RunEvent(run_id, "Run canceled before it started.", EventType.RUN_CANCELED))


def _record_worker_error(storage: "RunStorage", run_id: str, exc: BaseException) -> None:
    """A failure outside any op (job lookup, engine crash): the run fails with the error."""
    from berth.run_failure import end_unfinished_run

    error = SerializableError.from_exception(exc)
    end_unfinished_run(storage, run_id, f"The run worker failed: {error.message}", error=error)


def execute_run(run_id: str, storage: "RunStorage", repositories: Mapping[str, "RepositoryDefinition"],
                repository_name: str, job_name: str) -> int:
    """Execute a stored run to its end and return the worker's exit code.

    Loads the run from ``storage``, looks the job up in ``repositories`` (subset by the run's op
    selection) and calls ``execute_job`` with an ``emit`` that writes each event to storage.
    Must run in the process's main thread (it installs signal handlers).

    Storage rides out a database restart (each write is retried, stored once); when it stays
    unreachable past its budget the worker says so on stderr and exits
    ``EXIT_STORAGE_UNAVAILABLE``, leaving the run's end to whoever can reach storage later.
    """
    from berth.storage import StorageUnavailable

    try:
        return _execute_run(run_id, storage, repositories, repository_name, job_name)
    except StorageUnavailable as exc:
        print(f"berth run worker (pid {os.getpid()}): run {run_id} stopped, its events can no longer be "
              f"recorded: {exc}", file=sys.stderr, flush=True)
        return EXIT_STORAGE_UNAVAILABLE


def _execute_run(run_id: str, storage: "RunStorage", repositories: Mapping[str, "RepositoryDefinition"],
                 repository_name: str, job_name: str) -> int:
    INTERRUPTS.install()
    run = storage.get_run(run_id)
    if run is None:
        return EXIT_RUN_NOT_FOUND
    if run.is_finished or run.status == RunStatus.CANCELING:
        _finish_without_executing(storage, run_id, run.status)
        return EXIT_OK
    from berth.execution.run_end_guard import RunEndedElsewhere

    try:
        _execute(storage, run, repositories, repository_name or run.repository_name,
                 job_name or run.job_name)
    except RunEndedElsewhere as exc:
        # Ended before this worker's first event (a launch recorded as failed): nothing to run.
        print(f"berth run worker (pid {os.getpid()}): not executing, {exc}", file=sys.stderr, flush=True)
    except RunInterrupted:
        # The interrupt landed outside the engine's step handling; still a cancel.
        current = storage.get_run(run_id)
        if current is None or not current.is_finished:
            storage.store_event(RunEvent(run_id, "Run canceled.", EventType.RUN_CANCELED))
    except BaseException as exc:
        from berth.storage import StorageUnavailable

        if isinstance(exc, StorageUnavailable):
            raise  # recording the error would need the storage that is gone
        _record_worker_error(storage, run_id, exc)
        return EXIT_WORKER_ERROR
    return EXIT_OK


def _execute(storage: "RunStorage", run: Any, repositories: Mapping[str, "RepositoryDefinition"],
             repository_name: str, job_name: str) -> None:
    from berth.definitions.lookup import find_job
    from berth.execution.engine import execute_job
    from berth.execution.run_end_guard import RunEndGuard

    _repository, job = find_job(repositories, repository_name, job_name)
    if run.op_selection:
        job = job.get_subset(list(run.op_selection))
    guard = RunEndGuard(storage, run.run_id, _saying_why_canceled(storage), INTERRUPTS.should_stop)
    execute_job(job, dict(run.run_config), run_id=run.run_id, emit=guard.emit,
                should_stop=guard.should_stop,
                step_keys_to_execute=list(run.step_keys_to_execute) if run.step_keys_to_execute else None,
                parent_run_id=run.parent_run_id)


def _saying_why_canceled(storage: "RunStorage") -> Callable[[RunEvent], Any]:
    """``emit`` that records, before a RUN_CANCELED caused by SIGTERM, an engine event saying so.

    A run that someone else ended before stopping its worker (the run monitor, for a run over
    its ``dagster/max_runtime``) keeps that end: its RUN_CANCELED is not recorded as a second one.
    """
    emit = storage.store_event

    def emit_event(event: RunEvent) -> Any:
        if event.event_type == EventType.RUN_CANCELED and INTERRUPTS.should_stop():
            emit(RunEvent(event.run_id, "The run worker received a terminate request (SIGTERM): the running "
                          "op was interrupted and no further step was started.", EventType.ENGINE_EVENT,
                          metadata={"worker_pid": os.getpid()}))
            current = storage.get_run(event.run_id)
            if current is not None and current.is_finished:
                return None
        return emit(event)

    return emit_event


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m berth.execution.worker",
                                     description="Execute one stored berth run.")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--storage-url", default="",
                        help="run storage (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")
    parser.add_argument("--repository-name", default="")
    parser.add_argument("--job-name", default="")
    parser.add_argument("--worker-record", default="", metavar="PATH",
                        help="write a worker record here while the run is unfinished "
                             "(berth.execution.worker_records); the parent process is its watcher")
    CodeTarget.add_arguments(parser)
    return parser.parse_args(list(argv))


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Subprocess entry point: import the user code, then ``execute_run``."""
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    # First of all, before the slow imports: a code server that dies now must find this worker.
    from berth.execution.worker_records import write_own_record

    record = pathlib.Path(args.worker_record) if args.worker_record else None
    recorded = record is not None and write_own_record(record, args.run_id, os.getppid())
    code = _main(args)
    if recorded and record is not None:
        record.unlink(missing_ok=True)  # the run's end is recorded: nothing left to recover
    return code


def _main(args: argparse.Namespace) -> int:
    from berth.storage import RunStorage, default_storage_url

    storage = RunStorage.from_url(args.storage_url or os.environ.get("BERTH_STORAGE_URL") or default_storage_url())
    try:
        return run_from_target(args.run_id, storage, CodeTarget.from_namespace(args), args.repository_name,
                               args.job_name)
    finally:
        storage.dispose()


def run_from_target(run_id: str, storage: "RunStorage", target: CodeTarget, repository_name: str = "",
                    job_name: str = "") -> int:
    """Import the user code of ``target``, then ``execute_run``; an import error fails the run."""
    try:
        repositories = target.load()
    except BaseException as exc:  # noqa: BLE001 - the run must record why it could not start
        _record_worker_error(storage, run_id, exc)
        return EXIT_WORKER_ERROR
    return execute_run(run_id, storage, repositories, repository_name, job_name)


if __name__ == "__main__":
    _code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The run has ended and is recorded: threads an op left behind (a canceled op's helper thread
    # still sleeping, say) must not keep the worker alive, as sys.exit would by joining them.
    os._exit(_code)
