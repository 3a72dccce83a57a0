"""What a starting code server does with the worker records it finds, case by case.

Real processes stand in for workers and for other code servers (``sleep``: what matters to
recovery is a process's pid and start time in /proc), and a real code server starts over the
records, on SQLite and PostgreSQL. It must act only on runs whose watcher is gone, adopt a run
whose very worker process still runs, fail one whose worker is gone — even when its pid now
belongs to another process, which it must not touch — and leave records of other hosts alone.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import time
import uuid
from typing import Iterator, Optional

import pytest
from proc_scan import alive, wait_for

from berth.events import EventType
from berth.execution.worker_records import (
    ProcessIdentity,
    WorkerRecord,
    WorkerRecordDir,
    host_identity,
    process_identity,
)
from berth.runs import RunRecord, RunStatus
from berth.server import CodeServer, create_server
from berth.storage import RunStorage

pytestmark = pytest.mark.faults

JOBS = pathlib.Path(__file__).resolve().parent / "crash_jobs.py"
LOCATION = "crash"


@pytest.fixture
def home(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("BERTH_HOME", str(folder))
    return folder


@pytest.fixture
def sleepers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started by the test, killed at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def _sleeper(sleepers: list[subprocess.Popen[bytes]]) -> ProcessIdentity:
    process = subprocess.Popen(["sleep", "300"], start_new_session=True)
    sleepers.append(process)
    identity = wait_for(lambda: process_identity(process.pid), "the process to show in /proc")
    return identity


def _gone_process() -> ProcessIdentity:
    process = subprocess.Popen(["true"])
    identity = wait_for(lambda: process_identity(process.pid) or (process.poll() is not None and
                                                                   ProcessIdentity(process.pid, 1)), "a process")
    process.wait(10)
    return identity


def _started_run(storage: RunStorage) -> str:
    run_id = str(uuid.uuid4())
    storage.add_run(RunRecord(run_id=run_id, job_name="gated_job", status=RunStatus.STARTED,
                              repository_name="__repository__", location_name=LOCATION,
                              create_timestamp=time.time()))
    return run_id


def _record(storage_url: str, home: pathlib.Path, run_id: str, worker: ProcessIdentity,
            watcher: Optional[ProcessIdentity], host: Optional[str] = None) -> pathlib.Path:
    records = WorkerRecordDir(storage_url, LOCATION, home)
    records.prepare()
    path = records.record_path(run_id)
    WorkerRecord(run_id, worker, watcher, host_identity() if host is None else host).write(path)
    return path


@pytest.fixture
def start_server(storage_url: str) -> Iterator:
    servers: list[CodeServer] = []

    def start() -> CodeServer:
        server, _port = create_server("127.0.0.1:0", python_file=str(JOBS), location_name=LOCATION,
                                      storage_url=storage_url, terminate_grace=2.0)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop(None).wait(30)


def _engine_messages(storage: RunStorage, run_id: str) -> list[str]:
    return [r.event.message for r in storage.get_events(run_id) if r.event.event_type == EventType.ENGINE_EVENT]


def test_a_run_watched_by_a_live_server_or_recorded_elsewhere_is_left_alone(
        storage: RunStorage, storage_url: str, home: pathlib.Path, start_server, sleepers) -> None:
    replica_run, foreign_run = _started_run(storage), _started_run(storage)
    replica_worker, live_replica = _sleeper(sleepers), _sleeper(sleepers)
    foreign_worker = _sleeper(sleepers)
    replica_record = _record(storage_url, home, replica_run, replica_worker, live_replica)
    foreign_record = _record(storage_url, home, foreign_run, foreign_worker, _gone_process(),
                             host="another-boot/pid:[1]")
    server = start_server()
    assert server.location.active_runs.run_ids() == []
    for run_id in (replica_run, foreign_run):
        assert storage.get_run(run_id).status == RunStatus.STARTED
        assert _engine_messages(storage, run_id) == []
    assert replica_record.exists() and foreign_record.exists()
    assert alive(replica_worker.pid) and alive(foreign_worker.pid)


def test_a_live_worker_of_a_dead_server_is_adopted_and_its_end_is_watched(
        storage: RunStorage, storage_url: str, home: pathlib.Path, start_server, sleepers) -> None:
    run_id = _started_run(storage)
    worker = _sleeper(sleepers)
    record = _record(storage_url, home, run_id, worker, _gone_process())
    server = start_server()
    assert server.location.active_runs.run_ids() == [run_id]
    assert any("watches it now" in message for message in _engine_messages(storage, run_id))
    assert WorkerRecord.from_json(record.read_text()).watcher == process_identity(os.getpid())
    os.kill(worker.pid, 9)
    run = wait_for(lambda: (r := storage.get_run(run_id)) is not None and r.is_finished and r, "the run to end")
    assert run.status == RunStatus.FAILURE
    assert any(f"(pid {worker.pid}) is gone; its exit status is unknown" in message
               for message in _engine_messages(storage, run_id))
    # The record goes after the run's end is stored (a crash in between leaves it for the next server).
    wait_for(lambda: not record.exists() and server.location.active_runs.run_ids() == [],
             "the record to be removed and the run to leave the active runs")


def test_a_worker_whose_pid_now_belongs_to_another_process_is_gone_and_that_process_is_spared(
        storage: RunStorage, storage_url: str, home: pathlib.Path, start_server, sleepers) -> None:
    run_id = _started_run(storage)
    bystander = _sleeper(sleepers)
    # The same pid, started at another time: the worker that had it is gone.
    record = _record(storage_url, home, run_id, ProcessIdentity(bystander.pid, bystander.start_ticks - 1),
                     _gone_process())
    start_server()
    run = storage.get_run(run_id)
    assert run is not None and run.status == RunStatus.FAILURE
    assert any(f"worker of this run (pid {bystander.pid}) was not found after the code server of location "
               f"'{LOCATION}' restarted" in message for message in _engine_messages(storage, run_id))
    assert not record.exists()
    assert alive(bystander.pid)
