"""Refuses state-changing requests and WebSocket upgrades that a page of another origin makes.

A browser tells where a request comes from: ``Origin`` (on every POST and WebSocket upgrade) and
``Sec-Fetch-Site``. Without this check, any web page a user of ``berth dev`` opens could POST a
mutation (a form, or ``fetch`` with ``text/plain``) or open a WebSocket to the webserver. The
server's own origin is the ``Host`` the request was sent to; ``--allowed-origin`` adds others (a UI
served elsewhere). Requests that carry neither header — scripts, ``curl``, the Python clients —
are not from a browser page and pass.

A server that listens on a loopback address (``berth dev``'s default) also refuses every request
whose ``Host`` is not a loopback name: that is DNS rebinding, where a page of ``evil.example``
has its name re-pointed to 127.0.0.1 and so becomes, to the browser, same-origin with berth.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Iterable, Optional
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["CrossOriginGuard", "is_loopback", "normalize_origin", "refusal_reason"]

# Methods a browser may send cross-origin without side effects on this server (GET never mutates:
# a mutation over GET is refused by the GraphQL endpoint).
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Sec-Fetch-Site values of a request the user or this server's own pages made.
_OWN_FETCH_SITES = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def normalize_origin(origin: str) -> Optional[str]:
    """``scheme://host[:port]`` in lower case without a default port; None when it is not an origin."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and str(port) != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def _host_of(origin: str) -> str:
    """The host[:port] part of a normalized origin."""
    return origin.split("://", 1)[1]


def _own_host(headers: Headers, scheme: str) -> Optional[str]:
    """The Host header normalized like an origin's host part (the scheme's default port dropped)."""
    host = headers.get("host")
    if not host:
        return None
    own = normalize_origin(f"{'https' if scheme in ('https', 'wss') else 'http'}://{host}")
    return _host_of(own) if own else None


def is_loopback(host: str) -> bool:
    """True for localhost, *.localhost and loopback IP addresses (brackets allowed)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _rebinding_reason(headers: Headers, allowed_origins: frozenset[str]) -> Optional[str]:
    host = headers.get("host")
    if host is None:
        return None
    own = normalize_origin(f"http://{host}")
    hostname = urlsplit(own).hostname if own else None
    if hostname is not None and (is_loopback(hostname)
                                 or any(urlsplit(origin).hostname == hostname for origin in allowed_origins)):
        return None
    return (f"Request refused: Host {host[:200]!r} is not a name of this server, which listens on a loopback "
            f"address (a DNS-rebinding page would look like this); use localhost or 127.0.0.1, or name the "
            f"host with --allowed-origin.")


def refusal_reason(scope: Scope, allowed_origins: frozenset[str], loopback_only: bool = False) -> Optional[str]:
    """Why this request must be refused as cross-origin, or None when it may pass."""
    headers = Headers(scope=scope)
    if loopback_only:
        reason = _rebinding_reason(headers, allowed_origins)
        if reason is not None:
            return reason
    if scope["type"] == "http" and scope["method"] in _SAFE_METHODS:
        return None
    origin = headers.get("origin")
    if origin is not None:
        normalized = normalize_origin(origin)
        if normalized is not None and normalized in allowed_origins:
            return None
        # The host is compared, not the scheme: behind a TLS proxy the browser says https while
        # the server sees http.
        own = _own_host(headers, scope.get("scheme", "http"))
        if normalized is not None and own is not None and _host_of(normalized) == own:
            return None
        return (f"Cross-origin request refused: origin {origin[:200]!r} is neither this server's origin "
                f"(Host {headers.get('host', '')[:200]!r}) nor an --allowed-origin.")
    site = headers.get("sec-fetch-site")
    if site is not None and site.lower() not in _OWN_FETCH_SITES:
        return (f"Cross-origin request refused: Sec-Fetch-Site is {site[:50]!r}; only same-origin requests "
                f"may change state (start the server with --allowed-origin for a UI served elsewhere).")
    return None


class CrossOriginGuard:
    """ASGI middleware: 403 for a cross-origin state-changing request or WebSocket upgrade (and, with
    ``loopback_only``, for any request whose Host is not a loopback name)."""

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str] = (), loopback_only: bool = False) -> None:
        self.app = app
        normalized = {normalize_origin(origin) for origin in allowed_origins}
        self.allowed_origins = frozenset(origin for origin in normalized if origin is not None)
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reason = (refusal_reason(scope, self.allowed_origins, self.loopback_only)
                  if scope["type"] in ("http", "websocket") else None)
        if reason is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await _refuse_websocket(scope, receive, send, reason)
        else:
            await _refuse_http(send, reason)


async def _refuse_http(send: Send, reason: str) -> None:
    body = json.dumps({"errors": [{"message": reason}]}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _refuse_websocket(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
    """Refuse the upgrade with HTTP 403, with the reason as the body where the server supports it."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        body = json.dumps({"errors": [{"message": reason}]}).encode()
        await send({"type": "websocket.http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
