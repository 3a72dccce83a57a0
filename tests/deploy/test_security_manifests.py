"""Who may reach what in Kubernetes: the code servers' secret, the NetworkPolicy, the auth overlay."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest
import yaml

from .rendered import AUTH_OVERLAY, DEPLOY, RenderedManifests

TOKEN_REF = {"name": "berth-code-server-token", "key": "BERTH_CODE_SERVER_TOKEN"}


@pytest.fixture(scope="module")
def with_auth() -> RenderedManifests:
    return RenderedManifests.of(AUTH_OVERLAY)


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {variable["name"]: variable for variable in container.get("env", [])}


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def test_the_webserver_and_every_code_server_read_the_secret_from_one_secret(base: RenderedManifests) -> None:
    assert base.secret_value(TOKEN_REF["name"], TOKEN_REF["key"])
    for workload in [base.webserver(), *base.code_locations()]:
        variable = _env(base.main_container(workload))["BERTH_CODE_SERVER_TOKEN"]
        assert variable["valueFrom"]["secretKeyRef"] == TOKEN_REF, workload["metadata"]["name"]
        assert "--token-file" not in base.main_container(workload).get("args", [])


def test_only_the_webserver_may_reach_the_code_servers_grpc_port(base: RenderedManifests) -> None:
    [policy] = base.of_kind("NetworkPolicy")
    spec = policy["spec"]
    assert spec["policyTypes"] == ["Ingress"]
    selected = [d for d in base.workloads()
                if _matches(spec["podSelector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])]
    assert {d["metadata"]["name"] for d in selected} == {d["metadata"]["name"] for d in base.code_locations()}
    [rule] = spec["ingress"]
    [peer] = rule["from"]
    assert set(peer) == {"podSelector"}  # no namespaceSelector, no ipBlock: pods of this namespace only
    allowed = [d for d in base.workloads()
               if _matches(peer["podSelector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])]
    assert [d["metadata"]["name"] for d in allowed] == [base.webserver()["metadata"]["name"]]
    ports = {port["containerPort"] for d in selected for port in base.main_container(d)["ports"]}
    assert {(p["protocol"], p["port"]) for p in rule["ports"]} == {("TCP", port) for port in ports}


def test_the_auth_overlay_adds_the_token_file_and_changes_nothing_else(base: RenderedManifests,
                                                                       with_auth: RenderedManifests) -> None:
    for manifest in with_auth.objects:
        kubernetes_validate.validate(manifest, kubernetes_validate.latest_version(), strict=True)
    assert with_auth.keys() == base.keys()
    webserver, original = with_auth.webserver(), base.webserver()
    container = with_auth.main_container(webserver)
    assert container["args"] == [*base.main_container(original)["args"], "--auth", "/etc/berth-auth/auth.yaml"]
    mount = {"name": "auth", "mountPath": "/etc/berth-auth", "readOnly": True}
    volume = {"name": "auth", "secret": {"secretName": "berth-auth", "defaultMode": 0o440}}
    expected = copy.deepcopy(original)
    expected_container = expected["spec"]["template"]["spec"]["containers"][0]
    expected_container["args"] = container["args"]
    expected_container["volumeMounts"].insert(0, mount)  # kustomize puts a patch's new items first
    expected["spec"]["template"]["spec"]["volumes"].insert(0, volume)
    assert webserver == expected
    assert [o for o in with_auth.objects if o is not webserver] == [o for o in base.objects if o is not original]


def test_compose_demands_the_code_servers_secret() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name in ("hello", "analytics", "webserver"):
        value = compose["services"][name]["environment"]["BERTH_CODE_SERVER_TOKEN"]
        assert value.startswith("${BERTH_CODE_SERVER_TOKEN:?"), name  # no default secret: compose refuses
