"""The k8s_job run launcher through the real webserver, against a stand-in Kubernetes API.

No Kubernetes cluster can run here: the webserver talks to ``k8s_standin`` (a real HTTP server
process) that validates every Job against the Kubernetes schema and really runs each Job's
container command (``berth run-worker …``) as a local process with the Job's environment; the
worker gets its storage URL from a Secret through ``envFrom``, as in a cluster. Storage is
PostgreSQL, shared by the webserver and the workers.

The webserver's own periodic run monitor, started with a short interval and grace
(``--run-monitor-interval``, ``--run-monitor-grace``), ends the runs whose pod failed: it asks
the launcher (``check_workers``: Job and Pod status) and records the pod's reason. The tests do
nothing but wait for that.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from standin_process import NAMESPACE, STORAGE_SECRET, StandinKubernetes, processes_mentioning
from webserver_process import WebserverProcess, wait_until, write_workspace

from berth.events import EventType
from berth.runs import RunStatus
from berth.storage import RunStorage

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

JOBS = Path(__file__).resolve().parent / "k8s_jobs.py"
IMAGE = "registry.example/berth-k8s-jobs:1.0"
GRACE = 5
# The run monitor's pace in these tests: a failed pod's run ends a few seconds after the failure.
MONITOR_INTERVAL, MONITOR_GRACE = 0.5, 1.0

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename ... on LaunchRunSuccess { run { runId status } } ... on PythonError { message }
  }
}
"""
TERMINATE = """
mutation Terminate($runId: String!) {
  terminateRun(runId: $runId) { __typename ... on TerminateRunSuccess { run { status } }
                                 ... on TerminateRunFailure { message } }
}
"""


@pytest.fixture(scope="module")
def storage(pg_url: str) -> Iterator[RunStorage]:
    opened = RunStorage.from_url(pg_url)
    try:
        yield opened
    finally:
        opened.dispose()


