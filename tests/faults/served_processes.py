"""Real berth processes for the storage fault tests: an external code server and a webserver.

The code server runs the ticking jobs (``ticking_jobs.py``) as it would in Kubernetes (a
``grpc_server`` entry of the webserver's workspace), so that either side can be stopped or
restarted while the other runs on. Both write their output to log files that a failing test shows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import pathlib
import re
import signal
import subprocess
import sys
from typing import Any, AsyncIterator, Callable, Mapping, Optional

import httpx
from proc_scan import wait_for
from process_tools import child_environment, free_port, stop_process

__all__ = ["CodeServer", "TickingRun", "Webserver", "free_port", "launch_ticking", "run_logs", "run_logs_until_it_ends",
           "ticking_run_config"]

JOBS = pathlib.Path(__file__).resolve().parent / "ticking_jobs.py"
LOCATION = "ticking"
_SERVING = re.compile(rb"berth webserver serving on (http://\S+)")
RUN_LOGS = """
subscription Logs($runId: ID!, $cursor: String) {
  pipelineRunLogs(runId: $runId, cursor: $cursor) {
    __typename
    ... on PipelineRunLogsSubscriptionSuccess { cursor run { status } messages { __typename ... on MessageEvent { message } } }
    ... on PipelineRunLogsSubscriptionFailure { message }
  }
}
"""
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  }
}
"""


def _environment(extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    env = child_environment()
    return {**env, "PYTHONUNBUFFERED": "1", **(extra or {})}


class CodeServer:
    """``berth code-server start`` of the ticking jobs, in a process of its own."""

    def __init__(self, storage_url: str, log: pathlib.Path, env: Optional[Mapping[str, str]] = None) -> None:
        self.port = free_port()
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(JOBS), "-l", LOCATION,
                 "-p", str(self.port), "--storage", storage_url],
                stdout=out, stderr=subprocess.STDOUT, env=_environment(env))
        wait_for(lambda: b"listening on" in log.read_bytes() or self.process.poll() is not None,
                 "the code server to listen", timeout=60)
        assert self.process.poll() is None, log.read_text()

    def stop(self) -> None:
        """SIGTERM (the server drains its runs), then wait; kill -9 if it does not end."""
        stop_process(self.process)


class Webserver:
    """``berth webserver`` on a workspace with the code server as its one ``grpc_server`` entry."""

    def __init__(self, storage_url: str, code_server_port: int, folder: pathlib.Path, name: str) -> None:
        workspace = folder / "workspace.yaml"
        workspace.write_text("load_from:\n  - grpc_server:\n      host: 127.0.0.1\n"
                             f"      port: {code_server_port}\n      location_name: {LOCATION}\n")
        self.log = folder / f"{name}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace), "--storage", storage_url,
                 "--host", "127.0.0.1", "--port", "0"],
                stdout=out, stderr=subprocess.STDOUT, env=_environment({"BERTH_HOME": str(folder)}))
        match = wait_for(lambda: _SERVING.search(self.log.read_bytes()) or self.process.poll() is not None,
                         "the webserver to serve", timeout=60)
        assert self.process.poll() is None, self.log.read_text()
        self.url = match.group(1).decode()
        self.http = httpx.Client(base_url=self.url, timeout=30.0)

    @property
    def ws_url(self) -> str:
        """The WebSocket URL of /graphql."""
        return self.url.replace("http://", "ws://") + "/graphql"

    def graphql(self, document: str, variables: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
        """POST a document; the HTTP answer must be 200 without errors; returns its data."""
        response = self.http.post("/graphql", json={"query": document, "variables": dict(variables or {})})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    def kill(self) -> None:
        """kill -9, as a crashed or evicted webserver."""
        self.http.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM, then wait; kill -9 if it does not end."""
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclasses.dataclass(frozen=True)
class TickingRun:
    """A launched ``ticking`` run and the files that steer it (see ``ticking_jobs``)."""

    run_id: str
    pid_file: pathlib.Path
    release_file: pathlib.Path
    ready_file: pathlib.Path
    finish_file: pathlib.Path

    def release(self) -> None:
        """Let both ops run to their end."""
        self.finish_file.touch()
        self.release_file.touch()


def launch_ticking(webserver: Webserver, folder: pathlib.Path) -> TickingRun:
    """Launch a ``ticking`` run whose steering files live in ``folder``."""
    run = TickingRun("", *(folder / name for name in ("tick.pid", "release", "after-ready", "finish")))
    params = {"selector": {"repositoryLocationName": LOCATION, "repositoryName": "__repository__",
                           "jobName": "ticking"},
              "runConfigData": ticking_run_config(run)}
    data = webserver.graphql(LAUNCH, {"params": params})["launchRun"]
    assert data["__typename"] == "LaunchRunSuccess", data
    return dataclasses.replace(run, run_id=data["run"]["runId"])


def ticking_run_config(run: TickingRun) -> dict[str, Any]:
    """The run config that points the ops at the run's files."""
    return {"ops": {"tick": {"config": {"pid_file": str(run.pid_file), "release_file": str(run.release_file)}},
                    "after": {"config": {"ready_file": str(run.ready_file), "finish_file": str(run.finish_file)}}}}


async def run_logs(ws_url: str, run_id: str, cursor: Optional[str] = None) -> AsyncIterator[dict[str, Any]]:
    """The ``pipelineRunLogs`` batches of a run over graphql-transport-ws, until the server completes."""
    async with contextlib.aclosing(_run_log_messages(ws_url, run_id, cursor)) as messages:
        async for message in messages:
            if message["type"] == "complete":
                return
            assert message["type"] == "next", message
            batch = message["payload"]["data"]["pipelineRunLogs"]
            assert batch["__typename"] == "PipelineRunLogsSubscriptionSuccess", batch
            yield batch


async def run_logs_until_it_ends(ws_url: str, run_id: str, cursor: Optional[str] = None,
                                 on_batch: Callable[[dict[str, Any]], None] = lambda batch: None,
                                 ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every batch of a subscription, and the message that ended it (``complete`` or ``error``)."""
    batches = []
    async with contextlib.aclosing(_run_log_messages(ws_url, run_id, cursor)) as messages:
        async for message in messages:
            if message["type"] != "next" or message["payload"].get("errors"):
                return batches, message
            batches.append(message["payload"]["data"]["pipelineRunLogs"])
            on_batch(batches[-1])
    raise AssertionError("the socket closed without ending the subscription")


async def _run_log_messages(ws_url: str, run_id: str, cursor: Optional[str]) -> AsyncIterator[dict[str, Any]]:
    from websockets.asyncio.client import connect

    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        variables = {"runId": run_id, **({"cursor": cursor} if cursor is not None else {})}
        await socket.send(json.dumps({"type": "subscribe", "id": "logs",
                                      "payload": {"query": RUN_LOGS, "variables": variables}}))
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
                continue
            yield message
            if message["type"] in ("complete", "error"):
                return
