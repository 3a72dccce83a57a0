"""The gRPC code server as the webserver sees it: info, health, repositories, snapshots, reload, watch.

Every test talks to a real server bound to port 0 over a real channel.
"""

from __future__ import annotations

import pathlib
import shutil
import textwrap
import time
from typing import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.server import SERVICE_NAME, CodeServer, create_server

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
HELLO = EXAMPLES / "hello" / "definitions.py"
ANALYTICS = EXAMPLES / "analytics" / "repository.py"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class Running:
    """A started code server with a channel, a CodeLocation stub and a health stub."""

    def __init__(self, server: CodeServer, port: int) -> None:
        self.server = server
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = CodeLocationStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)

    def health_status(self, service: str) -> int:
        return self.health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status

    def snapshot(self, repository_name: str = "") -> list[pb.RepositorySnapshotChunk]:
        request = pb.StreamRepositorySnapshotRequest(repository_name=repository_name)
        return list(self.stub.StreamRepositorySnapshot(request, timeout=120))

    def close(self) -> None:
        self.channel.close()
        self.server.stop(None).wait(30)


def serve(**kwargs: object) -> Running:
    """Create and start a code server on a free port."""
    server, port = create_server("127.0.0.1:0", **kwargs)  # type: ignore[arg-type]
    server.start()
    return Running(server, port)


@pytest.fixture(scope="module")
def hello(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    storage = tmp_path_factory.mktemp("hello") / "runs.db"
    running = serve(python_file=str(HELLO), location_name="hello", storage_url=f"sqlite:///{storage}")
    yield running
    running.close()


@pytest.fixture(scope="module")
def analytics() -> Iterator[Running]:
    running = serve(python_file=str(ANALYTICS))
    yield running
    running.close()


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    path = tmp_path_factory.mktemp("broken") / "broken_location.py"
    path.write_text("from berth import job\n\nraise ValueError('cannot reach the warehouse')\n")
    running = serve(python_file=str(path))
    yield running
    running.close()


def generated_location(path: pathlib.Path, job_count: int) -> pathlib.Path:
    """Write a code location with ``job_count`` jobs of three chained ops each."""
    path.write_text(textwrap.dedent(f"""
        from berth import Definitions, job, op

        @op
        def extract():
            return 1

        @op
        def transform(value):
            return value + 1

        @op
        def load(value):
            return value

        def make_job(index):
            @job(name=f"job_{{index:05d}}", tags={{"index": str(index)}})
            def generated():
                load(transform(extract()))
            return generated

        defs = Definitions(jobs=[make_job(index) for index in range({job_count})])
    """))
    return path


def test_server_info_names_the_location(hello: Running) -> None:
    info = hello.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10)
    assert info.location_name == "hello"
    assert info.server_id and info.generation == 1
    assert info.berth_version and info.pid > 0
    assert not info.HasField("load_error") and not info.shutting_down


def test_location_name_defaults_to_file_stem(analytics: Running) -> None:
    info = analytics.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10)
    assert info.location_name == "repository"


def test_every_start_gets_a_new_server_id() -> None:
    first = serve(python_file=str(HELLO))
    second = serve(python_file=str(HELLO))
    try:
        ids = {r.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10).server_id for r in (first, second)}
    finally:
        first.close()
        second.close()
    assert len(ids) == 2


def test_image_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BERTH_CODE_IMAGE", "registry.example/hello:1.2")
    running = serve(python_file=str(HELLO))
    try:
        assert running.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10).image == "registry.example/hello:1.2"
    finally:
        running.close()


def test_health_serves_both_the_process_and_the_location(hello: Running) -> None:
    assert hello.health_status("") == SERVING
    assert hello.health_status(SERVICE_NAME) == SERVING


def test_list_repositories_counts_jobs(hello: Running, analytics: Running) -> None:
    reply = hello.stub.ListRepositories(pb.ListRepositoriesRequest(), timeout=10)
    assert [(r.name, r.job_count) for r in reply.repositories] == [("__repository__", 5)]
    reply = analytics.stub.ListRepositories(pb.ListRepositoriesRequest(), timeout=10)
    assert sorted((r.name, r.job_count) for r in reply.repositories) == [("analytics", 1), ("reporting", 1)]


def test_snapshot_streams_a_header_then_each_job(hello: Running) -> None:
    chunks = hello.snapshot()
    assert chunks[0].WhichOneof("item") == "header"
    assert chunks[0].header.name == "__repository__" and chunks[0].header.job_count == 5
    assert chunks[0].header.location_name == "hello"
    jobs = {chunk.job.name: chunk.job for chunk in chunks[1:]}
    assert set(jobs) == {"hello_job", "etl_job", "failing_job", "slow_job", "flaky_job"}
    assert jobs["hello_job"].description == "Greets someone."
    assert dict(jobs["etl_job"].tags) == {"kind": "etl"}
    etl_ops = {op.name: op for op in jobs["etl_job"].ops}
    assert set(etl_ops) == {"extract", "transform", "load", "notify"}
    assert list(etl_ops["notify"].upstream_op_names) == ["load"]


