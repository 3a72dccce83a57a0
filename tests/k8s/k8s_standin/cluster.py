"""The stand-in's objects (Jobs, Pods, Secrets) and the controllers that move them.

One lock guards every object; container processes report their exit from their own threads.
The Job "controller" makes one pod per Job (``backoffLimit`` is never retried here: berth sets 0)
and sets the Job's status and conditions from its pod, and the TTL "controller" deletes a
finished Job ``ttlSecondsAfterFinished`` later.
"""

from __future__ import annotations

import copy
import datetime
import secrets
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, Optional

from .containers import ContainerConfigError, ContainerProcess, container_environment
from .labels import matches

__all__ = ["ApiError", "Cluster"]

Obj = dict[str, Any]


class ApiError(Exception):
    """An API error answered as a Kubernetes ``Status`` object."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _not_found(kind: str, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{kind} "{name}" not found')


class Cluster:
    """Every object of the stand-in, by (namespace, name)."""

    def __init__(self, log_dir: Optional[Path] = None) -> None:
        self.lock = threading.RLock()
        self.jobs: dict[tuple[str, str], Obj] = {}
        self.pods: dict[tuple[str, str], Obj] = {}
        self.secrets: dict[tuple[str, str], Obj] = {}
        self.containers: dict[tuple[str, str], ContainerProcess] = {}
        self.unpullable_images: set[str] = set()
        self.created_jobs: list[Obj] = []  # every Job as it was posted, for the tests to inspect
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="k8s-standin-"))

    # -- secrets ---------------------------------------------------------------------------------

    def create_secret(self, namespace: str, body: Obj) -> Obj:
        name = body.get("metadata", {}).get("name")
        if not name:
            raise ApiError(422, "Invalid", "Secret metadata.name is required")
        secret = {"apiVersion": "v1", "kind": "Secret", "type": body.get("type", "Opaque"),
                  "metadata": {"name": name, "namespace": namespace, "uid": str(uuid.uuid4())},
                  "data": dict(body.get("data") or {})}
        with self.lock:
            if (namespace, name) in self.secrets:
                raise ApiError(409, "AlreadyExists", f'secrets "{name}" already exists')
            self.secrets[(namespace, name)] = secret
        return secret

    def get_secret(self, namespace: str, name: str) -> Obj:
        with self.lock:
            secret = self.secrets.get((namespace, name))
        if secret is None:
            raise _not_found("secrets", name)
        return secret

    # -- jobs ------------------------------------------------------------------------------------

    def create_job(self, namespace: str, body: Obj) -> Obj:
        """Store the (already validated) Job and start its pod."""
        metadata = body.setdefault("metadata", {})
        if metadata.get("namespace", namespace) != namespace:
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the "
                                              "namespace sent on the request")
        name = metadata.get("name")
        if not name:
            raise ApiError(422, "Invalid", "Job.batch is invalid: metadata.name: Required value")
        job = copy.deepcopy(body)
        uid = str(uuid.uuid4())
        job["metadata"].update(namespace=namespace, uid=uid, creationTimestamp=_now(), resourceVersion="1")
        job["status"] = {"active": 1, "startTime": _now()}
        with self.lock:
            if (namespace, name) in self.jobs:
                raise ApiError(409, "AlreadyExists", f'jobs.batch "{name}" already exists')
            self.jobs[(namespace, name)] = job
            self.created_jobs.append(copy.deepcopy(body))
            self._start_pod(job)
        return job

    def get_job(self, namespace: str, name: str) -> Obj:
        with self.lock:
            job = self.jobs.get((namespace, name))
            if job is None:
                raise _not_found("jobs.batch", name)
            return copy.deepcopy(job)

    def list_jobs(self, namespace: str, selector: str) -> list[Obj]:
        with self.lock:
            return [copy.deepcopy(job) for (ns, _), job in self.jobs.items()
                    if ns == namespace and matches(selector, job["metadata"].get("labels") or {})]

    def delete_job(self, namespace: str, name: str, propagation: str) -> Obj:
        """Delete a Job: Foreground deletes its pods first, Background after, Orphan never."""
        with self.lock:
            job = self.jobs.get((namespace, name))
            if job is None:
                raise _not_found("jobs.batch", name)
            pods = self._pods_of(job)
            if propagation == "Foreground" and pods:
                job["metadata"]["deletionTimestamp"] = _now()
                job["metadata"]["finalizers"] = ["foregroundDeletion"]
            else:
                del self.jobs[(namespace, name)]
            if propagation != "Orphan":
                for pod in pods:
                    self._delete_pod(pod, grace=None)
            return copy.deepcopy(job)

    def _pods_of(self, job: Obj) -> list[Obj]:
        uid = job["metadata"]["uid"]
        return [pod for pod in self.pods.values() if pod["metadata"]["labels"].get("controller-uid") == uid]

    # -- pods ------------------------------------------------------------------------------------

    def _start_pod(self, job: Obj) -> None:
        namespace, job_name = job["metadata"]["namespace"], job["metadata"]["name"]
        template = copy.deepcopy(job["spec"]["template"])
        name = f"{job_name[:57]}-{secrets.token_hex(3)[:5]}"
        labels = {**(template.get("metadata", {}).get("labels") or {}), "job-name": job_name,
                  "batch.kubernetes.io/job-name": job_name, "controller-uid": job["metadata"]["uid"]}
        pod: Obj = {"apiVersion": "v1", "kind": "Pod",
                    "metadata": {**(template.get("metadata") or {}), "name": name, "namespace": namespace,
                                 "labels": labels, "uid": str(uuid.uuid4()), "creationTimestamp": _now(),
                                 "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": job_name,
                                                      "uid": job["metadata"]["uid"], "controller": True}]},
                    "spec": template["spec"], "status": {"phase": "Pending"}}
        self.pods[(namespace, name)] = pod
        container = template["spec"]["containers"][0]
        waiting = self._cannot_start(namespace, container)
        if waiting is not None:
            pod["status"]["containerStatuses"] = [{"name": container["name"], "image": container["image"],
                                                   "ready": False, "restartCount": 0, "state": {"waiting": waiting}}]
            if waiting["reason"] == "ErrImagePull":  # kubelet backs off after the first failed pull
                timer = threading.Timer(1.0, self._back_off, args=(pod,))
                timer.daemon = True
                timer.start()
            return
        environment = container_environment(container, lambda secret: self._secret_data(namespace, secret))
        process = ContainerProcess(container, environment, self.log_dir / f"{namespace}.{name}.log",
                                   lambda ended: self._container_exited(pod, ended))
        self.containers[(namespace, name)] = process
        pod["status"].update(phase="Running", startTime=_now(), podIP="127.0.0.1")
        pod["status"]["containerStatuses"] = [{"name": container["name"], "image": container["image"],
                                               "ready": True, "restartCount": 0, "started": True,
                                               "state": {"running": {"startedAt": _now()}}}]

    def _cannot_start(self, namespace: str, container: Obj) -> Optional[Obj]:
        if container["image"] in self.unpullable_images:
            return {"reason": "ErrImagePull", "message": f'failed to pull and unpack image "{container["image"]}": '
                                                         "failed to resolve reference: not found"}
        try:
            container_environment(container, lambda secret: self._secret_data(namespace, secret))
        except ContainerConfigError as exc:
            return {"reason": "CreateContainerConfigError", "message": str(exc)}
        return None

    def _back_off(self, pod: Obj) -> None:
        with self.lock:
            for status in pod["status"].get("containerStatuses") or []:
                waiting = status["state"].get("waiting")
                if waiting and waiting["reason"] == "ErrImagePull":
                    waiting["reason"] = "ImagePullBackOff"
                    waiting["message"] = f'Back-off pulling image "{status["image"]}"'

    def _secret_data(self, namespace: str, name: str) -> Optional[dict[str, str]]:
        secret = self.secrets.get((namespace, name))
        return dict(secret["data"]) if secret is not None else None

    def _container_exited(self, pod: Obj, process: ContainerProcess) -> None:
        with self.lock:
            code = process.exit_code
            reason = process.killed_for or ("Completed" if code == 0 else "Error")
            status = pod["status"]
            container_status = status["containerStatuses"][0]
            container_status.update(ready=False, started=False)
            container_status["state"] = {"terminated": {"exitCode": 137 if process.killed_for else code,
                                                        "reason": "OOMKilled" if process.killed_for == "OOMKilled"
                                                        else ("Error" if process.killed_for else reason),
                                                        "startedAt": status.get("startTime"), "finishedAt": _now()}}
            failed = code != 0 or process.killed_for is not None
            status["phase"] = "Failed" if failed else "Succeeded"
            if process.killed_for == "Evicted":
                status.update(reason="Evicted", message="The node was low on resource: memory. Threshold quantity: "
                                                        "100Mi, available: 48Mi.")
            self._job_saw_pod_end(pod, failed)
            if pod["metadata"].get("deletionTimestamp"):
                self._remove_pod(pod)

    def _job_saw_pod_end(self, pod: Obj, failed: bool) -> None:
        owner = pod["metadata"]["ownerReferences"][0]
        job = self.jobs.get((pod["metadata"]["namespace"], owner["name"]))
        if job is None or job["metadata"]["uid"] != owner["uid"]:
            return
        status = job["status"]
        status.pop("active", None)
        if failed:
            status["failed"] = status.get("failed", 0) + 1
            condition = {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                         "message": "Job has reached the specified backoff limit", "lastTransitionTime": _now()}
        else:
            status["succeeded"] = status.get("succeeded", 0) + 1
            condition = {"type": "Complete", "status": "True", "lastTransitionTime": _now()}
            status["completionTime"] = _now()
        status["conditions"] = [condition]
        ttl = job["spec"].get("ttlSecondsAfterFinished")
        if ttl is not None:
            timer = threading.Timer(ttl, self._expire, args=(job,))
            timer.daemon = True
            timer.start()

    def _expire(self, job: Obj) -> None:
        with self.lock:
            key = (job["metadata"]["namespace"], job["metadata"]["name"])
            if self.jobs.get(key) is job:
                self.delete_job(*key, propagation="Background")

    def list_pods(self, namespace: str, selector: str) -> list[Obj]:
        with self.lock:
            return [copy.deepcopy(pod) for (ns, _), pod in self.pods.items()
                    if ns == namespace and matches(selector, pod["metadata"].get("labels") or {})]

    def get_pod(self, namespace: str, name: str) -> Obj:
        with self.lock:
            pod = self.pods.get((namespace, name))
            if pod is None:
                raise _not_found("pods", name)
            return copy.deepcopy(pod)

    def pod_log(self, namespace: str, name: str) -> bytes:
        self.get_pod(namespace, name)
        path = self.log_dir / f"{namespace}.{name}.log"
        return path.read_bytes() if path.exists() else b""

    def delete_pod(self, namespace: str, name: str, grace: Optional[int]) -> Obj:
        with self.lock:
            pod = self.pods.get((namespace, name))
            if pod is None:
                raise _not_found("pods", name)
            self._delete_pod(pod, grace)
            return copy.deepcopy(pod)

    def _delete_pod(self, pod: Obj, grace: Optional[int]) -> None:
        """kubelet: SIGTERM, SIGKILL after the grace; the pod object goes once its container has ended."""
        if grace is None:
            grace = int(pod["spec"].get("terminationGracePeriodSeconds", 30))
        pod["metadata"]["deletionTimestamp"] = _now()
        pod["metadata"]["deletionGracePeriodSeconds"] = grace
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        process = self.containers.get(key)
        if process is not None and process.running:
            process.terminate(grace)
        else:
            self._remove_pod(pod)

    def _remove_pod(self, pod: Obj) -> None:
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        self.pods.pop(key, None)
        self.containers.pop(key, None)
        # A Job being deleted in the foreground goes once its last pod has.
        for job_key, job in list(self.jobs.items()):
            if job["metadata"].get("deletionTimestamp") and not self._pods_of(job):
                del self.jobs[job_key]

    # -- faults ----------------------------------------------------------------------------------

    def inject_fault(self, namespace: str, name: str, fault: str) -> Obj:
        """What a node does to a pod: ``OOMKilled`` (the kernel kills it) or ``Evicted``."""
        if fault not in ("OOMKilled", "Evicted"):
            raise ApiError(422, "Invalid", f"unknown fault {fault!r}: OOMKilled or Evicted")
        with self.lock:
            process = self.containers.get((namespace, name))
            if process is None or not process.running:
                raise ApiError(409, "Conflict", f"pod {name} has no running container")
            process.kill(reason=fault)
            return copy.deepcopy(self.pods[(namespace, name)])

    def running_processes(self) -> list[int]:
        """Pids of the containers still running."""
        with self.lock:
            return [process.pid for process in self.containers.values() if process.running]
