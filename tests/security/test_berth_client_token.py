"""berth's own client with a token: ``BerthClient(token=…)``, the async client, ``berth-client --token``
and ``BERTH_TOKEN``, against ``berth dev --auth``."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys

import pytest
from security_setup import AuthServer

from berth_client import AsyncBerthClient, AuthenticationError, BerthClient, DagsterGraphQLClientError
from berth_client._cli import main as client_main


def _client(server: AuthServer, token: str | None) -> BerthClient:
    return BerthClient(server.url, token=token, retries=0)


def test_a_launcher_token_launches_and_streams_its_run(server: AuthServer) -> None:
    with _client(server, server.tokens["launcher"]) as client:
        run_id = client.submit_job_execution("hello_job", "hello", "__repository__")
        assert client.wait_for_run(run_id, timeout=90).value == "SUCCESS"
        events = list(client.stream_run_events(run_id))  # over the WebSocket, with the same token
        assert events and events[-1].event_type == "PIPELINE_SUCCESS"  # Dagster's name
    run = server.storage.get_run(run_id)
    assert run is not None and run.tags["berth/user"] == "launcher-user"


@pytest.mark.parametrize("token, message", [(None, "Authentication required"), ("berth_wrong", "Invalid token")])
def test_no_or_a_bad_token_raises_authentication_error(server: AuthServer, token: str | None, message: str) -> None:
    with _client(server, token) as client:
        with pytest.raises(AuthenticationError) as raised:
            client.get_location_statuses()
    assert raised.value.status_code == 401 and message in str(raised.value)


def test_a_role_too_low_is_the_unauthorized_error_member(server: AuthServer) -> None:
    with _client(server, server.tokens["viewer"]) as client:
        with pytest.raises(DagsterGraphQLClientError) as raised:
            client.submit_job_execution("hello_job", "hello", "__repository__")
    assert raised.value.args[0] == "UnauthorizedError" and "launcher role" in raised.value.args[1]


def test_the_token_wins_over_an_authorization_header(server: AuthServer) -> None:
    with BerthClient(server.url, headers={"authorization": "Bearer berth_wrong"},
                     token=server.tokens["viewer"]) as client:
        assert client.get_location_statuses()


def test_the_async_client_takes_a_token(server: AuthServer) -> None:
    async def statuses() -> int:
        async with AsyncBerthClient(server.url, token=server.tokens["viewer"]) as client:
            return len(await client.get_location_statuses())

    assert asyncio.run(statuses()) == 1


def test_berth_client_command_takes_token_or_environment(server: AuthServer) -> None:
    out = io.StringIO()
    assert client_main(["--url", server.url, "--token", server.tokens["viewer"], "locations"], out=out) == 0
    assert "hello" in out.getvalue()
    finished = subprocess.run([sys.executable, "-m", "berth_client._cli", "--url", server.url, "locations"],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "BERTH_TOKEN": server.tokens["viewer"]})
    assert finished.returncode == 0 and "hello" in finished.stdout
    refused = subprocess.run([sys.executable, "-m", "berth_client._cli", "--url", server.url, "locations"],
                             capture_output=True, text=True, timeout=60,
                             env={k: v for k, v in os.environ.items() if k != "BERTH_TOKEN"})
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr and "BERTH_TOKEN" in refused.stderr
