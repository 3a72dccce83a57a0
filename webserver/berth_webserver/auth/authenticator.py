"""Recognising a caller: a bearer token, or a user named by a trusted proxy.

``Authenticator`` turns request headers (or a WebSocket ``connection_init`` payload) into a
``Principal``, or raises ``AuthenticationFailed`` with the HTTP status to answer (401 for no or
bad credentials, 403 for a proxy user whom the mapping gives no role).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .config import AuthConfig
from .roles import Principal
from .tokens import hash_token

__all__ = ["AuthenticationFailed", "Authenticator"]

_HOW = "send `Authorization: Bearer <token>`"


class AuthenticationFailed(Exception):
    """The caller is not let in; ``status`` is 401 (who are you?) or 403 (you have no role)."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Authenticator:
    """Checks credentials against one ``AuthConfig``."""

    def __init__(self, config: AuthConfig) -> None:
        self.config = config

    def from_headers(self, headers: Mapping[str, str], client_address: Optional[str]) -> Principal:
        """The caller of a request with these (case-insensitive) headers from this peer address."""
        authorization = headers.get("authorization")
        proxy = self.config.proxy
        if proxy is not None and headers.get(proxy.user_header):
            # The proxy's word wins: oauth2-proxy may pass its own Authorization header along.
            if proxy.trusts(client_address):
                return self._proxy_user(headers)
            if not authorization:
                raise AuthenticationFailed(f"The {proxy.user_header} header is accepted only from the "
                                           "configured proxy addresses; " + _HOW)
        if authorization:
            return self.from_token(_bearer(authorization))
        raise AuthenticationFailed(f"Authentication required: {_HOW}.")

    def _proxy_user(self, headers: Mapping[str, str]) -> Principal:
        proxy = self.config.proxy
        assert proxy is not None
        user = headers[proxy.user_header].strip()
        groups_text = headers.get(proxy.groups_header, "") if proxy.groups_header else ""
        role = proxy.role_for(user, [group.strip() for group in groups_text.split(",") if group.strip()])
        if role is None:
            raise AuthenticationFailed(f"User {user!r} has no role on this webserver.", status=403)
        return Principal(user, role, "proxy")

    def from_token(self, token: str) -> Principal:
        """The owner of an API token."""
        entry = self.config.tokens_by_hash.get(hash_token(token)) if token else None
        if entry is None:
            raise AuthenticationFailed("Invalid token.")
        return Principal(entry.name, entry.role, "token")

    def from_init_payload(self, payload: Any) -> Principal:
        """The caller named by a WebSocket ``connection_init`` payload.

        Accepts ``{"Authorization": "Bearer …"}``, ``{"token": "…"}`` and ``{"headers":
        {"Authorization": "Bearer …"}}`` (what GraphiQL and Apollo clients send).
        """
        if isinstance(payload, Mapping):
            headers = payload.get("headers")
            for source in (payload, headers if isinstance(headers, Mapping) else {}):
                for key, value in source.items():
                    if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
                        return self.from_token(_bearer(value))
            token = payload.get("token")
            if isinstance(token, str):
                return self.from_token(token.strip())
        raise AuthenticationFailed("Authentication required: put {\"Authorization\": \"Bearer <token>\"} "
                                   "in the connection_init payload, or send the header with the upgrade.")


def _bearer(value: str) -> str:
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise AuthenticationFailed(f"Unsupported Authorization header: {_HOW}.")
    return credentials.strip()
