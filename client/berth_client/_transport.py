"""Sending one GraphQL document over HTTP: URL, headers, TLS, timeouts, retries, error mapping.

``GraphQLTransport`` and ``AsyncGraphQLTransport`` wrap ``httpx.Client`` and
``httpx.AsyncClient``; pass ``transport=`` (an httpx transport such as ``httpx.MockTransport``)
to serve requests without a network. Queries are retried with exponential backoff when the
connection fails; mutations never are, because the server may have acted on the first attempt.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Mapping, Optional, Union
from urllib.parse import urlsplit

import httpx

from ._exceptions import (
    AuthenticationError,
    ConnectError,
    DagsterGraphQLClientError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    RequestTimeout,
)
from ._queries import is_mutation

__all__ = ["AsyncGraphQLTransport", "GraphQLTransport", "build_graphql_url", "websocket_url", "with_token"]


def with_token(headers: Optional[Mapping[str, str]], token: Optional[str]) -> dict[str, str]:
    """``headers`` plus ``Authorization: Bearer <token>`` when a token is given (the token wins)."""
    merged = {key: value for key, value in (headers or {}).items()
              if not (token and key.lower() == "authorization")}
    if token:
        merged["Authorization"] = f"Bearer {token}"
    return merged

# Errors after which the server cannot have seen a complete request, or a reply was lost:
# harmless to repeat for a query.
_RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError, httpx.RemoteProtocolError)

VerifyTypes = Union[bool, str, Any]


def build_graphql_url(hostname: str, port_number: Optional[int] = None, use_https: bool = False) -> str:
    """The GraphQL endpoint for a host: ``hostname`` may carry a scheme and a path prefix.

    ``("localhost", 3000)`` -> ``http://localhost:3000/graphql``;
    ``("example.com/prod", None, True)`` -> ``https://example.com/prod/graphql``.
    """
    scheme = "https" if use_https else "http"
    if "://" in hostname:
        scheme, _, hostname = hostname.partition("://")
    host, slash, path = hostname.partition("/")
    if port_number is not None:
        host = f"{host}:{port_number}"
    prefix = f"/{path.strip('/')}" if slash and path.strip("/") else ""
    if prefix.endswith("/graphql"):
        prefix = prefix[: -len("/graphql")]
    return f"{scheme}://{host}{prefix}/graphql"


def websocket_url(graphql_url: str) -> str:
    """The WebSocket form of a GraphQL URL (``http`` -> ``ws``, ``https`` -> ``wss``)."""
    parts = urlsplit(graphql_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return parts._replace(scheme=scheme).geturl()


class _TransportSettings:
    """What both transports share: the URL, request options and the response mapping."""

    def __init__(
        self,
        url: str,
        *,
        headers: Optional[Mapping[str, str]] = None,
        timeout: float = 60,
        verify: VerifyTypes = True,
        cert: Any = None,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.url = url
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.verify = verify
        self.cert = cert
        self.retries = retries
        self.backoff = backoff

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client`` / ``httpx.AsyncClient``."""
        options: dict[str, Any] = {"headers": self.headers, "timeout": self.timeout, "verify": self.verify}
        if self.cert is not None:
            options["cert"] = self.cert
        return options

    def attempts_for(self, document: str) -> int:
        """How many times a document may be sent: once for a mutation."""
        return 1 if is_mutation(document) else 1 + max(self.retries, 0)

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based): exponential backoff."""
        return float(self.backoff * (2 ** (attempt - 1)))

    def map_transport_error(self, exc: Exception) -> DagsterGraphQLClientError:
        """The client error for a failed exchange; a connection error names the URL."""
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return RequestTimeout(f"Timed out after {self.timeout}s waiting for {self.url}: {exc}")
        return ConnectError(
            f"Error when connecting to url {self.url}. Did you specify the hostname and port "
            f"correctly? ({type(exc).__name__}: {exc})"
        )

    def read_response(self, response: httpx.Response) -> dict[str, Any]:
        """The ``data`` of a GraphQL response, or the right exception."""
        try:
            payload = response.json()
        except ValueError:
            payload = None
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if response.status_code in (401, 403):
            detail = "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict)) if errors else ""
            raise AuthenticationError(
                f"HTTP {response.status_code} from {self.url}: {detail or response.text[:500]}"
                + (" (pass token=... or set BERTH_TOKEN)" if response.status_code == 401 else ""),
                status_code=response.status_code,
                body=response.text,
            )
        if errors:
            messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
            raise GraphQLError(
                f"GraphQL errors from {self.url} (HTTP {response.status_code}): {messages}",
                errors=errors,
                status_code=response.status_code,
            )
        if not response.is_success:
            raise HTTPStatusError(
                f"HTTP {response.status_code} from {self.url}: {response.text[:500]}",
                status_code=response.status_code,
                body=response.text,
            )
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
            raise InvalidResponseError(f"Not a GraphQL response from {self.url}: {response.text[:500]}")
        data: dict[str, Any] = payload["data"]
        return data


class GraphQLTransport(_TransportSettings):
    """Sends GraphQL documents with a blocking ``httpx.Client``."""

    def __init__(self, url: str, *, transport: Optional[httpx.BaseTransport] = None, **settings: Any) -> None:
        super().__init__(url, **settings)
        self._client = httpx.Client(transport=transport, **self.client_options())

    def execute(self, document: str, variables: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
        """Send one document and return its ``data``; retries queries on connection errors."""
        body = {"query": document, "variables": dict(variables or {})}
        attempts = self.attempts_for(document)
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.delay_before(attempt))
            try:
                response = self._client.post(self.url, json=body)
            except _RETRYABLE as exc:
                if attempt + 1 < attempts:
                    continue
                raise self.map_transport_error(exc) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a hostname httpx cannot parse
                raise self.map_transport_error(exc) from exc
            return self.read_response(response)
        raise AssertionError("unreachable")  # the loop returns or raises

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class AsyncGraphQLTransport(_TransportSettings):
    """Sends GraphQL documents with an ``httpx.AsyncClient``."""

    def __init__(
        self, url: str, *, transport: Optional[httpx.AsyncBaseTransport] = None, **settings: Any
    ) -> None:
        super().__init__(url, **settings)
        self._client = httpx.AsyncClient(transport=transport, **self.client_options())

    async def execute(self, document: str, variables: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
        """Send one document and return its ``data``; retries queries on connection errors."""
        body = {"query": document, "variables": dict(variables or {})}
        attempts = self.attempts_for(document)
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self.delay_before(attempt))
            try:
                response = await self._client.post(self.url, json=body)
            except _RETRYABLE as exc:
                if attempt + 1 < attempts:
                    continue
                raise self.map_transport_error(exc) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a hostname httpx cannot parse
                raise self.map_transport_error(exc) from exc
            return self.read_response(response)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
