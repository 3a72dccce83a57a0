"""Terminate and delete mutations, and their result types."""

from __future__ import annotations

from typing import Any, Optional

import graphene

from ..context import ResolveInfo
from ..operations import TerminateOutcome, delete_run, terminate_run, terminate_runs
from ..operations.errors import OperationError, RunNotFound
from .enums import TerminateRunPolicy
from .errors import PythonError, RunNotFoundError, UnauthorizedError, graphql_error_for, root_field
from .runs import GrapheneRun

__all__ = [
    "DeletePipelineRunResult",
    "DeletePipelineRunSuccess",
    "TerminatePipelineExecutionFailure",
    "TerminatePipelineExecutionSuccess",
    "TerminateRunFailure",
    "TerminateRunMutations",
    "TerminateRunResult",
    "TerminateRunSuccess",
    "TerminateRunsResult",
    "TerminateRunsResultOrError",
]


class TerminatePipelineExecutionSuccess(graphene.Interface):
    """Termination was requested (or the run was marked canceled)."""

    run = graphene.NonNull(GrapheneRun)


class TerminatePipelineExecutionFailure(graphene.Interface):
    """The run could not be terminated."""

    run = graphene.NonNull(GrapheneRun)
    message = graphene.NonNull(graphene.String)


class TerminateRunSuccess(graphene.ObjectType):
    """Termination was requested (or the run was marked canceled)."""

    class Meta:
        interfaces = (TerminatePipelineExecutionSuccess,)


class TerminateRunFailure(graphene.ObjectType):
    """The run could not be terminated (e.g. it has finished)."""

    class Meta:
        interfaces = (TerminatePipelineExecutionFailure,)


class TerminateRunResult(graphene.Union):
    """What terminating a run did."""

    class Meta:
        types = (TerminateRunSuccess, TerminateRunFailure, RunNotFoundError, UnauthorizedError, PythonError)


class TerminateRunsResult(graphene.ObjectType):
    """What terminating each run did, in the order asked."""

    terminateRunResults = graphene.NonNull(graphene.List(graphene.NonNull(TerminateRunResult)))


class TerminateRunsResultOrError(graphene.Union):
    """What terminating several runs did, or an error."""

    class Meta:
        types = (TerminateRunsResult, PythonError)


class DeletePipelineRunSuccess(graphene.ObjectType):
    """The run was deleted."""

    runId = graphene.NonNull(graphene.String)


class DeletePipelineRunResult(graphene.Union):
    """Whether the run was deleted."""

    class Meta:
        types = (DeletePipelineRunSuccess, UnauthorizedError, PythonError, RunNotFoundError)


def _policy(value: Any) -> str:
    return getattr(value, "value", value) or "SAFE_TERMINATE"


def _terminate_result(outcome: TerminateOutcome | OperationError) -> Any:
    if isinstance(outcome, OperationError):
        return graphql_error_for(outcome) or PythonError.from_exception(outcome)
    if outcome.terminated:
        return TerminateRunSuccess(run=GrapheneRun(outcome.run))
    return TerminateRunFailure(run=GrapheneRun(outcome.run), message=outcome.message)


async def _terminate(_root: Any, info: ResolveInfo, runId: str, terminatePolicy: Optional[Any] = None) -> Any:
    return _terminate_result(await terminate_run(info.context, runId, _policy(terminatePolicy)))


async def _delete(_root: Any, info: ResolveInfo, runId: str) -> Any:
    await delete_run(info.context, runId)
    return DeletePipelineRunSuccess(runId=runId)


class TerminateRunMutations(graphene.ObjectType):
    """The terminate and delete root fields of ``Mutation``."""

    terminatePipelineExecution = graphene.Field(graphene.NonNull(TerminateRunResult),
                                                runId=graphene.NonNull(graphene.String),
                                                terminatePolicy=TerminateRunPolicy())
    terminateRun = graphene.Field(graphene.NonNull(TerminateRunResult), runId=graphene.NonNull(graphene.String),
                                  terminatePolicy=TerminateRunPolicy())
    terminateRuns = graphene.Field(graphene.NonNull(TerminateRunsResultOrError),
                                   runIds=graphene.NonNull(graphene.List(graphene.NonNull(graphene.String))),
                                   terminatePolicy=TerminateRunPolicy())
    deletePipelineRun = graphene.Field(graphene.NonNull(DeletePipelineRunResult),
                                       runId=graphene.NonNull(graphene.String))
    deleteRun = graphene.Field(graphene.NonNull(DeletePipelineRunResult), runId=graphene.NonNull(graphene.String))

    resolve_terminatePipelineExecution = staticmethod(root_field(_terminate, mutation=True, raises=(RunNotFound,)))
    resolve_terminateRun = staticmethod(root_field(_terminate, mutation=True, raises=(RunNotFound,)))
    resolve_deletePipelineRun = staticmethod(root_field(_delete, mutation=True, raises=(RunNotFound,)))
    resolve_deleteRun = staticmethod(root_field(_delete, mutation=True, raises=(RunNotFound,)))

    @staticmethod
    @root_field(mutation=True, refused=lambda message, runIds, **_: TerminateRunsResult(
        terminateRunResults=[UnauthorizedError(message=message) for _ in runIds]))
    async def resolve_terminateRuns(_root: Any, info: ResolveInfo, runIds: list[str],
                                    terminatePolicy: Optional[Any] = None) -> Any:
        outcomes = await terminate_runs(info.context, runIds, _policy(terminatePolicy))
        return TerminateRunsResult(terminateRunResults=[_terminate_result(o) for o in outcomes])
