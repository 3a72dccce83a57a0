"""When a code server starts its worker factory: after the snapshots, or at once for an early run.

The factory (a process that imports the user code to fork run workers) starts after a load or a
reload has built the snapshots, so that it does not compete with them; a run asked for before
that must still start promptly, with the code of the current generation. Real servers on port 0,
real worker processes, SQLite storage; the tests watch run storage and the process table.
"""

from __future__ import annotations

import os
import pathlib
import textwrap
import time
import uuid
from typing import Callable, Iterator

import grpc
import pytest

from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.runs import RunRecord, RunStatus
from berth.server import CodeServer, create_server
from berth.storage import RunStorage

DEADLINE_SECONDS = 30.0
FINISHED = {RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED}


def location_source(job_name: str) -> str:
    """A location with one job that runs one op."""
    return textwrap.dedent(f"""
        from berth import Definitions, job, op

        @op
        def work():
            return 1

        @job
        def {job_name}():
            work()

        defs = Definitions(jobs=[{job_name}])
    """)


class Served:
    """A code server for a file of ours, its stub and its storage."""

    def __init__(self, folder: pathlib.Path, source: str) -> None:
        self.file = folder / f"location_{uuid.uuid4().hex[:8]}.py"
        self.file.write_text(source)
        self.storage_url = f"sqlite:///{folder / 'runs.db'}"
        self.storage = RunStorage.from_url(self.storage_url)
        self.server: CodeServer
        self.server, port = create_server("127.0.0.1:0", python_file=str(self.file), location_name="here",
                                          storage_url=self.storage_url)
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = CodeLocationStub(self.channel)

    def factory_processes(self) -> list[int]:
        """Pids of this process's children that are worker factories for our file."""
        found = []
        for task in pathlib.Path(f"/proc/{os.getpid()}/task").iterdir():
            try:
                children = (task / "children").read_text().split()
            except FileNotFoundError:
                continue  # the thread ended while we looked
            for child in children:
                try:
                    command = pathlib.Path(f"/proc/{child}/cmdline").read_bytes().decode()
                except FileNotFoundError:
                    continue  # ended meanwhile
                if "berth.execution.worker_factory" in command and str(self.file) in command:
                    found.append(int(child))
        return found

    def run(self, job_name: str) -> RunStatus:
        """Store a run, start it at once and return how it ended."""
        run_id = str(uuid.uuid4())
        self.storage.add_run(RunRecord(run_id=run_id, job_name=job_name, status=RunStatus.STARTING,
                                       repository_name="__repository__", location_name="here",
                                       create_timestamp=time.time()))
        reply = self.stub.StartRun(pb.StartRunRequest(run_id=run_id, repository_name="__repository__",
                                                      job_name=job_name),
                                   timeout=DEADLINE_SECONDS)
        assert reply.worker_pid > 0
        return wait_for(lambda: _finished(self.storage, run_id))

    def close(self) -> None:
        self.channel.close()
        self.server.stop(None).wait(DEADLINE_SECONDS)
        self.storage.dispose()


def _finished(storage: RunStorage, run_id: str) -> RunStatus | None:
    record = storage.get_run(run_id)
    return record.status if record is not None and record.status in FINISHED else None


def wait_for(predicate: Callable[[], object], timeout: float = DEADLINE_SECONDS) -> object:
    """Poll until ``predicate()`` is truthy and return it; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(0.02)


@pytest.fixture
def served(tmp_path: pathlib.Path) -> Iterator[Served]:
    location = Served(tmp_path, location_source("first_job"))
    try:
        yield location
    finally:
        location.close()


def test_a_run_asked_for_at_once_after_the_load_succeeds(served: Served) -> None:
    assert served.run("first_job") == RunStatus.SUCCESS
    assert len(served.factory_processes()) == 1


def test_the_factory_starts_by_itself_after_the_load(served: Served) -> None:
    snapshot = list(served.stub.StreamRepositorySnapshot(pb.StreamRepositorySnapshotRequest(),
                                                         timeout=DEADLINE_SECONDS))
    assert [chunk.job.name for chunk in snapshot if chunk.HasField("job")] == ["first_job"]
    wait_for(served.factory_processes)
    assert served.run("first_job") == RunStatus.SUCCESS
    assert len(served.factory_processes()) == 1


def test_a_run_asked_for_at_once_after_a_reload_runs_the_new_code(served: Served) -> None:
    wait_for(served.factory_processes)
    served.file.write_text(location_source("second_job"))
    assert served.stub.Reload(pb.ReloadRequest(), timeout=DEADLINE_SECONDS).info.generation == 2
    assert served.run("second_job") == RunStatus.SUCCESS
    # The first generation's factory had no runs left, so it has gone: one factory remains.
    wait_for(lambda: len(served.factory_processes()) == 1)


def test_a_location_that_fails_to_load_starts_no_factory(tmp_path: pathlib.Path) -> None:
    location = Served(tmp_path, "raise RuntimeError('broken on purpose')\n")
    try:
        info = location.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=DEADLINE_SECONDS)
        assert "broken on purpose" in info.load_error.message
        assert location.server.location.worker_factory is None
        assert location.factory_processes() == []
    finally:
        location.close()
