"""Real processes for the run queue and several-webserver tests.

Code servers run as processes of their own (``grpc_server`` entries, as in Kubernetes), so that
several webservers reach the same servers; webservers are ``berth webserver`` processes with an
instance file. ``InFlightSampler`` reads run storage in a thread, as a user watching the
instance would, and keeps the largest number of runs in flight that it saw.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import threading
import time
from typing import Any, Optional, Sequence

from process_tools import child_environment, free_port, stop_process
from webserver_process import REPO, WebserverProcess, wait_until

from berth.runs import RunsFilter, RunStatus
from berth.storage import RunStorage

HELLO = REPO / "examples" / "hello" / "definitions.py"
TOKEN = "queue-tests-shared-secret"
IN_FLIGHT = [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING]

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename ... on LaunchRunSuccess { run { runId status } } ... on PythonError { message }
  }
}
"""
TERMINATE = """
mutation Terminate($runId: String!) {
  terminateRun(runId: $runId) {
    __typename
    ... on TerminateRunSuccess { run { status } }
    ... on TerminateRunFailure { message run { status } }
  }
}
"""
RUN_STATUS = "query Run($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"


class CodeServer:
    """``berth code-server start`` of examples/hello under a location name, in its own process."""

    def __init__(self, location_name: str, storage_url: str, log: pathlib.Path, port: Optional[int] = None) -> None:
        self.location_name = location_name
        self.storage_url = storage_url
        self.log = log
        self.port = port or free_port()
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.start()

    def start(self) -> None:
        """Start (again, on the same port) and wait until it listens."""
        env = child_environment()
        env.update(BERTH_CODE_SERVER_TOKEN=TOKEN, BERTH_STORAGE_URL=self.storage_url)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(HELLO),
                 "-l", self.location_name, "--host", "127.0.0.1", "-p", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        process = self.process
        wait_until(lambda: process.poll() is not None or self.log.read_bytes().count(b"listening on") > self._starts,
                   timeout=60)
        assert process.poll() is None, self.log.read_text()
        self._starts += 1

    _starts = 0

    def stop(self) -> None:
        """SIGTERM and wait (the server drains its runs first)."""
        if self.process is not None:
            stop_process(self.process)


def write_workspace(folder: pathlib.Path, servers: Sequence[CodeServer]) -> pathlib.Path:
    """A workspace.yaml listing the code servers as grpc_server entries."""
    path = folder / "workspace.yaml"
    path.write_text("load_from:\n" + "".join(
        f"  - grpc_server: {{host: 127.0.0.1, port: {server.port}, location_name: {server.location_name}}}\n"
        for server in servers))
    return path


def write_instance(folder: pathlib.Path, text: str, name: str = "berth.yaml") -> pathlib.Path:
    """An instance file with this text."""
    path = folder / name
    path.write_text(text)
    return path


def start_webserver(workspace: pathlib.Path, storage_url: str, instance: pathlib.Path) -> WebserverProcess:
    """``berth webserver`` on the workspace, storage and instance file, with the code servers' token."""
    return WebserverProcess(["webserver", "-w", str(workspace), "--storage", storage_url,
                             "--instance", str(instance)], env={"BERTH_CODE_SERVER_TOKEN": TOKEN})


def launch(webserver: WebserverProcess, location: str, job: str = "hello_job",
           tags: Optional[dict[str, str]] = None, run_config: Any = None) -> str:
    """launchRun through the webserver's API; returns the run id (asserting success)."""
    params: dict[str, Any] = {
        "selector": {"repositoryLocationName": location, "repositoryName": "__repository__", "jobName": job},
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
    }
    if run_config is not None:
        params["runConfigData"] = run_config
    result = webserver.graphql(LAUNCH, {"params": params})["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return str(result["run"]["runId"])


def sleep_config(seconds: float) -> dict[str, Any]:
    """Run config of slow_job's op."""
    return {"ops": {"sleep_for": {"config": {"seconds": seconds}}}}


def wait_finished(storage: RunStorage, run_ids: Sequence[str], timeout: float = 120.0) -> None:
    """Wait until every run has finished."""
    def done() -> bool:
        runs = storage.get_runs(RunsFilter(run_ids=list(run_ids)))
        return len(runs) == len(run_ids) and all(run.is_finished for run in runs)

    wait_until(done, timeout=timeout, interval=0.2)


class InFlightSampler:
    """Samples run storage in a thread: the most runs in flight at once, in total and per tag pair."""

    def __init__(self, storage_url: str, tag: Optional[tuple[str, str]] = None, interval: float = 0.02) -> None:
        self._storage = RunStorage.from_url(storage_url)
        self._tag = tag
        self._interval = interval
        self.max_total = 0
        self.max_tagged = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            runs = self._storage.get_runs(RunsFilter(statuses=IN_FLIGHT))
            self.max_total = max(self.max_total, len(runs))
            if self._tag is not None:
                key, value = self._tag
                self.max_tagged = max(self.max_tagged, sum(run.tags.get(key) == value for run in runs))
            self.samples += 1
            time.sleep(self._interval)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join(10)
        self._storage.dispose()


def events_of(storage: RunStorage, run_id: str) -> list[Any]:
    """The run's events (storage records' events)."""
    return [record.event for record in storage.get_events(run_id)]


def count_matching(pattern: str, lines: Sequence[str]) -> int:
    """How many lines match a regular expression."""
    compiled = re.compile(pattern)
    return sum(1 for line in lines if compiled.search(line))
