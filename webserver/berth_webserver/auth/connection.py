"""Who is on a connection: kept in the ASGI scope, so HTTP requests and WebSockets share one path.

The middleware authenticates an HTTP request (or a WebSocket upgrade that carries credentials)
and stores a ``ConnectionAuth`` in the scope. A WebSocket without credentials in its upgrade
stays unauthenticated until its ``connection_init`` payload names a valid token; until then no
operation may start (``socket_refusal``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, MutableMapping, Optional

from .authenticator import AuthenticationFailed, Authenticator
from .roles import ANONYMOUS, Principal

__all__ = ["AUTH_SCOPE_KEY", "ConnectionAuth", "principal_of", "socket_refusal"]

AUTH_SCOPE_KEY = "berth.auth"
_OPERATION_MESSAGES = frozenset({"start", "subscribe"})


@dataclasses.dataclass
class ConnectionAuth:
    """The authenticator of the webserver and the caller on this connection (None: not yet known)."""

    authenticator: Authenticator
    principal: Optional[Principal] = None


def principal_of(scope: MutableMapping[str, Any]) -> Principal:
    """The caller of a request or socket; the anonymous admin when the webserver has no auth."""
    auth = scope.get(AUTH_SCOPE_KEY)
    if auth is None:
        return ANONYMOUS
    if auth.principal is None:  # the WebSocket code refuses operations before this can happen
        raise AuthenticationFailed("Authentication required.")
    return auth.principal


def socket_refusal(scope: MutableMapping[str, Any], message: Mapping[str, Any]) -> Optional[str]:
    """Why a WebSocket message must close the socket (4401), or None to handle it.

    ``connection_init`` authenticates a socket whose upgrade carried no credentials; an
    operation before that is refused.
    """
    auth: Optional[ConnectionAuth] = scope.get(AUTH_SCOPE_KEY)
    if auth is None or auth.principal is not None:
        return None
    kind = message.get("type")
    if kind == "connection_init":
        try:
            auth.principal = auth.authenticator.from_init_payload(message.get("payload"))
        except AuthenticationFailed as exc:
            # A close reason holds at most 123 bytes.
            return f"Unauthorized: {exc.message}".encode()[:120].decode("utf-8", errors="ignore")
        return None
    if kind in _OPERATION_MESSAGES:
        return "Unauthorized: send a token in connection_init first"
    return None
