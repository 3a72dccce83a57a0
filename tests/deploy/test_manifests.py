"""The Kubernetes manifests, checked as a cluster operator would read them.

No Kubernetes cluster can run here. What stands in for one: the OpenAPI schemas that the
``kubernetes-validate`` package carries (the API server's own validation), and a Python rendering
of the kustomizations (tests/deploy/kustomize_render.py, checked against ``kubectl kustomize``
where that is installed). What the cluster would do with these objects at run time is the
conformance test's part (test_conformance.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from .kustomize_render import kustomization_files, render
from .rendered import AUTH_OVERLAY, BASE, CLUSTER_DOMAIN, DEPLOY, EXTERNAL_POSTGRES, RenderedManifests, flag_value

# The oldest Kubernetes with GA gRPC probes that is still common, and the newest schema on hand.
KUBERNETES_VERSIONS = ["1.28", kubernetes_validate.latest_version()]
KUSTOMIZATION_FOLDERS = [BASE, EXTERNAL_POSTGRES, AUTH_OVERLAY]
NAMESPACE = "berth"


def _quantity(value: str | int) -> float:
    """A Kubernetes quantity ("250m", "1", "256Mi", "1Gi") as a plain number."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9}
    number, unit = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value)).groups()
    return float(number) * units.get(unit, 1)


def test_every_yaml_file_under_deploy_parses() -> None:
    files = sorted(DEPLOY.rglob("*.yaml"))
    assert files
    for path in files:
        assert all(document is None or isinstance(document, dict) for document in yaml.safe_load_all(path.read_text())), path


@pytest.mark.parametrize("folder", KUSTOMIZATION_FOLDERS, ids=lambda folder: folder.name)
def test_kustomization_lists_every_file_in_its_folder(folder: Path) -> None:
    on_disk = {path.name for path in folder.iterdir() if path.is_file()}
    assert kustomization_files(folder) == on_disk


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("folder", KUSTOMIZATION_FOLDERS, ids=lambda folder: folder.name)
def test_rendered_objects_validate_against_the_kubernetes_schema(folder: Path, version: str) -> None:
    objects = render(folder)
    assert objects
    for manifest in objects:
        kubernetes_validate.validate(manifest, version, strict=True)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_each_base_resource_file_validates_on_its_own(version: str) -> None:
    """A user may `kubectl apply -f` one file; each must be valid without kustomize."""
    spec = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    for entry in spec["resources"]:
        for manifest in yaml.safe_load_all((BASE / entry).read_text()):
            kubernetes_validate.validate(manifest, version, strict=True)


def test_everything_lives_in_the_berth_namespace(base: RenderedManifests) -> None:
    assert ("Namespace", NAMESPACE) in base.keys()
    for manifest in base.objects:
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == NAMESPACE, manifest["metadata"]["name"]
        assert manifest["metadata"]["labels"]["app.kubernetes.io/part-of"] == "berth"


def test_base_holds_webserver_two_locations_and_postgres(base: RenderedManifests) -> None:
    assert {d["metadata"]["name"] for d in base.code_locations()} == {"hello", "analytics"}
    assert base.webserver()["metadata"]["name"] == "berth-webserver"
    postgres = base.get("StatefulSet", "postgres")
    service = base.get("Service", postgres["spec"]["serviceName"])
    assert service["spec"]["clusterIP"] == "None"
    assert postgres["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    mounts = base.main_container(postgres)["volumeMounts"]
    assert {"name": "data", "mountPath": "/var/lib/postgresql/data"} in mounts


def test_code_locations_run_the_code_server_of_their_example(base: RenderedManifests) -> None:
    expected = {"hello": "/opt/berth/examples/hello/definitions.py", "analytics": "/opt/berth/examples/analytics/repository.py"}
    for deployment in base.code_locations():
        container = base.main_container(deployment)
        name = deployment["metadata"]["name"]
        assert container["command"] == ["berth", "code-server", "start"]
        assert flag_value(container["args"], "-f") == expected[name]
        assert flag_value(container["args"], "--location-name") == name
        assert flag_value(container["args"], "--host") == "0.0.0.0"
        assert container["image"] == "berth-code-location:0.1.0"


def test_workspace_lists_every_location_by_its_service_dns_name(base: RenderedManifests) -> None:
    by_name = {entry.location_name: entry for entry in base.workspace()}
    assert set(by_name) == {d["metadata"]["name"] for d in base.code_locations()}
    for deployment in base.code_locations():
        service = base.service_for(deployment)
        container = base.main_container(deployment)
        entry = by_name[flag_value(container["args"], "--location-name")]
        assert entry.host == f"{service['metadata']['name']}.{NAMESPACE}.{CLUSTER_DOMAIN}"
        (service_port,) = [port for port in service["spec"]["ports"] if port["port"] == entry.port]
        (container_port,) = [p for p in container["ports"] if p["name"] == service_port["targetPort"]]
        assert container_port["containerPort"] == int(flag_value(container["args"], "--port"))


def test_webserver_mounts_the_workspace_its_command_reads(base: RenderedManifests) -> None:
    pod = base.webserver()["spec"]["template"]["spec"]
    container = base.main_container(base.webserver())
    workspace_path = Path(flag_value(container["args"], "-w"))
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == str(workspace_path.parent)]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    config_map = base.get("ConfigMap", volume["configMap"]["name"])
    assert workspace_path.name in config_map["data"]
    service = base.service_for(base.webserver())
    assert service["spec"]["ports"][0]["port"] == int(flag_value(container["args"], "--port"))


