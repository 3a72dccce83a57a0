"""POST and GET /graphql over HTTP (GraphiQL for browsers that ask for HTML)."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Union

from graphql import ExecutionResult, GraphQLError, GraphQLSchema, OperationType
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from berth.redaction import redact_credentials

from ..heap import release_free_memory
from .graphiql import graphiql_response
from .graphql_execution import (
    DocumentPreparer,
    GraphQLParams,
    ParamsError,
    execute_document,
    format_errors,
    format_result,
    operation_type,
)
from .request_body import BodyTooLarge, read_body

__all__ = ["GraphQLEndpoint"]

_log = logging.getLogger(__name__)


def _error_response(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


# Content types a GraphQL client sends. Anything else is refused before the body is read: a
# browser page of another origin can send text/plain, a form encoding or multipart without asking
# the server first (a "simple" request), and must not get a mutation executed that way.
_ACCEPTED_CONTENT_TYPES = ("application/json", "application/graphql")


class UnsupportedContentType(Exception):
    """The POST body's Content-Type is not one GraphQL clients use (answered with HTTP 415)."""


async def _params_from_request(request: Request, max_body_bytes: int) -> GraphQLParams:
    """Read {query, variables, operationName} from a POST body or GET query string.

    Raises ParamsError (400), UnsupportedContentType (415) or BodyTooLarge (413).
    """
    if request.method == "GET":
        args = request.query_params
        variables: Any = args.get("variables")
        if variables:
            variables = _json_loads(variables, "Variables are invalid JSON")
        return GraphQLParams.from_payload({"query": args.get("query"), "variables": variables or None,
                                           "operationName": args.get("operationName")})
    raw_type = request.headers.get("content-type", "")
    content_type = raw_type.split(";")[0].strip().lower()
    if content_type not in _ACCEPTED_CONTENT_TYPES:
        shown = f"Content-Type {raw_type[:100]!r}" if raw_type else "a request without Content-Type"
        raise UnsupportedContentType(f"Unsupported Media Type: POST /graphql accepts application/json or "
                                     f"application/graphql, not {shown}.")
    body = await read_body(request, max_body_bytes)
    if content_type == "application/graphql":
        try:
            return GraphQLParams.from_payload({"query": body.decode("utf-8")})
        except UnicodeDecodeError as exc:
            raise ParamsError(f"POST body is not valid UTF-8: {exc}") from exc
    return GraphQLParams.from_payload(_json_loads(body, "POST body is not valid JSON"))


def _json_loads(text: Union[str, bytes], problem: str) -> Any:
    """Decode JSON, or raise ParamsError saying what is wrong with it."""
    try:
        return json.loads(text)
    except ValueError as exc:  # also UnicodeDecodeError
        raise ParamsError(f"{problem}: {exc}") from exc
    except RecursionError:
        raise ParamsError(f"{problem}: it nests too deeply.") from None


class GraphQLEndpoint:
    """Executes GraphQL over HTTP with a fresh request context per request."""

    def __init__(self, schema: Callable[[], GraphQLSchema], make_context: Callable[[Request], Any],
                 preparer: Optional[DocumentPreparer] = None) -> None:
        self.schema = schema  # called per request: the schema may be built while the server starts
        self.make_context = make_context
        self.preparer = preparer or DocumentPreparer()

    async def __call__(self, request: Request) -> Response:
        """Answer one /graphql request."""
        if request.method == "GET" and "query" not in request.query_params and \
                "text/html" in request.headers.get("accept", ""):
            return graphiql_response(request)
        try:
            params = await _params_from_request(request, self.preparer.limits.max_body_bytes)
        except ParamsError as exc:
            return _error_response(str(exc))
        except UnsupportedContentType as exc:
            return _error_response(str(exc), 415)
        except BodyTooLarge as exc:
            return _error_response(str(exc), 413)
        try:
            return await self._answer(request, params)
        except Exception as exc:  # noqa: BLE001 - a bug on our side: still answer JSON, as GraphQL clients expect
            _log.exception("GraphQL request failed")
            return _error_response(redact_credentials(f"Internal error: {type(exc).__name__}: {exc}"), 500)

    async def _answer(self, request: Request, params: GraphQLParams) -> Response:
        schema = self.schema()
        prepared = self.preparer.prepare(schema, params)
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
