"""``berth run-worker --run-id ID``: execute one stored run in this process, wherever it is.

The entry point of a run launched outside its code server (a Kubernetes Job in the location's
image, a batch system, a shell): the run (STARTING, its job, repository and run config) is read
from run storage, the location's user code (``-f`` / ``-m`` / ``-d``, the code target the code
server reports) is imported here, and the run is executed by the same worker code that the code
server forks (``berth.execution.worker``): the same events, the same SIGTERM handling (the running
op is interrupted, the run ends CANCELED), the same recording of a crash outside any op.

The process leads its own process group when it can, so that whoever started it can kill the op's
child processes with it; in a container the runtime kills them all after the pod's grace anyway.

Exit status: 0 once the run's end (SUCCESS, FAILURE or CANCELED) is recorded, whatever it is;
1 when storage cannot be opened; 3 when no such run exists; 4 when the run is not waiting for a
worker (QUEUED, NOT_STARTED, or already STARTED by another one: it is left alone); 70 when the run
could not be recorded as ended.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["add_run_worker_command", "run_worker_command", "EXIT_NOT_STARTABLE"]

EXIT_STORAGE = 1
EXIT_NOT_STARTABLE = 4


def add_run_worker_command(commands: Any) -> None:
    """Add ``run-worker`` to the ``berth`` parser's subcommands."""
    parser = commands.add_parser("run-worker", help="execute one stored run in this process")
    parser.add_argument("--run-id", required=True, help="the run to execute (it must be STARTING)")
    parser.add_argument("--storage-url", "--storage", dest="storage_url", metavar="URL",
                        help="run storage URL (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("-f", "--python-file", help="the location's Python file")
    target.add_argument("-m", "--module-name", help="the location's module")
    parser.add_argument("-d", "--working-directory", help="directory to import the code from")


def run_worker_command(args: argparse.Namespace) -> int:
    """Execute the run; returns the exit status (see the module docstring)."""
    from berth.redaction import install_log_redaction, redact_credentials
    from berth.storage import RunStorage, default_storage_url

    install_log_redaction()  # the storage URL may carry a password
    url = args.storage_url or os.environ.get("BERTH_STORAGE_URL") or default_storage_url()
    try:
        storage = RunStorage.from_url(url)
    except Exception as exc:  # noqa: BLE001 - unreachable, malformed, too new: one line, no password
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"berth run-worker: cannot open the run storage {redact_credentials(url)}: "
              f"{redact_credentials(first)}", file=sys.stderr)
        return EXIT_STORAGE
    try:
        return _execute(storage, args)
    finally:
        storage.dispose()


def _execute(storage: Any, args: argparse.Namespace) -> int:
    from berth.execution.worker import EXIT_RUN_NOT_FOUND, run_from_target
    from berth.runs import RunStatus

    run = storage.get_run(args.run_id)
    if run is None:
        print(f"berth run-worker: no run {args.run_id!r} in run storage", file=sys.stderr)
        return EXIT_RUN_NOT_FOUND
    if run.status in (RunStatus.QUEUED, RunStatus.NOT_STARTED, RunStatus.STARTED):
        why = "another worker runs it" if run.status == RunStatus.STARTED else "it has not been launched"
        print(f"berth run-worker: run {args.run_id} is {run.status.value}, not STARTING ({why}); "
              f"left alone", file=sys.stderr)
        return EXIT_NOT_STARTABLE
    _lead_process_group()
    print(f"berth run-worker: executing run {run.run_id} (job {run.job_name!r} of location "
          f"{run.location_name!r}) in process {os.getpid()}", flush=True)
    from berth.execution.code_target import CodeTarget  # not at import: every `berth` command loads this module

    code = run_from_target(args.run_id, storage, CodeTarget.from_namespace(args))
    ended = storage.get_run(args.run_id)
    if ended is not None and ended.is_finished:
        print(f"berth run-worker: run {run.run_id} ended {ended.status.value}", flush=True)
        return 0
    return code or 70


def _lead_process_group() -> None:
    try:
        os.setpgid(0, 0)
    except OSError:  # already a session leader (a container's first process): it leads its group
        pass
