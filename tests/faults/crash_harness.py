"""Real processes for the crash tests: a webserver, code servers, and what to assert about runs.

``Webserver`` is ``berth webserver`` in a process of its own over a workspace file, reached over
HTTP. With a ``python_file`` entry it starts and supervises the code server itself (as
``berth dev`` does: the *managed* case); with a ``grpc_server`` entry it reaches a code server
that the test runs as ``ExternalCodeServer`` (the *external* case). Both get their own
``BERTH_HOME`` (worker records and run logs land there) and the storage the test gives them.
"""

from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import sys
import threading
from typing import Any, Optional

import httpx
from proc_scan import alive, group_members, wait_for
from process_tools import free_port, stop_process

from berth.events import EventType
from berth.storage import RunStorage

__all__ = ["CRASH_JOBS", "ExternalCodeServer", "Webserver", "assert_event_log_sound", "assert_run_left_nothing",
           "children_of", "parent_of"]

CRASH_JOBS = pathlib.Path(__file__).resolve().parent / "crash_jobs.py"
LOCATION = "crash"
_SERVING = re.compile(r"berth webserver serving on (http://\S+)")
TERMINAL = (EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED)

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  }
}
"""
RUN = "query Run($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }"
LOCATION_ENTRY = """
query Entry($name: String!) {
  workspaceLocationEntryOrError(name: $name) {
    __typename
    ... on WorkspaceLocationEntry {
      loadStatus
      locationOrLoadError { __typename ... on RepositoryLocation { serverId } }
    }
  }
}
"""
TERMINATE = """
mutation Terminate($runId: String!) {
  terminateRun(runId: $runId) {
    __typename ... on TerminateRunSuccess { run { status } } ... on TerminateRunFailure { message }
  }
}
"""


def _stat_fields(pid: int) -> Optional[list[str]]:
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text(errors="replace").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def parent_of(pid: int) -> Optional[int]:
    """The parent pid of a live process, from /proc."""
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def children_of(pid: int) -> list[int]:
    """The live children of ``pid``, by a scan of /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and fields[0] != "Z" and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def cmdline(pid: int) -> str:
    """The command line of ``pid`` ('' once it is gone)."""
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _env(home: pathlib.Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("BERTH_SUPERVISOR_PID", "BERTH_STORAGE_URL")}
    return {**env, "BERTH_HOME": str(home), "PYTHONUNBUFFERED": "1"}


class ExternalCodeServer:
    """``berth code-server start`` of the crash jobs on a fixed port, restartable after a kill."""

    def __init__(self, storage_url: str, home: pathlib.Path, log_dir: pathlib.Path) -> None:
        self.storage_url = storage_url
        self.home = home
        self.log_dir = log_dir
        self.port = free_port()
        self.starts = 0
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        self.starts += 1
        log = self.log_dir / f"code-server-{self.starts}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(CRASH_JOBS), "-l", LOCATION,
                 "-p", str(self.port), "--storage", self.storage_url],
                stdout=out, stderr=subprocess.STDOUT, env=_env(self.home))
        wait_for(lambda: b"listening on" in log.read_bytes() or process.poll() is not None,
                 "the code server to listen", timeout=60)
        assert process.poll() is None, log.read_text()
        return process

    def restart(self) -> None:
        """Start it again on the same port (after ``kill``)."""
        self.process = self._start()

    def kill(self) -> None:
        """kill -9, as a crash would."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait (the test's cleanup)."""
        stop_process(self.process)


