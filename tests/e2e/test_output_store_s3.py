"""Step outputs in S3 outlive the code server that wrote them; deleting and pruning runs deletes them.

moto's S3 server, run as a real process, stands in for S3 (which cannot be reached from here).
A real code server (``berth code-server start --output-store s3://…``) and a real webserver
(``berth webserver --output-store s3://…``) share SQLite run storage. The story of a cluster:
a run fails half-way; its code server is replaced by a fresh one with an empty disk (a new pod);
re-execution from failure reads the finished step's output from S3; ``deleteRun`` and
``berth runs prune`` delete outputs along with runs. And ``deleteRun`` on a run in progress
stops its worker first, so that nothing writes to the deleted run.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import uuid
from typing import Any, Iterator

import pytest
from moto_s3 import MotoS3

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "webserver"))
from webserver_process import WebserverProcess, pid_alive, wait_until, write_workspace

BUCKET = "berth-outputs"
OUTPUTS = f"s3://{BUCKET}/runs"
LOCATION = "outputs"

JOBS = '''
import os
import time

from berth import Definitions, job, op


@op
def produce():
    return [1, 2, 3]


@op(config_schema={"marker": str})
def consume(context, rows):
    if not os.path.exists(context.op_config["marker"]):
        raise RuntimeError("the marker file is not there yet")
    return sum(rows) * 10


@job
def pipeline():
    consume(produce())


@op(config_schema={"pid_file": str, "ignore_terminate": bool})
def wait_long(context, rows):
    with open(context.op_config["pid_file"], "w") as handle:
        handle.write(str(os.getpid()))
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            time.sleep(0.05)
        except BaseException:  # the terminate request: an op that ignores it is killed by its code server
            if not context.op_config["ignore_terminate"]:
                raise


@job
def long_job():
    wait_long(produce())


defs = Definitions(jobs=[pipeline, long_job])
'''

_LISTENING = re.compile(r"berth code server listening on \S+:(\d+)")

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) { __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } }
}"""
REEXECUTE = """
mutation Reexecute($parentRunId: String!) {
  launchRunReexecution(reexecutionParams: {parentRunId: $parentRunId, strategy: FROM_FAILURE}) {
    __typename ... on LaunchRunSuccess { run { runId stepKeysToExecute } } ... on PythonError { message }
  }
}"""
DELETE = """
mutation Delete($runId: String!) {
  deleteRun(runId: $runId) { __typename ... on PythonError { message } ... on RunNotFoundError { runId } }
}"""
STATUS = "query Status($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run { status } } }"
SERVER_ID = """
query Location($name: String!) {
  workspaceLocationEntryOrError(name: $name) {
    ... on WorkspaceLocationEntry { locationOrLoadError { __typename ... on RepositoryLocation { serverId } } }
  }
}"""


