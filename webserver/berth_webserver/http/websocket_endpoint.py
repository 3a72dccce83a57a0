"""The WebSocket on /graphql: picks graphql-transport-ws or graphql-ws by Sec-WebSocket-Protocol."""

from __future__ import annotations

from typing import Any, Callable

from graphql import GraphQLSchema
from starlette.websockets import WebSocket

from . import graphql_transport_ws, graphql_ws

__all__ = ["GraphQLWebSocketEndpoint"]


class GraphQLWebSocketEndpoint:
    """Accepts GraphQL WebSockets in either protocol; without a requested protocol, speaks graphql-ws."""

    def __init__(self, schema: Callable[[], GraphQLSchema], make_context: Callable[[WebSocket], Any], *,
                 keep_alive_interval: float = 15.0, init_timeout: float = 10.0) -> None:
        self.schema = schema
        self.make_context = make_context
        self.keep_alive_interval = keep_alive_interval
        self.init_timeout = init_timeout

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
        await websocket.accept(subprotocol=protocol if requested else None)
        session = session_type(websocket, self.schema(), self.make_context, self.keep_alive_interval,
                               self.init_timeout)
        await session.serve()
