"""Parsing, validating and executing GraphQL documents, shared by HTTP and both WebSocket protocols."""

from __future__ import annotations

import dataclasses
import inspect
import logging
from typing import Any, AsyncIterator, Callable, Mapping, Optional, Union

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    subscribe,
    validate,
)

from .document_cache import DocumentCache
from .limits import ServerLimits
from .query_size import ListSizes, query_size_errors

__all__ = ["GraphQLParams", "ParamsError", "DocumentPreparer", "execute_document", "subscribe_document",
           "format_result", "format_errors", "operation_type"]

_log = logging.getLogger(__name__)


class ParamsError(Exception):
    """The request does not carry a usable GraphQL operation (answered with HTTP 400)."""


@dataclasses.dataclass(frozen=True)
class GraphQLParams:
    """One GraphQL request: the document text, its variables and the operation to run."""

    query: str
    variables: Optional[dict[str, Any]] = None
    operation_name: Optional[str] = None

    @classmethod
    def from_payload(cls, payload: Any) -> "GraphQLParams":
        """Validate a decoded {query, variables, operationName} object; raises ParamsError."""
        if not isinstance(payload, Mapping):
            raise ParamsError("The request must be a JSON object with a 'query' string.")
        query = payload.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ParamsError("Must provide query string.")
        variables = payload.get("variables")
        if variables is not None and not isinstance(variables, Mapping):
            raise ParamsError("Variables must be a JSON object.")
        operation_name = payload.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise ParamsError("operationName must be a string.")
        return cls(query, dict(variables) if variables is not None else None, operation_name or None)


class DocumentPreparer:
    """Parses and validates documents, then checks them against the size limits of one request.

    Clients send the same few documents over and over (with other variables), so the outcome of
    parsing and standard validation is cached per schema and document text, within a byte budget.
    The size check (depth, cost, ``limit`` arguments) reads the variables and the workspace's list
    sizes, so it runs for every request; it is one linear walk.
    """

    def __init__(self, limits: ServerLimits = ServerLimits(),
                 list_sizes: Callable[[], ListSizes] = ListSizes) -> None:
        self.limits = limits
        self.list_sizes = list_sizes
        self.cache: DocumentCache[tuple[Optional[DocumentNode], tuple[GraphQLError, ...]]] = \
            DocumentCache(limits.document_cache_bytes)

    def prepare(self, schema: GraphQLSchema, params: GraphQLParams) -> Union[DocumentNode, list[GraphQLError]]:
        """The document ready to execute, or the syntax, validation or limit errors."""
        document, errors = self.cache.get_or_build(schema, params.query,
                                                   lambda: self._parse_and_validate(schema, params.query))
        if errors:
            return list(errors)
        assert document is not None
        return query_size_errors(schema, document, self.limits, params.variables, self.list_sizes()) or document

    def _parse_and_validate(self, schema: GraphQLSchema,
                            query: str) -> tuple[Optional[DocumentNode], tuple[GraphQLError, ...]]:
        try:
            document = parse(query, max_tokens=self.limits.max_document_tokens)
        except GraphQLError as error:
            return None, (error,)
        except RecursionError:  # graphql-core's parser recurses once per nesting level
            return None, (GraphQLError("Syntax Error: the document nests too deeply to be parsed."),)
        crowded = _largest_selection_set(document)
        if crowded > self.limits.max_selections:
            return None, (GraphQLError(
                f"A selection set holds {crowded} fields and fragments, over the limit of "
                f"{self.limits.max_selections} by {crowded - self.limits.max_selections}.",
                extensions={"code": "SELECTION_SET_TOO_LARGE", "selections": crowded,
                            "limit": self.limits.max_selections}),)
        try:
            return document, tuple(validate(schema, document))
        except RecursionError:
            return None, (GraphQLError("The document nests too deeply to be validated."),)


def _largest_selection_set(document: DocumentNode) -> int:
    """The most selections any one selection set of the document holds (checked before validation,
    whose cost grows with the square of it)."""
    largest = 0
    pending: list[Any] = list(document.definitions)
    while pending:
        node = pending.pop()
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            largest = max(largest, len(selection_set.selections))
            pending.extend(selection_set.selections)
    return largest


def operation_type(document: DocumentNode, operation_name: Optional[str]) -> Optional[OperationType]:
    """The type (query, mutation, subscription) of the operation that would run, if it is found."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if operation_name is None and len(operations) == 1:
            return operation.operation
        if operation.name is not None and operation.name.value == operation_name:
            return operation.operation
    return None


async def execute_document(schema: GraphQLSchema, document: DocumentNode, params: GraphQLParams,
                           context: Any) -> ExecutionResult:
    """Run a query or mutation with graphql-core's async executor."""
    result = execute(schema, document, context_value=context, variable_values=params.variables,
                     operation_name=params.operation_name)
    if inspect.isawaitable(result):
        result = await result
    for error in result.errors or ():
        if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
            _log.error("Error in resolver at %s", error.path, exc_info=error.original_error)
    return result


async def subscribe_document(schema: GraphQLSchema, document: DocumentNode, params: GraphQLParams,
                             context: Any) -> Union[AsyncIterator[ExecutionResult], ExecutionResult]:
    """Start a subscription: an iterator of results, or one result holding the errors."""
    started: Any = subscribe(schema, document, context_value=context, variable_values=params.variables,
                             operation_name=params.operation_name)
    if inspect.isawaitable(started):
        started = await started
    result: Union[AsyncIterator[ExecutionResult], ExecutionResult] = started
    return result


def format_errors(errors: Optional[list[GraphQLError]]) -> list[dict[str, Any]]:
    """GraphQL errors as JSON-ready dicts (message, locations, path, extensions)."""
    return [dict(error.formatted) for error in errors or ()]


def format_result(result: ExecutionResult) -> dict[str, Any]:
    """An execution result as the JSON body {"data": ..., "errors": [...]}."""
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = format_errors(result.errors)
    return body