def test_code_servers_have_native_grpc_probes_on_their_port(base: RenderedManifests) -> None:
    for deployment in base.code_locations():
        container = base.main_container(deployment)
        port = int(flag_value(container["args"], "--port"))
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"] == {"port": port, "service": ""}, (deployment["metadata"]["name"], probe)


def test_webserver_probes_liveness_and_readiness_apart(base: RenderedManifests) -> None:
    """A database outage takes the webserver out of its Service (readiness) but never restarts it."""
    container = base.main_container(base.webserver())
    port = int(flag_value(container["args"], "--port"))
    paths = {probe: "/health/live" for probe in ("startupProbe", "livenessProbe")} | {"readinessProbe": "/health/ready"}
    for probe, path in paths.items():
        assert container[probe]["httpGet"] == {"path": path, "port": port}


def test_liveness_outlasts_a_drain(base: RenderedManifests) -> None:
    """A draining code server may report NOT_SERVING; liveness must not kill it before the drain ends."""
    for deployment in base.code_locations():
        container = base.main_container(deployment)
        grace = float(flag_value(container["args"], "--shutdown-grace"))
        liveness = container["livenessProbe"]
        assert liveness["periodSeconds"] * liveness["failureThreshold"] > grace


def test_deployments_roll_out_without_losing_a_pod(base: RenderedManifests) -> None:
    for deployment in base.of_kind("Deployment"):
        strategy = deployment["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0
        assert strategy["rollingUpdate"]["maxSurge"] >= 1
        # Always is the Deployment default; nothing may override it.
        assert deployment["spec"]["template"]["spec"].get("restartPolicy", "Always") == "Always"


def test_termination_grace_outlasts_the_code_server_drain(base: RenderedManifests) -> None:
    for deployment in base.code_locations():
        container = base.main_container(deployment)
        grace = float(flag_value(container["args"], "--shutdown-grace"))
        assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > grace


def test_every_container_has_requests_within_limits(base: RenderedManifests) -> None:
    for workload, container in base.containers():
        resources = container["resources"]
        for resource in ("cpu", "memory"):
            assert _quantity(resources["requests"][resource]) <= _quantity(resources["limits"][resource]), (
                workload["metadata"]["name"],
                resource,
            )


def test_every_container_runs_locked_down(base: RenderedManifests) -> None:
    for workload, container in base.containers():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]


def test_read_only_containers_get_writable_scratch_space(base: RenderedManifests) -> None:
    for workload, container in base.containers():
        pod = workload["spec"]["template"]["spec"]
        volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]]
        env = {variable["name"]: variable for variable in container.get("env", [])}
        if "BERTH_HOME" in env:
            assert "emptyDir" in volumes[mounts[env["BERTH_HOME"]["value"]]]


