"""The WebSocket on /graphql: picks graphql-transport-ws or graphql-ws by Sec-WebSocket-Protocol."""

from __future__ import annotations

import collections
from typing import Any, Callable, Optional

from graphql import GraphQLSchema
from starlette.websockets import WebSocket

from . import graphql_transport_ws, graphql_ws
from .graphql_execution import DocumentPreparer

__all__ = ["GraphQLWebSocketEndpoint"]


class GraphQLWebSocketEndpoint:
    """Accepts GraphQL WebSockets in either protocol; without a requested protocol, speaks graphql-ws.

    A client address holds a bounded number of open sockets (each may run subscriptions that poll
    storage); one more is accepted and closed at once with 1008 and the reason.
    """

    def __init__(self, schema: Callable[[], GraphQLSchema], make_context: Callable[[WebSocket], Any], *,
                 keep_alive_interval: float = 15.0, init_timeout: Optional[float] = None,
                 preparer: Optional[DocumentPreparer] = None) -> None:
        self.schema = schema
        self.make_context = make_context
        self.keep_alive_interval = keep_alive_interval
        self.preparer = preparer or DocumentPreparer()
        self.init_timeout = init_timeout if init_timeout is not None else self.preparer.limits.socket_init_timeout
        self.open_sockets: "collections.Counter[str]" = collections.Counter()

    async def __call__(self, websocket: WebSocket) -> None:
        """Serve one WebSocket connection."""
        requested = websocket.scope.get("subprotocols") or []
        if graphql_transport_ws.PROTOCOL in requested:
            session_type: Any = graphql_transport_ws.GraphQLTransportWSSession
            protocol = graphql_transport_ws.PROTOCOL
        elif graphql_ws.PROTOCOL in requested or not requested:
            session_type, protocol = graphql_ws.GraphQLWSSession, graphql_ws.PROTOCOL
        else:
            await websocket.close(code=4406, reason="Subprotocol not acceptable")
            return
        client = websocket.client.host if websocket.client else ""
        cap = self.preparer.limits.max_sockets_per_client
        await websocket.accept(subprotocol=protocol if requested else None)
        if self.open_sockets[client] >= cap:
            await websocket.close(code=1008, reason=f"Too many WebSockets from this address (limit {cap})")
            return
        self.open_sockets[client] += 1
        try:
            session = session_type(websocket, self.schema(), self.make_context, self.keep_alive_interval,
                                   self.init_timeout, self.preparer)
            await session.serve()
        finally:
            self.open_sockets[client] -= 1
            if not self.open_sockets[client]:
                del self.open_sockets[client]
