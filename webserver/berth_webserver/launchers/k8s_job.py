"""``K8sJobLauncher``: each run is a Kubernetes Job in its location's image, running ``berth run-worker``.

**Launch.** The location's code server reports its container image and code target
(``ServerInfo.image``, ``ServerInfo.code_target``); the launcher creates a batch/v1 Job
(``k8s_job_spec.job_manifest``) whose one container runs ``berth run-worker --run-id …`` with that
target. The worker reads its storage URL from the environment (``env_secrets``: Secrets mounted
with ``envFrom``), loads the run and executes it. Nothing ties the Job to the code server
afterwards: restarting or reloading the location leaves running Jobs alone.

**Terminate.** The launcher records CANCELING (as a code server does for its forked workers),
then deletes the run's pods with ``gracePeriodSeconds`` = the terminate grace: kubelet sends the
worker SIGTERM, which it handles like a forked worker (the running op is interrupted, the run ends
CANCELED), and SIGKILLs the container when the grace is over. After the grace the Job itself is
deleted with foreground propagation. Deleting the pod is how Kubernetes delivers SIGTERM to a
container; having the worker poll storage for CANCELING instead would add a database query per
second per run and would not reach an op that is blocked. ``force`` deletes at once (grace 0).

**Check.** ``check_workers`` lists the berth Jobs and pods of the namespace (two calls, whatever
the number of runs) and reads each run's worker health from them (``k8s_worker_health``): an
evicted, OOMKilled or failed pod, an image that cannot be pulled, or a missing Job is GONE with
that reason, which the run monitor records. A Job whose pod can never start (its image cannot be
pulled) is deleted once it is reported, so that the cluster stops retrying it; its check says
``cannot_start`` (the run monitor ends even a STARTING run for it) and keeps its reason.

The Kubernetes calls go through ``k8s_api.KubernetesApi``; they block, so they run in threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import time
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence

from berth.events import EventType, RunEvent
from berth.execution.code_target import CodeTarget
from berth.runs import RunRecord

from ..launcher import LaunchError, TerminateResult
from ..worker_check import WorkerCheck, WorkerHealth
from .k8s_api import KubernetesApi, KubernetesApiError, kubernetes_api
from .k8s_job_config import K8sJobLauncherConfig
from .k8s_job_spec import (
    MANAGED_BY_LABEL,
    RUN_ID_LABEL,
    K8sConfigTagError,
    job_manifest,
    job_name_for,
    label_value,
    run_selector,
)
from .k8s_worker_health import CANNOT_START_REASONS, worker_check

if TYPE_CHECKING:
    from ..async_storage import AsyncRunStorage
    from ..workspace.entry import LocationEntry

__all__ = ["K8sJobLauncher"]

_log = logging.getLogger(__name__)
_MANAGED = f"{MANAGED_BY_LABEL}=berth"
# How long a pod that could not start is remembered after its Job was deleted (its run ends well before).
_CANNOT_START_MEMORY_SECONDS = 3600.0


class K8sJobLauncher:
    """Starts each run as a Kubernetes Job; stops it by deleting its pod, then its Job."""

    def __init__(self, config: K8sJobLauncherConfig, entry_of: Callable[[str], Optional["LocationEntry"]],
                 storage: "AsyncRunStorage", api: Optional[KubernetesApi] = None) -> None:
        """``entry_of(location_name)``: the workspace's entry of a location (its server info)."""
        self.config = config
        self._entry_of = entry_of
        self._storage = storage
        self.api = api if api is not None else kubernetes_api(config)
        self._launching: set[str] = set()
        self._deletions: set[asyncio.Task[None]] = set()
        # Runs whose pod could not start (and whose Job was deleted for it): what was seen, so that
        # later checks still give the reason rather than "its Job no longer exists".
        self._cannot_start: dict[str, tuple[WorkerCheck, float]] = {}

    @property
    def launching(self) -> frozenset[str]:
        """Ids of the runs whose Job is being created right now."""
        return frozenset(self._launching)

    @contextlib.contextmanager
    def launching_run(self, run_id: str) -> Iterator[None]:
        """Within the block the run counts as being launched (its Job may not exist yet)."""
        self._launching.add(run_id)
        try:
            yield
        finally:
            self._launching.discard(run_id)

    def _image_and_target(self, location_name: str) -> tuple[str, CodeTarget]:
        entry = self._entry_of(location_name)
        info = entry.server_info if entry is not None else None
        if info is None:
            raise LaunchError(f"Location '{location_name}' is not loaded, so its container image is unknown.")
        if not info.image:
            raise LaunchError(f"The code server of location '{location_name}' does not report its container "
                              "image: set BERTH_CONTAINER_IMAGE in its Deployment (see docs/kubernetes.md).")
        try:
            target = CodeTarget.from_proto(info.code_target)
        except ValueError:
            raise LaunchError(f"The code server of location '{location_name}' does not report its code "
                              "target (a berth older than the k8s_job launcher).") from None
        return info.image, target

    async def launch(self, run: RunRecord) -> None:
        """Create the run's Job; raises ``LaunchError`` with the reason."""
        image, target = self._image_and_target(run.location_name)
        try:
            manifest = job_manifest(run, image=image, worker_args=target.to_args(), config=self.config)
        except K8sConfigTagError as exc:
            raise LaunchError(f"The run's Kubernetes settings are invalid: {exc}.") from None
        namespace = self.config.namespace
        try:
            await asyncio.to_thread(self.api.create_job, namespace, manifest)
        except KubernetesApiError as exc:
            raise LaunchError(f"Kubernetes did not create the run's Job {manifest['metadata']['name']} in "
                              f"namespace {namespace}: {exc}") from None
        try:
            await self._storage.store_event(RunEvent(
                run.run_id, f"Launched the run as Kubernetes Job {manifest['metadata']['name']} in namespace "
                            f"{namespace} (image {image}).", EventType.ENGINE_EVENT,
                metadata={"k8s_job": manifest["metadata"]["name"], "k8s_namespace": namespace, "image": image}))
        except Exception:  # noqa: BLE001 - the Job runs: a note that could not be written must not fail the launch
            _log.warning("could not record the Job of run %s", run.run_id, exc_info=True)

    async def terminate(self, run: RunRecord, force: bool = False) -> TerminateResult:
        """Record CANCELING, SIGTERM the worker (delete its pod), delete the Job after the grace."""
        namespace, name = self.config.namespace, job_name_for(run.run_id)
        try:
            job = await asyncio.to_thread(self.api.read_job, namespace, name)
            pods = await asyncio.to_thread(self.api.list_pods, namespace, run_selector(run.run_id)) if job else []
        except KubernetesApiError as exc:
            _log.warning("could not read the Job of run %s: %s", run.run_id, exc)
            return TerminateResult.UNREACHABLE
        started = [pod for pod in pods if _container_started(pod)]
        if job is None or not started:
            # No worker runs (the Job is gone, or its pod never started): nothing would record CANCELED.
            if job is not None:
                self._delete_job_later(namespace, name, 0.0)
            return TerminateResult.NOT_RUNNING
        if not force:
            await self._storage.run(_record_canceling, run.run_id, name)
        grace = 0 if force else math.ceil(self.config.terminate_grace_seconds)
        try:
            for pod in started:
                await asyncio.to_thread(self.api.delete_pod, namespace, pod["metadata"]["name"], grace)
        except KubernetesApiError as exc:
            _log.warning("could not delete the pod of run %s: %s", run.run_id, exc)
            return TerminateResult.UNREACHABLE
        self._delete_job_later(namespace, name, grace)
        return TerminateResult.REQUESTED

    def _delete_job_later(self, namespace: str, name: str, after_seconds: float) -> None:
        async def delete() -> None:
            await asyncio.sleep(after_seconds)
            try:
                await asyncio.to_thread(self.api.delete_job, namespace, name)
            except KubernetesApiError as exc:
                _log.warning("could not delete Kubernetes Job %s: %s", name, exc)

        # Lost if the webserver stops first: the Job has failed by then, and its TTL removes it.
        task = asyncio.get_running_loop().create_task(delete())
        self._deletions.add(task)
        task.add_done_callback(self._deletions.discard)

    async def check_workers(self, runs: Sequence[RunRecord]) -> dict[str, WorkerCheck]:
        """Each run's worker health from its Job and pods (see ``k8s_worker_health``)."""
        launching = self.launching
        if not runs:
            return {}
        try:
            jobs = await asyncio.to_thread(self.api.list_jobs, self.config.namespace, _MANAGED)
            pods = await asyncio.to_thread(self.api.list_pods, self.config.namespace, _MANAGED)
        except KubernetesApiError as exc:
            unknown = WorkerCheck(WorkerHealth.UNKNOWN, f"the Kubernetes API did not answer: {exc}")
            return {run.run_id: WorkerCheck(WorkerHealth.ALIVE) if run.run_id in launching else unknown
                    for run in runs}
        jobs_by_name = {job["metadata"]["name"]: job for job in jobs}
        pods_by_run: dict[str, list[Any]] = {}
        for pod in pods:
            pods_by_run.setdefault((pod["metadata"].get("labels") or {}).get(RUN_ID_LABEL, ""), []).append(pod)
        checks: dict[str, WorkerCheck] = {}
        never_starting: list[str] = []
        for run in runs:
            if run.run_id in launching:
                checks[run.run_id] = WorkerCheck(WorkerHealth.ALIVE)
                continue
            name = job_name_for(run.run_id)
            job = jobs_by_name.get(name)
            check = worker_check(name, job, pods_by_run.get(label_value(run.run_id), []))
            if job is not None and check.health is WorkerHealth.GONE and _never_starts(pods_by_run.get(
                    label_value(run.run_id), [])):
                never_starting.append(name)
                check = dataclasses.replace(check, cannot_start=True)
                self._cannot_start[run.run_id] = (check, time.monotonic())
            elif job is None and run.run_id in self._cannot_start:
                check = self._cannot_start[run.run_id][0]  # its Job was deleted below: say why, again
            checks[run.run_id] = check
        # The monitor ends such a run within its grace; callers may ask about some runs only, so
        # what was seen is forgotten by age, not by absence.
        forget_before = time.monotonic() - _CANNOT_START_MEMORY_SECONDS
        for run_id in [run_id for run_id, (_, at) in self._cannot_start.items() if at < forget_before]:
            del self._cannot_start[run_id]
        for name in never_starting:  # the cluster would retry its image pull forever
            try:
                await asyncio.to_thread(self.api.delete_job, self.config.namespace, name)
            except KubernetesApiError as exc:
                _log.warning("could not delete Kubernetes Job %s: %s", name, exc)
        return checks


def _never_starts(pods: Sequence[Any]) -> bool:
    """Whether the run's pod waits for something that will not come (an image that cannot be pulled)."""
    return any(((container.get("state") or {}).get("waiting") or {}).get("reason") in CANNOT_START_REASONS
               for pod in pods for container in (pod.get("status") or {}).get("containerStatuses") or [])


def _container_started(pod: Any) -> bool:
    """Whether the pod's worker process runs (or ran): it must be told to stop, and will record it."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    return any("running" in (container.get("state") or {}) for container in status.get("containerStatuses") or [])


def _record_canceling(storage: Any, run_id: str, job_name: str) -> None:
    current = storage.get_run(run_id)
    if current is not None and not current.is_finished and current.status.value != "CANCELING":
        storage.store_event(RunEvent(run_id, f"Sending the run worker (Kubernetes Job {job_name}) a cancel "
                                             "request.", EventType.RUN_CANCELING))
