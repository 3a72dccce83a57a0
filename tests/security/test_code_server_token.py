"""A real code server with a shared secret: the calls that change something need it.

StartRun, CancelRun, Reload and Shutdown without the secret, or with a wrong one, are
UNAUTHENTICATED and do nothing; health, server info, snapshots, active runs and the watch
stream stay readable; with the secret everything works. Also: where the secret comes from.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from security_setup import EXAMPLES, wait_until

from berth.channel_security import SecurityConfigError, read_token, token_metadata
from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1 import code_location_pb2_grpc as pb_grpc
from berth.runs import RunRecord, RunStatus
from berth.server import CodeServer, create_server
from berth.storage import RunStorage

SECRET = "s3cret-for-this-test"
_PROTECTED: dict[str, Callable[[pb_grpc.CodeLocationStub, Any], Any]] = {
    "StartRun": lambda stub, md: stub.StartRun(pb.StartRunRequest(run_id="no-such-run"), metadata=md, timeout=30),
    "CancelRun": lambda stub, md: stub.CancelRun(pb.CancelRunRequest(run_id="no-such-run"), metadata=md, timeout=30),
    "Reload": lambda stub, md: stub.Reload(pb.ReloadRequest(), metadata=md, timeout=60),
}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CodeServer, pb_grpc.CodeLocationStub, grpc.Channel]]:
    folder = tmp_path_factory.mktemp("token")
    server, port = create_server("127.0.0.1:0", python_file=str(EXAMPLES / "hello" / "definitions.py"),
                                 storage_url=f"sqlite:///{folder / 'runs.db'}", token=SECRET)
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield server, pb_grpc.CodeLocationStub(channel), channel
    channel.close()
    server.stop(None).wait(30)


@pytest.mark.parametrize("metadata", [(), token_metadata("wrong"), (("authorization", SECRET),),
                                      (("authorization", f"Basic {SECRET}"),)],
                         ids=["none", "wrong", "no-scheme", "basic"])
@pytest.mark.parametrize("method", sorted(_PROTECTED) + ["Shutdown"])
def test_changing_calls_without_the_secret_are_unauthenticated(secured: Any, method: str, metadata: Any) -> None:
    server, stub, _ = secured
    generation = server.location.generation.number
    call = _PROTECTED.get(method) or (lambda s, md: s.Shutdown(pb.ShutdownRequest(), metadata=md, timeout=30))
    with pytest.raises(grpc.RpcError) as raised:
        call(stub, metadata)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "token" in (raised.value.details() or "")
    assert not server.location.shutting_down.is_set() and server.location.generation.number == generation


def test_reading_calls_need_no_secret(secured: Any) -> None:
    _, stub, channel = secured
    assert stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=30).location_name == "definitions"
    assert [r.name for r in stub.ListRepositories(pb.ListRepositoriesRequest(), timeout=30).repositories]
    assert list(stub.StreamRepositorySnapshot(pb.StreamRepositorySnapshotRequest(), timeout=60))
    assert stub.ListActiveRuns(pb.ListActiveRunsRequest(), timeout=30).run_ids == []
    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=30)
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    watch = stub.Watch(pb.WatchRequest(), timeout=30)
    assert next(watch).kind == pb.WatchEvent.KIND_CONNECTED
    watch.cancel()


def test_with_the_secret_the_calls_work(secured: Any) -> None:
    server, stub, _ = secured
    metadata = token_metadata(SECRET)
    assert stub.CancelRun(pb.CancelRunRequest(run_id="no-such-run"), metadata=metadata, timeout=30).found is False
    storage = RunStorage.from_url(server.location.storage.url)
    try:
        run = storage.add_run(RunRecord(run_id=str(uuid.uuid4()), job_name="hello_job", status=RunStatus.STARTING,
                                        repository_name="__repository__", location_name="definitions"))
        reply = stub.StartRun(pb.StartRunRequest(run_id=run.run_id, repository_name="__repository__",
                                                 job_name="hello_job"), metadata=metadata, timeout=30)
        assert reply.worker_pid > 0, reply
        wait_until(lambda: storage.get_run(run.run_id).status == RunStatus.SUCCESS, timeout=60)  # type: ignore[union-attr]
    finally:
        storage.dispose()
    before = server.location.generation.number
    assert stub.Reload(pb.ReloadRequest(), metadata=metadata, timeout=60).info.generation == before + 1


def test_shutdown_with_the_secret_stops_the_server(tmp_path: Path) -> None:
    server, port = create_server("127.0.0.1:0", python_file=str(EXAMPLES / "hello" / "definitions.py"),
                                 storage_url=f"sqlite:///{tmp_path / 'runs.db'}", token=SECRET)
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            reply = pb_grpc.CodeLocationStub(channel).Shutdown(pb.ShutdownRequest(), metadata=token_metadata(SECRET),
                                                               timeout=30)
        assert reply.accepted
        assert not server.wait_for_termination(timeout=30)
    finally:
        server.stop(None).wait(30)


def test_the_secret_comes_from_a_file_or_the_environment(tmp_path: Path) -> None:
    secret_file = tmp_path / "token"
    secret_file.write_text("from-file\n")
    assert read_token(str(secret_file), {}) == "from-file"
    assert read_token(None, {"BERTH_CODE_SERVER_TOKEN": " from-env "}) == "from-env"
    assert read_token(None, {"BERTH_CODE_SERVER_TOKEN_FILE": str(secret_file)}) == "from-file"
    assert read_token(None, {}) is None
    (tmp_path / "empty").write_text("  \n")
    for path in (tmp_path / "empty", tmp_path / "missing"):
        with pytest.raises(SecurityConfigError, match=str(path)):
            read_token(str(path), {})


def _code_server(args: list[str], env: Optional[dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    """Run `berth code-server start` until it exits (it must, on a usage error)."""
    return subprocess.run([sys.executable, "-m", "berth.cli", "code-server", "start", "-f",
                           str(EXAMPLES / "hello" / "definitions.py"), "--port", "0", *args],
                          capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("args, message", [
    (["--token-file", "/nonexistent/token"], "cannot read the code server token file /nonexistent/token"),
    (["--tls-cert", "/nonexistent/cert.pem"], "--tls-cert and --tls-key go together"),
])
def test_the_command_refuses_unreadable_security_files(args: list[str], message: str) -> None:
    finished = _code_server(args)
    assert finished.returncode == 2 and message in finished.stderr


def _children(parent: int) -> list[int]:
    """Pids of the live processes whose parent is ``parent`` (read from /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == parent:
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def test_berth_dev_gives_its_code_servers_a_fresh_secret_out_of_sight(server: Any) -> None:
    [code_server] = [pid for pid in _children(server.process.process.pid)
                     if b"code-server" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    argv = Path(f"/proc/{code_server}/cmdline").read_bytes().split(b"\0")
    environment = dict(item.split(b"=", 1) for item in Path(f"/proc/{code_server}/environ").read_bytes().split(b"\0")
                       if b"=" in item)
    secret = environment[b"BERTH_CODE_SERVER_TOKEN"]
    assert len(secret) >= 32 and not any(secret in arg for arg in argv)  # never in ps output
    port = int(argv[argv.index(b"--port") + 1])
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        with pytest.raises(grpc.RpcError) as raised:
            pb_grpc.CodeLocationStub(channel).Shutdown(pb.ShutdownRequest(), timeout=30)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    # The webserver holds the secret: its reload goes through.
    data = server.graphql('mutation { reloadRepositoryLocation(repositoryLocationName: "hello") { __typename } }')
    assert data["reloadRepositoryLocation"]["__typename"] == "WorkspaceLocationEntry"