class CodeServer:
    """``berth code-server start`` for the job file, storing outputs in S3, with its own BERTH_HOME."""

    def __init__(self, jobs: pathlib.Path, port: int, home: pathlib.Path, env: dict[str, str]) -> None:
        home.mkdir(parents=True)
        self.home = home
        self.log_path = home.parent / f"{home.name}.log"
        self._log = open(self.log_path, "w")
        args = [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(jobs), "-l", LOCATION,
                "-p", str(port), "--output-store", OUTPUTS, "--terminate-grace", "1"]
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                        env={**env, "BERTH_HOME": str(home)})
        match = wait_until(lambda: self.process.poll() is None and _LISTENING.search(self.log_path.read_text()),
                           timeout=60)
        self.port = int(match.group(1))

    def stop(self) -> None:
        """SIGTERM and wait for it to drain and exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class Deployment:
    """moto S3, one code server (replaceable), one webserver, and the run storage they share."""

    def __init__(self, root: pathlib.Path, s3: MotoS3) -> None:
        self.root = root
        self.s3 = s3
        self.store = s3.store(OUTPUTS)
        self.storage_url = f"sqlite:///{root / 'runs.db'}"
        self.storage = RunStorage.from_url(self.storage_url)
        self.jobs = root / "jobs.py"
        self.jobs.write_text(JOBS)
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("AWS_", "BERTH_"))}
        self.env.update(s3.env(root), BERTH_STORAGE_URL=self.storage_url)
        self.env.pop("PYTHONUNBUFFERED", None)
        self.code_server = CodeServer(self.jobs, 0, root / "home-a", self.env)
        try:
            workspace = write_workspace(root, [f"grpc_server: {{host: 127.0.0.1, port: {self.code_server.port}, "
                                               f"location_name: {LOCATION}}}"])
            self.webserver = WebserverProcess(["webserver", "-w", str(workspace), "--output-store", OUTPUTS],
                                              env={**self.env, "BERTH_HOME": str(root / "home-w")})
        except BaseException:
            self.code_server.stop()
            self.storage.dispose()
            raise
        self.server_id = wait_until(self.current_server_id, timeout=60)

    def current_server_id(self) -> Any:
        entry = self.webserver.graphql(SERVER_ID, {"name": LOCATION})["workspaceLocationEntryOrError"]
        return (entry["locationOrLoadError"] or {}).get("serverId")

    def replace_code_server(self, home_name: str) -> None:
        """Stop the code server and start a fresh one on the same port, with a new, empty BERTH_HOME."""
        self.code_server.stop()
        self.code_server = CodeServer(self.jobs, self.code_server.port, self.root / home_name, self.env)
        old = self.server_id
        self.server_id = wait_until(lambda: (found := self.current_server_id()) not in (None, old) and found,
                                    timeout=60)

    def launch(self, job: str, ops_config: dict[str, Any]) -> str:
        selector = {"repositoryLocationName": LOCATION, "repositoryName": "__repository__", "jobName": job}
        data = self.webserver.graphql(LAUNCH, {"params": {"selector": selector,
                                                          "runConfigData": {"ops": ops_config}}})["launchRun"]
        assert data["__typename"] == "LaunchRunSuccess", data
        return str(data["run"]["runId"])

    def wait_finished(self, run_id: str, timeout: float = 60) -> str:
        def finished() -> Any:
            status = self.webserver.graphql(STATUS, {"runId": run_id})["runOrError"]["status"]
            return status if status in ("SUCCESS", "FAILURE", "CANCELED") else None

        return str(wait_until(finished, timeout=timeout))

    def delete(self, run_id: str) -> dict[str, Any]:
        return dict(self.webserver.graphql(DELETE, {"runId": run_id})["deleteRun"])

    def step_keys_started(self, run_id: str) -> set[str]:
        events = [record.event for record in self.storage.get_events(run_id)]
        return {event.step_key for event in events if event.event_type == EventType.STEP_START and event.step_key}

    def stop(self) -> None:
        self.webserver.stop()
        self.code_server.stop()
        self.storage.dispose()


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3]:
    server = MotoS3(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        server.create_bucket(BUCKET)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, s3: MotoS3) -> Iterator[Deployment]:
    deployed = Deployment(tmp_path_factory.mktemp("outputs-s3"), s3)
    try:
        yield deployed
    finally:
        deployed.stop()


def test_re_execution_in_a_fresh_code_server_reads_outputs_from_s3(deployment: Deployment,
                                                                   tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "marker"
    parent = deployment.launch("pipeline", {"consume": {"config": {"marker": str(marker)}}})
    assert deployment.wait_finished(parent) == "FAILURE"
    # The finished step's output is in S3, and nothing was written to the code server's disk.
    assert deployment.store.load(parent, "produce", "result") == [1, 2, 3]
    assert not (deployment.code_server.home / "storage").exists()

    # A new pod: the code server is replaced by one whose disk has never seen the parent run.
    deployment.replace_code_server(f"home-{uuid.uuid4().hex[:8]}")
    marker.write_text("now consume succeeds")
    data = deployment.webserver.graphql(REEXECUTE, {"parentRunId": parent})["launchRunReexecution"]
    assert data["__typename"] == "LaunchRunSuccess", data
    child = data["run"]["runId"]
    assert deployment.wait_finished(child) == "SUCCESS"
    assert deployment.step_keys_started(child) == {"consume"}  # produce was not run again
    assert deployment.store.load(child, "consume", "result") == 60  # computed from the parent's [1, 2, 3]
    assert not (deployment.code_server.home / "storage").exists()

    # Deleting the parent deletes its outputs; the child keeps the copy it reused.
    assert deployment.delete(parent) == {"__typename": "DeletePipelineRunSuccess"}
    assert deployment.store.run_outputs(parent) == []
    assert deployment.storage.get_run(parent) is None and deployment.storage.get_events(parent) == []
    assert deployment.store.load(child, "produce", "result") == [1, 2, 3]


def _add_old_run(deployment: Deployment, days_ago: float) -> str:
    moment = time.time() - days_ago * 86400
    run_id = str(uuid.uuid4())
    deployment.storage.add_run(RunRecord(run_id=run_id, job_name="pipeline", status=RunStatus.SUCCESS,
                                         location_name=LOCATION, create_timestamp=moment - 10,
                                         update_timestamp=moment, end_time=moment))
    deployment.storage.store_event(RunEvent(run_id, "finished long ago", EventType.ENGINE_EVENT, timestamp=moment))
    deployment.store.store(run_id, "produce", "result", [7])
    deployment.store.store(run_id, "consume", "result", 70)
    return run_id


def test_prune_deletes_old_runs_and_their_outputs_in_s3_and_keeps_recent_ones(deployment: Deployment) -> None:
    old = _add_old_run(deployment, 45)
    recent = deployment.launch("pipeline", {"consume": {"config": {"marker": "/nonexistent"}}})
    assert deployment.wait_finished(recent) == "FAILURE"
    assert len(deployment.store.run_outputs(old)) == 2 and deployment.store.run_outputs(recent)

    done = subprocess.run([sys.executable, "-m", "berth.cli", "runs", "prune", "--older-than", "30d", "--json",
                           "--output-store", OUTPUTS], capture_output=True, text=True, timeout=120,
                          env={**deployment.env, "BERTH_HOME": str(deployment.root / "home-prune")})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [run["run_id"] for run in report["runs"]] == [old], report
    assert report["runs_deleted"] == 1 and report["outputs_deleted"] == 2
    assert deployment.store.run_outputs(old) == []
    assert deployment.storage.get_run(old) is None and deployment.storage.get_events(old) == []
    assert deployment.storage.get_run(recent) is not None and deployment.store.run_outputs(recent)


@pytest.mark.parametrize("ignore_terminate", [False, True], ids=["op-stops", "op-ignores-terminate"])
def test_deleting_a_run_in_progress_stops_its_worker_first(deployment: Deployment, tmp_path: pathlib.Path,
                                                           ignore_terminate: bool) -> None:
    pid_file = tmp_path / "worker.pid"
    run_id = deployment.launch("long_job", {"wait_long": {"config": {"pid_file": str(pid_file),
                                                                     "ignore_terminate": ignore_terminate}}})
    worker_pid = int(wait_until(lambda: pid_file.exists() and pid_file.read_text(), timeout=60))
    assert deployment.store.load(run_id, "produce", "result") == [1, 2, 3]

    assert deployment.delete(run_id) == {"__typename": "DeletePipelineRunSuccess"}
    # When deleteRun answers, the worker is gone (an op that ignored the terminate request was
    # killed by its code server), and the run left nothing behind: no run, no events, no outputs.
    assert not pid_alive(worker_pid)
    assert deployment.storage.get_run(run_id) is None
    assert deployment.storage.get_events(run_id) == []
    assert deployment.store.run_outputs(run_id) == []
    assert deployment.delete(run_id) == {"__typename": "RunNotFoundError", "runId": run_id}


def test_multiprocess_steps_write_to_s3_from_their_own_processes(s3: MotoS3) -> None:
    """Each step runs in a forked process, after this one has used S3: the store connects anew there."""
    from berth import job, op
    from berth.execution.engine import RunOutcome, execute_job

    @op
    def first_pid() -> int:
        return os.getpid()

    @op
    def both_pids(first: int) -> tuple[int, int]:
        return first, os.getpid()

    @job
    def forked() -> None:
        both_pids(first_pid())

    store = s3.store(f"s3://{BUCKET}/multiprocess")
    store.store("warm-up", "step", "result", 0)  # the file system is in use before the fork
    config = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
    run_id = str(uuid.uuid4())
    assert execute_job(forked, config, run_id=run_id, emit=lambda _event: None, io_store=store) == RunOutcome.SUCCESS
    first, second = store.load(run_id, "both_pids", "result")
    assert store.load(run_id, "first_pid", "result") == first
    assert len({first, second, os.getpid()}) == 3
