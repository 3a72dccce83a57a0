"""Turns rendered manifests into local container specs, taking them at their word.

For each Deployment's container: its declared command and args, its declared env (Secret
references resolved from the rendered Secrets), its image's ENV and WORKDIR-free file system
mapped onto the repository checkout (via the image's Dockerfile COPY lines), its volumes as local
folders (emptyDir: empty; configMap: the ConfigMap's files), and every Service DNS name mapped to
a free 127.0.0.1 port. Only ``--port`` and the workspace's ``host``/``port`` are rewritten, as the
cluster's DNS and networking would resolve them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml
from process_tools import free_port

from .dockerfile import ImageRecipe
from .kustomize_render import Manifest
from .local_pods import ContainerSpec
from .rendered import CLUSTER_DOMAIN, DEPLOY, REPO_ROOT, RenderedManifests

__all__ = ["ServiceAddresses", "local_container_specs", "free_port"]

_DOCKERFILE_FOR_IMAGE = {
    "berth-code-location": DEPLOY / "docker" / "code-location.Dockerfile",
    "berth-webserver": DEPLOY / "docker" / "webserver.Dockerfile",
}
# The image's virtualenv is this checkout's virtualenv.
_IMAGE_VENV_BIN = "/opt/venv/bin"


class ServiceAddresses:
    """Cluster DNS names and Service ports mapped to local ports: the test's cluster networking."""

    def __init__(self, manifests: RenderedManifests, skip: set[str]) -> None:
        self._local: dict[tuple[str, int], int] = {}
        self._namespace: dict[str, str] = {}
        for service in manifests.of_kind("Service"):
            name = service["metadata"]["name"]
            if name in skip:
                continue
            self._namespace[name] = service["metadata"]["namespace"]
            for port in service["spec"]["ports"]:
                self._local[(name, port["port"])] = free_port()

    def resolve(self, host: str, port: int) -> tuple[str, int]:
        """``hello.berth.svc.cluster.local:4000`` -> ``127.0.0.1:<local port>``."""
        service, _, rest = host.partition(".")
        if rest != f"{self._namespace[service]}.{CLUSTER_DOMAIN}":
            raise KeyError(f"{host} is not a Service DNS name of this namespace")
        return "127.0.0.1", self._local[(service, port)]

    def local_ports_for(self, manifests: RenderedManifests, workload: Manifest) -> dict[int, int]:
        """Container port -> local port, through the Service that selects the workload."""
        service = manifests.service_for(workload)
        container = manifests.main_container(workload)
        by_name = {port["name"]: port["containerPort"] for port in container["ports"]}
        mapping = {}
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            mapping[by_name.get(target, target)] = self._local[(service["metadata"]["name"], port["port"])]
        return mapping


def local_container_specs(
    manifests: RenderedManifests,
    addresses: ServiceAddresses,
    secret_overrides: Mapping[tuple[str, str], str],
    root: Path,
) -> list[ContainerSpec]:
    """A ContainerSpec for every Deployment's container, with its folders created under ``root``."""
    return [_spec(manifests, addresses, secret_overrides, deployment, root) for deployment in manifests.of_kind("Deployment")]


def _spec(
    manifests: RenderedManifests,
    addresses: ServiceAddresses,
    secret_overrides: Mapping[tuple[str, str], str],
    deployment: Manifest,
    root: Path,
) -> ContainerSpec:
    name = deployment["metadata"]["name"]
    container = manifests.main_container(deployment)
    recipe = ImageRecipe.read(_DOCKERFILE_FOR_IMAGE[container["image"].split(":")[0]], REPO_ROOT)
    pod_root = root / name
    mounts = _mount_volumes(manifests, addresses, deployment, pod_root)
    local_ports = addresses.local_ports_for(manifests, deployment)

    def local_path(value: str) -> str:
        for mount_path, folder in mounts.items():
            if value == mount_path or value.startswith(mount_path + "/"):
                return str(folder) + value[len(mount_path) :]
        if value.startswith("/opt/"):
            return str(recipe.repository_path(value))
        return value

    args = [local_path(arg) for arg in container.get("args", [])]
    if "--port" in args:
        index = args.index("--port") + 1
        args[index] = str(local_ports[int(args[index])])
    env = _environment(manifests, recipe, container, secret_overrides, local_path, pod_root)
    command = [shutil.which(container["command"][0], path=env["PATH"]) or container["command"][0], *container["command"][1:]]
    probes = {kind: container[kind] for kind in ("startupProbe", "readinessProbe", "livenessProbe") if kind in container}
    cwd = pod_root / "workdir"
    cwd.mkdir(parents=True, exist_ok=True)
    return ContainerSpec(name, tuple(command + args), env, cwd, probes, local_ports)


def _environment(
    manifests: RenderedManifests,
    recipe: ImageRecipe,
    container: dict[str, Any],
    secret_overrides: Mapping[tuple[str, str], str],
    local_path: Callable[[str], str],
    pod_root: Path,
) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {"HOME": str(pod_root), "LANG": "C.UTF-8"}
    for key, value in recipe.environment().items():
        env[key] = value.replace(_IMAGE_VENV_BIN, venv_bin).replace("$PATH", os.defpath)
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = local_path(variable["value"])
            continue
        ref = variable["valueFrom"]["secretKeyRef"]
        key = (ref["name"], ref["key"])
        env[variable["name"]] = secret_overrides[key] if key in secret_overrides else manifests.secret_value(*key)
    return env


def _mount_volumes(
    manifests: RenderedManifests, addresses: ServiceAddresses, deployment: Manifest, pod_root: Path
) -> dict[str, Path]:
    volumes = {volume["name"]: volume for volume in deployment["spec"]["template"]["spec"].get("volumes", [])}
    mounts = {}
    for mount in manifests.main_container(deployment).get("volumeMounts", []):
        volume = volumes[mount["name"]]
        folder = pod_root / "volumes" / mount["name"]
        folder.mkdir(parents=True, exist_ok=True)
        if "configMap" in volume:
            for key, text in manifests.get("ConfigMap", volume["configMap"]["name"])["data"].items():
                (folder / key).write_text(_resolve_workspace_addresses(text, addresses))
        elif "emptyDir" not in volume:
            raise ValueError(f"volume kind not supported here: {sorted(volume)}")
        mounts[mount["mountPath"]] = folder
    return mounts


def _resolve_workspace_addresses(text: str, addresses: ServiceAddresses) -> str:
    """A workspace file with each grpc_server's Service DNS name and port mapped to 127.0.0.1."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or "load_from" not in document:
        return text
    for entry in document["load_from"]:
        server = entry.get("grpc_server")
        if server:
            server["host"], server["port"] = addresses.resolve(server["host"], int(server["port"]))
    return yaml.safe_dump(document)
