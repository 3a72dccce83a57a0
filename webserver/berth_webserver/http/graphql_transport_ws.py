"""The ``graphql-transport-ws`` protocol (the graphql-ws library, GraphiQL's subscription transport).

connection_init → connection_ack; subscribe → next* → complete; error; client complete stops;
ping ↔ pong. Broken rules close the socket with the protocol's 44xx codes.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .websocket_session import ProtocolError, WebSocketSession

__all__ = ["GraphQLTransportWSSession", "PROTOCOL"]

PROTOCOL = "graphql-transport-ws"


class GraphQLTransportWSSession(WebSocketSession):
    """A session in the graphql-transport-ws protocol."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_received = False

    async def on_open(self) -> None:
        """Close the socket when the client does not initialise in time."""
        await asyncio.sleep(self.init_timeout)
        if not self._init_received:
            with contextlib.suppress(Exception):  # the client may have gone already
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")

    async def handle(self, message: dict[str, Any]) -> None:
        """React to one client message."""
        kind = message["type"]
        if kind == "connection_init":
            if self._init_received:
                raise ProtocolError(4429, "Too many initialisation requests")
            self._init_received = self.acknowledged = True
            await self.send({"type": "connection_ack"})
        elif kind == "ping":
            await self.send({"type": "pong", **({"payload": message["payload"]} if "payload" in message else {})})
        elif kind == "pong":
            return
        elif kind == "subscribe":
            if not self.acknowledged:
                raise ProtocolError(4401, "Unauthorized")
            operation_id = message.get("id")
            if not isinstance(operation_id, str) or not operation_id:
                raise ProtocolError(4400, "Invalid message received")
            if operation_id in self.operations:
                raise ProtocolError(4409, f"Subscriber for {operation_id} already exists")
            await self.start_operation(operation_id, message.get("payload"))
        elif kind == "complete":
            operation_id = message.get("id")
            if not isinstance(operation_id, str):
                raise ProtocolError(4400, "Invalid message received: complete needs a string id")
            await self.stop_operation(operation_id)
        else:
            raise ProtocolError(4400, f"Invalid message type: {kind[:50]}")

    async def send_result(self, operation_id: Any, result: dict[str, Any]) -> None:
        """Send a "next" message."""
        await self.send({"type": "next", "id": operation_id, "payload": result})

    async def send_errors(self, operation_id: Any, errors: list[dict[str, Any]]) -> None:
        """Send an "error" message with the list of errors (this ends the operation)."""
        await self.send({"type": "error", "id": operation_id, "payload": errors})

    async def send_complete(self, operation_id: Any) -> None:
        """Send a "complete" message."""
        await self.send({"type": "complete", "id": operation_id})
