"""GraphQL over a real WebSocket, in both protocols: graphql-transport-ws and the legacy graphql-ws."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from webserver_process import EXAMPLES, WebserverProcess
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

TRANSPORT_WS, LEGACY_WS = "graphql-transport-ws", "graphql-ws"

RUN_LOGS = """
subscription RunLogs($runId: ID!) {
  pipelineRunLogs(runId: $runId) {
    __typename
    ... on PipelineRunLogsSubscriptionSuccess {
      messages { __typename ... on MessageEvent { message } }
    }
  }
}"""

LOCATION_EVENTS = """
subscription { locationStateChangeEvents { event { locationName eventType message serverId } } }"""

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) { __typename ... on LaunchRunSuccess { run { runId } } }
}"""


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    folder: Path = tmp_path_factory.mktemp("ws")
    server = WebserverProcess(["dev", "-f", str(EXAMPLES / "hello" / "definitions.py")],
                              env={"BERTH_HOME": str(folder)})
    yield server
    assert server.stop() == 0


async def _receive(socket: ClientConnection, timeout: float = 30.0) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(socket.recv(), timeout))
    return message if message["type"] != "ka" else await _receive(socket, timeout)


async def _open(url: str, protocol: str) -> ClientConnection:
    socket = await connect(url, subprotocols=[protocol])  # type: ignore[list-item]
    assert socket.subprotocol == protocol
    await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert (await _receive(socket))["type"] == "connection_ack"
    return socket


def _subscribe(protocol: str, operation_id: str, query: str, variables: dict | None = None) -> str:
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    return json.dumps({"type": kind, "id": operation_id, "payload": {"query": query, "variables": variables or {}}})


def _data_type(protocol: str) -> str:
    return "next" if protocol == TRANSPORT_WS else "data"


def _launch(webserver: WebserverProcess, job: str) -> str:
    data = webserver.graphql(LAUNCH, {"params": {"selector": {
        "repositoryLocationName": "definitions", "repositoryName": "__repository__", "jobName": job}}})
    assert data["launchRun"]["__typename"] == "LaunchRunSuccess", data
    return data["launchRun"]["run"]["runId"]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
