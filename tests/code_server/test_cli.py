"""The ``berth`` command, run as a real process: serve, drain on Shutdown or SIGTERM, exit 0."""

from __future__ import annotations

import pathlib
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from typing import Any, Iterator, Optional

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from berth.events import EventType
from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.runs import RunRecord, RunStatus
from berth.server import SERVICE_NAME
from berth.storage import RunStorage, default_storage_url
from berth.version import __version__

HELLO = pathlib.Path(__file__).resolve().parents[2] / "examples" / "hello" / "definitions.py"
LISTENING = re.compile(r"^berth code server listening on 127\.0\.0\.1:(\d+)$")
DEADLINE_SECONDS = 60.0


class CodeServerProcess:
    """``berth code-server start`` as a subprocess, with a channel to it once it listens."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "berth.cli", "code-server", "start", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        self.port = self._read_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = CodeLocationStub(self.channel)
        self._rest = threading.Thread(target=self._collect, daemon=True)
        self._rest.start()

    def _read_port(self) -> int:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            match = LISTENING.match(line.rstrip("\n"))
            if match:
                return int(match.group(1))
        raise AssertionError("the code server exited before listening:\n" + "".join(self.output))

    def _collect(self) -> None:
        assert self.process.stdout is not None
        self.output.extend(self.process.stdout)

    def wait(self) -> int:
        try:
            code = self.process.wait(DEADLINE_SECONDS)
        finally:
            self.channel.close()
        self._rest.join(10)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.channel.close()
        self._rest.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def storage_file(tmp_path: pathlib.Path) -> Iterator[tuple[str, RunStorage]]:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    storage = RunStorage.from_url(url)
    yield url, storage
    storage.dispose()


def start_slow_run(server: CodeServerProcess, storage: RunStorage, seconds: float) -> str:
    """Store and start a run of slow_job; return once its op is running."""
    run_id = str(uuid.uuid4())
    storage.add_run(RunRecord(run_id=run_id, job_name="slow_job", status=RunStatus.STARTING,
                              repository_name="__repository__", location_name="hello",
                              run_config={"ops": {"sleep_for": {"config": {"seconds": seconds}}}}))
    reply = server.stub.StartRun(pb.StartRunRequest(run_id=run_id, job_name="slow_job",
                                                    repository_name="__repository__"), timeout=30)
    assert reply.worker_pid > 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    while EventType.STEP_START not in [r.event.event_type for r in storage.get_events(run_id)]:
        assert time.monotonic() < deadline, "the op never started"
        time.sleep(0.02)
    return run_id


def health_status(server: CodeServerProcess, service: str) -> Optional[int]:
    try:
        return health_pb2_grpc.HealthStub(server.channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=5).status
    except grpc.RpcError:
        return None  # already stopped


def test_version() -> None:
    completed = subprocess.run([sys.executable, "-m", "berth.cli", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0 and completed.stdout.strip() == f"berth {__version__}"


def test_start_requires_a_file_or_a_module() -> None:
    completed = subprocess.run([sys.executable, "-m", "berth.cli", "code-server", "start"],
                               capture_output=True, text=True)
    assert completed.returncode == 2 and "--python-file" in completed.stderr


@pytest.mark.parametrize("command", ["dev", "webserver"])
def test_dev_and_webserver_are_handed_to_the_webserver_package(command: str) -> None:
    completed = subprocess.run([sys.executable, "-m", "berth.cli", command, "--help"],
                               capture_output=True, text=True)
    assert completed.returncode == 0 and f"usage: berth {command}" in completed.stdout


def test_dev_without_the_webserver_package_says_what_to_install() -> None:
    # Hiding the installed package is the only way to see this path on a full install.
    script = ("import sys; sys.modules['berth_webserver'] = None; from berth.cli import main; "
              "sys.exit(main(['dev', '-f', 'x.py']))")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert completed.returncode == 2 and "pip install berth-webserver" in completed.stderr


def test_shutdown_rpc_drains_the_in_flight_run_then_exits_zero(storage_file: tuple[str, RunStorage]) -> None:
    url, storage = storage_file
    server = CodeServerProcess("-f", str(HELLO), "--port", "0", "--storage", url, "--shutdown-grace", "60")
    try:
        assert health_status(server, SERVICE_NAME) == health_pb2.HealthCheckResponse.SERVING
        run_id = start_slow_run(server, storage, seconds=1.5)
        reply = server.stub.Shutdown(pb.ShutdownRequest(), timeout=10)
        assert reply.accepted and reply.active_runs == 1
        with pytest.raises(grpc.RpcError) as refused:
            server.stub.StartRun(pb.StartRunRequest(run_id="late", job_name="hello_job"), timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "shutting down" in (refused.value.details() or "")
        assert health_status(server, "") == health_pb2.HealthCheckResponse.NOT_SERVING
        assert server.stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=10).shutting_down
        assert server.wait() == 0
    finally:
        server.kill()
    assert storage.get_run(run_id).status == RunStatus.SUCCESS  # type: ignore[union-attr]


def test_sigterm_drains_the_in_flight_run_then_exits_zero(storage_file: tuple[str, RunStorage]) -> None:
    url, storage = storage_file
    server = CodeServerProcess("-f", str(HELLO), "--port", "0", "--storage", url)
    try:
        run_id = start_slow_run(server, storage, seconds=1.5)
        server.process.send_signal(signal.SIGTERM)
        assert server.wait() == 0
    finally:
        server.kill()
    assert storage.get_run(run_id).status == RunStatus.SUCCESS  # type: ignore[union-attr]


def test_runs_past_the_grace_period_are_canceled(storage_file: tuple[str, RunStorage]) -> None:
    url, storage = storage_file
    server = CodeServerProcess("-f", str(HELLO), "--port", "0", "--storage", url, "--shutdown-grace", "0.2")
    try:
        run_id = start_slow_run(server, storage, seconds=120)
        server.process.send_signal(signal.SIGTERM)
        assert server.wait() == 0
    finally:
        server.kill()
    assert storage.get_run(run_id).status == RunStatus.CANCELED  # type: ignore[union-attr]


def test_the_default_storage_is_under_berth_home(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("BERTH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BERTH_STORAGE_URL", raising=False)
    server = CodeServerProcess("-f", str(HELLO), "--port", "0")
    try:
        storage = RunStorage.from_url(default_storage_url())
        run_id = str(uuid.uuid4())
        storage.add_run(RunRecord(run_id=run_id, job_name="hello_job", status=RunStatus.STARTING,
                                  repository_name="__repository__"))
        assert server.stub.StartRun(pb.StartRunRequest(run_id=run_id, job_name="hello_job"), timeout=30).worker_pid
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not storage.get_run(run_id).is_finished:  # type: ignore[union-attr]
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert storage.get_run(run_id).status == RunStatus.SUCCESS  # type: ignore[union-attr]
        storage.dispose()
        server.process.send_signal(signal.SIGTERM)
        assert server.wait() == 0
    finally:
        server.kill()
