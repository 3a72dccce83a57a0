"""Every error the client raises. The tree::

    DagsterGraphQLClientError          base: args[0] names the error, .body carries details
    ├── TransportError                 the HTTP exchange itself failed
    │   ├── ConnectError               the server could not be reached (the message names the URL)
    │   ├── RequestTimeout             the server did not answer in time
    │   ├── HTTPStatusError            a non-success HTTP status without GraphQL errors
    │   │   └── AuthenticationError    HTTP 401/403: no token, a bad token, or no role at all
    │   └── InvalidResponseError       the body is not a GraphQL response
    ├── GraphQLError                   the response carried a GraphQL "errors" array
    ├── NotFoundError                  the run, job or code location named does not exist
    ├── AmbiguousJobError              the job name exists in several repositories
    ├── RunConfigValidationError       the run config does not match the job's config schema
    └── RunWaitTimeout                 wait_for_run gave up before the run finished

Error members of a GraphQL result union that have no class of their own (``PythonError``,
``InvalidSubsetError``, ``RunConflict``, ``UnauthorizedError``, ...) are raised as
``DagsterGraphQLClientError(typename, message)``, exactly as Dagster's client does.
"""

from __future__ import annotations

from typing import Any, Sequence

__all__ = [
    "AmbiguousJobError",
    "AuthenticationError",
    "ConnectError",
    "DagsterGraphQLClientError",
    "GraphQLError",
    "HTTPStatusError",
    "InvalidResponseError",
    "NotFoundError",
    "RequestTimeout",
    "RunConfigValidationError",
    "RunWaitTimeout",
    "TransportError",
]


class DagsterGraphQLClientError(Exception):
    """Base of every client error; ``args[0]`` is the error's type name or message."""

    def __init__(self, *args: Any, body: Any = None) -> None:
        super().__init__(*args)
        self.body = body


class TransportError(DagsterGraphQLClientError):
    """The HTTP exchange with the server failed."""


class ConnectError(TransportError):
    """The server could not be reached; the message names the URL."""


class RequestTimeout(TransportError):
    """The server did not answer within the timeout."""


class HTTPStatusError(TransportError):
    """The server answered with a non-success HTTP status and no GraphQL errors."""

    def __init__(self, *args: Any, status_code: int, body: Any = None) -> None:
        super().__init__(*args, body=body)
        self.status_code = status_code


class AuthenticationError(HTTPStatusError):
    """The server refused the credentials (HTTP 401: no or a bad token; 403: the user has no role)."""


class InvalidResponseError(TransportError):
    """The server's answer is not a GraphQL response."""


class GraphQLError(DagsterGraphQLClientError):
    """The response carried a GraphQL ``errors`` array; ``.errors`` holds its entries."""

    def __init__(self, *args: Any, errors: Sequence[Any], status_code: int = 200) -> None:
        super().__init__(*args, body=list(errors))
        self.errors = list(errors)
        self.status_code = status_code


class NotFoundError(DagsterGraphQLClientError):
    """The run, job or code location named does not exist; ``args[0]`` is the GraphQL type name."""


class AmbiguousJobError(DagsterGraphQLClientError):
    """The job name exists in several repositories; ``.choices`` lists them."""

    def __init__(self, *args: Any, choices: Sequence[Any]) -> None:
        super().__init__(*args, body=list(choices))
        self.choices = tuple(choices)


class RunConfigValidationError(DagsterGraphQLClientError):
    """The run config does not match the job's schema; ``.errors`` holds the validation errors."""

    def __init__(self, *args: Any, errors: Sequence[Any], body: Any = None) -> None:
        super().__init__(*args, body=body)
        self.errors = tuple(errors)


class RunWaitTimeout(DagsterGraphQLClientError):
    """``wait_for_run`` gave up before the run finished; ``.status`` is the last status seen."""

    def __init__(self, *args: Any, status: Any) -> None:
        super().__init__(*args, body=status)
        self.status = status
