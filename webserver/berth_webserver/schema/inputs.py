"""GraphQL input types (selectors, execution params, runs filter), with Dagster's shapes."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import graphene

from berth.runs import RunsFilter as RunsFilterRecord
from berth.runs import RunStatus as RunStatusValue

from .enums import GrapheneRunStatus, ReexecutionStrategy
from .scalars import RunConfigData

__all__ = [
    "AssetCheckHandleInput",
    "AssetKeyInput",
    "ExecutionMetadata",
    "ExecutionParams",
    "ExecutionTag",
    "JobOrPipelineSelector",
    "PipelineSelector",
    "ReexecutionParams",
    "RepositorySelector",
    "GrapheneRunsFilter",
    "runs_filter_from_input",
    "tags_from_input",
]


class RepositorySelector(graphene.InputObjectType):
    """Names one repository in one code location."""

    repositoryName = graphene.NonNull(graphene.String)
    repositoryLocationName = graphene.NonNull(graphene.String)


class AssetKeyInput(graphene.InputObjectType):
    """An asset key (accepted for compatibility; berth jobs have no assets)."""

    path = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))


class AssetCheckHandleInput(graphene.InputObjectType):
    """An asset check (accepted for compatibility; berth jobs have no asset checks)."""

    assetKey = graphene.NonNull(AssetKeyInput)
    name = graphene.NonNull(graphene.String)


class PipelineSelector(graphene.InputObjectType):
    """Names one job (optionally a subset of its ops)."""

    pipelineName = graphene.NonNull(graphene.String)
    repositoryName = graphene.NonNull(graphene.String)
    repositoryLocationName = graphene.NonNull(graphene.String)
    solidSelection = graphene.List(graphene.NonNull(graphene.String))
    assetSelection = graphene.List(graphene.NonNull(AssetKeyInput))
    assetCheckSelection = graphene.List(graphene.NonNull(AssetCheckHandleInput))


class JobOrPipelineSelector(graphene.InputObjectType):
    """Names one job by ``jobName`` or ``pipelineName`` (optionally a subset of its ops)."""

    pipelineName = graphene.String()
    jobName = graphene.String()
    repositoryName = graphene.NonNull(graphene.String)
    repositoryLocationName = graphene.NonNull(graphene.String)
    solidSelection = graphene.List(graphene.NonNull(graphene.String))
    assetSelection = graphene.List(graphene.NonNull(AssetKeyInput))
    assetCheckSelection = graphene.List(graphene.NonNull(AssetCheckHandleInput))


class ExecutionTag(graphene.InputObjectType):
    """One run tag."""

    key = graphene.NonNull(graphene.String)
    value = graphene.NonNull(graphene.String)


class ExecutionMetadata(graphene.InputObjectType):
    """Tags and lineage of a new run."""

    tags = graphene.List(graphene.NonNull(ExecutionTag))
    rootRunId = graphene.String()
    parentRunId = graphene.String()


class ExecutionParams(graphene.InputObjectType):
    """What to launch: the job, its run config and metadata."""

    selector = graphene.NonNull(JobOrPipelineSelector)
    runConfigData = RunConfigData()
    mode = graphene.String()
    executionMetadata = graphene.Field(ExecutionMetadata)
    stepKeys = graphene.List(graphene.NonNull(graphene.String))
    preset = graphene.String()


class ReexecutionParams(graphene.InputObjectType):
    """Re-execute a run: all its steps, or from its failure."""

    parentRunId = graphene.NonNull(graphene.String)
    strategy = graphene.NonNull(ReexecutionStrategy)
    extraTags = graphene.List(graphene.NonNull(ExecutionTag))
    useParentRunTags = graphene.Boolean()


class GrapheneRunsFilter(graphene.InputObjectType):
    """Which runs to return; every given criterion must hold."""

    class Meta:
        name = "RunsFilter"

    runIds = graphene.List(graphene.String)
    pipelineName = graphene.String()
    tags = graphene.List(graphene.NonNull(ExecutionTag))
    statuses = graphene.List(graphene.NonNull(GrapheneRunStatus))
    snapshotId = graphene.String()
    updatedAfter = graphene.Float()
    updatedBefore = graphene.Float()
    createdBefore = graphene.Float()
    createdAfter = graphene.Float()
    mode = graphene.String()


def tags_from_input(tags: Optional[list[Mapping[str, Any]]]) -> dict[str, str]:
    """``[ExecutionTag]`` as a dict (a later key wins)."""
    return {tag["key"]: tag["value"] for tag in tags or []}


def _enum_value(value: Any) -> str:
    return value.value if hasattr(value, "value") else str(value)


def runs_filter_from_input(data: Optional[Mapping[str, Any]]) -> Optional[RunsFilterRecord]:
    """Turn a ``RunsFilter`` argument into berth's ``RunsFilter`` (None when nothing is filtered)."""
    if not data:
        return None
    run_ids = data.get("runIds")
    statuses = data.get("statuses")
    if data.get("mode") not in (None, "default"):
        run_ids = []  # every berth run has the one mode "default": no run has another
    return RunsFilterRecord(
        run_ids=[run_id for run_id in run_ids if run_id] if run_ids is not None else None,
        snapshot_id=data.get("snapshotId") or None,
        job_name=data.get("pipelineName"),
        statuses=[RunStatusValue(_enum_value(s)) for s in statuses] if statuses is not None else None,
        tags=tags_from_input(data.get("tags")),
        created_before=data.get("createdBefore"),
        created_after=data.get("createdAfter"),
        updated_before=data.get("updatedBefore"),
        updated_after=data.get("updatedAfter"),
    )