def test_a_query_over_the_socket_is_an_error_message_not_an_execution(webserver: WebserverProcess,
                                                                        protocol: str) -> None:
    async def scenario() -> None:
        async with await _open(webserver.ws_url, protocol) as socket:
            await socket.send(_subscribe(protocol, "1", "{ version }"))
            result = await _receive(socket)
            assert result["type"] == "error" and result["id"] == "1"
            errors = result["payload"] if protocol == TRANSPORT_WS else [result["payload"]]
            assert "subscriptions only" in errors[0]["message"]
            await socket.send(_subscribe(protocol, "2", LOCATION_EVENTS))  # the socket still serves

    asyncio.run(scenario())


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
def test_run_logs_stream_until_the_run_succeeds(webserver: WebserverProcess, protocol: str) -> None:
    run_id = _launch(webserver, "etl_job")

    async def scenario() -> list[str]:
        async with await _open(webserver.ws_url, protocol) as socket:
            await socket.send(_subscribe(protocol, "logs", RUN_LOGS, {"runId": run_id}))
            seen: list[str] = []
            while "RunSuccessEvent" not in seen:
                message = await _receive(socket)
                assert message["type"] == _data_type(protocol), message
                result = message["payload"]["data"]["pipelineRunLogs"]
                assert result["__typename"] == "PipelineRunLogsSubscriptionSuccess", result
                seen += [event["__typename"] for event in result["messages"]]
            return seen

    seen = asyncio.run(scenario())
    assert seen.index("RunStartEvent") < seen.index("ExecutionStepSuccessEvent") < seen.index("RunSuccessEvent")


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
def test_location_events_tell_when_a_location_reloads(webserver: WebserverProcess, protocol: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with await _open(webserver.ws_url, protocol) as socket:
            await socket.send(_subscribe(protocol, "loc", LOCATION_EVENTS))
            await asyncio.sleep(0.2)  # let the subscription start before the event happens
            await asyncio.to_thread(webserver.graphql, 'mutation { reloadRepositoryLocation(repositoryLocationName: '
                                                       '"definitions") { __typename } }')
            message = await _receive(socket)
            assert message["type"] == _data_type(protocol), message
            return message["payload"]["data"]["locationStateChangeEvents"]["event"]

    event = asyncio.run(scenario())
    assert event["locationName"] == "definitions" and event["eventType"] == "LOCATION_UPDATED"
    assert event["serverId"]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
def test_an_invalid_document_is_an_error_message_and_the_socket_stays_open(webserver: WebserverProcess,
                                                                           protocol: str) -> None:
    async def scenario() -> None:
        async with await _open(webserver.ws_url, protocol) as socket:
            await socket.send(_subscribe(protocol, "bad", "subscription { noSuchField }"))
            message = await _receive(socket)
            assert message["type"] == "error" and message["id"] == "bad"
            errors = message["payload"] if protocol == TRANSPORT_WS else [message["payload"]]
            assert "noSuchField" in errors[0]["message"]
            await socket.send(_subscribe(protocol, "ok", "{ version }"))
            assert (await _receive(socket))["id"] == "ok"  # the refusal of a query: still an answer

    asyncio.run(scenario())


def test_legacy_stop_ends_a_subscription_with_complete(webserver: WebserverProcess) -> None:
    async def scenario() -> None:
        async with await _open(webserver.ws_url, LEGACY_WS) as socket:
            await socket.send(_subscribe(LEGACY_WS, "loc", LOCATION_EVENTS))
            await asyncio.sleep(0.1)
            await socket.send(json.dumps({"type": "stop", "id": "loc"}))
            assert (await _receive(socket)) == {"type": "complete", "id": "loc"}

    asyncio.run(scenario())


def test_transport_ws_ping_pong_and_client_complete(webserver: WebserverProcess) -> None:
    async def scenario() -> None:
        async with await _open(webserver.ws_url, TRANSPORT_WS) as socket:
            await socket.send(json.dumps({"type": "ping", "payload": {"n": 1}}))
            assert (await _receive(socket)) == {"type": "pong", "payload": {"n": 1}}
            await socket.send(_subscribe(TRANSPORT_WS, "loc", LOCATION_EVENTS))
            await socket.send(json.dumps({"type": "complete", "id": "loc"}))
            await socket.send(_subscribe(TRANSPORT_WS, "loc", "{ version }"))  # the id is free again
            assert (await _receive(socket))["id"] == "loc"

    asyncio.run(scenario())


@pytest.mark.parametrize("messages, code", [
    ([{"type": "subscribe", "id": "1", "payload": {"query": "{ version }"}}], 4401),
    ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
    ([{"type": "connection_init"}, {"type": "subscribe", "id": "1", "payload": {"query": LOCATION_EVENTS}},
      {"type": "subscribe", "id": "1", "payload": {"query": LOCATION_EVENTS}}], 4409),
    (["not json"], 4400),
    ([{"type": "connection_init"}, {"type": "nonsense"}], 4400),
])
def test_transport_ws_protocol_violations_close_with_its_codes(webserver: WebserverProcess,
                                                               messages: list, code: int) -> None:
    async def scenario() -> int:
        async with connect(webserver.ws_url, subprotocols=[TRANSPORT_WS]) as socket:  # type: ignore[list-item]
            for message in messages:
                await socket.send(message if isinstance(message, str) else json.dumps(message))
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(socket.recv(), 30)
            assert closed.value.rcvd is not None  # the close frame the server sent
            return closed.value.rcvd.code

    assert asyncio.run(scenario()) == code


def test_an_unknown_subprotocol_is_refused(webserver: WebserverProcess) -> None:
    async def scenario() -> None:
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            async with connect(webserver.ws_url, subprotocols=["mqtt"]) as socket:  # type: ignore[list-item]
                await asyncio.wait_for(socket.recv(), 10)

    asyncio.run(scenario())
