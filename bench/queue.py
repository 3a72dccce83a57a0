"""Run queue benchmark: a burst of launches through the queue; prints figures as JSON (asserts nothing).

    .venv/bin/python bench/queue.py [--runs 1000] [--max-concurrent-runs 20] [--tag-limit 5]
                                    [--storage URL]

Starts a code server of examples/hello in its own process and ``berth webserver`` with a
``run_queue`` (``max_concurrent_runs`` and a tag limit on every fourth run), launches every run
of ``hello_job`` at once from several threads, samples run storage for the runs in flight
while they run, and reports: the most runs in flight (total and tagged) seen, the final
statuses, dequeue-to-start latency (the dequeuer's claim, RUN_STARTING, to the worker's
RUN_START) and enqueue-to-start latency, p50/p95, and runs per second from the first launch
to the last run's end. Default storage: SQLite in a temporary folder.
"""

from __future__ import annotations

import sys

# This script shares its name with the standard library's queue module, and running it puts
# bench/ first on sys.path, where it would shadow that module: drop it before importing anything.
if sys.path and sys.path[0] and __file__.startswith(sys.path[0].rstrip("/") + "/"):
    sys.path.pop(0)

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

import httpx

from berth.events import EventType
from berth.runs import RunsFilter, RunStatus
from berth.storage import RunStorage

REPO = Path(__file__).resolve().parents[1]
SERVING = re.compile(r"berth webserver serving on (http://\S+)")
TOKEN = "bench-queue-secret"
TAG = ("bench/group", "tagged")
IN_FLIGHT = [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING]
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) { __typename ... on LaunchRunSuccess { run { runId } } }
}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_output(process: "subprocess.Popen[str]", pattern: "re.Pattern[str]", timeout: float = 120) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        match = pattern.search(line)
        if match:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # type: ignore[union-attr]
            return match.group(1) if match.groups() else line
        if time.monotonic() > deadline:
            break
    raise RuntimeError(f"{process.args!r} did not start")


def _start(args: list[str], env: dict[str, str], pattern: str) -> tuple["subprocess.Popen[str]", str]:
    process = subprocess.Popen([sys.executable, "-m", "berth.cli", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
    return process, _wait_for_output(process, re.compile(pattern))


class _Sampler:
    """The most runs in flight seen in storage (total and tagged), sampled in a thread."""

    def __init__(self, storage: RunStorage) -> None:
        self.storage = storage
        self.max_total = self.max_tagged = self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            runs = self.storage.get_runs(RunsFilter(statuses=IN_FLIGHT))
            self.max_total = max(self.max_total, len(runs))
            self.max_tagged = max(self.max_tagged, sum(run.tags.get(TAG[0]) == TAG[1] for run in runs))
            self.samples += 1
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


def _percentiles(samples: list[float]) -> dict[str, Optional[float]]:
    if not samples:
        return {"p50_ms": None, "p95_ms": None}
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000, 1)}


def _latencies(storage: RunStorage, run_ids: list[str]) -> tuple[list[float], list[float]]:
    dequeue_to_start, enqueue_to_start = [], []
    for run_id in run_ids:
        times = {record.event.event_type: record.event.timestamp for record in storage.get_events(run_id)
                 if record.event.event_type in (EventType.RUN_ENQUEUED, EventType.RUN_STARTING, EventType.RUN_START)}
        if EventType.RUN_START in times and EventType.RUN_STARTING in times:
            dequeue_to_start.append(times[EventType.RUN_START] - times[EventType.RUN_STARTING])
        if EventType.RUN_START in times and EventType.RUN_ENQUEUED in times:
            enqueue_to_start.append(times[EventType.RUN_START] - times[EventType.RUN_ENQUEUED])
    return dequeue_to_start, enqueue_to_start


