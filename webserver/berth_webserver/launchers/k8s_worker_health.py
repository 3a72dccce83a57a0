"""What a run's Job and pods say about its worker, as a ``WorkerCheck`` for the run monitor.

Reads the plain JSON of the Kubernetes API (``status`` of a batch/v1 Job and of its v1 Pods). A
worker is GONE, with a reason a user can read in the run's log, when its pod was evicted, was
OOMKilled, cannot pull its image (or cannot create its container), failed, or exited; or when
its Job is gone or failed. A pending or running pod is ALIVE.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ..worker_check import WorkerCheck, WorkerHealth

__all__ = ["CANNOT_START_REASONS", "worker_check"]

# Waiting reasons after which the container will not start by itself.
CANNOT_START_REASONS = frozenset({"ErrImagePull", "ImagePullBackOff", "InvalidImageName",
                                  "CreateContainerConfigError", "CreateContainerError", "ErrImageNeverPull"})

_ALIVE = WorkerCheck(WorkerHealth.ALIVE)


def worker_check(job_name: str, job: Optional[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]]) -> WorkerCheck:
    """The health of the worker of a run whose Job is ``job`` (None: not found) with ``pods``."""
    if job is None:
        return WorkerCheck(WorkerHealth.GONE, f"its Kubernetes Job {job_name} no longer exists (deleted, or "
                                              "removed after it finished)")
    for pod in sorted(pods, key=_created, reverse=True):
        gone = _pod_gone(pod)
        if gone is not None:
            return WorkerCheck(WorkerHealth.GONE, gone)
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") == "Failed":
            why = condition.get("reason") or "Failed"
            detail = f": {condition['message']}" if condition.get("message") else ""
            return WorkerCheck(WorkerHealth.GONE, f"its Kubernetes Job {job_name} failed ({why}{detail})")
        if condition.get("type") == "Complete":
            return WorkerCheck(WorkerHealth.GONE, f"its Kubernetes Job {job_name} completed, but the worker "
                                                  "did not record the run's end")
    return _ALIVE


def _created(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("creationTimestamp") or "")


def _pod_gone(pod: Mapping[str, Any]) -> Optional[str]:
    """Why the pod's worker is gone, or None while it may still run."""
    name = (pod.get("metadata") or {}).get("name", "?")
    status = pod.get("status") or {}
    if status.get("reason") == "Evicted":
        return f"its pod {name} was evicted: {status.get('message') or 'the node was short of resources'}"
    for container in status.get("containerStatuses") or []:
        state = container.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated and terminated.get("reason") == "OOMKilled":
            return (f"its pod {name} was OOMKilled: the container ran out of memory (exit code "
                    f"{terminated.get('exitCode', 137)})")
        if waiting and waiting.get("reason") in CANNOT_START_REASONS:
            detail = f": {waiting['message']}" if waiting.get("message") else ""
            return f"its pod {name} cannot start its container: {waiting['reason']}{detail}"
        if terminated and status.get("phase") in ("Failed", "Succeeded"):
            return (f"its pod {name} ended ({terminated.get('reason') or status.get('phase')}, exit code "
                    f"{terminated.get('exitCode')}) without recording the run's end")
    if status.get("phase") == "Failed":
        why = status.get("reason") or "Failed"
        detail = f": {status['message']}" if status.get("message") else ""
        return f"its pod {name} failed ({why}{detail})"
    return None
