"""deploy/compose.yaml runs the same system as the Kubernetes manifests, on one host.

The compose file is read with PyYAML (merge keys resolved as compose resolves them) and compared
with the rendered manifests: same images, same commands and arguments, same environment, same
workspace file, and a restart policy that does what the Deployment does. Its berth services run
as real containers in test_containers_compose.py; these checks hold on any machine.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from .rendered import DEPLOY, RenderedManifests, flag_value

COMPOSE_SERVICE_FOR_DEPLOYMENT = {"berth-webserver": "webserver", "hello": "hello", "analytics": "analytics"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """deploy/compose.yaml, parsed (YAML merge keys resolved, as compose resolves them)."""
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _seconds(duration: str) -> float:
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1}[unit] for n, unit in re.findall(r"([0-9.]+)(h|m|s)", duration))


def test_compose_runs_every_deployment_and_postgres(compose: dict[str, Any], base: RenderedManifests) -> None:
    deployments = {d["metadata"]["name"] for d in base.of_kind("Deployment")}
    assert set(COMPOSE_SERVICE_FOR_DEPLOYMENT) == deployments
    assert set(compose["services"]) == {*COMPOSE_SERVICE_FOR_DEPLOYMENT.values(), "postgres"}
    for service in compose["services"].values():
        assert service["restart"] == "always"


def test_compose_commands_equal_the_manifests(compose: dict[str, Any], base: RenderedManifests) -> None:
    for deployment_name, service_name in COMPOSE_SERVICE_FOR_DEPLOYMENT.items():
        container = base.main_container(base.get("Deployment", deployment_name))
        service = compose["services"][service_name]
        assert service["entrypoint"] == container["command"], service_name
        assert service["command"] == container["args"], service_name
        assert service["image"] == container["image"], service_name
        declared = {variable["name"] for variable in container["env"]}
        assert set(service["environment"]) == declared, service_name


def test_compose_serves_the_manifests_workspace_under_cluster_dns_names(
    compose: dict[str, Any], base: RenderedManifests
) -> None:
    webserver = compose["services"]["webserver"]
    workspace_path = flag_value(webserver["command"], "-w")
    (mount,) = [volume for volume in webserver["volumes"] if volume.split(":")[1] == workspace_path]
    assert (DEPLOY / mount.split(":")[0]).read_text() == base.config_map_data("berth-workspace")["workspace.yaml"]
    for entry in base.workspace():
        service = compose["services"][entry.location_name]
        assert entry.host in service["networks"]["default"]["aliases"]
        assert int(flag_value(service["command"], "--port")) == entry.port
    storage_url = webserver["environment"]["BERTH_STORAGE_URL"]
    storage_host = re.search(r"@([^:/]+)", storage_url).group(1)
    assert storage_host in compose["services"]["postgres"]["networks"]["default"]["aliases"]


def test_compose_stops_code_servers_as_gently_as_kubernetes(compose: dict[str, Any], base: RenderedManifests) -> None:
    for deployment in base.code_locations():
        service = compose["services"][COMPOSE_SERVICE_FOR_DEPLOYMENT[deployment["metadata"]["name"]]]
        grace = float(flag_value(service["command"], "--shutdown-grace"))
        assert service["stop_signal"] == "SIGTERM"
        assert _seconds(service["stop_grace_period"]) > grace
        assert _seconds(service["stop_grace_period"]) == deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]


def test_compose_containers_are_locked_down_like_the_pods(compose: dict[str, Any]) -> None:
    for name in COMPOSE_SERVICE_FOR_DEPLOYMENT.values():
        service = compose["services"][name]
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        assert not service["user"].startswith("0")
        assert {"/tmp", "/var/lib/berth"} <= set(service["tmpfs"])