def test_snapshot_of_several_repositories_and_of_one(analytics: Running) -> None:
    chunks = analytics.snapshot()
    headers = [chunk.header.name for chunk in chunks if chunk.WhichOneof("item") == "header"]
    assert sorted(headers) == ["analytics", "reporting"]
    only = analytics.snapshot("reporting")
    assert [c.WhichOneof("item") for c in only] == ["header", "job"]
    assert only[1].job.name == "daily_report"


def test_snapshot_of_an_unknown_repository_is_not_found(hello: Running) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        hello.snapshot("nope")
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_five_thousand_job_repository_streams_through(tmp_path: pathlib.Path) -> None:
    running = serve(python_file=str(generated_location(tmp_path / "big.py", 5000)))
    try:
        chunks = running.snapshot()
        again = running.snapshot()
    finally:
        running.close()
    assert chunks[0].header.job_count == 5000
    jobs = [chunk.job for chunk in chunks[1:]]
    assert len(jobs) == 5000 and jobs[-1].name == "job_04999"
    assert all(len(job.ops) == 3 for job in jobs)
    assert [c.job.snapshot_id for c in again[1:]] == [job.snapshot_id for job in jobs]


def test_import_error_keeps_the_server_up_and_reports_it(broken: Running) -> None:
    assert broken.health_status("") == SERVING
    assert broken.health_status(SERVICE_NAME) == NOT_SERVING
    info = broken.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10)
    assert info.load_error.class_name == "ValueError"
    assert "cannot reach the warehouse" in info.load_error.message
    assert "broken_location.py" in info.load_error.stack
    listed = broken.stub.ListRepositories(pb.ListRepositoriesRequest(), timeout=10)
    assert not listed.repositories and "cannot reach the warehouse" in listed.load_error.message


def test_import_error_fails_snapshot_and_run_requests(broken: Running) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        broken.snapshot()
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "cannot reach the warehouse" in failure.value.details()
    with pytest.raises(grpc.RpcError) as refused:
        broken.stub.StartRun(pb.StartRunRequest(run_id="r1", job_name="anything"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "failed to load" in (refused.value.details() or "")


def test_reload_picks_up_an_edited_file(tmp_path: pathlib.Path) -> None:
    location = tmp_path / "definitions.py"
    shutil.copyfile(HELLO, location)
    running = serve(python_file=str(location))
    try:
        location.write_text(location.read_text().replace(
            "defs = Definitions(jobs=[",
            "@job\ndef added_job():\n    say_hello()\n\n\ndefs = Definitions(jobs=[added_job, "))
        reply = running.stub.Reload(pb.ReloadRequest(), timeout=60)
        assert reply.info.generation == 2 and not reply.info.HasField("load_error")
        jobs = {chunk.job.name for chunk in running.snapshot() if chunk.WhichOneof("item") == "job"}
        assert "added_job" in jobs and len(jobs) == 6

        location.write_text(location.read_text() + "\nraise RuntimeError('half-edited')\n")
        broken = running.stub.Reload(pb.ReloadRequest(), timeout=60)
        assert broken.info.generation == 3 and "half-edited" in broken.info.load_error.message
        assert running.health_status(SERVICE_NAME) == NOT_SERVING
        assert running.stub.ListRepositories(pb.ListRepositoriesRequest(), timeout=10).load_error.message

        location.write_text(location.read_text().replace("raise RuntimeError('half-edited')", ""))
        fixed = running.stub.Reload(pb.ReloadRequest(), timeout=60)
        assert not fixed.info.HasField("load_error")
        assert running.health_status(SERVICE_NAME) == SERVING
        assert running.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10).generation == 4
    finally:
        running.close()


def _next_event(events: Iterator[pb.WatchEvent], kind: int, deadline_seconds: float = 30) -> pb.WatchEvent:
    deadline = time.monotonic() + deadline_seconds
    for event in events:
        if event.kind == kind:
            return event
        assert time.monotonic() < deadline, f"no {pb.WatchEvent.Kind.Name(kind)} event"
    raise AssertionError(f"watch stream ended before {pb.WatchEvent.Kind.Name(kind)}")


def test_watch_reports_connect_heartbeat_reload_and_shutdown() -> None:
    running = serve(python_file=str(HELLO))
    try:
        events = running.stub.Watch(pb.WatchRequest(), timeout=60)
        first = next(events)
        assert first.kind == pb.WatchEvent.KIND_CONNECTED and first.info.generation == 1
        heartbeat = _next_event(events, pb.WatchEvent.KIND_HEARTBEAT)
        assert heartbeat.info.server_id == first.info.server_id
        running.stub.Reload(pb.ReloadRequest(), timeout=60)
        assert _next_event(events, pb.WatchEvent.KIND_RELOADED).info.generation == 2
        reply = running.stub.Shutdown(pb.ShutdownRequest(), timeout=10)
        assert reply.accepted and reply.active_runs == 0
        assert _next_event(events, pb.WatchEvent.KIND_SHUTTING_DOWN).info.shutting_down
        assert list(events) == [] or all(e.kind == pb.WatchEvent.KIND_HEARTBEAT for e in events)
        assert not running.server.wait_for_termination(timeout=30)
    finally:
        running.close()
