"""Real parts for the run monitor's fault tests: a code server in its own process, and a webserver
(workspace, launcher, run monitor and schema on an event loop in a thread) that reaches it.
"""

from __future__ import annotations

import asyncio
import pathlib
import subprocess
import sys
import threading
from typing import Any, Mapping, Optional, Sequence

from proc_scan import read_pids, wait_for
from process_tools import child_environment, free_port, stop_process

from berth.events import EventType
from berth.storage import RunStorage
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.context import RequestContext
from berth_webserver.launcher import RunLauncher
from berth_webserver.schema import create_schema
from berth_webserver.workspace.run_monitor import RunMonitor, RunMonitorSettings
from berth_webserver.workspace.workspace import Workspace
from berth_webserver.workspace.workspace_file import LocationOrigin

__all__ = ["CodeServer", "JOBS", "LOCATION", "Webserver", "end_events", "free_port"]

JOBS = pathlib.Path(__file__).resolve().parent / "monitor_jobs.py"
LOCATION = "faults"

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  }
}
"""


def end_events(storage: RunStorage, run_id: str) -> list[EventType]:
    """The run's terminal events, in order (a correct log has exactly one)."""
    ends = (EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED)
    return [record.event.event_type for record in storage.get_events(run_id) if record.event.event_type in ends]


class CodeServer:
    """``berth code-server start`` of the monitor's jobs in a process of its own (as in Kubernetes)."""

    def __init__(self, storage_url: str, log: pathlib.Path, port: Optional[int] = None,
                 terminate_grace: float = 10.0) -> None:
        self.storage_url = storage_url
        self.terminate_grace = terminate_grace
        self.log = log
        self.port = port or free_port()
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.start()

    def start(self) -> None:
        """Start a server on the port (again) and wait until it listens."""
        env = child_environment()
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(JOBS), "-l", LOCATION,
                 "-p", str(self.port), "--storage", self.storage_url,
                 "--terminate-grace", str(self.terminate_grace)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        process = self.process
        wait_for(lambda: b"listening on" in self.log.read_bytes()[offset:] or process.poll() is not None,
                 "the code server to listen")
        assert process.poll() is None, self.log.read_text()

    def kill(self) -> None:
        """kill -9, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM, and wait for it to drain and exit."""
        if self.process is not None:
            stop_process(self.process)


class Webserver:
    """What the webserver runs, on an event loop in a thread: workspace, launcher, monitor, schema."""

    def __init__(self, origins: Sequence[LocationOrigin], storage: RunStorage, storage_url: str,
                 settings: RunMonitorSettings, *, shutdown_grace: float = 5.0) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="faults-webserver-loop", daemon=True)
        self.thread.start()
        self.storage = storage
        self.workspace = Workspace(origins, storage_url, shutdown_grace=shutdown_grace)
        self.async_storage = AsyncRunStorage(storage)
        self.launcher = RunLauncher(self.workspace.client)
        self.monitor = RunMonitor(self.async_storage, self.launcher, settings)
        self.workspace.run_monitor = self.monitor
        self.context = RequestContext(self.workspace, self.async_storage, self.launcher)
        self.schema = create_schema()

        async def start() -> None:
            await self.workspace.start()
            self.monitor.start()

        self.run(start())

    @classmethod
    def of_external(cls, port: int, storage: RunStorage, storage_url: str,
                    settings: RunMonitorSettings) -> "Webserver":
        """A webserver whose one location is the external code server on ``port``."""
        return cls([LocationOrigin(kind="grpc_server", location_name=LOCATION, port=port)], storage, storage_url,
                   settings)

    def run(self, coroutine: Any, timeout: float = 60.0) -> Any:
        """Run a coroutine on the webserver's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def execute(self, document: str, variables: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
        """A GraphQL document through the schema; fails the test on any GraphQL error."""
        result = self.run(self.schema.execute_async(document, variable_values=dict(variables or {}),
                                                    context_value=self.context))
        assert result.errors is None, result.errors
        return result.data

    def launch(self, job_name: str, op_config: Optional[Mapping[str, Any]] = None,
               tags: Optional[Mapping[str, str]] = None) -> str:
        """launchRun of a job of the location; returns the run id."""
        params: dict[str, Any] = {"selector": {"repositoryLocationName": LOCATION, "repositoryName": "__repository__",
                                               "jobName": job_name}}
        if op_config:
            params["runConfigData"] = {"ops": {name: {"config": config} for name, config in op_config.items()}}
        if tags:
            params["executionMetadata"] = {"tags": [{"key": key, "value": value} for key, value in tags.items()]}
        data = self.execute(LAUNCH, {"params": params})["launchRun"]
        assert data["__typename"] == "LaunchRunSuccess", data
        return str(data["run"]["runId"])

    def launch_blocked(self, pid_file: pathlib.Path, tags: Optional[Mapping[str, str]] = None) -> tuple[str, int]:
        """Launch a run whose op blocks; returns its id and its worker's pid once the op runs."""
        run_id = self.launch("blocked_job", {"block": {"pid_file": str(pid_file)}}, tags)
        pids = wait_for(lambda: read_pids(pid_file), "the op to block")
        return run_id, int(pids["worker"])

    def close(self) -> None:
        """Stop the monitor and the workspace, then the loop."""
        try:
            self.run(self.monitor.stop())
            self.run(self.workspace.stop())
        finally:
            self.async_storage.dispose()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()
