"""WebSocket limits over a real webserver: connection_init first and in time, message size,
operations per socket, sockets per client address."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
from live_server import LAUNCH_HELLO, run_count
from webserver_process import WebserverProcess
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TRANSPORT_WS, LEGACY_WS = "graphql-transport-ws", "graphql-ws"
LOCATION_EVENTS = "subscription { locationStateChangeEvents { event { locationName } } }"


async def _messages_until_closed(socket: ClientConnection, timeout: float = 30) -> list[dict[str, Any]]:
    """Every message the server sends until it closes the socket."""
    seen = []
    with contextlib.suppress(ConnectionClosed):
        while True:
            seen.append(json.loads(await asyncio.wait_for(socket.recv(), timeout)))
    return seen


async def _open(url: str, protocol: str) -> ClientConnection:
    socket = await connect(url, subprotocols=[protocol], max_size=None)  # type: ignore[list-item]
    await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] == "connection_ack"
    return socket


def _start(protocol: str, operation_id: str, query: str) -> str:
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    return json.dumps({"type": kind, "id": operation_id, "payload": {"query": query}})


def test_a_socket_without_connection_init_is_closed_4408_after_the_timeout(dev_server: WebserverProcess) -> None:
    async def silent(protocol: str) -> tuple[list[dict[str, Any]], int | None]:
        async with connect(dev_server.ws_url, subprotocols=[protocol]) as socket:  # type: ignore[list-item]
            seen = await _messages_until_closed(socket)
            return seen, socket.close_code

    async def both() -> list[tuple[list[dict[str, Any]], int | None]]:
        return list(await asyncio.gather(silent(TRANSPORT_WS), silent(LEGACY_WS)))

    (transport_seen, transport_code), (legacy_seen, legacy_code) = asyncio.run(both())
    assert transport_code == 4408 and transport_seen == []
    assert legacy_code == 4408
    assert [m["type"] for m in legacy_seen] == ["connection_error"]
    assert "connection_init" in legacy_seen[0]["payload"]["message"]


def test_legacy_start_before_connection_init_is_an_error_and_runs_nothing(dev_server: WebserverProcess) -> None:
    before = run_count(dev_server)

    async def scenario() -> tuple[list[dict[str, Any]], int | None]:
        async with connect(dev_server.ws_url, subprotocols=[LEGACY_WS]) as socket:  # type: ignore[list-item]
            await socket.send(_start(LEGACY_WS, "1", LAUNCH_HELLO))
            return await _messages_until_closed(socket), socket.close_code

    seen, code = asyncio.run(scenario())
    assert code == 4401
    assert seen[0]["type"] == "error" and "connection_init first" in seen[0]["payload"]["message"]
    assert run_count(dev_server) == before


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
def test_a_mutation_over_a_socket_is_an_error_message_not_an_execution(dev_server: WebserverProcess,
                                                                       protocol: str) -> None:
    before = run_count(dev_server)

    async def scenario() -> dict[str, Any]:
        async with await _open(dev_server.ws_url, protocol) as socket:
            await socket.send(_start(protocol, "m", LAUNCH_HELLO))
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), 30))
                if message["type"] != "ka":
                    return message

    message = asyncio.run(scenario())
    assert message["type"] == "error" and message["id"] == "m"
    errors = message["payload"] if protocol == TRANSPORT_WS else [message["payload"]]
    assert "A mutation cannot run over the WebSocket" in errors[0]["message"]
    assert run_count(dev_server) == before


def test_a_message_above_the_size_limit_closes_the_socket_1009(dev_server: WebserverProcess) -> None:
    async def scenario() -> int | None:
        async with await _open(dev_server.ws_url, TRANSPORT_WS) as socket:
            await socket.send(_start(TRANSPORT_WS, "big", "subscription { " + " " * (1024 * 1024 + 1) + "}"))
            await _messages_until_closed(socket)
            return socket.close_code

    assert asyncio.run(scenario()) == 1009


def test_operations_per_socket_are_capped(dev_server: WebserverProcess) -> None:
    async def scenario() -> dict[str, Any]:
        async with await _open(dev_server.ws_url, TRANSPORT_WS) as socket:
            for index in range(100):
                await socket.send(_start(TRANSPORT_WS, f"s{index}", LOCATION_EVENTS))
            await socket.send(_start(TRANSPORT_WS, "one-too-many", LOCATION_EVENTS))
            return json.loads(await asyncio.wait_for(socket.recv(), 30))

    message = asyncio.run(scenario())
    assert message["type"] == "error" and message["id"] == "one-too-many"
    assert "Too many operations on this socket" in message["payload"][0]["message"]
    assert message["payload"][0]["extensions"]["limit"] == 100


def test_sockets_per_client_address_are_capped(dev_server: WebserverProcess) -> None:
    async def scenario() -> tuple[int | None, str | None, str]:
        sockets = [await _open(dev_server.ws_url, TRANSPORT_WS) for _ in range(50)]
        try:
            async with connect(dev_server.ws_url, subprotocols=[TRANSPORT_WS]) as extra:  # type: ignore[list-item]
                await _messages_until_closed(extra)
                refused = (extra.close_code, extra.close_reason)
            await sockets[0].close()
            await sockets[0].wait_closed()
            # A slot is free again once a socket closes (the server counts it down when the session ends).
            for _ in range(100):
                try:
                    again = await _open(dev_server.ws_url, TRANSPORT_WS)
                except (ConnectionClosed, AssertionError):
                    await asyncio.sleep(0.05)
                    continue
                sockets[0] = again
                return refused[0], refused[1], "reopened"
            return refused[0], refused[1], "not reopened"
        finally:
            for socket in sockets:
                await socket.close()

    code, reason, reopened = asyncio.run(scenario())
    assert code == 1008 and "Too many WebSockets from this address (limit 50)" in (reason or "")
    assert reopened == "reopened"


HOSTILE_MESSAGES = [
    ("deep JSON", '{"type": "connection_init", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("binary frame", b"\x00\x01\x02"),
    ("list id", {"type": "start", "id": [1], "payload": {"query": LOCATION_EVENTS}}),
    ("object id", {"type": "subscribe", "id": {"a": 1}, "payload": {"query": LOCATION_EVENTS}}),
    ("complete with a list id", {"type": "complete", "id": [1]}),
    ("payload not an object", {"type": "subscribe", "id": "p", "payload": [1, 2]}),
    ("variables not an object", {"type": "start", "id": "v", "payload": {"query": LOCATION_EVENTS, "variables": 3}}),
    ("null bytes", {"type": "subscribe", "id": "n", "payload": {"query": "subscription { loc\x00ation }"}}),
    ("huge type", {"type": "x" * 100_000}),
]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
@pytest.mark.parametrize("name, message", HOSTILE_MESSAGES, ids=[name for name, _ in HOSTILE_MESSAGES])
def test_hostile_messages_get_an_error_or_a_close_and_the_server_stays_well(dev_server: WebserverProcess,
                                                                            protocol: str, name: str,
                                                                            message: Any) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], int | None]:
        async with await _open(dev_server.ws_url, protocol) as socket:
            await socket.send(message if isinstance(message, (str, bytes)) else json.dumps(message))
            seen = []
            with contextlib.suppress(ConnectionClosed, asyncio.TimeoutError):
                while True:  # until the server closes, or answers and falls silent
                    received = json.loads(await asyncio.wait_for(socket.recv(), 2))
                    if received["type"] != "ka":
                        seen.append(received)
                        if received["type"] in ("error", "connection_error"):
                            break
            return seen, socket.close_code

    seen, code = asyncio.run(scenario())
    assert code in (None, 4400), (seen, code)
    if code is None:  # still open: the server must have said what was wrong
        assert seen and seen[-1]["type"] == "error", seen
    assert dev_server.http.get("/health").status_code == 200
    assert "Exception in ASGI application" not in "".join(dev_server.output)
