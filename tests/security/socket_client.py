"""A small synchronous GraphQL WebSocket client for the security tests (websockets' sync API)."""

from __future__ import annotations

import contextlib
import json
from typing import Any, Iterator, Optional

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

__all__ = ["SocketClosed", "open_socket", "run_operation"]

_TIMEOUT = 30.0


class SocketClosed(Exception):
    """The server closed the socket: ``code`` and ``reason`` say why."""

    def __init__(self, code: Optional[int], reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


def _receive(socket: ClientConnection) -> dict[str, Any]:
    try:
        return json.loads(socket.recv(timeout=_TIMEOUT))
    except ConnectionClosed as exc:
        close = exc.rcvd
        raise SocketClosed(close.code if close else None, close.reason if close else "") from None


@contextlib.contextmanager
def open_socket(url: str, *, protocol: str = "graphql-transport-ws", headers: Optional[dict[str, str]] = None,
                init_payload: Optional[dict[str, Any]] = None) -> Iterator[ClientConnection]:
    """Connect and initialise; raises ``SocketClosed`` when the server refuses."""
    with connect(url, subprotocols=[protocol], additional_headers=headers or {},  # type: ignore[list-item]
                 open_timeout=_TIMEOUT) as socket:
        try:
            socket.send(json.dumps({"type": "connection_init", "payload": init_payload or {}}))
        except ConnectionClosed as exc:  # closed before the client spoke (credentials in the upgrade)
            raise SocketClosed(exc.rcvd.code if exc.rcvd else None, exc.rcvd.reason if exc.rcvd else "") from None
        message = _receive(socket)
        while message["type"] == "ka":
            message = _receive(socket)
        assert message["type"] == "connection_ack", message
        yield socket


def run_operation(socket: ClientConnection, query: str, variables: Optional[dict[str, Any]] = None,
                  protocol: str = "graphql-transport-ws") -> dict[str, Any]:
    """Run one operation to its first result; returns the payload; raises ``SocketClosed``."""
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    socket.send(json.dumps({"type": start, "id": "1", "payload": {"query": query, "variables": variables or {}}}))
    while True:
        message = _receive(socket)
        if message["type"] in ("next", "data", "error"):
            return message