class Webserver:
    """``berth webserver`` over a one-location workspace, in its own process, reached over HTTP."""

    def __init__(self, storage_url: str, home: pathlib.Path, folder: pathlib.Path,
                 external_port: Optional[int] = None) -> None:
        workspace = folder / "workspace.yaml"
        if external_port is None:
            entry = f"  - python_file:\n      relative_path: {CRASH_JOBS}\n      location_name: {LOCATION}\n"
        else:
            entry = (f"  - grpc_server:\n      host: 127.0.0.1\n      port: {external_port}\n"
                     f"      location_name: {LOCATION}\n")
        workspace.write_text("load_from:\n" + entry, encoding="utf-8")
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace), "--storage", storage_url,
             "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(home))
        self._url: Optional[str] = None
        self._pump = threading.Thread(target=self._read_output, daemon=True)
        self._pump.start()
        url = wait_for(lambda: self._url or self.process.poll() is not None, "the webserver to serve", timeout=90)
        assert isinstance(url, str), "".join(self.output)
        self.http = httpx.Client(base_url=url, timeout=60.0)

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            match = _SERVING.search(line)
            if match:
                self._url = match.group(1)

    def graphql(self, document: str, variables: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """POST a GraphQL document; asserts HTTP 200 and no errors; returns data."""
        response = self.http.post("/graphql", json={"query": document, "variables": variables or {}})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    def launch(self, job_name: str, run_config: dict[str, Any]) -> dict[str, Any]:
        """launchRun of a job of the crash location; the result union as data."""
        params = {"selector": {"repositoryLocationName": LOCATION, "repositoryName": "__repository__",
                               "jobName": job_name}, "runConfigData": run_config}
        return self.graphql(LAUNCH, {"params": params})["launchRun"]

    def run_status(self, run_id: str) -> str:
        """The run's status through GraphQL."""
        return str(self.graphql(RUN, {"id": run_id})["runOrError"]["status"])

    def loaded_server_id(self) -> Optional[str]:
        """The server id of the location when it is loaded and reachable, else None."""
        entry = self.graphql(LOCATION_ENTRY, {"name": LOCATION})["workspaceLocationEntryOrError"]
        location = entry.get("locationOrLoadError") or {}
        if entry.get("loadStatus") != "LOADED" or location.get("__typename") != "RepositoryLocation":
            return None
        return location.get("serverId")

    def terminate(self, run_id: str) -> dict[str, Any]:
        """terminateRun (SAFE_TERMINATE)."""
        return self.graphql(TERMINATE, {"runId": run_id})["terminateRun"]

    def code_server_pid(self) -> int:
        """The supervised code server: this process's child that runs ``code-server start``."""
        pids = wait_for(lambda: [pid for pid in children_of(self.process.pid) if "code-server" in cmdline(pid)],
                        "the supervised code server")
        assert len(pids) == 1, pids
        return pids[0]

    def stop(self) -> None:
        """SIGTERM and wait (it stops its code servers)."""
        self.http.close()
        stop_process(self.process)
        self._pump.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


def wait_for_status(webserver: Webserver, run_id: str, statuses: tuple[str, ...], timeout: float = 60.0) -> str:
    """Wait until the run reaches one of ``statuses`` (through GraphQL); return it."""
    return str(wait_for(lambda: (status := webserver.run_status(run_id)) in statuses and status,
                        f"run {run_id} to reach {'/'.join(statuses)}", timeout=timeout))


def assert_event_log_sound(storage: RunStorage, run_id: str) -> list[Any]:
    """One terminal event, last; storage ids strictly increasing; no event stored twice; steps end once."""
    records = storage.get_events(run_id)
    ids = [record.storage_id for record in records]
    assert ids == sorted(set(ids)), ids
    events = [record.event for record in records]
    kinds = [event.event_type for event in events]
    assert [kind for kind in kinds if kind in TERMINAL] == [kinds[-1]] and kinds[-1] in TERMINAL, kinds
    assert kinds.count(EventType.RUN_START) <= 1, kinds
    identities = [(event.event_type, event.step_key, event.message, event.timestamp) for event in events]
    assert len(identities) == len(set(identities)), kinds
    for step in {event.step_key for event in events if event.step_key}:
        ends = [e for e in events if e.step_key == step and e.event_type in (EventType.STEP_SUCCESS,
                                                                              EventType.STEP_FAILURE)]
        assert len(ends) <= 1, (step, kinds)
    return events


def assert_run_left_nothing(pids: dict[str, Optional[int]], timeout: float = 30.0) -> None:
    """The run's worker, its op's child and every process of the worker's group are gone (/proc)."""
    worker = pids["worker"]
    assert worker is not None
    wait_for(lambda: not alive(worker), f"the run worker (pid {worker}) to be gone", timeout=timeout)
    child = pids.get("child")
    if child is not None:
        wait_for(lambda: not alive(child), f"the op's child (pid {child}) to be gone", timeout=timeout)
    wait_for(lambda: not group_members(worker), f"every process of the run's group {worker} to be gone",
             timeout=timeout)


def kill_quietly(pid: Optional[int]) -> None:
    """SIGKILL a process group (cleanup after a failed test), ignoring one that is gone."""
    if pid is None:
        return
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def engine_messages(events: list[Any]) -> list[str]:
    """The messages of the engine events of a run."""
    return [event.message for event in events if event.event_type == EventType.ENGINE_EVENT]
