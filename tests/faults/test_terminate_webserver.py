"""terminateRun through the webserver's schema, against an external code server in its own process.

SAFE_TERMINATE of a run whose code server is down must not pretend: the answer is
TerminateRunFailure and the run keeps its status (its worker may well be running, as here).
MARK_AS_CANCELED_IMMEDIATELY kills the run's processes at once, even an op stuck in a C call that
no SIGTERM can interrupt, long before the code server's terminate grace.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import subprocess
import sys
import threading
from typing import Any, Iterator, Mapping, Optional

import pytest
from proc_scan import alive, group_members, read_pids, wait_for
from process_tools import child_environment
from process_tools import free_port as _free_port

from berth.events import EventType
from berth.runs import RunStatus
from berth.storage import RunStorage
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.context import RequestContext
from berth_webserver.launcher import RunLauncher
from berth_webserver.schema import create_schema
from berth_webserver.workspace.workspace import Workspace
from berth_webserver.workspace.workspace_file import LocationOrigin

pytestmark = pytest.mark.faults

JOBS = pathlib.Path(__file__).resolve().parent / "blocking_jobs.py"
# Far longer than any wait below: a run that stops within it was not stopped by the grace.
TERMINATE_GRACE = 120.0

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  }
}
"""
TERMINATE = """
mutation Terminate($runId: String!, $policy: TerminateRunPolicy) {
  terminateRun(runId: $runId, terminatePolicy: $policy) {
    __typename
    ... on TerminateRunSuccess { run { status } }
    ... on TerminateRunFailure { message run { status } }
  }
}
"""


class CodeServerProcess:
    """``berth code-server start`` of the blocking jobs, in a process of its own."""

    def __init__(self, storage_url: str, log: pathlib.Path) -> None:
        self.port = _free_port()
        self.log = log
        env = child_environment()
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(JOBS), "-l", "blocking",
                 "-p", str(self.port), "--storage", storage_url, "--terminate-grace", str(TERMINATE_GRACE)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        wait_for(lambda: b"listening on" in log.read_bytes() or self.process.poll() is not None,
                 "the code server to listen")
        assert self.process.poll() is None, log.read_text()

    def kill(self) -> None:
        """kill -9, as a crash would."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


class Webserver:
    """The schema with a real workspace, storage and launcher, on an event loop in a thread."""

    def __init__(self, port: int, storage: RunStorage, storage_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="faults-webserver-loop", daemon=True)
        self.thread.start()
        origin = LocationOrigin(kind="grpc_server", location_name="blocking", port=port)
        self.workspace = Workspace([origin], storage_url)
        self.context = RequestContext(self.workspace, AsyncRunStorage(storage), RunLauncher(self.workspace.client))
        self.schema = create_schema()
        self._run(self.workspace.start())

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def execute(self, document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        result = self._run(self.schema.execute_async(document, variable_values=dict(variables),
                                                     context_value=self.context))
        assert result.errors is None, result.errors
        return result.data

    def close(self) -> None:
        self._run(self.workspace.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def served(storage: RunStorage, storage_url: str,
           tmp_path: pathlib.Path) -> Iterator[tuple[CodeServerProcess, Webserver]]:
    """A code server of the blocking jobs in its own process, and a webserver that reaches it."""
    code_server = CodeServerProcess(storage_url, tmp_path / "code-server.log")
    webserver = None
    try:
        webserver = Webserver(code_server.port, storage, storage_url)
        yield code_server, webserver
    finally:
        if webserver is not None:
            webserver.close()
        if code_server.process.poll() is None:
            code_server.process.send_signal(signal.SIGTERM)
            code_server.process.wait(60)


def _launch(webserver: Webserver, job_name: str, op_name: str, pid_file: pathlib.Path) -> tuple[str, dict]:
    params = {"selector": {"repositoryLocationName": "blocking", "repositoryName": "__repository__",
                           "jobName": job_name},
              "runConfigData": {"ops": {op_name: {"config": {"pid_file": str(pid_file)}}}}}
    data = webserver.execute(LAUNCH, {"params": params})["launchRun"]
    assert data["__typename"] == "LaunchRunSuccess", data
    pids = wait_for(lambda: read_pids(pid_file), "the op to block")
    return data["run"]["runId"], pids


def _kill_group(pgid: Optional[int]) -> None:
    try:
        if pgid is not None:
            os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_safe_terminate_with_the_code_server_down_fails_and_leaves_the_run(
        served: tuple[CodeServerProcess, Webserver], storage: RunStorage, tmp_path: pathlib.Path) -> None:
    code_server, webserver = served
    run_id, pids = _launch(webserver, "thread_join_job", "wait_in_thread_join", tmp_path / "pids.json")
    try:
        assert storage.get_run(run_id).status == RunStatus.STARTED
        code_server.kill()
        data = webserver.execute(TERMINATE, {"runId": run_id, "policy": "SAFE_TERMINATE"})["terminateRun"]
        assert data["__typename"] == "TerminateRunFailure", data
        assert "could not be reached" in data["message"] and "blocking" in data["message"]
        assert data["run"]["status"] == "STARTED"
        assert storage.get_run(run_id).status == RunStatus.STARTED
        kinds = [record.event.event_type for record in storage.get_events(run_id)]
        assert EventType.RUN_CANCELING not in kinds and EventType.RUN_CANCELED not in kinds
        assert alive(pids["worker"])  # which is why the run must not be marked canceled
    finally:
        _kill_group(pids["worker"])


def test_mark_as_canceled_immediately_kills_a_blocked_op_at_once(
        served: tuple[CodeServerProcess, Webserver], storage: RunStorage, tmp_path: pathlib.Path) -> None:
    _code_server, webserver = served
    # An op in a C call: a SIGTERM cannot stop it, only the kill can, and well within the grace.
    run_id, pids = _launch(webserver, "c_call_job", "wait_in_c_call", tmp_path / "pids.json")
    try:
        data = webserver.execute(TERMINATE, {"runId": run_id, "policy": "MARK_AS_CANCELED_IMMEDIATELY"})
        assert data["terminateRun"] == {"__typename": "TerminateRunSuccess", "run": {"status": "CANCELED"}}
        worker = pids["worker"]
        wait_for(lambda: not alive(worker), "the run worker to be killed", timeout=TERMINATE_GRACE / 4)
        wait_for(lambda: not group_members(worker), "the run's processes to be gone", timeout=TERMINATE_GRACE / 4)
        events = [record.event for record in storage.get_events(run_id)]
        ends = [e.event_type for e in events if e.event_type in (EventType.RUN_SUCCESS, EventType.RUN_FAILURE,
                                                                  EventType.RUN_CANCELED)]
        assert ends == [EventType.RUN_CANCELED]
        assert storage.get_run(run_id).status == RunStatus.CANCELED
    finally:
        _kill_group(pids["worker"])
