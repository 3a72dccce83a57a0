"""Cross-origin protection over real HTTP: what a browser page of another origin could send is refused.

These requests carry the headers a browser adds (``Origin``, ``Sec-Fetch-Site``); the real
browser test (``test_cross_origin_browser.py``) shows Chromium sends them so.
"""

from __future__ import annotations

import asyncio
import json
from typing import Iterator

import httpx
import pytest
from live_server import HELLO, LAUNCH_HELLO, run_count
from webserver_process import WebserverProcess
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

EVIL = "http://evil.example:8000"
UI = "https://ui.example.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    server = WebserverProcess(["dev", "-f", str(HELLO), "--allowed-origin", UI],
                              env={"BERTH_HOME": str(tmp_path_factory.mktemp("home"))})
    yield server
    assert server.stop() == 0


def _post(server: WebserverProcess, headers: dict[str, str], content: bytes | None = None) -> httpx.Response:
    body = content if content is not None else json.dumps({"query": LAUNCH_HELLO}).encode()
    return server.http.post("/graphql", content=body, headers={"content-type": "application/json", **headers})


@pytest.mark.parametrize("headers", [
    {"origin": EVIL},
    {"origin": "null"},  # a sandboxed iframe, a file:// page
    {"origin": "http://127.0.0.1.evil.example"},
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site"},  # another port of the same host is another origin
], ids=["other-origin", "null-origin", "lookalike-host", "cross-site", "same-site"])
def test_a_mutation_from_another_origin_is_403_and_does_not_run(server: WebserverProcess,
                                                                headers: dict[str, str]) -> None:
    before = run_count(server)
    response = _post(server, headers)
    assert response.status_code == 403, response.text
    assert "Cross-origin request refused" in response.json()["errors"][0]["message"]
    assert run_count(server) == before


@pytest.mark.parametrize("headers", [
    {},  # a script or the Python client: no browser headers
    {"sec-fetch-site": "same-origin"},
    {"origin": UI},  # --allowed-origin
], ids=["no-browser-headers", "same-origin-fetch", "allowed-origin"])
def test_a_mutation_from_a_trusted_place_runs(server: WebserverProcess, headers: dict[str, str]) -> None:
    before = run_count(server)
    response = _post(server, headers)
    assert response.status_code == 200 and response.json()["data"]["launchRun"]["__typename"] == "LaunchRunSuccess"
    assert run_count(server) == before + 1


def test_the_servers_own_origin_is_its_host_header(server: WebserverProcess) -> None:
    own = server.url  # http://127.0.0.1:PORT, the origin of GraphiQL served by this server
    assert _post(server, {"origin": own, "sec-fetch-site": "same-origin"}).status_code == 200
    assert _post(server, {"origin": own.replace("127.0.0.1", "localhost")}).status_code == 403


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "",
])
def test_post_bodies_other_than_json_or_graphql_are_415(server: WebserverProcess, content_type: str) -> None:
    before = run_count(server)
    headers = {"content-type": content_type} if content_type else {}
    response = server.http.post("/graphql", content=json.dumps({"query": LAUNCH_HELLO}).encode(), headers=headers)
    assert response.status_code == 415
    message = response.json()["errors"][0]["message"]
    assert "application/json or application/graphql" in message
    assert run_count(server) == before


def test_get_runs_queries_but_refuses_mutations(server: WebserverProcess) -> None:
    before = run_count(server)
    assert server.http.get("/graphql", params={"query": "{ version }"}).status_code == 200
    refused = server.http.get("/graphql", params={"query": LAUNCH_HELLO})
    assert refused.status_code == 405 and "POST" in refused.json()["errors"][0]["message"]
    assert run_count(server) == before


@pytest.mark.parametrize("origin, allowed", [(EVIL, False), (UI, True), (None, True)])
def test_websocket_upgrades_from_another_origin_are_403(server: WebserverProcess, origin: str | None,
                                                        allowed: bool) -> None:
    async def scenario() -> None:
        kwargs = {"origin": origin} if origin else {}
        if not allowed:
            with pytest.raises(InvalidStatus) as refused:
                await connect(server.ws_url, subprotocols=["graphql-transport-ws"], **kwargs)  # type: ignore[list-item]
            assert refused.value.response.status_code == 403
            assert b"Cross-origin request refused" in refused.value.response.body
            return
        async with connect(server.ws_url, subprotocols=["graphql-transport-ws"], **kwargs) as socket:  # type: ignore[list-item]
            await socket.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] == "connection_ack"

    asyncio.run(scenario())


@pytest.mark.parametrize("host, status", [
    ("evil.example:{port}", 403),  # DNS rebinding: evil.example re-pointed to 127.0.0.1
    ("localhost:{port}", 200),
    ("127.0.0.1:{port}", 200),
    ("ui.example.com", 200),  # the host of an --allowed-origin
])
def test_a_loopback_server_answers_only_loopback_host_names(server: WebserverProcess, host: str,
                                                            status: int) -> None:
    port = server.url.rsplit(":", 1)[1]
    response = server.http.get("/graphql", params={"query": "{ version }"}, headers={"host": host.format(port=port)})
    assert response.status_code == status, response.text
    if status == 403:
        assert "DNS-rebinding" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("command", ["dev", "webserver"])
def test_an_allowed_origin_that_is_not_an_origin_is_a_usage_error(command: str) -> None:
    import subprocess
    import sys

    target = ["-f", str(HELLO)] if command == "dev" else ["-w", "workspace.yaml"]
    result = subprocess.run([sys.executable, "-m", "berth.cli", command, *target, "--allowed-origin", "evil.example"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--allowed-origin 'evil.example' is not an origin like https://" in result.stderr
