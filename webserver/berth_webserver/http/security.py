"""Security headers on every response, and the CSP (with a per-request nonce) of HTML pages."""

from __future__ import annotations

import secrets
from typing import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeadersMiddleware", "SECURITY_HEADERS", "make_csp_header", "make_nonce"]

# The same set as Dagster's webserver, plus the modern Permissions-Policy spelling.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Feature-Policy", "microphone 'none'; camera 'none'"),
    ("Permissions-Policy", "microphone=(), camera=()"),
    ("X-Frame-Options", "DENY"),
)
_STATIC_PREFIX = "/static/"


def make_nonce() -> str:
    """A fresh random nonce for one HTML response."""
    return secrets.token_urlsafe(16)


def make_csp_header(nonce: str) -> str:
    """The Content-Security-Policy of HTML pages: own assets, and only the inline script with the nonce."""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        # GraphiQL's editor (CodeMirror) positions elements with inline style attributes.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ])


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response, and Cache-Control: no-store off static assets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith(_STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra: Iterable[tuple[str, str]] = SECURITY_HEADERS
                if not is_static:
                    extra = (*SECURITY_HEADERS, ("Cache-Control", "no-store"))
                for name, value in extra:
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
