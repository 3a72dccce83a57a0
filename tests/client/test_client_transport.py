"""URLs, headers, HTTP failures, GraphQL errors, connection errors and retries."""

from __future__ import annotations

import socket

import httpx
import pytest

from berth_client import (
    BerthClient,
    ConnectError,
    DagsterGraphQLClientError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    RequestTimeout,
)
from berth_client._transport import build_graphql_url


@pytest.mark.parametrize(
    ("hostname", "port", "https", "url"),
    [
        ("localhost", 3000, False, "http://localhost:3000/graphql"),
        ("localhost", None, False, "http://localhost/graphql"),
        ("example.com/prod", None, True, "https://example.com/prod/graphql"),
        ("example.com/prod/", 8080, False, "http://example.com:8080/prod/graphql"),
        ("https://example.com/berth", None, False, "https://example.com/berth/graphql"),
        ("http://localhost:3000/graphql", None, False, "http://localhost:3000/graphql"),
    ],
)
def test_graphql_url_from_hostname_port_and_scheme(hostname, port, https, url) -> None:
    assert build_graphql_url(hostname, port, https) == url
    assert BerthClient(hostname, port, use_https=https).url == url


def test_headers_go_with_every_request(fake) -> None:
    fake.answer("pipelineRunOrError", {"__typename": "Run", "status": "SUCCESS"})
    client = BerthClient("h", transport=fake.transport(), headers={"Authorization": "Bearer secret"})
    client.get_run_status("r1")
    assert fake.requests[0]["headers"]["authorization"] == "Bearer secret"
    assert fake.requests[0]["variables"] == {"runId": "r1"}


def test_graphql_errors_array_becomes_graphql_error(client, fake) -> None:
    body = {"errors": [{"message": "Cannot query field 'nope' on type 'Run'."}]}
    fake.answer("pipelineRunOrError", httpx.Response(400, json=body))
    with pytest.raises(GraphQLError) as caught:
        client.get_run_status("r1")
    assert caught.value.status_code == 400
    assert caught.value.errors == body["errors"]
    assert "Cannot query field" in str(caught.value)


def test_errors_with_partial_data_still_raise(client, fake) -> None:
    body = {"data": {"pipelineRunOrError": None}, "errors": [{"message": "resolver exploded"}]}
    fake.answer("pipelineRunOrError", httpx.Response(200, json=body))
    with pytest.raises(GraphQLError, match="resolver exploded"):
        client.get_run_status("r1")


def test_http_500_without_graphql_body_becomes_http_status_error(client, fake) -> None:
    fake.answer("pipelineRunOrError", httpx.Response(500, text="Internal Server Error"))
    with pytest.raises(HTTPStatusError) as caught:
        client.get_run_status("r1")
    assert caught.value.status_code == 500
    assert isinstance(caught.value, DagsterGraphQLClientError)


def test_non_graphql_body_becomes_invalid_response(client, fake) -> None:
    fake.answer("pipelineRunOrError", httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(InvalidResponseError):
        client.get_run_status("r1")


def test_missing_fields_never_leak_key_error(client, fake) -> None:
    fake.answer("runOrError", {"__typename": "Run", "status": "SUCCESS"})  # no runId
    with pytest.raises(InvalidResponseError):
        client.get_run("r1")
    fake.answer("pipelineRunOrError", {"status": "SUCCESS"})  # no __typename
    with pytest.raises(InvalidResponseError):
        client.get_run_status("r1")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_host_raises_client_error_naming_the_url() -> None:
    port = _closed_port()
    client = BerthClient("127.0.0.1", port, retries=1, backoff=0)
    with pytest.raises(ConnectError) as caught:
        client.get_run_status("r1")
    assert f"http://127.0.0.1:{port}/graphql" in str(caught.value)
    assert isinstance(caught.value, DagsterGraphQLClientError)


def test_queries_are_retried_on_connection_errors(client, fake) -> None:
    refused = httpx.ConnectError("connection refused")
    fake.answer("pipelineRunOrError", refused, refused, {"__typename": "Run", "status": "STARTED"})
    assert client.get_run_status("r1") == "STARTED"
    assert fake.fields_requested() == ["pipelineRunOrError"] * 3


def test_queries_give_up_after_the_retries(fake) -> None:
    fake.answer("pipelineRunOrError", httpx.ConnectError("connection refused"))
    client = BerthClient("h", transport=fake.transport(), retries=2, backoff=0)
    with pytest.raises(ConnectError):
        client.get_run_status("r1")
    assert len(fake.requests) == 3


def test_mutations_are_never_retried(client, fake) -> None:
    fake.answer("launchPipelineExecution", httpx.ConnectError("connection reset"),
                {"__typename": "LaunchRunSuccess", "run": {"runId": "r1"}})
    with pytest.raises(ConnectError):
        client.submit_job_execution("job", "loc", "repo")
    assert fake.fields_requested() == ["launchPipelineExecution"]
    fake.answer("terminateRun", httpx.ReadError("reset"))
    with pytest.raises(ConnectError):
        client.terminate_run("r1")
    assert fake.fields_requested().count("terminateRun") == 1


def test_read_timeout_becomes_request_timeout(client, fake) -> None:
    fake.answer("launchPipelineExecution", httpx.ReadTimeout("slow"))
    with pytest.raises(RequestTimeout):
        client.submit_job_execution("job", "loc", "repo")
