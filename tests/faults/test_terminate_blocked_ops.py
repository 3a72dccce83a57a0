"""Terminate an op blocked where real data jobs wait; the run ends CANCELED and leaves no process.

A real code server serves ``blocking_jobs.py`` on SQLite and on PostgreSQL; each run is stored,
started with StartRun, and canceled with CancelRun once its op has announced (in a file) the pids
of the worker and of its child process. The ops that wait in Python (a child process, a thread
join, a socket read) are interrupted by SIGTERM; the one stuck in a C call cannot be, and is killed
with its process group once the code server's terminate grace is over.
"""

from __future__ import annotations

import logging
import pathlib
import time
import uuid
from typing import Iterator, Optional

import grpc
import pytest
from proc_scan import alive, group_members, read_pids, wait_for

from berth.events import EventType
from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.runs import RunRecord, RunStatus
from berth.server import create_server
from berth.storage import RunStorage

pytestmark = pytest.mark.faults

JOBS = pathlib.Path(__file__).resolve().parent / "blocking_jobs.py"
# Short, so that the C-call case is quick; the ops that wait in Python must stop long before it.
TERMINATE_GRACE = 4.0
# How long a terminated run may take to reach CANCELED (the grace, plus a loaded 2-core machine).
CANCELED_WITHIN = 30.0
TERMINAL = (EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED)


@pytest.fixture(scope="module")
def storage_url(module_storage_url: str) -> str:
    """One database per backend for the module's code server (a code server writes to its own storage)."""
    return module_storage_url


@pytest.fixture(scope="module")
def stub(storage_url: str) -> Iterator[CodeLocationStub]:
    server, port = create_server("127.0.0.1:0", python_file=str(JOBS), location_name="blocking",
                                 storage_url=storage_url, terminate_grace=TERMINATE_GRACE)
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield CodeLocationStub(channel)
    finally:
        channel.close()
        server.stop(None).wait(30)


def _start_blocked_run(stub: CodeLocationStub, storage: RunStorage, job_name: str, pid_file: pathlib.Path,
                       multiprocess: bool = False) -> tuple[str, dict[str, Optional[int]]]:
    """Store and start a run of ``job_name``; return its id once its op is blocked, with its pids.

    With ``multiprocess`` the op runs in a step process forked by the worker, and "worker" in the
    pids is replaced by the run worker's pid (the step process is one more member of its group).
    """
    run_id = str(uuid.uuid4())
    run_config: dict = {"ops": {_op_of(job_name): {"config": {"pid_file": str(pid_file)}}}}
    if multiprocess:
        run_config["execution"] = {"config": {"multiprocess": {"max_concurrent": 1}}}
    storage.add_run(RunRecord(run_id=run_id, job_name=job_name, status=RunStatus.STARTING,
                              repository_name="__repository__", location_name="blocking",
                              run_config=run_config, create_timestamp=time.time()))
    reply = stub.StartRun(pb.StartRunRequest(run_id=run_id, repository_name="__repository__", job_name=job_name),
                          timeout=30)
    pids = wait_for(lambda: read_pids(pid_file), f"the op of {job_name} to block")
    if multiprocess:
        assert pids["worker"] != reply.worker_pid and reply.worker_pid in group_members(reply.worker_pid)
        pids = {**pids, "step_process": pids["worker"], "worker": reply.worker_pid}
    assert pids["worker"] == reply.worker_pid
    return run_id, pids


def _op_of(job_name: str) -> str:
    return {"subprocess_job": "wait_in_subprocess", "thread_join_job": "wait_in_thread_join",
            "socket_read_job": "wait_in_socket_read", "c_call_job": "wait_in_c_call"}[job_name]


def _assert_no_process_left(pids: dict[str, Optional[int]]) -> None:
    worker = pids["worker"]
    assert worker is not None
    wait_for(lambda: not alive(worker), f"the run worker (pid {worker}) to be gone")
    for role in ("step_process", "child"):
        pid = pids.get(role)
        if pid is not None:
            wait_for(lambda: not alive(pid), f"the op's {role} (pid {pid}) to be gone")
    wait_for(lambda: not group_members(worker), f"every process of the run's group {worker} to be gone")


