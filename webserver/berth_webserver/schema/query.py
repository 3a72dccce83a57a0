"""The ``Query`` root: thin resolvers over the operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

import graphene

from berth.version import __version__

from .. import operations as ops
from ..context import ResolveInfo
from ..operations.errors import (
    InvalidRunsFilter,
    InvalidSubset,
    JobNotFound,
    ModeNotFound,
    RepositoryNotFound,
    RunConfigInvalid,
    RunNotFound,
    check_mode,
)
from ..operations.op_selection import resolve_op_selection
from .audit_log import AuditLogQueries
from .config_errors import PipelineConfigValidationResult
from .config_schema import RunConfigSchema, RunConfigSchemaOrError, validate_config_result
from .errors import root_field
from .events import EventConnection, EventConnectionOrError, graphql_event
from .inputs import GrapheneRunsFilter, PipelineSelector, RepositorySelector, runs_filter_from_input
from .instance import Instance
from .jobs import Pipeline
from .locations import (
    GrapheneWorkspace,
    WorkspaceLocationEntry,
    WorkspaceLocationEntryOrError,
    WorkspaceLocationStatusEntries,
    WorkspaceLocationStatusEntriesOrError,
    WorkspaceLocationStatusEntry,
    WorkspaceOrError,
)
from .permissions import PermissionQueries
from .repositories import PipelineOrError, RepositoriesOrError, Repository, RepositoryConnection, RepositoryOrError
from .runs import (
    GrapheneRun,
    GrapheneRuns,
    PipelineTagAndValues,
    RunOrError,
    RunsOrError,
    RunTagKeys,
    RunTagKeysOrError,
    RunTags,
    RunTagsOrError,
)
from .scalars import RunConfigData
from .selection import selects_field

if TYPE_CHECKING:
    from berth.snapshot import JobSnap

__all__ = ["Query"]


async def _runs(_root: Any, info: ResolveInfo, filter: Optional[Mapping[str, Any]] = None,
                cursor: Optional[str] = None, limit: Optional[int] = None) -> GrapheneRuns:
    storage = info.context.storage
    filters = runs_filter_from_input(filter)
    if selects_field(info, "results"):
        records = await ops.get_runs(storage, filters, cursor, limit)
    else:  # a query for the count alone must not read every run (there may be 100,000)
        ops.check_page_limit(limit)
        records = []
    return GrapheneRuns(records, lambda: storage.get_runs_count(filters))


async def _run(_root: Any, info: ResolveInfo, runId: str) -> GrapheneRun:
    return GrapheneRun(await ops.get_run(info.context.storage, runId))


def _job_in(params: Mapping[str, Any]) -> tuple[str, str, str]:
    return params["repositoryLocationName"], params["repositoryName"], params["pipelineName"]


def _selected(info: ResolveInfo, params: Mapping[str, Any]) -> tuple["JobSnap", Optional[list[str]]]:
    """The job a ``PipelineSelector`` names, with its op selection resolved to op names."""
    location, repository, job = _job_in(params)
    job_snap = ops.find_job(info.context.workspace, location, repository, job)
    return job_snap, resolve_op_selection(job_snap, params.get("solidSelection"), location, repository)


class Query(AuditLogQueries, PermissionQueries, graphene.ObjectType):
    """What can be read: locations, repositories, jobs, runs and their events."""

    version = graphene.NonNull(graphene.String)
    repositoriesOrError = graphene.Field(graphene.NonNull(RepositoriesOrError),
                                         repositorySelector=RepositorySelector())
    repositoryOrError = graphene.Field(graphene.NonNull(RepositoryOrError),
                                       repositorySelector=graphene.NonNull(RepositorySelector))
    workspaceOrError = graphene.NonNull(WorkspaceOrError)
    locationStatusesOrError = graphene.NonNull(WorkspaceLocationStatusEntriesOrError)
    workspaceLocationEntryOrError = graphene.Field(WorkspaceLocationEntryOrError,
                                                   name=graphene.NonNull(graphene.String))
    pipelineOrError = graphene.Field(graphene.NonNull(PipelineOrError), params=graphene.NonNull(PipelineSelector))
    pipelineRunsOrError = graphene.Field(graphene.NonNull(RunsOrError), filter=GrapheneRunsFilter(),
                                         cursor=graphene.String(), limit=graphene.Int())
    pipelineRunOrError = graphene.Field(graphene.NonNull(RunOrError), runId=graphene.NonNull(graphene.ID))
    runsOrError = graphene.Field(graphene.NonNull(RunsOrError), filter=GrapheneRunsFilter(), cursor=graphene.String(),
                                 limit=graphene.Int())
    runOrError = graphene.Field(graphene.NonNull(RunOrError), runId=graphene.NonNull(graphene.ID))
    runTagKeysOrError = graphene.Field(RunTagKeysOrError)
    runTagsOrError = graphene.Field(RunTagsOrError, tagKeys=graphene.List(graphene.NonNull(graphene.String)),
                                    valuePrefix=graphene.String(), limit=graphene.Int())
    isPipelineConfigValid = graphene.Field(graphene.NonNull(PipelineConfigValidationResult),
                                           pipeline=graphene.NonNull(PipelineSelector),
                                           mode=graphene.NonNull(graphene.String), runConfigData=RunConfigData())
    runConfigSchemaOrError = graphene.Field(graphene.NonNull(RunConfigSchemaOrError),
                                            selector=graphene.NonNull(PipelineSelector), mode=graphene.String())
    instance = graphene.NonNull(Instance)
    logsForRun = graphene.Field(graphene.NonNull(EventConnectionOrError), runId=graphene.NonNull(graphene.ID),
                                afterCursor=graphene.String(), limit=graphene.Int())

    @staticmethod
    def resolve_version(_root: Any, _info: Any) -> str:
        return __version__

    @staticmethod
    @root_field
    def resolve_repositoriesOrError(_root: Any, info: Any,
                                    repositorySelector: Optional[Mapping[str, Any]] = None) -> Any:
        selector = repositorySelector or {}
        found = ops.list_repositories(info.context.workspace, selector.get("repositoryLocationName"),
                                      selector.get("repositoryName"))
        return RepositoryConnection(nodes=[Repository(entry, repo) for entry, repo in found])

    @staticmethod
    @root_field(raises=(RepositoryNotFound,))
    def resolve_repositoryOrError(_root: Any, info: Any, repositorySelector: Mapping[str, Any]) -> Any:
        entry, repo = ops.find_repository(info.context.workspace, repositorySelector["repositoryLocationName"],
                                          repositorySelector["repositoryName"])
        return Repository(entry, repo)

    @staticmethod
    @root_field
    def resolve_workspaceOrError(_root: Any, info: Any) -> Any:
        return GrapheneWorkspace.of(info.context.workspace.entries())

    @staticmethod
    @root_field
    def resolve_locationStatusesOrError(_root: Any, info: Any) -> Any:
        return WorkspaceLocationStatusEntries(
            entries=[WorkspaceLocationStatusEntry.of(e) for e in info.context.workspace.entries()])

    @staticmethod
    @root_field
    def resolve_workspaceLocationEntryOrError(_root: Any, info: Any, name: str) -> Any:
        entry = info.context.workspace.entry(name)
        return WorkspaceLocationEntry(entry) if entry is not None else None

    @staticmethod
    @root_field(raises=(JobNotFound, InvalidSubset))
    def resolve_pipelineOrError(_root: Any, info: Any, params: Mapping[str, Any]) -> Any:
        job_snap, op_names = _selected(info, params)
        return Pipeline.of(params["repositoryLocationName"], params["repositoryName"], job_snap, op_names)

    resolve_runsOrError = staticmethod(root_field(_runs, raises=(InvalidRunsFilter,)))
    resolve_pipelineRunsOrError = staticmethod(root_field(_runs, raises=(InvalidRunsFilter,)))
    resolve_runOrError = staticmethod(root_field(_run, raises=(RunNotFound,)))
    resolve_pipelineRunOrError = staticmethod(root_field(_run, raises=(RunNotFound,)))

    @staticmethod
    @root_field
    async def resolve_runTagKeysOrError(_root: Any, info: ResolveInfo) -> Any:
        return RunTagKeys(keys=await info.context.storage.get_run_tag_keys())

    @staticmethod
    @root_field
    async def resolve_runTagsOrError(_root: Any, info: ResolveInfo, tagKeys: Optional[list[str]] = None,
                                     valuePrefix: Optional[str] = None, limit: Optional[int] = None) -> Any:
        tags = await info.context.storage.get_run_tags(tag_keys=tagKeys, value_prefix=valuePrefix, limit=limit)
        return RunTags(tags=[PipelineTagAndValues(key=key, values=list(values)) for key, values in tags])

    @staticmethod
    @root_field(raises=(JobNotFound, InvalidSubset, RunConfigInvalid))
    def resolve_isPipelineConfigValid(_root: Any, info: Any, pipeline: Mapping[str, Any], mode: str,
                                      runConfigData: Any = None) -> Any:
        return validate_config_result(info, *_job_in(pipeline), pipeline.get("solidSelection"), runConfigData)

    @staticmethod
    @root_field(raises=(JobNotFound, InvalidSubset, ModeNotFound))
    def resolve_runConfigSchemaOrError(_root: Any, info: Any, selector: Mapping[str, Any],
                                       mode: Optional[str] = None) -> Any:
        check_mode(mode)
        job_snap, op_names = _selected(info, selector)
        return RunConfigSchema(selector["repositoryLocationName"], selector["repositoryName"], job_snap, op_names)

    @staticmethod
    def resolve_instance(_root: Any, _info: Any) -> Instance:
        return Instance.current()

    @staticmethod
    @root_field(raises=(RunNotFound,))
    async def resolve_logsForRun(_root: Any, info: ResolveInfo, runId: str, afterCursor: Optional[str] = None,
                                 limit: Optional[int] = None) -> Any:
        run = await ops.get_run(info.context.storage, runId)
        page = await ops.read_events(info.context.storage, runId, afterCursor, limit)
        return EventConnection(events=[graphql_event(r, run.job_name) for r in page.events], cursor=page.cursor,
                               hasMore=page.has_more)
