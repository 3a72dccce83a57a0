"""The legacy ``graphql-ws`` protocol (Apollo subscriptions-transport-ws), as Dagster's UI speaks it.

connection_init → connection_ack (+ "ka" keep-alives); start → data* → complete; stop;
connection_terminate. Errors before an operation runs are sent as "error" with the first error.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .websocket_session import ProtocolError, WebSocketSession

__all__ = ["GraphQLWSSession", "PROTOCOL"]

PROTOCOL = "graphql-ws"


class GraphQLWSSession(WebSocketSession):
    """A session in the legacy graphql-ws protocol."""

    async def on_open(self) -> None:
        """Send keep-alives once the connection is acknowledged."""
        while True:
            await asyncio.sleep(self.keep_alive_interval)
            if self.acknowledged:
                await self.send({"type": "ka"})

    async def handle(self, message: dict[str, Any]) -> None:
        """React to one client message."""
        kind = message["type"]
        operation_id = message.get("id")
        if kind == "connection_init":
            self.acknowledged = True
            await self.send({"type": "connection_ack"})
            await self.send({"type": "ka"})
        elif kind == "connection_terminate":
            raise ProtocolError(1000, "Connection terminated")
        elif kind == "start":
            if operation_id is None:
                await self.send({"type": "error", "payload": {"message": "A start message needs an id."}})
                return
            await self.stop_operation(operation_id)  # a restarted id replaces the old operation
            self.start_operation(operation_id, message.get("payload"))
        elif kind == "stop":
            if await self.stop_operation(operation_id):
                await self.send_complete(operation_id)
        else:
            await self.send({"type": "error", "id": operation_id,
                             "payload": {"message": f"Invalid message type: {kind}"}})

    async def send_result(self, operation_id: Any, result: dict[str, Any]) -> None:
        """Send a "data" message."""
        await self.send({"type": "data", "id": operation_id, "payload": result})

    async def send_errors(self, operation_id: Any, errors: list[dict[str, Any]]) -> None:
        """Send an "error" message carrying the first error."""
        await self.send({"type": "error", "id": operation_id, "payload": errors[0] if errors else {}})

    async def send_complete(self, operation_id: Any) -> None:
        """Send a "complete" message."""
        await self.send({"type": "complete", "id": operation_id})
