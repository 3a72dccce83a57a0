"""Errors as data: the ``Error`` interface, its members, and the decorator every root field wears.

``root_field`` turns an expected ``OperationError`` into its Dagster error type and any
other exception into ``PythonError``, so that a failing resolver answers with data of the
field's result union rather than a GraphQL error.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar

import graphene
from graphql import GraphQLNonNull, GraphQLUnionType

from berth.events import SerializableError

from ..operations import errors as op_errors
from ..workspace.errors import LocationNotFound
from .mutation_guard import guard_mutation

__all__ = [
    "ConflictingExecutionParamsError",
    "Error",
    "ErrorChainLink",
    "InvalidOutputError",
    "InvalidPipelineRunsFilterError",
    "InvalidStepError",
    "GrapheneInvalidSubsetError",
    "ModeNotFoundError",
    "NoModeProvidedError",
    "PipelineNotFoundError",
    "PipelineRunConflict",
    "PipelineRunNotFoundError",
    "PresetNotFoundError",
    "PythonError",
    "ReloadNotSupported",
    "RepositoryLocationNotFound",
    "RepositoryNotFoundError",
    "RunConflict",
    "RunNotFoundError",
    "UnauthorizedError",
    "GRAPHQL_ERROR_TYPES",
    "graphql_error_for",
    "root_field",
]


class Error(graphene.Interface):
    """Anything that went wrong, with a message for people."""

    message = graphene.NonNull(graphene.String)


class PythonError(graphene.ObjectType):
    """An unexpected exception, with its stack and causes."""

    class Meta:
        interfaces = (Error,)

    className = graphene.String()
    stack = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    cause = graphene.Field(lambda: PythonError)
    causes = graphene.NonNull(graphene.List(graphene.NonNull(lambda: PythonError)))
    errorChain = graphene.NonNull(graphene.List(graphene.NonNull(lambda: ErrorChainLink)))

    def __init__(self, error: SerializableError) -> None:
        super().__init__(message=error.message, className=error.class_name or None,
                         stack=error.stack.splitlines(keepends=True))
        self._error = error

    @classmethod
    def from_exception(cls, exc: BaseException) -> "PythonError":
        """Capture an exception (and its ``__cause__`` chain)."""
        return cls(SerializableError.from_exception(exc))

    @classmethod
    def from_message(cls, message: str, class_name: str = "") -> "PythonError":
        """A PythonError that carries only a message (no stack)."""
        return cls(SerializableError(message, "", class_name))

    def resolve_cause(self, _info: Any) -> Optional["PythonError"]:
        return PythonError(self._error.cause) if self._error.cause else None

    def resolve_causes(self, _info: Any) -> list["PythonError"]:
        causes, cause = [], self._error.cause
        while cause is not None:
            causes.append(PythonError(cause))
            cause = cause.cause
        return causes

    def resolve_errorChain(self, info: Any) -> list["ErrorChainLink"]:
        return [ErrorChainLink(message=c.message, error=c, isExplicitLink=True) for c in self.resolve_causes(info)]


class ErrorChainLink(graphene.ObjectType):
    """One link of an exception chain."""

    class Meta:
        interfaces = (Error,)

    error = graphene.NonNull(PythonError)
    isExplicitLink = graphene.NonNull(graphene.Boolean)


class PipelineRunNotFoundError(graphene.Interface):
    """A run id that matches no run."""

    class Meta:
        interfaces = (Error,)

    runId = graphene.NonNull(graphene.String)
    message = graphene.NonNull(graphene.String)


class RunNotFoundError(graphene.ObjectType):
    """A run id that matches no run."""

    class Meta:
        interfaces = (PipelineRunNotFoundError, Error)


class InvalidPipelineRunsFilterError(graphene.ObjectType):
    """A runs filter that cannot be applied."""

    class Meta:
        interfaces = (Error,)


class PipelineNotFoundError(graphene.ObjectType):
    """A job selector that matches no job."""

    class Meta:
        interfaces = (Error,)

    pipelineName = graphene.NonNull(graphene.String)
    repositoryName = graphene.NonNull(graphene.String)
    repositoryLocationName = graphene.NonNull(graphene.String)


class RepositoryNotFoundError(graphene.ObjectType):
    """A repository selector that matches no repository."""

    class Meta:
        interfaces = (Error,)

    repositoryName = graphene.NonNull(graphene.String)
    repositoryLocationName = graphene.NonNull(graphene.String)


class GrapheneInvalidSubsetError(graphene.ObjectType):
    """An op selection that names ops the job does not have."""

    class Meta:
        name = "InvalidSubsetError"
        interfaces = (Error,)

    pipeline = graphene.NonNull(lambda: _pipeline_type())

    def __init__(self, message: str, location_name: str, repository_name: str, job_name: str) -> None:
        super().__init__(message=message)
        self._selector = (location_name, repository_name, job_name)

    def resolve_pipeline(self, info: Any) -> Any:
        from .jobs import Pipeline  # jobs imports errors, so resolve lazily

        job_snap = info.context.workspace.find_job(*self._selector)
        return Pipeline.of(self._selector[0], self._selector[1], job_snap)


def _pipeline_type() -> type:
    from .jobs import Pipeline

    return Pipeline


class PipelineRunConflict(graphene.Interface):
    """A run with that id exists already (Dagster's legacy name)."""

    message = graphene.NonNull(graphene.String)


class RunConflict(graphene.ObjectType):
    """A run with that id exists already."""

    class Meta:
        interfaces = (Error, PipelineRunConflict)


class UnauthorizedError(graphene.ObjectType):
    """The caller may not do this (the webserver is read-only)."""

    class Meta:
        interfaces = (Error,)


class ConflictingExecutionParamsError(graphene.ObjectType):
    """Execution params that contradict each other."""

    class Meta:
        interfaces = (Error,)


class PresetNotFoundError(graphene.ObjectType):
    """A preset name that the job does not have (berth jobs have no presets)."""

    class Meta:
        interfaces = (Error,)

    preset = graphene.NonNull(graphene.String)


class NoModeProvidedError(graphene.ObjectType):
    """A job with several modes and none chosen (never happens in berth: one mode, "default")."""

    class Meta:
        interfaces = (Error,)

    pipelineName = graphene.NonNull(graphene.String)


class ModeNotFoundError(graphene.ObjectType):
    """A mode other than "default"."""

    class Meta:
        interfaces = (Error,)

    mode = graphene.NonNull(graphene.String)


class InvalidStepError(graphene.ObjectType):
    """A step key that the job does not have."""

    invalidStepKey = graphene.NonNull(graphene.String)


class InvalidOutputError(graphene.ObjectType):
    """An output name that the step does not have."""

    stepKey = graphene.NonNull(graphene.String)
    invalidOutputName = graphene.NonNull(graphene.String)


class RepositoryLocationNotFound(graphene.ObjectType):
    """A code location name that the workspace does not have."""

    class Meta:
        interfaces = (Error,)


class ReloadNotSupported(graphene.ObjectType):
    """The location cannot be reloaded."""

    class Meta:
        interfaces = (Error,)


def _config_invalid(exc: op_errors.RunConfigInvalid) -> graphene.ObjectType:
    from .config_errors import RunConfigValidationInvalid  # config_errors imports config types

    return RunConfigValidationInvalid.from_errors(exc.job_name, exc.errors, exc.config_types)


# Each domain error and the GraphQL error type that reports it. An error not in the table (or
# whose type is not a member of the field's union) is answered as PythonError, by design: e.g.
# RunLaunchFailed and LocationUnreachableError, for which Dagster's unions have no member.
# tests/webserver/test_schema_error_table.py checks the table against every root field's union.
GRAPHQL_ERROR_TYPES: dict[type[Exception], Callable[[Any], graphene.ObjectType]] = {
    op_errors.UnauthorizedOperation: lambda e: UnauthorizedError(message=str(e)),
    op_errors.RepositoryNotFound: lambda e: RepositoryNotFoundError(
        message=str(e), repositoryName=e.repository_name, repositoryLocationName=e.location_name),
    op_errors.JobNotFound: lambda e: PipelineNotFoundError(
        message=str(e), pipelineName=e.job_name, repositoryName=e.repository_name,
        repositoryLocationName=e.location_name),
    op_errors.InvalidSubset: lambda e: GrapheneInvalidSubsetError(str(e), e.location_name, e.repository_name,
                                                                  e.job_name),
    op_errors.RunConfigInvalid: _config_invalid,
    op_errors.RunNotFound: lambda e: RunNotFoundError(message=str(e), runId=e.run_id),
    LocationNotFound: lambda e: RepositoryLocationNotFound(message=str(e)),
    op_errors.ConflictingExecutionParams: lambda e: ConflictingExecutionParamsError(message=str(e)),
    op_errors.InvalidStep: lambda e: InvalidStepError(invalidStepKey=e.step_key),
    op_errors.InvalidRunsFilter: lambda e: InvalidPipelineRunsFilterError(message=str(e)),
    op_errors.ModeNotFound: lambda e: ModeNotFoundError(message=str(e), mode=e.mode),
    op_errors.PresetNotFound: lambda e: PresetNotFoundError(message=str(e), preset=e.preset),
}


def graphql_error_for(exc: Exception) -> Optional[graphene.ObjectType]:
    """The Dagster error object that reports a domain error, or None when the table has none."""
    for cls in type(exc).__mro__:
        make = GRAPHQL_ERROR_TYPES.get(cls)
        if make is not None:
            return make(exc)
    return None


def _fits_result_type(result: Any, info: Any) -> bool:
    """Whether ``result`` is a member of the field's result union (plain fields accept anything)."""
    return_type = info.return_type
    if isinstance(return_type, GraphQLNonNull):
        return_type = return_type.of_type
    if not isinstance(return_type, GraphQLUnionType):
        return True
    type_name = result._meta.name if hasattr(result, "_meta") else None
    return any(member.name == type_name for member in return_type.types)


def _as_result(exc: Exception, info: Any) -> Any:
    result = graphql_error_for(exc) or PythonError.from_exception(exc)
    if not _fits_result_type(result, info):
        # e.g. RunNotFound inside a re-execution: Dagster's union has no RunNotFoundError.
        return PythonError.from_message(str(exc), type(exc).__name__)
    return result


F = TypeVar("F", bound=Callable[..., Any])


def root_field(fn: Optional[F] = None, *, mutation: bool = False, raises: tuple[type[Exception], ...] = (),
               refused: Optional[Callable[..., Any]] = None) -> Any:
    """Decorate a root resolver: expected failures become error data, others ``PythonError``.

    ``raises`` names the domain errors the field's operation reports as members of its union
    (``GRAPHQL_ERROR_TYPES`` gives each one's type); a test checks them against the union. With
    ``mutation=True`` the field answers ``UnauthorizedError`` when the webserver is read-only or
    the caller's role is too low, and every call is audited (``mutation_guard``); ``refused(message,
    **kwargs)`` makes the refusal of a field whose result union has no ``UnauthorizedError``.
    """
    declared = (op_errors.UnauthorizedOperation, *raises) if mutation and refused is None else raises

    def decorate(resolver: F) -> F:
        if inspect.iscoroutinefunction(resolver):

            @functools.wraps(resolver)
            async def async_wrapper(root: Any, info: Any, **kwargs: Any) -> Any:
                try:
                    return await resolver(root, info, **kwargs)
                except Exception as exc:  # noqa: BLE001 - failures are data in this API
                    return _as_result(exc, info)

            wrapped: Any = async_wrapper
        else:

            @functools.wraps(resolver)
            def wrapper(root: Any, info: Any, **kwargs: Any) -> Any:
                try:
                    return resolver(root, info, **kwargs)
                except Exception as exc:  # noqa: BLE001 - failures are data in this API
                    return _as_result(exc, info)

            wrapped = wrapper
        if mutation:
            wrapped = guard_mutation(wrapped, refused)
        wrapped.berth_raises = declared
        return wrapped

    return decorate(fn) if fn is not None else decorate
