"""Rendered manifests as a user reads them: look objects up by kind and name, read a container's flags.

Also the facts that tie deploy/ together (where the repository is, which workspace entries point
at which Service), shared by the manifest, compose, image and conformance tests.
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Any, Iterator

import yaml

from .kustomize_render import Manifest, object_key, render

__all__ = [
    "REPO_ROOT",
    "DEPLOY",
    "BASE",
    "EXTERNAL_POSTGRES",
    "CLUSTER_DOMAIN",
    "RenderedManifests",
    "WorkspaceEntry",
    "flag_value",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
BASE = DEPLOY / "k8s" / "base"
EXTERNAL_POSTGRES = DEPLOY / "k8s" / "overlays" / "external-postgres"
AUTH_OVERLAY = DEPLOY / "k8s" / "overlays" / "auth"
CLUSTER_DOMAIN = "svc.cluster.local"


def flag_value(args: list[str], flag: str) -> str:
    """The value after ``flag`` in an argument list (``--port 4000`` -> "4000")."""
    return args[args.index(flag) + 1]


@dataclasses.dataclass(frozen=True)
class WorkspaceEntry:
    """One ``grpc_server`` entry of the webserver's workspace file."""

    location_name: str
    host: str
    port: int


@dataclasses.dataclass(frozen=True)
class RenderedManifests:
    """The objects of one rendered kustomization."""

    objects: tuple[Manifest, ...]

    @classmethod
    def of(cls, folder: Path) -> "RenderedManifests":
        """Render a kustomization folder."""
        return cls(tuple(render(folder)))

    def keys(self) -> set[tuple[str, str]]:
        """Every (kind, name) present."""
        return {object_key(manifest) for manifest in self.objects}

    def of_kind(self, kind: str) -> list[Manifest]:
        """Every object of one kind, in rendering order."""
        return [manifest for manifest in self.objects if manifest["kind"] == kind]

    def get(self, kind: str, name: str) -> Manifest:
        """The one object of this kind and name (KeyError when absent)."""
        for manifest in self.objects:
            if object_key(manifest) == (kind, name):
                return manifest
        raise KeyError((kind, name))

    def workloads(self) -> list[Manifest]:
        """Deployments and StatefulSets."""
        return [m for m in self.objects if m["kind"] in ("Deployment", "StatefulSet")]

    def containers(self) -> Iterator[tuple[Manifest, dict[str, Any]]]:
        """(workload, container) for every container of every workload."""
        for workload in self.workloads():
            for container in workload["spec"]["template"]["spec"]["containers"]:
                yield workload, container

    def code_locations(self) -> list[Manifest]:
        """The Deployments that run a code server."""
        return [d for d in self.of_kind("Deployment") if self.main_container(d).get("command", [])[1:2] == ["code-server"]]

    def webserver(self) -> Manifest:
        """The Deployment that runs the webserver."""
        (webserver,) = [d for d in self.of_kind("Deployment") if self.main_container(d).get("command") == ["berth", "webserver"]]
        return webserver

    @staticmethod
    def main_container(workload: Manifest) -> dict[str, Any]:
        """A workload's first (berth's pods have exactly one) container."""
        return workload["spec"]["template"]["spec"]["containers"][0]

    def service_for(self, workload: Manifest) -> Manifest:
        """The Service whose selector picks this workload's pods."""
        labels = workload["spec"]["template"]["metadata"]["labels"]
        for service in self.of_kind("Service"):
            selector = service["spec"].get("selector", {})
            if selector and all(labels.get(key) == value for key, value in selector.items()):
                return service
        raise KeyError(f"no Service selects {workload['metadata']['name']}")

    def config_map_data(self, name_prefix: str) -> dict[str, str]:
        """The data of the ConfigMap generated from ``name_prefix`` (its name carries a hash suffix)."""
        (config_map,) = [c for c in self.of_kind("ConfigMap") if c["metadata"]["name"].startswith(f"{name_prefix}-")]
        return config_map["data"]

    def workspace(self) -> list[WorkspaceEntry]:
        """The grpc_server entries of the webserver's workspace file, as mounted."""
        document = yaml.safe_load(self.config_map_data("berth-workspace")["workspace.yaml"])
        return [
            WorkspaceEntry(entry["grpc_server"]["location_name"], entry["grpc_server"]["host"], int(entry["grpc_server"]["port"]))
            for entry in document["load_from"]
        ]

    def secret_value(self, name: str, key: str) -> str:
        """A Secret's value, from stringData or (base64) data."""
        secret = self.get("Secret", name)
        if key in secret.get("stringData", {}):
            return secret["stringData"][key]
        return base64.b64decode(secret["data"][key]).decode()
