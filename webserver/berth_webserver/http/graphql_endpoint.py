"""POST and GET /graphql over HTTP (GraphiQL for browsers that ask for HTML)."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

from graphql import ExecutionResult, GraphQLError, GraphQLSchema, OperationType
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..heap import release_free_memory
from .graphiql import graphiql_response
from .graphql_execution import (GraphQLParams, ParamsError, execute_document, format_errors, format_result,
                                operation_type, prepare)

__all__ = ["GraphQLEndpoint"]

_log = logging.getLogger(__name__)


def _error_response(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


async def _params_from_request(request: Request) -> GraphQLParams:
    """Read {query, variables, operationName} from a POST body or GET query string; raises ParamsError."""
    if request.method == "GET":
        args = request.query_params
        variables: Any = args.get("variables")
        if variables:
            try:
                variables = json.loads(variables)
            except ValueError as exc:
                raise ParamsError(f"Variables are invalid JSON: {exc}") from exc
        return GraphQLParams.from_payload({"query": args.get("query"), "variables": variables or None,
                                           "operationName": args.get("operationName")})
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/graphql":
        return GraphQLParams.from_payload({"query": body.decode("utf-8", errors="replace")})
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ParamsError(f"POST body is not valid JSON: {exc}") from exc
    return GraphQLParams.from_payload(payload)


class GraphQLEndpoint:
    """Executes GraphQL over HTTP with a fresh request context per request."""

    def __init__(self, schema: Callable[[], GraphQLSchema], make_context: Callable[[Request], Any]) -> None:
        self.schema = schema  # called per request: the schema may be built while the server starts
        self.make_context = make_context

    async def __call__(self, request: Request) -> Response:
        """Answer one /graphql request."""
        if request.method == "GET" and "query" not in request.query_params and \
                "text/html" in request.headers.get("accept", ""):
            return graphiql_response(request)
        try:
            params = await _params_from_request(request)
        except ParamsError as exc:
            return _error_response(str(exc))
        try:
            return await self._answer(request, params)
        except Exception as exc:  # a bug on our side: still answer JSON, as GraphQL clients expect
            _log.exception("GraphQL request failed")
            return _error_response(f"Internal error: {type(exc).__name__}: {exc}", 500)

    async def _answer(self, request: Request, params: GraphQLParams) -> Response:
        schema = self.schema()
        prepared = prepare(schema, params)
        if isinstance(prepared, list):
            return JSONResponse({"data": None, "errors": format_errors(prepared)}, status_code=400)
        kind = operation_type(prepared, params.operation_name)
        if kind is None:
            name = params.operation_name
            message = (f"Unknown operation named '{name}'." if name
                       else "Must provide operation name if query contains multiple operations.")
            return _error_response(message)
        if request.method == "GET" and kind != OperationType.QUERY:
            return _error_response(f"Can only perform a {kind.value} operation from a POST request.", 405)
        if kind == OperationType.SUBSCRIPTION:
            return _error_response("Subscriptions are served over the WebSocket on this endpoint.")
        result = await execute_document(schema, prepared, params, self.make_context(request))
        response = JSONResponse(format_result(result), status_code=_status_for(result))
        if len(response.body) > _LARGE_RESPONSE_BYTES:
            # Building a large answer left megabytes of freed memory with the allocator.
            response.background = BackgroundTask(release_free_memory)
        return response


_LARGE_RESPONSE_BYTES = 256 * 1024


def _status_for(result: ExecutionResult) -> int:
    """200 with data; without data, 400 for the client's mistakes (bad variables), 500 for a crash."""
    if result.data is not None or not result.errors:
        return 200
    crashed = any(e.original_error is not None and not isinstance(e.original_error, GraphQLError)
                  for e in result.errors)
    return 500 if crashed else 400
