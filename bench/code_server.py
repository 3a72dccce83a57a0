"""Benchmark of the code server; prints JSON figures and asserts nothing.

    python bench/code_server.py [--runs 50]

Measures, with real ``berth code-server start`` processes on free ports:
  cold start until health SERVING, for a 5-job and a 1,000-job generated location;
  snapshot fetch (first, which builds it, and cached) of 1,000 and 5,000 jobs of 3 ops each;
  StartRun -> SUCCESS (as seen in run storage) of a one-op job, p50 / p95;
  resident memory (RSS, MiB) of the code server and of its worker factory.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.runs import RunRecord, RunStatus
from berth.server import SERVICE_NAME
from berth.storage import RunStorage

LISTENING = re.compile(r"listening on [^:]+:(\d+)")


def write_location(path: pathlib.Path, job_count: int) -> pathlib.Path:
    """A code location with ``job_count`` jobs of three chained ops, plus a one-op job ``tiny``."""
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
            @job(name=f"job_{{index:05d}}")
            def generated():
                load(transform(extract()))
            return generated

        @job
        def tiny():
            extract()

        defs = Definitions(jobs=[tiny] + [make_job(index) for index in range({job_count - 1})])
    """))
    return path


class ServerProcess:
    """A code server process; ``ready_seconds`` is the time from spawn to health SERVING."""

    def __init__(self, location: pathlib.Path, storage_url: str) -> None:
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(location), "--port", "0",
             "--storage", storage_url], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        port = None
        for line in self.process.stdout:
            match = LISTENING.search(line)
            if match:
                port = int(match.group(1))
                break
        assert port is not None, "code server did not start"
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = CodeLocationStub(self.channel)
        health = health_pb2_grpc.HealthStub(self.channel)
        request = health_pb2.HealthCheckRequest(service=SERVICE_NAME)
        while health.Check(request, timeout=30).status != health_pb2.HealthCheckResponse.SERVING:
            time.sleep(0.001)
        self.ready_seconds = time.perf_counter() - began

    def stop(self) -> None:
        self.stub.Shutdown(pb.ShutdownRequest(), timeout=10)
        self.process.wait(60)
        self.channel.close()


def rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB (Linux /proc)."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def factory_pid(server_pid: int) -> int:
    """The worker factory: the server's child running berth.execution.worker_factory."""
    for task in pathlib.Path(f"/proc/{server_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"worker_factory" in pathlib.Path(f"/proc/{child}/cmdline").read_bytes():
                return int(child)
    return 0


def cold_start(location: pathlib.Path, storage_url: str, repeats: int = 3) -> float:
    """Median seconds from spawning a server to health SERVING."""
    times = []
    for _ in range(repeats):
        server = ServerProcess(location, storage_url)
        times.append(server.ready_seconds)
        server.stop()
    return round(statistics.median(times), 3)


def snapshot_fetch(location: pathlib.Path, storage_url: str) -> dict[str, float]:
    """Seconds to stream the whole snapshot: the first fetch (builds it) and a cached one."""
    server = ServerProcess(location, storage_url)
    try:
        figures = {}
        for label in ("first_s", "cached_s"):
            began = time.perf_counter()
            count = sum(1 for _ in server.stub.StreamRepositorySnapshot(pb.StreamRepositorySnapshotRequest(),
                                                                         timeout=300))
            figures[label] = round(time.perf_counter() - began, 3)
        figures["messages"] = count
        return figures
    finally:
        server.stop()


def start_to_success(location: pathlib.Path, storage_url: str, runs: int) -> dict[str, Any]:
    """StartRun -> SUCCESS in storage for a one-op job, p50 / p95 in milliseconds, and RSS."""
    storage = RunStorage.from_url(storage_url)
    server = ServerProcess(location, storage_url)
    durations = []
    try:
        # One extra first run warms the storage file and the factory; it is not counted.
        for _ in range(runs + 1):
            run_id = str(uuid.uuid4())
            storage.add_run(RunRecord(run_id=run_id, job_name="tiny", status=RunStatus.STARTING,
                                      repository_name="__repository__"))
            began = time.perf_counter()
            reply = server.stub.StartRun(pb.StartRunRequest(run_id=run_id, job_name="tiny"), timeout=30)
            assert reply.worker_pid > 0
            while (run := storage.get_run(run_id)) is None or not run.is_finished:
                time.sleep(0.001)
            durations.append((time.perf_counter() - began) * 1000)
            assert run.status == RunStatus.SUCCESS, run.status
        durations = durations[1:]
        quantiles = statistics.quantiles(durations, n=20)
        return {"runs": len(durations), "p50_ms": round(statistics.median(durations), 1),
                "p95_ms": round(quantiles[18], 1),
                "server_rss_mib": rss_mib(server.process.pid),
                "worker_factory_rss_mib": rss_mib(factory_pid(server.process.pid))}
    finally:
        server.stop()
        storage.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="berth-bench-") as tmp:
        root = pathlib.Path(tmp)
        storage_url = f"sqlite:///{root / 'runs.db'}"
        RunStorage.from_url(storage_url).dispose()
        locations = {count: write_location(root / f"location_{count}.py", count) for count in (5, 1000, 5000)}
        report = {
            "cold_start_s": {"5_jobs": cold_start(locations[5], storage_url),
                             "1000_jobs": cold_start(locations[1000], storage_url)},
            "snapshot_fetch": {"1000_jobs": snapshot_fetch(locations[1000], storage_url),
                               "5000_jobs": snapshot_fetch(locations[5000], storage_url)},
            "start_run_to_success": start_to_success(locations[5], storage_url, args.runs),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
