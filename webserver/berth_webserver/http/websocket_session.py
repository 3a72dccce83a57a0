"""The part of a GraphQL WebSocket session both protocols share: operations run as cancellable tasks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, Callable, Optional

from graphql import ExecutionResult, GraphQLSchema, OperationType
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from berth.redaction import redact_credentials

from ..auth.connection import socket_refusal
from .graphql_execution import (
    DocumentPreparer,
    GraphQLParams,
    ParamsError,
    format_errors,
    format_result,
    operation_type,
    subscribe_document,
)

__all__ = ["WebSocketSession", "ProtocolError"]

_log = logging.getLogger(__name__)

_NOT_A_SUBSCRIPTION = ("A {kind} cannot run over the WebSocket, which serves subscriptions only; "
                       "send queries and mutations as HTTP POST to /graphql.")


class ProtocolError(Exception):
    """The peer broke the protocol; the session closes with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class WebSocketSession:
    """One accepted WebSocket; subclasses map the protocol's messages onto run/stop operations."""

    def __init__(self, websocket: WebSocket, schema: GraphQLSchema, make_context: Callable[[WebSocket], Any],
                 keep_alive_interval: float, init_timeout: float, preparer: Optional[DocumentPreparer] = None) -> None:
        self.websocket = websocket
        self.schema = schema
        self.make_context = make_context
        self.keep_alive_interval = keep_alive_interval
        self.init_timeout = init_timeout
        self.preparer = preparer or DocumentPreparer()
        self.operations: dict[Any, asyncio.Task[None]] = {}
        self.acknowledged = False
        self._send_lock = asyncio.Lock()

    # -- to implement ------------------------------------------------------------------------------

    async def handle(self, message: dict[str, Any]) -> None:
        """React to one decoded client message."""
        raise NotImplementedError

    async def send_result(self, operation_id: Any, result: dict[str, Any]) -> None:
        """Send one execution result of an operation."""
        raise NotImplementedError

    async def send_errors(self, operation_id: Any, errors: list[dict[str, Any]]) -> None:
        """Report that an operation could not run (syntax, validation, bad variables)."""
        raise NotImplementedError

    async def send_complete(self, operation_id: Any) -> None:
        """Tell the client that an operation finished."""
        raise NotImplementedError

    async def on_open(self) -> None:
        """Called after accept (timers, keep-alives)."""

    # -- shared ------------------------------------------------------------------------------------

    async def send(self, message: dict[str, Any]) -> None:
        """Send one JSON message (tasks send concurrently, the socket takes one at a time)."""
        async with self._send_lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.send_text(json.dumps(message))

    async def serve(self) -> None:
        """Read messages until the client leaves or breaks the protocol; then stop every operation."""
        background = asyncio.create_task(self.on_open())
        try:
            while True:
                received = await self.websocket.receive()
                if received["type"] == "websocket.disconnect":
                    break
                text = received.get("text")
                if text is None:
                    raise ProtocolError(4400, "Invalid message received: binary frames are not accepted")
                try:
                    message = json.loads(text)
                except (ValueError, RecursionError):
                    raise ProtocolError(4400, "Invalid message received: not JSON") from None
                if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                    raise ProtocolError(4400, "Invalid message received")
                refusal = socket_refusal(self.websocket.scope, message)
                if refusal is not None:
                    raise ProtocolError(4401, refusal)
                await self.handle(message)
        except ProtocolError as exc:
            with contextlib.suppress(Exception):
                # A close reason may hold 123 bytes of UTF-8.
                reason = exc.reason.encode()[:123].decode(errors="ignore")
                await self.websocket.close(code=exc.code, reason=reason)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client left (RuntimeError: closed while receiving)
        finally:
            background.cancel()
            await self.stop_all()

    async def start_operation(self, operation_id: Any, payload: Any) -> None:
        """Run the operation in a task (one per id); parameters are validated first.

        Every running subscription polls storage, so a socket runs a bounded number at once.
        """
        cap = self.preparer.limits.max_operations_per_socket
        if len(self.operations) >= cap:
            await self.send_errors(operation_id, [{"message": (
                f"Too many operations on this socket: {cap} are running, the limit is {cap}; "
                f"stop one first."), "extensions": {"code": "TOO_MANY_OPERATIONS", "limit": cap}}])
            return
        self.operations[operation_id] = asyncio.create_task(self._run(operation_id, payload))

    async def stop_operation(self, operation_id: Any) -> bool:
        """Cancel a running operation; False when there was none."""
        task = self.operations.pop(operation_id, None)
        if task is None:
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return True

    async def stop_all(self) -> None:
        """Cancel every operation (the socket is closing)."""
        for operation_id in list(self.operations):
            await self.stop_operation(operation_id)

    async def _run(self, operation_id: Any, payload: Any) -> None:
        try:
            await self._execute(operation_id, payload)
        except Exception as exc:  # noqa: BLE001 - a bug on our side ends this operation, not the whole socket
            _log.exception("GraphQL operation %s failed", operation_id)
            with contextlib.suppress(Exception):
                await self.send_errors(operation_id, [{"message": redact_credentials(
                    f"Internal error: {type(exc).__name__}: {exc}")}])
        finally:
            if self.operations.get(operation_id) is asyncio.current_task():
                del self.operations[operation_id]

    async def _execute(self, operation_id: Any, payload: Any) -> None:
        try:
            params = GraphQLParams.from_payload(payload)
        except ParamsError as exc:
            await self.send_errors(operation_id, [{"message": str(exc)}])
            return
        prepared = self.preparer.prepare(self.schema, params)
        if isinstance(prepared, list):
            await self.send_errors(operation_id, format_errors(prepared))
            return
        kind = operation_type(prepared, params.operation_name)
        if kind != OperationType.SUBSCRIPTION:
            # A socket is no place for mutations: a page of any origin could have opened one before
            # the origin check existed, and no HTTP-level protection (content type, origin, auth
            # middleware) sees its messages. Queries go over HTTP too, as the Dagster UI sends them.
            message = (_NOT_A_SUBSCRIPTION.format(kind=kind.value) if kind is not None
                       else "No operation to run: name one with operationName.")
            await self.send_errors(operation_id, [{"message": message,
                                                   "extensions": {"code": "NOT_A_SUBSCRIPTION"}}])
            return
        context = self.make_context(self.websocket)
        source = await subscribe_document(self.schema, prepared, params, context)
        if isinstance(source, ExecutionResult):
            await self.send_errors(operation_id, format_errors(source.errors))
            return
        try:
            async for result in source:
                await self.send_result(operation_id, format_result(result))
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
        await self.send_complete(operation_id)