@pytest.fixture(scope="module")
def webserver(pg_url: str, standin: StandinKubernetes, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[WebserverProcess]:
    folder = tmp_path_factory.mktemp("workspace")
    workspace = write_workspace(folder, [f"python_file: {{relative_path: {JOBS}, location_name: k8s-jobs}}"])
    process = WebserverProcess(
        ["webserver", "-w", str(workspace), "--storage", pg_url, "--run-launcher", "k8s_job",
         "--k8s-api-host", standin.url, "--k8s-namespace", NAMESPACE, "--k8s-env-secret", STORAGE_SECRET,
         "--k8s-label", "team=data", "--k8s-terminate-grace", str(GRACE), "--k8s-job-ttl", "600",
         "--run-monitor-interval", str(MONITOR_INTERVAL), "--run-monitor-grace", str(MONITOR_GRACE)],
        env={"BERTH_CONTAINER_IMAGE": IMAGE})
    try:
        wait_until(lambda: _location_loaded(process), timeout=60)
        yield process
    finally:
        process.stop()


def _location_loaded(webserver: WebserverProcess) -> bool:
    data = webserver.graphql("{ workspaceOrError { ... on Workspace { locationEntries { name "
                             "locationOrLoadError { __typename } } } } }")
    entries = data["workspaceOrError"]["locationEntries"]
    return any(e["name"] == "k8s-jobs" and e["locationOrLoadError"]
               and e["locationOrLoadError"]["__typename"] == "RepositoryLocation" for e in entries)


def _launch(webserver: WebserverProcess, job: str, run_config: Any = None, tags: Any = None) -> str:
    params: dict[str, Any] = {"selector": {"repositoryLocationName": "k8s-jobs", "repositoryName": "__repository__",
                                           "jobName": job},
                              "runConfigData": run_config or {}}
    if tags:
        params["executionMetadata"] = {"tags": [{"key": k, "value": v} for k, v in tags.items()]}
    result = webserver.graphql(LAUNCH, {"params": params})["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return str(result["run"]["runId"])


def _waits_config(tmp_path: Path) -> tuple[dict[str, Any], Path, Path]:
    pid_file, release = tmp_path / "pid.json", tmp_path / "release"
    config = {"ops": {"wait_for_release": {"config": {"pid_file": str(pid_file), "release_file": str(release)}}}}
    return config, pid_file, release


def _status(storage: RunStorage, run_id: str) -> RunStatus:
    run = storage.get_run(run_id)
    assert run is not None
    return run.status


def _finished(storage: RunStorage, run_id: str) -> Any:
    run = storage.get_run(run_id)
    return run if run is not None and run.is_finished else None


def _job_of(standin: StandinKubernetes, run_id: str) -> list[dict[str, Any]]:
    return standin.jobs(NAMESPACE, f"berth/run-id={run_id}")


def _running_pod(standin: StandinKubernetes, run_id: str) -> dict[str, Any]:
    def running() -> Any:
        pods = standin.pods(NAMESPACE, f"berth/run-id={run_id}")
        return pods[0] if pods and pods[0]["status"].get("phase") == "Running" else None

    return wait_until(running, timeout=30)


def _ended_by_the_monitor(storage: RunStorage, run_id: str) -> str:
    """Wait for the webserver's run monitor to end the run; the engine event it wrote."""
    run = wait_until(lambda: _finished(storage, run_id), timeout=60)
    assert run.status == RunStatus.FAILURE
    (event,) = [record.event for record in storage.get_events(run_id)
                if record.event.event_type == EventType.ENGINE_EVENT
                and str(record.event.metadata.get("ended_by", "")).startswith("run monitor")]
    return str(event.message)


def test_a_run_launched_as_a_kubernetes_job_succeeds(webserver: WebserverProcess, standin: StandinKubernetes,
                                                      storage: RunStorage) -> None:
    run_id = _launch(webserver, "hello", tags={"berth/k8s_config": json.dumps(
        {"container_config": {"resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m"}}},
         "pod_template_spec_metadata": {"annotations": {"example.com/owner": "data"}}})})
    run = wait_until(lambda: _finished(storage, run_id), timeout=60)
    assert run.status == RunStatus.SUCCESS
    events = storage.get_events(run_id)
    types = [event.event.event_type for event in events]
    assert EventType.RUN_START in types and types.count(EventType.STEP_SUCCESS) == 2
    assert any("hello from a Kubernetes Job" in event.event.message for event in events)
    assert any("Kubernetes Job berth-run-" in event.event.message for event in events)

    # The Job as the launcher wrote it (the stand-in accepted it: it is valid against the schema).
    (posted,) = [job for job in standin.created_jobs() if job["metadata"]["labels"]["berth/run-id"] == run_id]
    labels = posted["metadata"]["labels"]
    assert labels == {"berth/run-id": run_id, "berth/job": "hello", "berth/location": "k8s-jobs",
                      "app.kubernetes.io/managed-by": "berth", "team": "data"}
    spec = posted["spec"]
    assert spec["backoffLimit"] == 0 and spec["ttlSecondsAfterFinished"] == 600
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == IMAGE
    assert container["command"][:4] == ["berth", "run-worker", "--run-id", run_id]
    assert container["envFrom"] == [{"secretRef": {"name": STORAGE_SECRET}}]
    assert container["resources"] == {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m"}}
    assert spec["template"]["metadata"]["annotations"] == {"example.com/owner": "data"}
    assert pod["restartPolicy"] == "Never" and pod["terminationGracePeriodSeconds"] == GRACE
    # The storage URL travelled in the Secret only, never in the Job.
    assert "postgresql" not in json.dumps(posted)
    wait_until(lambda: not processes_mentioning(run_id), timeout=30)  # the worker exits once recorded
    wait_until(lambda: [c["type"] for c in _job_of(standin, run_id)[0]["status"].get("conditions", [])]
               == ["Complete"], timeout=30)


def test_an_invalid_k8s_config_tag_fails_the_launch_with_the_reason(webserver: WebserverProcess,
                                                                   storage: RunStorage) -> None:
    params = {"selector": {"repositoryLocationName": "k8s-jobs", "repositoryName": "__repository__",
                           "jobName": "hello"},
              "executionMetadata": {"tags": [{"key": "berth/k8s_config",
                                              "value": json.dumps({"container_config": {"resources": "lots"}})}]}}
    result = webserver.graphql(LAUNCH, {"params": params})["launchRun"]
    # Kubernetes (here the stand-in's schema validation) refuses the Job: 422, named in the answer.
    assert result["__typename"] == "PythonError"
    assert "Kubernetes did not create the run's Job" in result["message"]
    assert "resources" in result["message"]


def test_a_terminated_job_run_ends_canceled_and_its_job_and_process_are_gone(
        webserver: WebserverProcess, standin: StandinKubernetes, storage: RunStorage, tmp_path: Path) -> None:
    config, pid_file, _release = _waits_config(tmp_path)
    run_id = _launch(webserver, "waits", config)
    wait_until(pid_file.exists, timeout=60)
    worker_pid = json.loads(pid_file.read_text())["worker"]
    assert processes_mentioning(run_id) == [worker_pid]

    result = webserver.graphql(TERMINATE, {"runId": run_id})["terminateRun"]
    assert result["__typename"] == "TerminateRunSuccess", result
    run = wait_until(lambda: _finished(storage, run_id), timeout=60)
    assert run.status == RunStatus.CANCELED
    messages = [event.event.message for event in storage.get_events(run_id)]
    assert any("SIGTERM" in message for message in messages)
    wait_until(lambda: not processes_mentioning(run_id), timeout=30)
    wait_until(lambda: not _job_of(standin, run_id), timeout=GRACE + 30)  # deleted after the grace


@pytest.mark.parametrize("fault,reason", [("OOMKilled", "OOMKilled"), ("Evicted", "evicted")])
def test_a_pod_killed_by_the_node_fails_the_run_with_the_pod_reason(
        webserver: WebserverProcess, standin: StandinKubernetes, storage: RunStorage,
        tmp_path: Path, fault: str, reason: str) -> None:
    config, pid_file, _release = _waits_config(tmp_path)
    run_id = _launch(webserver, "waits", config)
    wait_until(pid_file.exists, timeout=60)
    pod = _running_pod(standin, run_id)
    standin.inject(NAMESPACE, pod["metadata"]["name"], fault)
    wait_until(lambda: not processes_mentioning(run_id), timeout=30)
    # Killed: the worker recorded nothing; the monitor alone ends the run, naming the pod's fate.
    said = _ended_by_the_monitor(storage, run_id)
    assert reason in said and pod["metadata"]["name"] in said
    kinds = [event.event.event_type for event in storage.get_events(run_id)]
    assert kinds.count(EventType.RUN_FAILURE) == 1 and EventType.RUN_SUCCESS not in kinds


def test_an_image_that_cannot_be_pulled_fails_the_run_and_its_job_is_deleted(
        webserver: WebserverProcess, standin: StandinKubernetes, storage: RunStorage) -> None:
    standin.set_unpullable_images([IMAGE])
    try:
        run_id = _launch(webserver, "hello")
        # STARTING for good: the monitor ends it after its grace (not the 180 s start timeout),
        # because the launcher saw the pod itself fail to start, and it names why.
        said = _ended_by_the_monitor(storage, run_id)
    finally:
        standin.set_unpullable_images([])
    assert "ErrImagePull" in said or "ImagePullBackOff" in said
    assert _status(storage, run_id) == RunStatus.FAILURE
    wait_until(lambda: not _job_of(standin, run_id), timeout=30)


def test_restarting_the_location_does_not_disturb_its_running_jobs(
        webserver: WebserverProcess, standin: StandinKubernetes, storage: RunStorage, tmp_path: Path) -> None:
    config, pid_file, release = _waits_config(tmp_path)
    run_id = _launch(webserver, "waits", config)
    wait_until(pid_file.exists, timeout=60)
    worker_pid = json.loads(pid_file.read_text())["worker"]
    before = webserver.graphql(_SERVER_ID)
    data = webserver.graphql('mutation { shutdownRepositoryLocation(repositoryLocationName: "k8s-jobs") '
                             "{ __typename } }")
    assert data["shutdownRepositoryLocation"]["__typename"] == "ShutdownRepositoryLocationSuccess"
    # The supervisor starts a new code server (a new server id); the worker runs on meanwhile.
    wait_until(lambda: webserver.graphql(_SERVER_ID) != before and _location_loaded(webserver), timeout=90)
    assert processes_mentioning(run_id) == [worker_pid]
    assert _status(storage, run_id) == RunStatus.STARTED
    release.touch()
    run = wait_until(lambda: _finished(storage, run_id), timeout=60)
    assert run.status == RunStatus.SUCCESS


_SERVER_ID = "{ workspaceOrError { ... on Workspace { locationEntries { name updatedTimestamp } } } }"