def run_benchmark(runs: int, max_concurrent: int, tag_limit: int, storage_url: str, folder: Path,
                  launch_threads: int = 8) -> dict[str, Any]:
    """Start the processes, launch the burst, wait for every run, and gather the figures."""
    env = {key: value for key, value in os.environ.items() if key != "BERTH_SUPERVISOR_PID"}
    env.update(BERTH_CODE_SERVER_TOKEN=TOKEN, BERTH_STORAGE_URL=storage_url, BERTH_HOME=str(folder),
               PYTHONUNBUFFERED="1")
    port = _free_port()
    workspace = folder / "workspace.yaml"
    workspace.write_text(f"load_from:\n  - grpc_server: {{host: 127.0.0.1, port: {port}, location_name: hello}}\n")
    instance = folder / "berth.yaml"
    instance.write_text(f"run_queue:\n  max_concurrent_runs: {max_concurrent}\n  dequeue_interval_seconds: 0.1\n"
                        f"  tag_concurrency_limits: [{{key: {TAG[0]}, value: {TAG[1]}, limit: {tag_limit}}}]\n")
    storage = RunStorage.from_url(storage_url)
    processes = []
    try:
        code_server, _ = _start(["code-server", "start", "-f", str(REPO / "examples/hello/definitions.py"),
                                 "-l", "hello", "--host", "127.0.0.1", "-p", str(port)], env, r"listening on")
        processes.append(code_server)
        webserver, url = _start(["webserver", "-w", str(workspace), "--instance", str(instance),
                                 "--host", "127.0.0.1", "--port", "0"], env, SERVING.pattern)
        processes.append(webserver)
        sampler = _Sampler(RunStorage.from_url(storage_url))
        began = time.time()
        with httpx.Client(base_url=url, timeout=120) as client, ThreadPoolExecutor(launch_threads) as pool:
            def launch(number: int) -> str:
                tags = [{"key": TAG[0], "value": TAG[1]}] if number % 4 == 0 else []
                params = {"selector": {"repositoryLocationName": "hello", "repositoryName": "__repository__",
                                       "jobName": "hello_job"}, "executionMetadata": {"tags": tags}}
                body = client.post("/graphql", json={"query": LAUNCH, "variables": {"params": params}}).json()
                return str(body["data"]["launchRun"]["run"]["runId"])

            run_ids = list(pool.map(launch, range(runs)))
        launched = time.time()
        while storage.get_runs_count(RunsFilter(run_ids=run_ids, statuses=list(RunStatus)[:5])) > 0:
            time.sleep(0.2)
        sampler.stop()
        records = storage.get_runs(RunsFilter(run_ids=run_ids))
        ended = max((run.end_time or 0.0) for run in records)
        statuses: dict[str, int] = {}
        for run in records:
            statuses[run.status.value] = statuses.get(run.status.value, 0) + 1
        dequeue_to_start, enqueue_to_start = _latencies(storage, run_ids)
        return {
            "runs": runs,
            "max_concurrent_runs": max_concurrent,
            "tag_limit": tag_limit,
            "storage": storage_url.split(":", 1)[0],
            "statuses": statuses,
            "all_success": statuses == {"SUCCESS": runs},
            "max_in_flight_seen": sampler.max_total,
            "max_tagged_in_flight_seen": sampler.max_tagged,
            "limits_held": sampler.max_total <= max_concurrent and sampler.max_tagged <= tag_limit,
            "in_flight_samples": sampler.samples,
            "launch_burst_seconds": round(launched - began, 2),
            "dequeue_to_start": _percentiles(dequeue_to_start),
            "enqueue_to_start": _percentiles(enqueue_to_start),
            "runs_per_second": round(runs / (ended - began), 2) if ended > began else None,
        }
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        storage.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--max-concurrent-runs", type=int, default=20)
    parser.add_argument("--tag-limit", type=int, default=5)
    parser.add_argument("--storage", help="run storage URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="berth-bench-queue-") as folder:
        url = args.storage or f"sqlite:///{Path(folder) / 'runs.db'}"
        print(json.dumps(run_benchmark(args.runs, args.max_concurrent_runs, args.tag_limit, url, Path(folder)),
                         indent=2))


if __name__ == "__main__":
    main()
