"""The legacy ``graphql-ws`` protocol (Apollo subscriptions-transport-ws), as Dagster's UI speaks it.

connection_init → connection_ack (+ "ka" keep-alives); start → data* → complete; stop;
connection_terminate. Errors before an operation runs are sent as "error" with the first error.
The protocol has no rules for a client that never initialises; this server closes such a socket
with graphql-transport-ws's codes (4408 after the timeout, 4401 for an operation sent first).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .websocket_session import ProtocolError, WebSocketSession

__all__ = ["GraphQLWSSession", "PROTOCOL"]

PROTOCOL = "graphql-ws"


class GraphQLWSSession(WebSocketSession):
    """A session in the legacy graphql-ws protocol."""

    async def on_open(self) -> None:
        """Close the socket when the client does not initialise in time; then send keep-alives."""
        await asyncio.sleep(self.init_timeout)
        if not self.acknowledged:
            await self.send({"type": "connection_error",
                             "payload": {"message": "Connection initialisation timeout: send connection_init "
                                                    f"within {self.init_timeout:g} s."}})
            with contextlib.suppress(Exception):  # the client may have gone already
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")
            return
        while True:
            await asyncio.sleep(self.keep_alive_interval)
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
        elif not self.acknowledged:
            await self.send({"type": "error", "id": operation_id,
                             "payload": {"message": f"'{kind[:50]}' before connection_init: send "
                                                    "connection_init first."}})
            raise ProtocolError(4401, "Unauthorized: connection_init first")
        elif kind in ("start", "stop") and (not isinstance(operation_id, (str, int)) or isinstance(operation_id, bool)):
            await self.send({"type": "error", "payload": {"message": f"A {kind} message needs a string id."}})
        elif kind == "start":
            await self.stop_operation(operation_id)  # a restarted id replaces the old operation
            await self.start_operation(operation_id, message.get("payload"))
        elif kind == "stop":
            if await self.stop_operation(operation_id):
                await self.send_complete(operation_id)
        else:
            await self.send({"type": "error", "id": operation_id,
                             "payload": {"message": f"Invalid message type: {kind[:50]}"}})

    async def send_result(self, operation_id: Any, result: dict[str, Any]) -> None:
        """Send a "data" message."""
        await self.send({"type": "data", "id": operation_id, "payload": result})

    async def send_errors(self, operation_id: Any, errors: list[dict[str, Any]]) -> None:
        """Send an "error" message carrying the first error."""
        await self.send({"type": "error", "id": operation_id, "payload": errors[0] if errors else {}})

    async def send_complete(self, operation_id: Any) -> None:
        """Send a "complete" message."""
        await self.send({"type": "complete", "id": operation_id})
