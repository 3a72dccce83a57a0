"""``berth run-worker``: one stored run executed by a process of its own, as a Kubernetes Job runs it.

Real processes and real storage (SQLite and PostgreSQL): the run is stored STARTING, as the
webserver stores it before a launcher starts it, and ``berth run-worker`` gets only its id, the
code target and (through the environment) the storage URL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import pytest
from standin_process import processes_mentioning
from webserver_process import wait_until

from berth.events import EventType
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage

JOBS = Path(__file__).resolve().parent / "k8s_jobs.py"


def _store(storage: RunStorage, job: str, run_config: Optional[dict[str, Any]] = None,
           status: RunStatus = RunStatus.STARTING) -> str:
    run_id = str(uuid.uuid4())
    now = time.time()
    storage.add_run(RunRecord(run_id, job, status=status, repository_name="__repository__",
                              location_name="k8s-jobs", run_config=run_config or {}, create_timestamp=now,
                              update_timestamp=now))
    return run_id


def _worker(run_id: str, storage_url: str, *extra: str, target: tuple[str, ...] = ("-f", str(JOBS))
            ) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BERTH_")}
    env["BERTH_STORAGE_URL"] = storage_url  # as a Job's envFrom Secret gives it
    return subprocess.Popen([sys.executable, "-m", "berth.cli", "run-worker", "--run-id", run_id, *target, *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=90)
    return process.returncode, output


def test_run_worker_executes_a_stored_run_to_success(storage: RunStorage, storage_url: str) -> None:
    run_id = _store(storage, "hello")
    code, output = _finish(_worker(run_id, storage_url))
    assert code == 0, output
    run = storage.get_run(run_id)
    assert run is not None and run.status == RunStatus.SUCCESS
    types = [record.event.event_type for record in storage.get_events(run_id)]
    assert types[0] == EventType.RUN_START and types[-1] == EventType.RUN_SUCCESS
    assert types.count(EventType.STEP_SUCCESS) == 2
    assert f"run {run_id} ended SUCCESS" in output


def test_run_worker_records_a_failed_run_and_exits_0(storage: RunStorage, storage_url: str, tmp_path: Path) -> None:
    # The release file never comes and the pid file cannot be written: the op fails at once.
    config = {"ops": {"wait_for_release": {"config": {"pid_file": str(tmp_path / "no" / "such" / "dir"),
                                                      "release_file": str(tmp_path / "r")}}}}
    run_id = _store(storage, "waits", config)
    code, output = _finish(_worker(run_id, storage_url))
    assert code == 0, output
    run = storage.get_run(run_id)
    assert run is not None and run.status == RunStatus.FAILURE


def test_sigterm_cancels_the_run_and_leaves_no_process(storage: RunStorage, storage_url: str, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid.json"
    config = {"ops": {"wait_for_release": {"config": {"pid_file": str(pid_file),
                                                      "release_file": str(tmp_path / "never")}}}}
    run_id = _store(storage, "waits", config)
    process = _worker(run_id, storage_url)
    wait_until(pid_file.exists, timeout=60)
    assert json.loads(pid_file.read_text())["worker"] == process.pid
    assert os.getpgid(process.pid) == process.pid  # it leads its process group
    process.send_signal(signal.SIGTERM)
    code, output = _finish(process)
    assert code == 0, output
    run = storage.get_run(run_id)
    assert run is not None and run.status == RunStatus.CANCELED
    assert any("SIGTERM" in record.event.message for record in storage.get_events(run_id))
    assert not processes_mentioning(run_id)


def test_code_that_fails_to_import_fails_the_run_with_the_error(storage: RunStorage, storage_url: str,
                                                                tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise ImportError('the image lacks a package')\n")
    run_id = _store(storage, "hello")
    code, output = _finish(_worker(run_id, storage_url, target=("-f", str(broken))))
    assert code == 0, output  # the failure is recorded: the Job's work is done
    run = storage.get_run(run_id)
    assert run is not None and run.status == RunStatus.FAILURE
    assert any("the image lacks a package" in record.event.message for record in storage.get_events(run_id))


def test_run_worker_refuses_what_it_must_not_run(storage: RunStorage, storage_url: str) -> None:
    code, output = _finish(_worker("no-such-run", storage_url))
    assert code == 3 and "no run 'no-such-run'" in output

    started = _store(storage, "hello", status=RunStatus.STARTED)
    code, output = _finish(_worker(started, storage_url))
    assert code == 4 and "another worker runs it" in output
    run = storage.get_run(started)
    assert run is not None and run.status == RunStatus.STARTED and not storage.get_events(started)


def test_run_worker_names_unreachable_storage_without_its_password() -> None:
    process = _worker("x", "postgresql://berth:s3cret-pw@127.0.0.1:1/berth")
    code, output = _finish(process)
    assert code == 1
    assert "cannot open the run storage" in output and "s3cret-pw" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("argv", [["run-worker"], ["run-worker", "--run-id", "x"]])
def test_run_worker_usage_errors(argv: list[str]) -> None:
    completed = subprocess.run([sys.executable, "-m", "berth.cli", *argv], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 2 and "usage:" in completed.stderr
