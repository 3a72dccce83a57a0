"""The live event stream, against a real WebSocket server speaking either GraphQL protocol.

The server here is a small scripted one: it plays the webserver's side of the subscription
protocols so that both protocols, pings and failures are exercised; the live tests stream from
a real berth webserver.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from berth_client import AsyncBerthClient, BerthClient, ConnectError, GraphQLError, NotFoundError


def _event(event_type: str, message: str) -> dict:
    kind = {"RUN_START": "RunStartEvent", "RUN_SUCCESS": "RunSuccessEvent"}.get(event_type, "LogMessageEvent")
    return {"__typename": kind, "runId": "r1", "message": message, "timestamp": "1000", "level": "INFO",
            "stepKey": None, "eventType": event_type}


def _success(status: str, *events: dict) -> dict:
    return {"pipelineRunLogs": {"__typename": "PipelineRunLogsSubscriptionSuccess", "run": {"runId": "r1", "status": status},
                                "messages": list(events), "hasMorePastEvents": False, "cursor": "c"}}


class ScriptedServer:
    """Plays a list of subscription payloads to each client and records what clients sent."""

    def __init__(self, payloads: list[dict], subprotocols: list[str]) -> None:
        self.payloads = payloads
        self.received: list[dict] = []
        self.subprotocols = subprotocols
        self.finished = threading.Event()  # set once a client's exchange is recorded to its end

    def handle(self, socket) -> None:
        try:
            self._play(socket)
        finally:
            self.finished.set()

    def _play(self, socket) -> None:
        legacy = socket.subprotocol == "graphql-ws"
        self.received.append(json.loads(socket.recv()))
        if not legacy:
            socket.send(json.dumps({"type": "ping"}))
            self.received.append(json.loads(socket.recv()))
        socket.send(json.dumps({"type": "connection_ack"}))
        if legacy:
            socket.send(json.dumps({"type": "ka"}))
        subscribe = json.loads(socket.recv())
        self.received.append(subscribe)
        for payload in self.payloads:
            if "errors" in payload:
                message = {"type": "error", "id": subscribe["id"], "payload": payload["errors"]}
            else:
                message = {"type": "data" if legacy else "next", "id": subscribe["id"], "payload": {"data": payload}}
            try:
                socket.send(json.dumps(message))
            except ConnectionClosed:
                break  # the client had what it wanted, stopped and closed before the rest was sent
        # What the client sent last (its stop or complete), read even when it has closed already.
        while True:
            try:
                self.received.append(json.loads(socket.recv(timeout=5)))
            except (ConnectionClosed, TimeoutError):
                break  # closed (after an error the client may send no stop at all), or nothing more


@pytest.fixture
def scripted() -> Iterator[callable]:
    servers = []

    def start(payloads: list[dict], subprotocols: list[str]) -> tuple[ScriptedServer, int]:
        script = ScriptedServer(payloads, subprotocols)
        server = serve(script.handle, "127.0.0.1", 0, subprotocols=subprotocols)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return script, server.socket.getsockname()[1]

    yield start
    for server in servers:
        server.shutdown()


PAYLOADS = [
    _success("STARTED", _event("RUN_START", "started"), _event(None, "hello")),
    _success("STARTED", _event("RUN_SUCCESS", "done")),
    _success("SUCCESS", _event(None, "never read")),
]


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_stream_yields_events_until_the_run_finishes(scripted, protocol) -> None:
    script, port = scripted(PAYLOADS, [protocol])
    events = list(BerthClient("127.0.0.1", port).stream_run_events("r1"))
    assert [e.message for e in events] == ["started", "hello", "done"]
    # The client is done; the server's thread may still be reading its last message.
    assert script.finished.wait(10), script.received
    subscribe = script.received[-2]
    assert subscribe["type"] == ("subscribe" if protocol == "graphql-transport-ws" else "start")
    assert subscribe["payload"]["variables"] == {"runId": "r1", "cursor": None}
    assert "pipelineRunLogs" in subscribe["payload"]["query"]
    assert script.received[-1]["type"] == ("complete" if protocol == "graphql-transport-ws" else "stop")
    if protocol == "graphql-transport-ws":
        assert script.received[1] == {"type": "pong"}


def test_stream_of_an_unknown_run(scripted) -> None:
    failure = {"pipelineRunLogs": {"__typename": "PipelineRunLogsSubscriptionFailure",
                                   "message": "Could not load run with id nope", "missingRunId": "nope"}}
    _, port = scripted([failure], ["graphql-transport-ws"])
    with pytest.raises(NotFoundError, match="nope"):
        list(BerthClient("127.0.0.1", port).stream_run_events("nope"))


def test_stream_error_message_becomes_graphql_error(scripted) -> None:
    _, port = scripted([{"errors": [{"message": "Unknown argument"}]}], ["graphql-transport-ws"])
    with pytest.raises(GraphQLError, match="Unknown argument"):
        list(BerthClient("127.0.0.1", port).stream_run_events("r1"))


def test_async_stream(scripted) -> None:
    _, port = scripted(PAYLOADS, ["graphql-transport-ws"])

    async def collect() -> list[str]:
        async with AsyncBerthClient("127.0.0.1", port) as client:
            return [event.message async for event in client.stream_run_events("r1")]

    assert asyncio.run(collect()) == ["started", "hello", "done"]


def test_stream_from_an_unreachable_host_names_the_url() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConnectError, match=f"ws://127.0.0.1:{port}/graphql"):
        list(BerthClient("127.0.0.1", port).stream_run_events("r1"))