def test_berth_containers_read_storage_from_the_secret(base: RenderedManifests) -> None:
    for deployment in [base.webserver(), *base.code_locations()]:
        env = {variable["name"]: variable for variable in base.main_container(deployment)["env"]}
        assert env["BERTH_STORAGE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "berth-storage", "key": "BERTH_STORAGE_URL"}
    url = base.secret_value("berth-storage", "BERTH_STORAGE_URL")
    assert url.startswith("postgresql://")
    assert f"@postgres.{NAMESPACE}.{CLUSTER_DOMAIN}:5432/" in url


def test_berth_containers_read_the_output_store_from_its_secret(base: RenderedManifests) -> None:
    from berth.output_store import open_output_store

    for deployment in [base.webserver(), *base.code_locations()]:
        container = base.main_container(deployment)
        assert {"secretRef": {"name": "berth-output-store"}} in container["envFrom"]
        assert "BERTH_OUTPUT_STORE" not in {variable["name"] for variable in container["env"]}  # no shadowing
    url = base.secret_value("berth-output-store", "BERTH_OUTPUT_STORE")
    assert open_output_store(url).url  # a URL berth accepts (checks the form; reaches nothing)


def test_berth_home_on_an_empty_dir_has_a_size_limit(base: RenderedManifests) -> None:
    """Run logs and a local output store live there: a runaway run must not fill the node's disk."""
    seen = 0
    for workload, container in base.containers():
        env = {variable["name"]: variable for variable in container.get("env", [])}
        if "BERTH_HOME" not in env:
            continue
        volumes = {volume["name"]: volume for volume in workload["spec"]["template"]["spec"]["volumes"]}
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        limit = volumes[mounts[env["BERTH_HOME"]["value"]]]["emptyDir"]["sizeLimit"]
        assert _quantity("256Mi") <= _quantity(limit) <= _quantity("20Gi"), limit
        seen += 1
    assert seen == 1 + len(base.code_locations())


def test_external_postgres_overlay_drops_postgres_and_repoints_storage(
    base: RenderedManifests, external_postgres: RenderedManifests
) -> None:
    dropped = {("StatefulSet", "postgres"), ("Service", "postgres"), ("Secret", "postgres-credentials")}
    assert base.keys() - external_postgres.keys() == dropped
    assert external_postgres.keys() <= base.keys()
    url = external_postgres.secret_value("berth-storage", "BERTH_STORAGE_URL")
    assert url.startswith("postgresql://") and CLUSTER_DOMAIN not in url
    assert external_postgres.webserver() == base.webserver()
    assert external_postgres.code_locations() == base.code_locations()


def test_adding_a_location_is_one_copied_file_and_two_lines(tmp_path: Path, base: RenderedManifests) -> None:
    """Follows deploy/README.md's recipe for a new location "sales" on a copy of the base."""
    folder = tmp_path / "base"
    shutil.copytree(BASE, folder)
    template = (folder / "location-hello.yaml").read_text()
    (folder / "location-sales.yaml").write_text(
        template.replace("hello", "sales").replace("/opt/berth/examples/sales/definitions.py", "/opt/sales/definitions.py")
    )
    kustomization = (folder / "kustomization.yaml").read_text()
    (folder / "kustomization.yaml").write_text(
        kustomization.replace("  - location-analytics.yaml\n", "  - location-analytics.yaml\n  - location-sales.yaml\n")
    )
    with (folder / "workspace.yaml").open("a") as workspace:
        workspace.write("  - grpc_server: {host: sales.berth.svc.cluster.local, port: 4000, location_name: sales}\n")

    grown = RenderedManifests.of(folder)
    for manifest in grown.objects:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSIONS[-1], strict=True)
    assert {d["metadata"]["name"] for d in grown.code_locations()} == {"hello", "analytics", "sales"}
    sales = grown.get("Deployment", "sales")
    assert flag_value(base.main_container(sales)["args"], "-f") == "/opt/sales/definitions.py"
    assert grown.service_for(sales)["metadata"]["name"] == "sales"
    assert "sales" in {entry.location_name for entry in grown.workspace()}
    # The workspace ConfigMap's name changes with its content, so the webserver rolls out with the new list.
    assert grown.webserver() != base.webserver()
    assert grown.get("Deployment", "hello") == base.get("Deployment", "hello")


def test_webservers_read_the_instance_file_from_its_config_map(base: RenderedManifests) -> None:
    from berth_webserver.instance import parse_instance_config

    deployment = base.webserver()
    pod, container = deployment["spec"]["template"]["spec"], base.main_container(deployment)
    instance_path = Path(flag_value(container["args"], "--instance"))
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == str(instance_path.parent)]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    config_map = base.get("ConfigMap", volume["configMap"]["name"])
    instance = parse_instance_config(yaml.safe_load(config_map["data"][instance_path.name]))
    assert instance.run_queue is not None
    # Two replicas share PostgreSQL: one dequeues at a time (docs/instance.md).
    assert deployment["spec"]["replicas"] == 2
