"""Launch and re-execution mutations, and their result types."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import graphene

from ..context import ResolveInfo
from ..operations import LaunchRequest, launch_run, reexecute_run
from ..operations.errors import (
    ConflictingExecutionParams,
    InvalidStep,
    InvalidSubset,
    JobNotFound,
    PresetNotFound,
    RunConfigInvalid,
    check_mode,
)
from .config_errors import RunConfigValidationInvalid
from .errors import (
    ConflictingExecutionParamsError,
    GrapheneInvalidSubsetError,
    InvalidOutputError,
    InvalidStepError,
    NoModeProvidedError,
    PipelineNotFoundError,
    PresetNotFoundError,
    PythonError,
    RunConflict,
    UnauthorizedError,
    root_field,
)
from .inputs import ExecutionParams, ReexecutionParams, tags_from_input
from .runs import GrapheneRun
from .scalars import parse_run_config

__all__ = ["LaunchPipelineRunSuccess", "LaunchRunMutations", "LaunchRunResult", "LaunchRunReexecutionResult",
           "LaunchRunSuccess"]


class LaunchPipelineRunSuccess(graphene.Interface):
    """A run was launched."""

    run = graphene.NonNull(GrapheneRun)


class LaunchRunSuccess(graphene.ObjectType):
    """A run was launched."""

    class Meta:
        interfaces = (LaunchPipelineRunSuccess,)


_LAUNCH_RESULT_TYPES = (LaunchRunSuccess, InvalidStepError, InvalidOutputError, RunConfigValidationInvalid,
                        PipelineNotFoundError, RunConflict, UnauthorizedError, PythonError, GrapheneInvalidSubsetError,
                        PresetNotFoundError, ConflictingExecutionParamsError, NoModeProvidedError)


class LaunchRunResult(graphene.Union):
    """The launched run, or why it could not be launched."""

    class Meta:
        types = _LAUNCH_RESULT_TYPES


class LaunchRunReexecutionResult(graphene.Union):
    """The re-execution run, or why it could not be launched."""

    class Meta:
        types = _LAUNCH_RESULT_TYPES


def launch_request(params: Mapping[str, Any]) -> LaunchRequest:
    """Turn ``ExecutionParams`` into a ``LaunchRequest``."""
    selector = params["selector"]
    job_name = selector.get("jobName") or selector.get("pipelineName")
    if not job_name:
        raise ConflictingExecutionParams("The selector must name a job: give jobName (or pipelineName).")
    if selector.get("jobName") and selector.get("pipelineName") and selector["jobName"] != selector["pipelineName"]:
        raise ConflictingExecutionParams("jobName and pipelineName name different jobs.")
    metadata = params.get("executionMetadata") or {}
    return LaunchRequest(
        location_name=selector["repositoryLocationName"],
        repository_name=selector["repositoryName"],
        job_name=job_name,
        run_config=parse_run_config(params.get("runConfigData")),
        op_selection=selector.get("solidSelection"),
        tags=tags_from_input(metadata.get("tags")),
        step_keys=params.get("stepKeys"),
        parent_run_id=metadata.get("parentRunId"),
        root_run_id=metadata.get("rootRunId"),
    )


async def _launch(_root: Any, info: ResolveInfo, executionParams: Mapping[str, Any]) -> Any:
    check_mode(executionParams.get("mode"), executionParams.get("preset"))
    run = await launch_run(info.context, launch_request(executionParams))
    return LaunchRunSuccess(run=GrapheneRun(run))


async def _reexecute(info: ResolveInfo, executionParams: Optional[Mapping[str, Any]] = None,
                     reexecutionParams: Optional[Mapping[str, Any]] = None) -> Any:
    if (executionParams is None) == (reexecutionParams is None):
        raise ConflictingExecutionParams("Give exactly one of executionParams and reexecutionParams.")
    if executionParams is not None:
        metadata = executionParams.get("executionMetadata") or {}
        if not metadata.get("parentRunId"):
            raise ConflictingExecutionParams("A re-execution needs executionMetadata.parentRunId.")
        return await _launch(None, info, executionParams)
    assert reexecutionParams is not None
    strategy = reexecutionParams["strategy"]
    run = await reexecute_run(
        info.context,
        reexecutionParams["parentRunId"],
        getattr(strategy, "value", strategy),
        extra_tags=tags_from_input(reexecutionParams.get("extraTags")),
        use_parent_run_tags=reexecutionParams.get("useParentRunTags"),
    )
    return LaunchRunSuccess(run=GrapheneRun(run))


# What a launch reports as a member of its result union (a launch failure is a PythonError).
_LAUNCH_ERRORS = (JobNotFound, InvalidSubset, InvalidStep, RunConfigInvalid, ConflictingExecutionParams,
                  PresetNotFound)


class LaunchRunMutations(graphene.ObjectType):
    """The launch and re-execution root fields of ``Mutation``."""

    launchPipelineExecution = graphene.Field(graphene.NonNull(LaunchRunResult),
                                             executionParams=graphene.NonNull(ExecutionParams))
    launchRun = graphene.Field(graphene.NonNull(LaunchRunResult), executionParams=graphene.NonNull(ExecutionParams))
    launchPipelineReexecution = graphene.Field(graphene.NonNull(LaunchRunReexecutionResult),
                                               executionParams=ExecutionParams(),
                                               reexecutionParams=ReexecutionParams())
    launchRunReexecution = graphene.Field(graphene.NonNull(LaunchRunReexecutionResult),
                                          executionParams=ExecutionParams(), reexecutionParams=ReexecutionParams())

    resolve_launchPipelineExecution = staticmethod(root_field(_launch, mutation=True, raises=_LAUNCH_ERRORS))
    resolve_launchRun = staticmethod(root_field(_launch, mutation=True, raises=_LAUNCH_ERRORS))

    @staticmethod
    @root_field(mutation=True, raises=_LAUNCH_ERRORS)
    async def resolve_launchPipelineReexecution(_root: Any, info: Any, **kwargs: Any) -> Any:
        return await _reexecute(info, **kwargs)

    @staticmethod
    @root_field(mutation=True, raises=_LAUNCH_ERRORS)
    async def resolve_launchRunReexecution(_root: Any, info: Any, **kwargs: Any) -> Any:
        return await _reexecute(info, **kwargs)
