"""A worker whose run was ended by someone else stops, and writes no second end.

The webserver records a launch as failed when the code server died before answering StartRun,
yet the worker it had forked may be running; the run monitor ends runs whose worker it takes for
gone. Real worker processes (``python -m berth.execution.worker``) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping

from berth.events import EventType
from berth.execution.worker import execute_run
from berth.run_failure import end_unfinished_run
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage

JOBS = Path(__file__).resolve().parent / "ended_elsewhere_jobs.py"
END_TYPES = (EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED)


def _store(storage: RunStorage, run_config: Mapping[str, Any]) -> str:
    run_id = str(uuid.uuid4())
    now = time.time()
    storage.add_run(RunRecord(run_id, "two_steps", status=RunStatus.STARTING, repository_name="__repository__",
                              location_name="ended-elsewhere", run_config=dict(run_config), create_timestamp=now,
                              update_timestamp=now))
    return run_id


def _config(tmp_path: Path) -> dict[str, Any]:
    return {"ops": {"first": {"config": {"pid_file": str(tmp_path / "pid.json"),
                                         "release_file": str(tmp_path / "release")}}}}


def _wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_worker_whose_run_was_failed_mid_run_starts_no_further_step(storage: RunStorage, storage_url: str,
                                                                       tmp_path: Path) -> None:
    run_id = _store(storage, _config(tmp_path))
    env = {key: value for key, value in os.environ.items() if not key.startswith("BERTH_STORAGE")}
    env["BERTH_STORAGE_URL"] = storage_url
    worker = subprocess.Popen([sys.executable, "-m", "berth.execution.worker", "--run-id", run_id,
                               "--python-file", str(JOBS)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        _wait_for(tmp_path / "pid.json", worker)
        # What the webserver does when StartRun's answer never came, or the monitor for a lost worker.
        assert end_unfinished_run(storage, run_id, "The launch failed: the code server went away.")
        (tmp_path / "release").touch()
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert not (tmp_path / "pid.json.second_ran").exists(), "the worker ran a step of a failed run"
    run = storage.get_run(run_id)
    assert run is not None and run.status == RunStatus.FAILURE
    events = [record.event for record in storage.get_events(run_id)]
    assert [event.event_type for event in events if event.event_type in END_TYPES] == [EventType.RUN_FAILURE]
    assert not any(event.step_key == "second" for event in events)
    assert any("ended (FAILURE) by someone else" in event.message for event in events)


class _EndedWhileLooking(Mapping[str, Any]):
    """The worker's repositories; looking the job up ends the run, as a failed launch does meanwhile.

    The window it stands for — after the worker read its run STARTING, before RUN_START — is
    too short to hit with two processes; this makes it certain.
    """

    def __init__(self, storage: RunStorage, run_id: str) -> None:
        from berth.definitions.loader import load_code_location

        self._repositories = load_code_location(python_file=str(JOBS), working_directory=None).repositories
        self._storage = storage
        self._run_id = run_id

    def __getitem__(self, key: str) -> Any:
        end_unfinished_run(self._storage, self._run_id, "The launch failed: the code server went away.")
        return self._repositories[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._repositories)

    def __len__(self) -> int:
        return len(self._repositories)


def test_a_worker_whose_run_was_failed_before_run_start_executes_nothing(storage: RunStorage,
                                                                         tmp_path: Path) -> None:
    (tmp_path / "release").touch()
    run_id = _store(storage, _config(tmp_path))
    previous = signal.getsignal(signal.SIGTERM)  # the worker routes SIGTERM to its cancel: not pytest's
    try:
        code = execute_run(run_id, storage, _EndedWhileLooking(storage, run_id), "__repository__", "two_steps")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert code == 0
    assert not (tmp_path / "pid.json").exists(), "the worker executed a run that had failed"
    events = [record.event for record in storage.get_events(run_id)]
    types = [event.event_type for event in events]
    assert EventType.RUN_START not in types
    assert [t for t in types if t in END_TYPES] == [EventType.RUN_FAILURE]
    run = storage.get_run(run_id)
    assert run is not None and run.status == RunStatus.FAILURE