def _assert_single_end(storage: RunStorage, run_id: str) -> list:
    events = [record.event for record in storage.get_events(run_id)]
    ends = [event for event in events if event.event_type in TERMINAL]
    assert [event.event_type for event in ends] == [EventType.RUN_CANCELED], [e.event_type for e in events]
    assert events[-1].event_type == EventType.RUN_CANCELED
    step_ends = [event.event_type for event in events
                 if event.event_type in (EventType.STEP_SUCCESS, EventType.STEP_FAILURE)]
    assert len(step_ends) <= 1 and EventType.STEP_SUCCESS not in step_ends
    return events


@pytest.mark.parametrize(("job_name", "multiprocess"), [
    ("subprocess_job", False), ("thread_join_job", False), ("socket_read_job", False), ("subprocess_job", True)])
def test_terminate_interrupts_an_op_waiting_in_python(stub: CodeLocationStub, storage: RunStorage,
                                                      storage_url: str, tmp_path: pathlib.Path,
                                                      job_name: str, multiprocess: bool) -> None:
    run_id, pids = _start_blocked_run(stub, storage, job_name, tmp_path / "pids.json", multiprocess)
    assert stub.CancelRun(pb.CancelRunRequest(run_id=run_id), timeout=10).found
    run = wait_for(lambda: (r := storage.get_run(run_id)) is not None and r.is_finished and r,
                   "the run to end", timeout=CANCELED_WITHIN)
    assert run.status == RunStatus.CANCELED
    events = _assert_single_end(storage, run_id)
    # Interrupted by the SIGTERM, not killed after the grace: the op failed with RunInterrupted and
    # the worker said why the run stopped.
    failure = next(event for event in events if event.event_type == EventType.STEP_FAILURE)
    assert failure.error is not None and failure.error.class_name == "RunInterrupted"
    engine = [event.message for event in events if event.event_type == EventType.ENGINE_EVENT]
    assert any("terminate request (SIGTERM)" in message for message in engine), engine
    assert not any("killed" in message for message in engine), engine
    _assert_no_process_left(pids)


def test_terminate_kills_an_op_stuck_in_a_c_call_after_the_grace(stub: CodeLocationStub, storage: RunStorage,
                                                                  storage_url: str, tmp_path: pathlib.Path) -> None:
    run_id, pids = _start_blocked_run(stub, storage, "c_call_job", tmp_path / "pids.json")
    assert stub.CancelRun(pb.CancelRunRequest(run_id=run_id), timeout=10).found
    run = wait_for(lambda: (r := storage.get_run(run_id)) is not None and r.is_finished and r,
                   "the run to end", timeout=CANCELED_WITHIN)
    assert run.status == RunStatus.CANCELED
    events = _assert_single_end(storage, run_id)
    engine = [event for event in events if event.event_type == EventType.ENGINE_EVENT]
    assert any(f"did not stop within {TERMINATE_GRACE:g} s" in event.message and "killed" in event.message
               for event in engine), [event.message for event in engine]
    assert all(event.level != logging.DEBUG for event in engine)
    _assert_no_process_left(pids)


def test_a_forced_cancel_kills_the_run_and_its_children_at_once(stub: CodeLocationStub, storage: RunStorage,
                                                                storage_url: str, tmp_path: pathlib.Path) -> None:
    run_id, pids = _start_blocked_run(stub, storage, "subprocess_job", tmp_path / "pids.json")
    assert stub.CancelRun(pb.CancelRunRequest(run_id=run_id, force=True), timeout=10).found
    # Killed, not interrupted: the worker recorded nothing, and the code server ended the run.
    run = wait_for(lambda: (r := storage.get_run(run_id)) is not None and r.is_finished and r,
                   "the run to end", timeout=CANCELED_WITHIN)
    assert run.status == RunStatus.CANCELED
    events = _assert_single_end(storage, run_id)
    engine = [event.message for event in events if event.event_type == EventType.ENGINE_EVENT]
    assert any("killed (SIGKILL) at once" in message for message in engine), engine
    _assert_no_process_left(pids)
