"""The Job a run becomes, its settings, and what Job and Pod status say about its worker.

Every manifest is checked against the Kubernetes schema with kubernetes-validate (strict: an
unknown field is an error), as the API server would check it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import kubernetes_validate
import pytest

from berth.runs import RunRecord, RunStatus
from berth_webserver.launchers.k8s_job_config import K8sJobLauncherConfig, K8sLauncherConfigError
from berth_webserver.launchers.k8s_job_spec import K8sConfigTagError, job_manifest, job_name_for, label_value
from berth_webserver.launchers.k8s_worker_health import worker_check
from berth_webserver.worker_check import WorkerHealth

VERSION = kubernetes_validate.latest_version()
RUN_ID = "0b6f0c9e-5f7e-4a55-9d3e-3b7f4f2f1a10"
CONFIG = K8sJobLauncherConfig(namespace="runs", service_account_name="berth-run-worker",
                              env_secrets=("berth-storage",), labels={"team": "data"},
                              job_ttl_seconds_after_finished=300, terminate_grace_seconds=7.5)


def _run(tags: dict[str, str] | None = None, job: str = "hello", location: str = "k8s-jobs") -> RunRecord:
    return RunRecord(RUN_ID, job, status=RunStatus.STARTING, location_name=location, tags=tags or {})


def _manifest(run: RunRecord) -> dict[str, Any]:
    return job_manifest(run, image="registry.example/loc:1", worker_args=["-m", "pkg.defs", "-d", "/app"],
                        config=CONFIG)


def test_the_job_of_a_run_is_valid_and_carries_the_settings() -> None:
    manifest = _manifest(_run())
    kubernetes_validate.validate(manifest, VERSION, strict=True)
    assert manifest["metadata"]["name"] == f"berth-run-{RUN_ID}" and manifest["metadata"]["namespace"] == "runs"
    spec = manifest["spec"]
    assert spec["backoffLimit"] == 0 and spec["ttlSecondsAfterFinished"] == 300
    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "berth-run-worker" and pod["restartPolicy"] == "Never"
    assert pod["terminationGracePeriodSeconds"] == 8  # whole seconds, never shorter than asked
    (container,) = pod["containers"]
    assert container["command"] == ["berth", "run-worker", "--run-id", RUN_ID, "-m", "pkg.defs", "-d", "/app"]
    assert container["envFrom"] == [{"secretRef": {"name": "berth-storage"}}]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert spec["template"]["metadata"]["labels"]["berth/run-id"] == RUN_ID


def test_dagster_shaped_k8s_config_tag_merges_and_cannot_take_the_run_over() -> None:
    tag = {"container_config": {"resources": {"limits": {"memory": "1Gi"}},
                                "env": [{"name": "EXTRA", "value": "1"}], "command": ["sh"]},
           "pod_spec_config": {"node_selector": {"disk_type": "ssd"}, "restart_policy": "Always"},
           "pod_template_spec_metadata": {"labels": {"berth/run-id": "someone-else", "tier": "batch"}},
           "job_spec_config": {"active_deadline_seconds": 600, "backoff_limit": 5},
           "job_metadata": {"annotations": {"a.example.com/b_c": "x"}}}
    manifest = _manifest(_run({"berth/k8s_config": json.dumps(tag)}))
    kubernetes_validate.validate(manifest, VERSION, strict=True)
    pod = manifest["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"] == {"limits": {"memory": "1Gi"}}
    assert [e["name"] for e in container["env"]] == ["BERTH_RUN_ID", "EXTRA"]  # lists append
    assert container["command"][:2] == ["berth", "run-worker"]  # berth's own
    assert pod["nodeSelector"] == {"disk_type": "ssd"}  # free-form keys kept as written
    assert pod["restartPolicy"] == "Never" and manifest["spec"]["backoffLimit"] == 0
    assert manifest["spec"]["activeDeadlineSeconds"] == 600
    labels = manifest["spec"]["template"]["metadata"]["labels"]
    assert labels["berth/run-id"] == RUN_ID and labels["tier"] == "batch"
    assert manifest["metadata"]["annotations"]["a.example.com/b_c"] == "x"

    # dagster-k8s's own tag name works too.
    same = _manifest(_run({"dagster-k8s/config": json.dumps(tag)}))
    assert same == manifest


@pytest.mark.parametrize("value,message", [
    ("{not json", "not JSON"), ("[1]", "JSON object"), ("[" * 100_000, "not JSON|too deeply"),
    ('{"container_config": ' + '{"a": ' * 5000 + "1" + "}" * 5001, "too deeply"), ('{"container": {}}', "unknown keys container"),
    ('{"container_config": 3}', "container_config must be an object")])
def test_a_malformed_k8s_config_tag_is_named(value: str, message: str) -> None:
    with pytest.raises(K8sConfigTagError, match=message):
        _manifest(_run({"berth/k8s_config": value}))


def test_labels_are_label_safe_whatever_the_names() -> None:
    manifest = _manifest(_run(job="a job with spaces & ünïcode " + "x" * 80, location="-weird/location-"))
    kubernetes_validate.validate(manifest, VERSION, strict=True)
    labels = manifest["metadata"]["labels"]
    assert labels["berth/location"] == "weird-location"
    assert len(labels["berth/job"]) <= 63 and labels["berth/job"][0].isalnum() and labels["berth/job"][-1].isalnum()
    assert label_value("---") == "" and len(job_name_for("x" * 100)) <= 63
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", job_name_for("Run_ID.With-Odd_Chars--"))


@pytest.mark.parametrize("config,key", [
    ({"namespace": "Not_Valid"}, "namespace"), ({"image_pull_policy": "Sometimes"}, "image_pull_policy"),
    ({"env_secrets": "one"}, "env_secrets"), ({"env_secrets": ["UPPER"]}, "env_secrets"),
    ({"labels": {"bad key!": "v"}}, "labels"), ({"labels": {"k": "bad value!"}}, "labels.k"),
    ({"job_ttl_seconds_after_finished": -1}, "job_ttl_seconds_after_finished"),
    ({"job_ttl_seconds_after_finished": True}, "job_ttl_seconds_after_finished"),
    ({"terminate_grace_seconds": "10"}, "terminate_grace_seconds"), ({"api_host": "ftp://x"}, "api_host"),
    ({"namespaces": "x"}, "namespaces"), ({"namespace": 3}, "namespace")])
def test_launcher_settings_are_validated_naming_the_key(config: dict[str, Any], key: str) -> None:
    with pytest.raises(K8sLauncherConfigError, match=f"^{key}:"):
        K8sJobLauncherConfig.from_mapping(config)


def test_instance_file_settings_build_the_config() -> None:
    config = K8sJobLauncherConfig.from_mapping({
        "namespace": "runs", "service_account_name": "berth-run-worker", "image_pull_policy": "Always",
        "env_secrets": ["berth-storage"], "labels": {"team": "data"}, "job_ttl_seconds_after_finished": 60,
        "terminate_grace_seconds": 3})
    assert config.env_secrets == ("berth-storage",) and config.terminate_grace_seconds == 3


def _pod(phase: str, state: dict[str, Any], **status: Any) -> dict[str, Any]:
    return {"metadata": {"name": "berth-run-x-abcde", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "status": {"phase": phase, "containerStatuses": [{"name": "c", "state": state}], **status}}


@pytest.mark.parametrize("pods,health,said", [
    ([_pod("Running", {"running": {}})], WorkerHealth.ALIVE, ""),
    ([_pod("Pending", {"waiting": {"reason": "ContainerCreating"}})], WorkerHealth.ALIVE, ""),
    ([_pod("Failed", {"terminated": {"reason": "OOMKilled", "exitCode": 137}})], WorkerHealth.GONE, "OOMKilled"),
    ([_pod("Failed", {"terminated": {"reason": "Error", "exitCode": 137}}, reason="Evicted",
           message="The node was low on resource: memory.")], WorkerHealth.GONE, "evicted: The node was low"),
    ([_pod("Pending", {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling"}})],
     WorkerHealth.GONE, "ImagePullBackOff: Back-off pulling"),
    ([_pod("Pending", {"waiting": {"reason": "ErrImagePull"}})], WorkerHealth.GONE, "ErrImagePull"),
    ([_pod("Failed", {"terminated": {"reason": "Error", "exitCode": 70}})], WorkerHealth.GONE, "exit code 70"),
    ([_pod("Succeeded", {"terminated": {"reason": "Completed", "exitCode": 0}})], WorkerHealth.GONE,
     "without recording"),
])
def test_pod_status_says_whether_the_worker_is_there(pods: list[Any], health: WorkerHealth, said: str) -> None:
    check = worker_check("berth-run-x", {"status": {}}, pods)
    assert check.health is health and said in check.reason


def test_job_status_without_pods() -> None:
    assert worker_check("j", None, []).health is WorkerHealth.GONE
    failed = {"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "DeadlineExceeded"}]}}
    assert "DeadlineExceeded" in worker_check("j", failed, []).reason
    assert worker_check("j", {"status": {"active": 1}}, []).health is WorkerHealth.ALIVE
