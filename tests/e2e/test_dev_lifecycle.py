"""``berth dev`` end to end: launch, shutdown → restart → reload by itself, edit → reload, clean stop.

One real ``berth dev`` process serves the example workspace plus an editable file; the webserver
process is never restarted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "webserver"))
from webserver_process import EXAMPLES, WebserverProcess, pid_alive, wait_until

_EDITABLE = '''
from berth import Definitions, job, op

@op
def step():
    return 1

@job
def first_job():
    step()

defs = Definitions(jobs=[first_job])
'''

LOCATION = """
query Location($name: String!) {
  workspaceLocationEntryOrError(name: $name) {
    ... on WorkspaceLocationEntry {
      loadStatus
      locationOrLoadError {
        __typename
        ... on RepositoryLocation { serverId repositories { name pipelines { name } } }
        ... on PythonError { message }
      }
    }
  }
}"""

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}"""

RUN_STATUS = """
query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def editable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("code") / "editable.py"
    path.write_text(_EDITABLE)
    return path


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory, editable: Path) -> Iterator[WebserverProcess]:
    home = tmp_path_factory.mktemp("home")
    server = WebserverProcess(["dev", "-w", str(EXAMPLES / "workspace.yaml"), "-f", str(editable)],
                              env={"BERTH_HOME": str(home)})
    yield server
    if server.process.poll() is None:
        server.stop()


def _location(dev: WebserverProcess, name: str) -> dict[str, Any]:
    return dev.graphql(LOCATION, {"name": name})["workspaceLocationEntryOrError"]["locationOrLoadError"]


def _server_id(dev: WebserverProcess, name: str) -> Optional[str]:
    location = _location(dev, name)
    return location.get("serverId") if location["__typename"] == "RepositoryLocation" else None


def _launch_and_wait(dev: WebserverProcess, location: str, job: str) -> str:
    data = dev.graphql(LAUNCH, {"params": {"selector": {
        "repositoryLocationName": location, "repositoryName": "__repository__", "jobName": job}}})
    assert data["launchRun"]["__typename"] == "LaunchRunSuccess", data
    run_id = data["launchRun"]["run"]["runId"]
    return wait_until(lambda: (status := dev.graphql(RUN_STATUS, {"runId": run_id})["runOrError"]["status"])
                      in ("SUCCESS", "FAILURE", "CANCELED") and status, timeout=60)


def test_runs_succeed_and_fail_as_their_jobs_do(dev: WebserverProcess) -> None:
    assert _launch_and_wait(dev, "hello", "hello_job") == "SUCCESS"
    assert _launch_and_wait(dev, "hello", "failing_job") == "FAILURE"


def test_shutdown_restarts_the_server_and_the_location_reloads_by_itself(dev: WebserverProcess) -> None:
    webserver_pid = dev.process.pid
    before = _server_id(dev, "hello")
    assert before
    data = dev.graphql('mutation { shutdownRepositoryLocation(repositoryLocationName: "hello") { __typename } }')
    assert data["shutdownRepositoryLocation"]["__typename"] == "ShutdownRepositoryLocationSuccess"
    after = wait_until(lambda: (server_id := _server_id(dev, "hello")) not in (None, before) and server_id, timeout=30)
    assert after != before
    assert dev.process.poll() is None and dev.process.pid == webserver_pid
    assert _launch_and_wait(dev, "hello", "hello_job") == "SUCCESS"
    assert _location(dev, "analytics")["__typename"] == "RepositoryLocation"  # the others were untouched


def test_reload_picks_up_an_edited_file(dev: WebserverProcess, editable: Path) -> None:
    editable.write_text(_EDITABLE.replace("defs = Definitions(jobs=[first_job])",
                                          "@job\ndef second_job():\n    step()\n\n"
                                          "defs = Definitions(jobs=[first_job, second_job])\n"))
    data = dev.graphql('mutation { reloadRepositoryLocation(repositoryLocationName: "editable") { __typename } }')
    assert data["reloadRepositoryLocation"]["__typename"] == "WorkspaceLocationEntry"
    jobs = [job["name"] for job in _location(dev, "editable")["repositories"][0]["pipelines"]]
    assert jobs == ["first_job", "second_job"]
    assert _launch_and_wait(dev, "editable", "second_job") == "SUCCESS"


def test_sigterm_stops_the_webserver_and_its_code_servers(dev: WebserverProcess) -> None:
    code_servers = _children(dev.process.pid)
    assert len(code_servers) >= 3  # hello, analytics, editable
    assert dev.stop() == 0
    wait_until(lambda: not any(pid_alive(pid) for pid in code_servers), timeout=15)
