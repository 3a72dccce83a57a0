"""``AuthMiddleware``: every request except the open ones must say who it is.

Open without credentials: ``/health``, ``/health/live`` and ``/health/ready`` (probes),
``/server_info`` and ``/dagit_info`` (versions only), the web UI's pages (``/``, ``/runs…``,
``/jobs…``, ``/locations…``), ``/static/`` assets and the GraphiQL page itself (a browser cannot
send a bearer token when it navigates; the UI and GraphiQL send one with each query once the user
enters it). Everything else answers 401 (or 403
for a proxy user without a role), as JSON in the GraphQL error shape, never running any resolver.
A WebSocket upgrade with bad credentials is accepted and closed at once with code 4401 (4403),
which GraphQL WebSocket clients understand.
"""

from __future__ import annotations

import json
from typing import Optional

from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from ..http.ui import is_app_path
from .authenticator import AuthenticationFailed, Authenticator
from .connection import AUTH_SCOPE_KEY, ConnectionAuth

__all__ = ["AuthMiddleware"]

_OPEN_PATHS = frozenset({"/", "/health", "/health/live", "/health/ready", "/server_info", "/dagit_info"})
_OPEN_PREFIXES = ("/static/",)
_SOCKET_PROTOCOLS = ("graphql-transport-ws", "graphql-ws")


def _is_open(scope: Scope, headers: Headers) -> bool:
    path = scope.get("path", "")
    if path in _OPEN_PATHS or path.startswith(_OPEN_PREFIXES):
        return True
    if scope.get("method") == "GET" and is_app_path(path):
        return True  # the app's HTML; its GraphQL requests carry the token
    # The GraphiQL page: what GraphQLEndpoint answers with HTML rather than by executing.
    return (path == "/graphql" and scope.get("method") == "GET" and "text/html" in headers.get("accept", "")
            and "query" not in QueryParams(scope.get("query_string", b"")))


class AuthMiddleware:
    """Authenticates HTTP requests and WebSocket upgrades; see the module docstring."""

    def __init__(self, app: ASGIApp, authenticator: Optional[Authenticator] = None) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.authenticator is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        auth = ConnectionAuth(self.authenticator)
        scope[AUTH_SCOPE_KEY] = auth
        if scope["type"] == "http" and _is_open(scope, headers):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        try:
            if scope["type"] == "http" or self._carries_credentials(headers):
                auth.principal = self.authenticator.from_headers(headers, client[0] if client else None)
        except AuthenticationFailed as exc:
            if scope["type"] == "http":
                await _refuse_http(exc, send)
            else:
                await _refuse_socket(exc, scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _carries_credentials(self, headers: Headers) -> bool:
        proxy = self.authenticator.config.proxy if self.authenticator is not None else None
        return "authorization" in headers or (proxy is not None and proxy.user_header in headers)


async def _refuse_http(exc: AuthenticationFailed, send: Send) -> None:
    code = "UNAUTHENTICATED" if exc.status == 401 else "FORBIDDEN"
    body = json.dumps({"errors": [{"message": exc.message, "extensions": {"code": code}}]}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if exc.status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="berth"'))
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse_socket(exc: AuthenticationFailed, scope: Scope, receive: Receive, send: Send) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    requested = scope.get("subprotocols") or []
    # A client that asked for a subprotocol drops a handshake without one before it sees the code.
    protocol = next((p for p in requested if p in _SOCKET_PROTOCOLS), None)
    await send({"type": "websocket.accept", "subprotocol": protocol})
    reason = f"Unauthorized: {exc.message}".encode()[:120].decode("utf-8", errors="ignore")
    await send({"type": "websocket.close", "code": 4401 if exc.status == 401 else 4403, "reason": reason})
