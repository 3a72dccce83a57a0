"""The stand-in Kubernetes API itself (no cluster can run here): it refuses what the real API refuses."""

from __future__ import annotations

import pytest
from standin_process import NAMESPACE, StandinKubernetes
from webserver_process import wait_until

pytestmark = pytest.mark.postgres  # the stand-in fixture gives its Jobs a storage Secret


def _job(name: str, labels: dict[str, str] | None = None, **container: object) -> dict[str, object]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"backoffLimit": 0, "template": {"metadata": {"labels": labels or {}}, "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "c", "image": "i", "command": ["true"], **container}]}}}}


def test_an_invalid_job_is_refused_with_422_and_not_run(standin: StandinKubernetes) -> None:
    path = f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs"
    response = standin.http.post(path, json=_job("bad", resources="lots"))
    assert response.status_code == 422
    status = response.json()
    assert status["kind"] == "Status" and status["reason"] == "Invalid" and "resources" in status["message"]
    unknown = standin.http.post(path, json=_job("bad2", notAField=1))
    assert unknown.status_code == 422 and "notAField" in unknown.json()["message"]
    assert not standin.jobs(NAMESPACE, "")
    assert standin.http.post(path, json={"kind": "Pod"}).status_code == 400


def test_a_job_runs_its_command_with_its_environment_and_secrets(standin: StandinKubernetes) -> None:
    path = f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs"
    job = _job("env-check", {"check": "env"}, command=["sh", "-c", 'test "$FROM_ENV" = a && test -n "$BERTH_STORAGE_URL"'],
               env=[{"name": "FROM_ENV", "value": "a"}], envFrom=[{"secretRef": {"name": "berth-run-storage"}}])
    assert standin.http.post(path, json=job).status_code == 201
    assert standin.http.post(path, json=job).status_code == 409

    def complete() -> bool:
        (found,) = standin.jobs(NAMESPACE, "check=env")
        return any(c["type"] == "Complete" for c in found["status"].get("conditions", []))

    wait_until(complete, timeout=30)
    missing = _job("no-secret", {"check": "missing"}, envFrom=[{"secretRef": {"name": "absent"}}])
    assert standin.http.post(path, json=missing).status_code == 201
    (pod,) = standin.pods(NAMESPACE, "check=missing")
    assert pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CreateContainerConfigError"
    assert standin.http.delete(f"{path}/no-secret", params={"propagationPolicy": "Foreground"}).status_code == 200
    wait_until(lambda: not standin.jobs(NAMESPACE, "check=missing"), timeout=10)
