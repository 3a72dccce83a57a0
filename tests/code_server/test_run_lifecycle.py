"""Runs started on a real code server, executed by real worker processes, on SQLite and PostgreSQL.

The run is stored first (as the webserver does), then StartRun; the test watches run storage, which
is what a user sees through the webserver.
"""

from __future__ import annotations

import os
import pathlib
import signal
import time
import uuid
from typing import Any, Callable, Iterator, Optional

import grpc
import pytest

from berth.events import EventType
from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.runs import RunRecord, RunStatus
from berth.server import CodeServer, create_server
from berth.storage import RunStorage

HELLO = pathlib.Path(__file__).resolve().parents[2] / "examples" / "hello" / "definitions.py"
DEADLINE_SECONDS = 30.0


class Location:
    """The hello example served on a free port, with a stub to reach it."""

    def __init__(self, server: CodeServer, port: int) -> None:
        self.server = server
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = CodeLocationStub(self.channel)


@pytest.fixture(scope="module")
def storage_url(module_storage_url: str) -> str:
    """One database per backend for the module's code server (a code server writes to its own storage)."""
    return module_storage_url


@pytest.fixture(scope="module")
def location(storage_url: str) -> Iterator[Location]:
    server, port = create_server("127.0.0.1:0", python_file=str(HELLO), location_name="hello",
                                 storage_url=storage_url)
    server.start()
    served = Location(server, port)
    yield served
    served.channel.close()
    server.stop(None).wait(30)


@pytest.fixture
def own_server(tmp_path: pathlib.Path) -> Iterator[tuple[Location, RunStorage]]:
    """A code server of the hello example for one test alone (tests that kill its factory or reload it)."""
    storage_url = f"sqlite:///{tmp_path / 'runs.db'}"
    server, port = create_server("127.0.0.1:0", python_file=str(HELLO), storage_url=storage_url)
    server.start()
    storage = RunStorage.from_url(storage_url)
    served = Location(server, port)
    try:
        yield served, storage
    finally:
        served.channel.close()
        server.stop(None).wait(30)
        storage.dispose()


def store_run(storage: RunStorage, job_name: str, run_config: Optional[dict[str, Any]] = None) -> str:
    """Store a run as the webserver does before it asks a code server to start it."""
    run_id = str(uuid.uuid4())
    storage.add_run(RunRecord(run_id=run_id, job_name=job_name, status=RunStatus.STARTING,
                              repository_name="__repository__", location_name="hello",
                              run_config=run_config or {}, create_timestamp=time.time()))
    return run_id


def start(location: Location, run_id: str, job_name: str) -> pb.StartRunReply:
    reply = location.stub.StartRun(pb.StartRunRequest(run_id=run_id, repository_name="__repository__",
                                                      job_name=job_name), timeout=30)
    assert reply.worker_pid > 0
    return reply


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def wait_until_finished(storage: RunStorage, run_id: str) -> RunRecord:
    return wait_for(lambda: (run := storage.get_run(run_id)) is not None and run.is_finished and run,
                    f"run {run_id} to finish")


def event_types(storage: RunStorage, run_id: str) -> list[Optional[EventType]]:
    return [record.event.event_type for record in storage.get_events(run_id)]


def wait_until_step_started(storage: RunStorage, run_id: str) -> None:
    wait_for(lambda: EventType.STEP_START in event_types(storage, run_id), "the op to start")


def wait_until_inactive(location: Location, run_id: str) -> None:
    wait_for(lambda: run_id not in location.stub.ListActiveRuns(pb.ListActiveRunsRequest(), timeout=10).run_ids,
             "the worker to be reaped")


SLOW = {"ops": {"sleep_for": {"config": {"seconds": 60.0}}}}


def test_a_run_succeeds_and_records_its_events(location: Location, storage: RunStorage, storage_url: str) -> None:
    run_id = store_run(storage, "etl_job", {"ops": {"extract": {"config": {"rows": 4}}}})
    start(location, run_id, "etl_job")
    run = wait_until_finished(storage, run_id)
    assert run.status == RunStatus.SUCCESS
    types = event_types(storage, run_id)
    assert types[0] == EventType.RUN_START or EventType.RUN_START in types
    assert types[-1] == EventType.RUN_SUCCESS
    assert types.count(EventType.STEP_SUCCESS) == 4
    messages = [record.event.message for record in storage.get_events(run_id)]
    assert any("loaded total 12" in message for message in messages)
    wait_until_inactive(location, run_id)


def test_a_failing_op_fails_the_run_with_its_error(location: Location, storage: RunStorage,
                                                   storage_url: str) -> None:
    run_id = store_run(storage, "failing_job")
    start(location, run_id, "failing_job")
    assert wait_until_finished(storage, run_id).status == RunStatus.FAILURE
    failures = [r.event for r in storage.get_events(run_id) if r.event.event_type == EventType.STEP_FAILURE]
    assert failures and failures[0].error is not None
    assert "this op always fails" in failures[0].error.message


def test_cancel_stops_a_long_op_promptly(location: Location, storage: RunStorage, storage_url: str) -> None:
    run_id = store_run(storage, "slow_job", SLOW)
    start(location, run_id, "slow_job")
    wait_until_step_started(storage, run_id)
    assert run_id in location.stub.ListActiveRuns(pb.ListActiveRunsRequest(), timeout=10).run_ids
    reply = location.stub.CancelRun(pb.CancelRunRequest(run_id=run_id), timeout=10)
    assert reply.found
    # The op sleeps for a minute; the run ends long before that.
    assert wait_until_finished(storage, run_id).status == RunStatus.CANCELED
    types = event_types(storage, run_id)
    assert EventType.RUN_CANCELING in types and types[-1] == EventType.RUN_CANCELED
    wait_until_inactive(location, run_id)


