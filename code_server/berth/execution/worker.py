"""The run worker: executes one stored run and records its events in run storage.

A worker is a process of its own, so that a run can be canceled (SIGTERM) or killed without
touching the code server. The worker factory forks it from a process that has already imported the
user code (``execute_run``); when the factory is down the code server starts it as
``python -m berth.execution.worker`` instead (``main``), which imports the code itself.

SIGTERM means cancel: the worker sets ``should_stop`` and raises ``RunInterrupted`` inside the op
that is running, so that a long op stops promptly and the engine records RUN_CANCELED.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from berth.events import EventType, RunEvent, SerializableError
from berth.execution.code_target import CodeTarget
from berth.execution.errors import RunInterrupted
from berth.runs import RunStatus

if TYPE_CHECKING:
    from berth.definitions.repository import RepositoryDefinition
    from berth.storage import RunStorage

__all__ = ["execute_run", "main", "EXIT_OK", "EXIT_RUN_NOT_FOUND", "EXIT_WORKER_ERROR"]

EXIT_OK = 0
EXIT_RUN_NOT_FOUND = 3
EXIT_WORKER_ERROR = 70

# How long to wait before trying again to interrupt an op when SIGTERM arrived while berth's own
# bookkeeping (an event write, the engine between steps) was running: never raise in there.
_INTERRUPT_RETRY_SECONDS = 0.02

_BERTH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_STDLIB_DIR = os.path.dirname(os.path.abspath(threading.__file__))
# Packages whose frames are berth's bookkeeping, not the op: storage and its database drivers.
_INFRASTRUCTURE_PACKAGES = ("sqlalchemy", "psycopg", "sqlite3", "grpc", "google")


class _Cancellation:
    """SIGTERM handling: remember the request and interrupt the running op at a safe point."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.interrupted = False

    def install(self) -> None:
        """Route SIGTERM (and the retry alarm) to this object."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGALRM, self._on_signal)

    def should_stop(self) -> bool:
        """The engine's ``should_stop``."""
        return self.requested.is_set()

    def _on_signal(self, signum: int, frame: Optional[FrameType]) -> None:
        self.requested.set()
        if self.interrupted:
            return
        if _inside_user_op(frame):
            self.interrupted = True
            raise RunInterrupted("run canceled (SIGTERM)")
        # Between steps the engine sees should_stop; inside berth code we try again shortly.
        signal.setitimer(signal.ITIMER_REAL, _INTERRUPT_RETRY_SECONDS)


def _inside_user_op(frame: Optional[FrameType]) -> bool:
    """True when the innermost Python frame belongs to user code (an op body or what it calls).

    Raising there is like KeyboardInterrupt in the op. Raising inside berth (the engine, an event
    write), the standard library or a database driver could leave the run's bookkeeping half
    done, so those frames are never interrupted.
    """
    if frame is None:
        return False
    filename = os.path.abspath(frame.f_code.co_filename)
    if filename.startswith(("<", _BERTH_DIR)):
        return False
    if filename.startswith(_STDLIB_DIR) and "-packages" not in filename:
        return False
    return not any(_module_dir(name) and filename.startswith(_module_dir(name))
                   for name in _INFRASTRUCTURE_PACKAGES)


def _module_dir(name: str) -> str:
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None)
    return os.path.dirname(os.path.abspath(path)) if path else ""


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
    """
    cancellation = _Cancellation()
    cancellation.install()
    try:
        run = storage.get_run(run_id)
        if run is None:
            return EXIT_RUN_NOT_FOUND
        if run.is_finished or run.status == RunStatus.CANCELING:
            _finish_without_executing(storage, run_id, run.status)
            return EXIT_OK
        try:
            _execute(storage, run, repositories, repository_name or run.repository_name,
                     job_name or run.job_name, cancellation)
        except RunInterrupted:
            # The interrupt landed outside the engine's step handling; still a cancel.
            current = storage.get_run(run_id)
            if current is None or not current.is_finished:
                storage.store_event(RunEvent(run_id, "Run canceled.", EventType.RUN_CANCELED))
        except BaseException as exc:  # noqa: BLE001 - any escape must still end the run
            _record_worker_error(storage, run_id, exc)
            return EXIT_WORKER_ERROR
        return EXIT_OK
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _execute(storage: "RunStorage", run: Any, repositories: Mapping[str, "RepositoryDefinition"],
             repository_name: str, job_name: str, cancellation: _Cancellation) -> None:
    from berth.definitions.lookup import find_job
    from berth.execution.engine import execute_job

    _repository, job = find_job(repositories, repository_name, job_name)
    if run.op_selection:
        job = job.get_subset(list(run.op_selection))
    emit: Callable[[RunEvent], Any] = storage.store_event
    execute_job(job, dict(run.run_config), run_id=run.run_id, emit=emit,
                should_stop=cancellation.should_stop,
                step_keys_to_execute=list(run.step_keys_to_execute) if run.step_keys_to_execute else None,
                parent_run_id=run.parent_run_id)


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m berth.execution.worker",
                                     description="Execute one stored berth run.")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--storage-url", default="",
                        help="run storage (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")
    parser.add_argument("--repository-name", default="")
    parser.add_argument("--job-name", default="")
    CodeTarget.add_arguments(parser)
    return parser.parse_args(list(argv))


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Subprocess entry point: import the user code, then ``execute_run``."""
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    from berth.storage import RunStorage, default_storage_url

    storage = RunStorage.from_url(args.storage_url or os.environ.get("BERTH_STORAGE_URL") or default_storage_url())
    try:
        try:
            repositories = CodeTarget.from_namespace(args).load()
        except BaseException as exc:  # noqa: BLE001 - the run must record why it could not start
            _record_worker_error(storage, args.run_id, exc)
            return EXIT_WORKER_ERROR
        return execute_run(args.run_id, storage, repositories, args.repository_name, args.job_name)
    finally:
        storage.dispose()


if __name__ == "__main__":
    sys.exit(main())
