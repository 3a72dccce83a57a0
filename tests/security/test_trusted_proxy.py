"""Trusted-proxy mode: a header names the user, believed only from the proxy's address.

The webserver trusts 127.0.0.1 only; the tests call it from 127.0.0.1 (as the proxy) and from
127.0.0.2 (any other machine: Linux routes all of 127.0.0.0/8 to the loopback interface).
"""

from __future__ import annotations

from typing import Any, Iterator

import httpx
import pytest
from security_setup import HELLO_JOB, AuthServer, start_auth_server
from socket_client import open_socket, run_operation

_PROXY = {"trusted_proxy": {
    "user_header": "X-Forwarded-User",
    "groups_header": "X-Forwarded-Groups",
    "trusted_addresses": ["127.0.0.1/32"],
    "users": {"alice@example.com": "admin"},
    "groups": {"data-eng": "launcher"},
}}
_LAUNCH = """mutation L($p: ExecutionParams!) { launchRun(executionParams: $p) {
    __typename ... on LaunchRunSuccess { run { runId tags { key value } } } ... on Error { message } } }"""
_SHUTDOWN = """mutation { shutdownRepositoryLocation(repositoryLocationName: "no-such-location") {
    __typename ... on Error { message } } }"""


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    running = start_auth_server(tmp_path_factory.mktemp("proxy"), extra_auth=_PROXY)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def elsewhere(proxied: AuthServer) -> Iterator[httpx.Client]:
    """A client whose requests come from 127.0.0.2, which is not the proxy."""
    with httpx.Client(base_url=proxied.url, timeout=60,
                      transport=httpx.HTTPTransport(local_address="127.0.0.2")) as client:
        yield client


def _post(server: AuthServer, query: str, headers: dict[str, str], variables: Any = None) -> httpx.Response:
    return server.post(query, variables, headers=headers)


def test_a_mapped_user_gets_their_role(proxied: AuthServer) -> None:
    response = _post(proxied, _SHUTDOWN, {"X-Forwarded-User": "alice@example.com"})
    assert response.json()["data"]["shutdownRepositoryLocation"]["__typename"] == "RepositoryLocationNotFound"


def test_a_group_gives_its_role_and_the_run_names_the_user(proxied: AuthServer) -> None:
    headers = {"X-Forwarded-User": "bob", "X-Forwarded-Groups": "readers, data-eng"}
    run = _post(proxied, _LAUNCH, headers, {"p": {"selector": HELLO_JOB}}).json()["data"]["launchRun"]["run"]
    assert {"key": "berth/user", "value": "bob"} in run["tags"]
    refused = _post(proxied, _SHUTDOWN, headers).json()["data"]["shutdownRepositoryLocation"]
    assert refused["__typename"] == "UnauthorizedError" and "bob has launcher" in refused["message"]


def test_a_user_without_a_role_is_403(proxied: AuthServer) -> None:
    response = _post(proxied, "{ version }", {"X-Forwarded-User": "mallory", "X-Forwarded-Groups": "readers"})
    assert response.status_code == 403 and "no role" in response.json()["errors"][0]["message"]


def test_the_header_from_another_address_is_401(proxied: AuthServer, elsewhere: httpx.Client) -> None:
    response = elsewhere.post("/graphql", json={"query": _SHUTDOWN}, headers={"X-Forwarded-User": "alice@example.com"})
    assert response.status_code == 401
    assert "only from the configured proxy" in response.json()["errors"][0]["message"]


def test_tokens_work_beside_the_proxy_from_anywhere(proxied: AuthServer, elsewhere: httpx.Client) -> None:
    headers = {**proxied.headers("viewer"), "X-Forwarded-User": "alice@example.com"}
    response = elsewhere.post("/graphql", json={"query": _SHUTDOWN}, headers=headers)
    result = response.json()["data"]["shutdownRepositoryLocation"]
    assert result["__typename"] == "UnauthorizedError" and "viewer-user has viewer" in result["message"]


def test_a_websocket_through_the_proxy_is_authenticated_at_the_upgrade(proxied: AuthServer) -> None:
    logs = 'subscription { pipelineRunLogs(runId: "nope") { ... on PipelineRunLogsSubscriptionFailure { missingRunId } } }'
    with open_socket(proxied.process.ws_url, headers={"X-Forwarded-User": "alice@example.com"}) as socket:
        message = run_operation(socket, logs)
    assert message["payload"]["data"]["pipelineRunLogs"]["missingRunId"] == "nope"
