"""The kustomize overlay k8s-run-launcher: RBAC for the webserver, and the k8s_job launcher switched on.

Rendered with the Python kustomize (tests/deploy/kustomize_render.py; kubectl may be absent) and
validated against the Kubernetes schema. The webserver's environment is read by the real
``berth webserver`` argument parser, so the settings it names are the ones the launcher gets; a
Job built with them for a base code location is valid and refers to objects the overlay has.
"""

from __future__ import annotations

import argparse
import os
from typing import Any, Iterator

import kubernetes_validate
import pytest

from berth.runs import RunRecord, RunStatus
from berth_webserver.launchers.k8s_job_config import K8sJobLauncherConfig, add_k8s_flags
from berth_webserver.launchers.k8s_job_spec import job_manifest

from .kustomize_render import kustomization_files
from .rendered import DEPLOY, RenderedManifests

OVERLAY = DEPLOY / "k8s" / "overlays" / "k8s-run-launcher"
VERSIONS = ["1.28", kubernetes_validate.latest_version()]


@pytest.fixture(scope="module")
def base() -> RenderedManifests:
    return RenderedManifests.of(DEPLOY / "k8s" / "base")


@pytest.fixture(scope="module")
def overlay() -> RenderedManifests:
    return RenderedManifests.of(OVERLAY)


def test_the_overlay_lists_every_file_and_validates(overlay: RenderedManifests) -> None:
    assert kustomization_files(OVERLAY) == {path.name for path in OVERLAY.iterdir() if path.is_file()}
    for version in VERSIONS:
        for manifest in overlay.objects:
            kubernetes_validate.validate(manifest, version, strict=True)


def test_the_overlay_adds_rbac_and_changes_only_the_webserver(base: RenderedManifests,
                                                             overlay: RenderedManifests) -> None:
    added = overlay.keys() - base.keys()
    assert added == {("ServiceAccount", "berth-webserver"), ("ServiceAccount", "berth-run-worker"),
                     ("Role", "berth-run-launcher"), ("RoleBinding", "berth-run-launcher")}
    assert all(manifest["metadata"].get("namespace") == "berth" for manifest in overlay.objects
               if manifest["kind"] != "Namespace")
    unchanged = [o for o in base.objects if o is not base.webserver()]
    assert [o for o in overlay.objects if _object_in(o, unchanged)] == unchanged


def _object_in(manifest: Any, objects: list[Any]) -> bool:
    return any(manifest == other for other in objects)


def test_the_role_allows_jobs_pods_and_logs_in_the_namespace_only(overlay: RenderedManifests) -> None:
    assert not overlay.of_kind("ClusterRole") and not overlay.of_kind("ClusterRoleBinding")
    role = overlay.get("Role", "berth-run-launcher")
    allowed = {(group, resource, verb) for rule in role["rules"] for group in rule["apiGroups"]
               for resource in rule["resources"] for verb in rule["verbs"]}
    needed = {("batch", "jobs", "create"), ("batch", "jobs", "get"), ("batch", "jobs", "list"),
              ("batch", "jobs", "delete"), ("", "pods", "list"), ("", "pods", "delete"), ("", "pods/log", "get")}
    assert needed <= allowed
    assert {resource for _, resource, _ in allowed} == {"jobs", "pods", "pods/log"}
    assert not {verb for _, _, verb in allowed} & {"*", "update", "patch", "escalate", "bind", "impersonate"}
    binding = overlay.get("RoleBinding", "berth-run-launcher")
    webserver_pod = overlay.webserver()["spec"]["template"]["spec"]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "berth-run-launcher"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": webserver_pod["serviceAccountName"],
                                    "namespace": "berth"}]
    assert webserver_pod["automountServiceAccountToken"] is True  # the in-cluster config reads the token
    worker_account = overlay.get("ServiceAccount", "berth-run-worker")
    assert worker_account["automountServiceAccountToken"] is False


@pytest.fixture
def launcher_config(overlay: RenderedManifests) -> Iterator[K8sJobLauncherConfig]:
    """The launcher settings the webserver's environment gives ``berth webserver``'s own parser."""
    webserver = overlay.webserver()
    saved = dict(os.environ)
    try:
        for variable in overlay.main_container(webserver)["env"]:
            if "value" in variable:
                os.environ[variable["name"]] = variable["value"]
            elif variable.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.namespace":
                os.environ[variable["name"]] = webserver["metadata"]["namespace"]
        parser = argparse.ArgumentParser()
        add_k8s_flags(parser)
        args = parser.parse_args([])
        assert args.run_launcher == "k8s_job"
        yield K8sJobLauncherConfig.from_flags(args)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_launcher_settings_name_objects_the_overlay_has(overlay: RenderedManifests,
                                                            launcher_config: K8sJobLauncherConfig) -> None:
    assert launcher_config.namespace == "berth"
    overlay.get("ServiceAccount", launcher_config.service_account_name)
    assert overlay.secret_value("berth-storage", "BERTH_STORAGE_URL").startswith("postgresql://")
    for secret in launcher_config.env_secrets:
        overlay.get("Secret", secret)
    # A run's Job gets what a code server's workers get from Secrets: the storage URL, and the
    # output store (so that its outputs land where re-execution and deleteRun look for them).
    for location in overlay.code_locations():
        container = overlay.main_container(location)
        secrets = {source["secretRef"]["name"] for source in container.get("envFrom", []) if "secretRef" in source}
        secrets |= {variable["valueFrom"]["secretKeyRef"]["name"] for variable in container["env"]
                    if "secretKeyRef" in variable.get("valueFrom", {})}
        assert secrets - {"berth-code-server-token"} <= set(launcher_config.env_secrets)


def test_a_run_job_for_a_base_location_is_valid(overlay: RenderedManifests,
                                                launcher_config: K8sJobLauncherConfig) -> None:
    location = overlay.code_locations()[0]
    container = overlay.main_container(location)
    run = RunRecord("7d1f7a5e-0c1b-4d9e-9a57-0c4e2f3b8a61", "say_hello", status=RunStatus.STARTING,
                    location_name=location["metadata"]["name"])
    manifest = job_manifest(run, image=container["image"], worker_args=container["args"][:2],
                            config=launcher_config)
    for version in VERSIONS:
        kubernetes_validate.validate(manifest, version, strict=True)
    assert manifest["metadata"]["namespace"] == "berth"
    assert manifest["spec"]["template"]["spec"]["serviceAccountName"] == "berth-run-worker"
