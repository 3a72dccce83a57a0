"""A run's live event stream: the ``pipelineRunLogs`` subscription over a WebSocket.

Speaks ``graphql-transport-ws`` and, for servers that only know it, the older ``graphql-ws``
protocol (Dagster's webserver); the server picks one of the two offered subprotocols. Needs the
``websockets`` package (``pip install berth-client[websocket]``).
"""

from __future__ import annotations

import json
import ssl
from typing import Any, AsyncIterator, Iterator, Mapping, Optional

from . import _queries as queries
from ._enums import DagsterRunStatus
from ._exceptions import ConnectError, DagsterGraphQLClientError, GraphQLError, NotFoundError
from ._models import RunEvent
from ._results import result_of

__all__ = ["SubscriptionProtocol", "async_stream_run_events", "stream_run_events"]

SUBPROTOCOLS = ("graphql-transport-ws", "graphql-ws")
_OPERATION_ID = "1"


class SubscriptionProtocol:
    """The messages of one subscription in whichever protocol the server chose."""

    def __init__(self, subprotocol: Optional[str]) -> None:
        self.legacy = subprotocol == "graphql-ws"

    def init(self) -> str:
        """The connection_init message."""
        return json.dumps({"type": "connection_init", "payload": {}})

    def subscribe(self, document: str, variables: Mapping[str, Any]) -> str:
        """The message that starts the subscription."""
        kind = "start" if self.legacy else "subscribe"
        payload = {"query": document, "variables": dict(variables)}
        return json.dumps({"type": kind, "id": _OPERATION_ID, "payload": payload})

    def stop(self) -> str:
        """The message that ends the subscription from the client side."""
        return json.dumps({"type": "stop" if self.legacy else "complete", "id": _OPERATION_ID})

    def interpret(self, raw: Any) -> tuple[str, Any]:
        """Classify a server message as ("data", data), ("complete", None), ("ack", None),
        ("reply", message to send back) or ("ignore", None); raise on errors."""
        message = json.loads(raw)
        kind = message.get("type")
        if kind in ("next", "data"):
            payload = message.get("payload") or {}
            if payload.get("errors"):
                raise GraphQLError(f"Subscription error: {payload['errors']}", errors=payload["errors"])
            return "data", payload.get("data") or {}
        if kind == "error" or kind == "connection_error":
            errors = message.get("payload")
            errors = errors if isinstance(errors, list) else [errors]
            raise GraphQLError(f"Subscription error: {errors}", errors=errors)
        if kind == "complete":
            return "complete", None
        if kind == "ping":
            return "reply", json.dumps({"type": "pong"})
        if kind == "connection_ack":
            return "ack", None
        return "ignore", None  # ka, pong


def events_and_end(data: Mapping[str, Any]) -> tuple[list[RunEvent], bool]:
    """The events of one subscription payload, and whether the run has finished."""
    result = result_of(data, "pipelineRunLogs")
    if result["__typename"] != "PipelineRunLogsSubscriptionSuccess":
        message = result.get("message") or "Run event subscription failed"
        if result.get("missingRunId"):
            raise NotFoundError("RunNotFoundError", message, body=dict(result))
        raise DagsterGraphQLClientError(result["__typename"], message, body=dict(result))
    events = [RunEvent.from_graphql(node) for node in result.get("messages") or ()]
    status = (result.get("run") or {}).get("status")
    finished = any(e.ends_run for e in events) or (
        status is not None and DagsterRunStatus(status).is_finished and not result.get("hasMorePastEvents")
    )
    return events, finished


def ssl_context(url: str, verify: Any, cert: Any) -> Optional[ssl.SSLContext]:
    """The TLS context for a ``wss://`` URL, honouring the client's verify and cert options."""
    if not url.startswith("wss://"):
        return None
    if isinstance(verify, ssl.SSLContext):
        return verify
    context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert is not None:
        certfile, keyfile = (cert, None) if isinstance(cert, str) else cert[:2]
        context.load_cert_chain(certfile, keyfile)
    return context


def _variables(run_id: str, cursor: Optional[str]) -> dict[str, Any]:
    return {"runId": run_id, "cursor": cursor}


def stream_run_events(
    url: str, run_id: str, *, cursor: Optional[str] = None, headers: Optional[Mapping[str, str]] = None,
    timeout: float = 60, verify: Any = True, cert: Any = None,
) -> Iterator[RunEvent]:
    """Yield a run's events as they happen, from the start or after ``cursor``, until it finishes."""
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect
    from websockets.typing import Subprotocol

    try:
        socket = connect(url, subprotocols=[Subprotocol(name) for name in SUBPROTOCOLS],
                         additional_headers=dict(headers or {}),
                         open_timeout=timeout, ssl=ssl_context(url, verify, cert))
    except (OSError, WebSocketException) as exc:
        raise ConnectError(f"Error when connecting to url {url}: {exc}") from exc
    with socket:
        protocol = SubscriptionProtocol(socket.subprotocol)
        try:
            socket.send(protocol.init())
            for raw in socket:
                kind, value = protocol.interpret(raw)
                if kind == "ack":
                    # graphql-transport-ws forbids subscribing before the server acknowledged.
                    socket.send(protocol.subscribe(queries.RUN_EVENTS_SUBSCRIPTION, _variables(run_id, cursor)))
                elif kind == "reply":
                    socket.send(value)
                elif kind == "complete":
                    return
                elif kind == "data":
                    events, finished = events_and_end(value)
                    yield from events
                    if finished:
                        socket.send(protocol.stop())
                        return
        except WebSocketException as exc:
            raise ConnectError(f"Lost the event stream from {url}: {exc}") from exc


async def async_stream_run_events(
    url: str, run_id: str, *, cursor: Optional[str] = None, headers: Optional[Mapping[str, str]] = None,
    timeout: float = 60, verify: Any = True, cert: Any = None,
) -> AsyncIterator[RunEvent]:
    """The async form of ``stream_run_events``."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException
    from websockets.typing import Subprotocol

    try:
        socket = await connect(url, subprotocols=[Subprotocol(name) for name in SUBPROTOCOLS],
                               additional_headers=dict(headers or {}),
                               open_timeout=timeout, ssl=ssl_context(url, verify, cert))
    except (OSError, WebSocketException) as exc:
        raise ConnectError(f"Error when connecting to url {url}: {exc}") from exc
    async with socket:
        protocol = SubscriptionProtocol(socket.subprotocol)
        try:
            await socket.send(protocol.init())
            async for raw in socket:
                kind, value = protocol.interpret(raw)
                if kind == "ack":
                    await socket.send(protocol.subscribe(queries.RUN_EVENTS_SUBSCRIPTION, _variables(run_id, cursor)))
                elif kind == "reply":
                    await socket.send(value)
                elif kind == "complete":
                    return
                elif kind == "data":
                    events, finished = events_and_end(value)
                    for event in events:
                        yield event
                    if finished:
                        await socket.send(protocol.stop())
                        return
        except WebSocketException as exc:
            raise ConnectError(f"Lost the event stream from {url}: {exc}") from exc
