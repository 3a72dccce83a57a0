"""A Deployment's pod as ``podman run`` arguments: the container the manifests declare, run as a kubelet runs it.

Mapped: the command and args, the env (Secret references from a given mapping, else the rendered
Secret; ``envFrom`` Secrets likewise), the pod's and the
container's security context (user and group, read-only root file system, no privilege
escalation, dropped capabilities), ``emptyDir`` volumes (as tmpfs mounts), CPU and memory limits,
the termination grace period (as the stop timeout) and ``restartPolicy: Always``. Container ports
are published on free loopback ports, where the test runs the declared probes as the kubelet would
(``tests/deploy/local_pods.probe_passes``). A key this module does not know is an error.

What a container runtime cannot show, and stays with the process-level stand-in
(tests/deploy/test_conformance.py): the kubelet's probe schedule and Service DNS across pods.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from .kustomize_render import Manifest
from .rendered import RenderedManifests

__all__ = ["pod_run_args"]

# Probes are run by the test; name and imagePullPolicy mean nothing to a single local container.
_CONTAINER_KEYS = {"name", "image", "imagePullPolicy", "command", "args", "env", "envFrom", "ports", "resources",
                   "securityContext", "volumeMounts", "startupProbe", "readinessProbe", "livenessProbe"}
_POD_KEYS = {"containers", "volumes", "securityContext", "terminationGracePeriodSeconds", "automountServiceAccountToken"}


def pod_run_args(
    manifests: RenderedManifests,
    deployment: Manifest,
    *,
    container_name: str,
    image: str,
    host_ports: Mapping[int, int],
    secrets: Mapping[tuple[str, str], str],
    extra_volumes: Sequence[str] = (),
) -> list[str]:
    """``podman run`` arguments (after ``run``) for the Deployment's one container."""
    pod = deployment["spec"]["template"]["spec"]
    container = manifests.main_container(deployment)
    for unknown, where in ((set(pod) - _POD_KEYS, "pod spec"), (set(container) - _CONTAINER_KEYS, "container")):
        if unknown:
            raise ValueError(f"{where} keys not mapped to podman flags: {sorted(unknown)}")
    args = ["--detach", "--name", container_name, "--restart", "always"]
    args += _security_args(pod.get("securityContext", {}), container.get("securityContext", {}))
    args += _volume_args(pod.get("volumes", []), container.get("volumeMounts", []))
    args += _limit_args(container.get("resources", {}).get("limits", {}))
    if "terminationGracePeriodSeconds" in pod:
        args += ["--stop-timeout", str(pod["terminationGracePeriodSeconds"])]
    # envFrom first: a kubelet lets an ``env`` entry of the same name win.
    for source in container.get("envFrom", []):
        if set(source) != {"secretRef"}:
            raise ValueError(f"envFrom source not mapped to podman flags: {sorted(source)}")
        name = source["secretRef"]["name"]
        secret = manifests.get("Secret", name)
        for key in [*secret.get("stringData", {}), *secret.get("data", {})]:
            value = secrets.get((name, key)) or manifests.secret_value(name, key)
            args += ["--env", f"{key}={value}"]
    for variable in container.get("env", []):
        if "value" in variable:
            value = variable["value"]
        else:
            reference = variable["valueFrom"]["secretKeyRef"]
            value = secrets[(reference["name"], reference["key"])]
        args += ["--env", f"{variable['name']}={value}"]
    for port in container.get("ports", []):
        args += ["--publish", f"127.0.0.1:{host_ports[port['containerPort']]}:{port['containerPort']}"]
    for volume in extra_volumes:
        args += ["--volume", volume]
    args += ["--entrypoint", json.dumps(container["command"])]
    return [*args, image, *container.get("args", [])]


def _security_args(pod_context: Mapping[str, Any], container_context: Mapping[str, Any]) -> list[str]:
    args = []
    user = container_context.get("runAsUser", pod_context.get("runAsUser"))
    group = container_context.get("runAsGroup", pod_context.get("runAsGroup"))
    if user is not None:
        args += ["--user", f"{user}:{group}" if group is not None else str(user)]
    if pod_context.get("fsGroup") is not None:
        args += ["--group-add", str(pod_context["fsGroup"])]
    if container_context.get("readOnlyRootFilesystem"):
        # Kubernetes adds no tmpfs of its own (podman would, on /run, /tmp and /var/tmp).
        args += ["--read-only", "--read-only-tmpfs=false"]
    if container_context.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    for capability in container_context.get("capabilities", {}).get("drop", []):
        args += ["--cap-drop", capability]
    return args


def _volume_args(volumes: Sequence[Mapping[str, Any]], mounts: Sequence[Mapping[str, Any]]) -> list[str]:
    by_name = {volume["name"]: volume for volume in volumes}
    args = []
    for mount in mounts:
        volume = by_name[mount["name"]]
        if "emptyDir" not in volume:
            raise ValueError(f"volume kind not mapped to podman flags: {sorted(volume)}")
        # An emptyDir is a fresh, writable folder for the pod's life; tmpfs is the nearest thing.
        args += ["--tmpfs", mount["mountPath"]]
    return args


def _limit_args(limits: Mapping[str, str]) -> list[str]:
    args = []
    if "cpu" in limits:
        cpu = limits["cpu"]
        args += ["--cpus", str(int(cpu[:-1]) / 1000 if cpu.endswith("m") else float(cpu))]
    if "memory" in limits:
        memory = limits["memory"]
        units = {"Ki": "k", "Mi": "m", "Gi": "g"}
        args += ["--memory", memory[:-2] + units[memory[-2:]] if memory[-2:] in units else memory]
    return args