def test_cancel_of_an_unknown_run_is_not_found(location: Location) -> None:
    reply = location.stub.CancelRun(pb.CancelRunRequest(run_id="no-such-run"), timeout=10)
    assert not reply.found


def test_a_killed_worker_fails_its_run(location: Location, storage: RunStorage, storage_url: str) -> None:
    run_id = store_run(storage, "slow_job", SLOW)
    pid = start(location, run_id, "slow_job").worker_pid
    wait_until_step_started(storage, run_id)
    os.kill(pid, signal.SIGKILL)
    assert wait_until_finished(storage, run_id).status == RunStatus.FAILURE
    engine_events = [r.event for r in storage.get_events(run_id) if r.event.event_type == EventType.ENGINE_EVENT]
    assert any("SIGKILL" in event.message for event in engine_events)
    wait_until_inactive(location, run_id)


def test_a_worker_killed_while_canceling_leaves_the_run_canceled(location: Location, storage: RunStorage,
                                                                 storage_url: str) -> None:
    run_id = store_run(storage, "slow_job", SLOW)
    pid = start(location, run_id, "slow_job").worker_pid
    wait_until_step_started(storage, run_id)
    # Stop the worker first, so that it cannot record the cancel itself.
    os.kill(pid, signal.SIGSTOP)
    try:
        assert location.stub.CancelRun(pb.CancelRunRequest(run_id=run_id), timeout=10).found
        os.kill(pid, signal.SIGKILL)
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert wait_until_finished(storage, run_id).status == RunStatus.CANCELED


def test_unknown_jobs_and_repositories_are_refused(location: Location) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        location.stub.StartRun(pb.StartRunRequest(run_id="r", repository_name="__repository__",
                                                  job_name="no_such_job"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND and "no_such_job" in refused.value.details()
    with pytest.raises(grpc.RpcError) as refused:
        location.stub.StartRun(pb.StartRunRequest(run_id="r", repository_name="elsewhere",
                                                  job_name="hello_job"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND and "elsewhere" in refused.value.details()


def test_runs_start_as_subprocesses_when_the_worker_factory_is_down(own_server: tuple[Location, RunStorage]) -> None:
    served, storage = own_server
    server = served.server
    factory = server.location.worker_factory
    assert factory is not None
    os.kill(factory.pid, signal.SIGKILL)
    factory.wait(30)
    run_id = store_run(storage, "hello_job")
    start(served, run_id, "hello_job")
    assert wait_until_finished(storage, run_id).status == RunStatus.SUCCESS


def test_reload_keeps_in_flight_runs(own_server: tuple[Location, RunStorage]) -> None:
    served, storage = own_server
    server = served.server
    old_factory = server.location.worker_factory
    assert old_factory is not None
    run_id = store_run(storage, "slow_job", {"ops": {"sleep_for": {"config": {"seconds": 1.0}}}})
    start(served, run_id, "slow_job")
    wait_until_step_started(storage, run_id)
    assert served.stub.Reload(pb.ReloadRequest(), timeout=60).info.generation == 2
    assert run_id in served.stub.ListActiveRuns(pb.ListActiveRunsRequest(), timeout=10).run_ids
    assert wait_until_finished(storage, run_id).status == RunStatus.SUCCESS
    wait_until_inactive(served, run_id)
    # The old generation's factory leaves once its last worker is done.
    assert old_factory.wait(30) == 0
    second = store_run(storage, "hello_job")
    start(served, second, "hello_job")
    assert wait_until_finished(storage, second).status == RunStatus.SUCCESS


def test_runs_survive_the_death_of_their_worker_factory(own_server: tuple[Location, RunStorage]) -> None:
    served, storage = own_server
    server = served.server
    run_id = store_run(storage, "slow_job", {"ops": {"sleep_for": {"config": {"seconds": 1.0}}}})
    start(served, run_id, "slow_job")
    wait_until_step_started(storage, run_id)
    factory = server.location.worker_factory
    assert factory is not None
    os.kill(factory.pid, signal.SIGKILL)
    assert wait_until_finished(storage, run_id).status == RunStatus.SUCCESS
    wait_until_inactive(served, run_id)


def test_a_module_location_runs_jobs(tmp_path: pathlib.Path) -> None:
    package = tmp_path / "team_jobs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "definitions.py").write_text(HELLO.read_text())
    storage_url = f"sqlite:///{tmp_path / 'runs.db'}"
    server, port = create_server("127.0.0.1:0", module_name="team_jobs.definitions",
                                 working_directory=str(tmp_path), storage_url=storage_url)
    server.start()
    storage = RunStorage.from_url(storage_url)
    served = Location(server, port)
    try:
        info = served.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10)
        assert info.location_name == "team_jobs.definitions" and not info.HasField("load_error")
        run_id = store_run(storage, "hello_job")
        start(served, run_id, "hello_job")
        assert wait_until_finished(storage, run_id).status == RunStatus.SUCCESS
    finally:
        served.channel.close()
        server.stop(None).wait(30)
        storage.dispose()
