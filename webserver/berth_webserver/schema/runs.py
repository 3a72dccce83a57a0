"""Runs: the ``Run`` type, its tags and origin, and run lists."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

import graphene
import yaml

from berth.runs import TERMINABLE_STATUSES, RunRecord
from berth.runs import RunStatus as RunStatusValue

from ..context import ResolveInfo
from ..operations import runs as run_ops
from ..operations.step_timeline import RunStepTimelines
from .enums import GrapheneRunStatus
from .errors import InvalidPipelineRunsFilterError, PythonError, RunNotFoundError
from .events import EventConnection, graphql_event
from .run_stats import RunStatsSnapshot, RunStatsSnapshotOrError, RunStepStats
from .scalars import RunConfigData

__all__ = [
    "PipelineRun",
    "PipelineRuns",
    "PipelineTag",
    "PipelineTagAndValues",
    "RepositoryMetadata",
    "RepositoryOrigin",
    "GrapheneRun",
    "RunOrError",
    "RunTagKeys",
    "RunTagKeysOrError",
    "RunTags",
    "RunTagsOrError",
    "GrapheneRuns",
    "RunsFeedEntry",
    "RunsOrError",
]



class PipelineTag(graphene.ObjectType):
    """One tag: a key and its value."""

    key = graphene.NonNull(graphene.String)
    value = graphene.NonNull(graphene.String)


class PipelineTagAndValues(graphene.ObjectType):
    """A tag key and the values runs have for it."""

    key = graphene.NonNull(graphene.String)
    values = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))


class RepositoryMetadata(graphene.ObjectType):
    """A key/value describing a repository or location."""

    key = graphene.NonNull(graphene.String)
    value = graphene.NonNull(graphene.String)


class RepositoryOrigin(graphene.ObjectType):
    """Where a repository comes from: its location and name."""

    id = graphene.NonNull(graphene.String)
    repositoryLocationName = graphene.NonNull(graphene.String)
    repositoryName = graphene.NonNull(graphene.String)
    repositoryLocationMetadata = graphene.NonNull(graphene.List(graphene.NonNull(RepositoryMetadata)))

    def __init__(self, location_name: str, repository_name: str, metadata: Optional[dict[str, str]] = None) -> None:
        super().__init__(
            id=f"{location_name}:{repository_name}",
            repositoryLocationName=location_name,
            repositoryName=repository_name,
            repositoryLocationMetadata=[RepositoryMetadata(key=k, value=v) for k, v in (metadata or {}).items()],
        )


class PipelineRun(graphene.Interface):
    """A run of a job (Dagster's legacy name for ``Run``)."""

    id = graphene.NonNull(graphene.ID)
    runId = graphene.NonNull(graphene.String)
    pipelineSnapshotId = graphene.String()
    repositoryOrigin = graphene.Field(RepositoryOrigin)
    status = graphene.NonNull(GrapheneRunStatus)
    pipelineName = graphene.NonNull(graphene.String)
    jobName = graphene.NonNull(graphene.String)
    solidSelection = graphene.List(graphene.NonNull(graphene.String))
    stats = graphene.NonNull(RunStatsSnapshotOrError)
    stepStats = graphene.NonNull(graphene.List(graphene.NonNull(RunStepStats)))
    stepKeysToExecute = graphene.List(graphene.NonNull(graphene.String))
    runConfigYaml = graphene.NonNull(graphene.String)
    runConfig = graphene.NonNull(RunConfigData)
    mode = graphene.NonNull(graphene.String)
    tags = graphene.NonNull(graphene.List(graphene.NonNull(PipelineTag)))
    rootRunId = graphene.String()
    parentRunId = graphene.String()
    canTerminate = graphene.NonNull(graphene.Boolean)
    eventConnection = graphene.Field(graphene.NonNull(EventConnection), afterCursor=graphene.String(),
                                     limit=graphene.Int())


class RunsFeedEntry(graphene.Interface):
    """An entry of the runs feed."""

    id = graphene.NonNull(graphene.ID)
    runStatus = graphene.Field(GrapheneRunStatus)
    creationTime = graphene.NonNull(graphene.Float)
    startTime = graphene.Float()
    endTime = graphene.Float()
    tags = graphene.NonNull(graphene.List(graphene.NonNull(PipelineTag)))
    jobName = graphene.String()


class GrapheneRun(graphene.ObjectType):
    """A run of a job: what was asked and how it went."""

    class Meta:
        name = "Run"
        interfaces = (PipelineRun, RunsFeedEntry)

    # Declared again: the two interfaces disagree on nullability and Dagster's Run has these.
    id = graphene.NonNull(graphene.ID)
    jobName = graphene.NonNull(graphene.String)
    tags = graphene.NonNull(graphene.List(graphene.NonNull(PipelineTag)))
    runStatus = graphene.NonNull(GrapheneRunStatus)
    creationTime = graphene.NonNull(graphene.Float)
    startTime = graphene.Float()
    endTime = graphene.Float()
    updateTime = graphene.Float()
    resolvedOpSelection = graphene.List(graphene.NonNull(graphene.String))
    hasReExecutePermission = graphene.NonNull(graphene.Boolean)
    hasTerminatePermission = graphene.NonNull(graphene.Boolean)
    hasDeletePermission = graphene.NonNull(graphene.Boolean)

    def __init__(self, record: RunRecord) -> None:
        # Each field is read from the record when a query asks for it: a page may hold thousands
        # of runs, and most queries select a few fields of each.
        self._record = record

    def __repr__(self) -> str:
        return f"Run({self._record.run_id!r})"

    def resolve_id(self, _info: Any) -> str:
        return self._record.run_id

    resolve_runId = resolve_id

    def resolve_pipelineSnapshotId(self, _info: Any) -> Optional[str]:
        return self._record.job_snapshot_id

    def resolve_status(self, _info: Any) -> str:
        return RunStatusValue(self._record.status).value

    resolve_runStatus = resolve_status

    def resolve_jobName(self, _info: Any) -> str:
        return self._record.job_name

    resolve_pipelineName = resolve_jobName

    def resolve_solidSelection(self, _info: Any) -> Optional[list[str]]:
        selection = self._record.op_selection
        return list(selection) if selection is not None else None

    resolve_resolvedOpSelection = resolve_solidSelection

    def resolve_stepKeysToExecute(self, _info: Any) -> Optional[list[str]]:
        step_keys = self._record.step_keys_to_execute
        return list(step_keys) if step_keys is not None else None

    def resolve_runConfig(self, _info: Any) -> dict[str, Any]:
        return dict(self._record.run_config)

    def resolve_mode(self, _info: Any) -> str:
        return "default"

    def resolve_tags(self, _info: Any) -> list[PipelineTag]:
        return [PipelineTag(key=k, value=v) for k, v in sorted(self._record.tags.items())]

    def resolve_rootRunId(self, _info: Any) -> Optional[str]:
        return self._record.root_run_id

    def resolve_parentRunId(self, _info: Any) -> Optional[str]:
        return self._record.parent_run_id

    def resolve_canTerminate(self, _info: Any) -> bool:
        return self._record.status in TERMINABLE_STATUSES

    def resolve_creationTime(self, _info: Any) -> float:
        return self._record.create_timestamp

    def resolve_startTime(self, _info: Any) -> Optional[float]:
        return self._record.start_time

    def resolve_endTime(self, _info: Any) -> Optional[float]:
        return self._record.end_time

    def resolve_updateTime(self, _info: Any) -> Optional[float]:
        return self._record.update_timestamp

    @property
    def record(self) -> RunRecord:
        """The stored run this object shows."""
        return self._record

    def resolve_repositoryOrigin(self, _info: Any) -> Optional[RepositoryOrigin]:
        if not self._record.location_name:
            return None
        return RepositoryOrigin(self._record.location_name, self._record.repository_name)

    def resolve_runConfigYaml(self, _info: Any) -> str:
        return yaml.safe_dump(dict(self._record.run_config), default_flow_style=False, sort_keys=True)

    async def resolve_stats(self, info: ResolveInfo) -> Any:
        try:
            return RunStatsSnapshot(self._record.run_id, await info.context.storage.get_run_stats(self._record.run_id))
        except Exception as exc:  # noqa: BLE001 - the field's union carries the error
            return PythonError.from_exception(exc)

    async def resolve_stepStats(self, info: ResolveInfo) -> list[RunStepStats]:
        storage, run_id = info.context.storage, self._record.run_id
        timelines = RunStepTimelines(storage, run_id)  # shared by the steps; reads the log only if asked
        return [RunStepStats(run_id, stats, timelines) for stats in await storage.get_step_stats(run_id)]

    async def resolve_eventConnection(self, info: ResolveInfo, afterCursor: Optional[str] = None,
                                      limit: Optional[int] = None) -> EventConnection:
        page = await run_ops.read_events(info.context.storage, self._record.run_id, afterCursor, limit)
        return EventConnection(events=[graphql_event(r, self._record.job_name) for r in page.events],
                               cursor=page.cursor, hasMore=page.has_more)

    def resolve_hasReExecutePermission(self, info: Any) -> bool:
        return bool(info.context.may("launchRunReexecution"))

    def resolve_hasTerminatePermission(self, info: Any) -> bool:
        return bool(info.context.may("terminateRun"))

    def resolve_hasDeletePermission(self, info: Any) -> bool:
        return bool(info.context.may("deleteRun"))


class RunOrError(graphene.Union):
    """A run, or why it could not be found."""

    class Meta:
        types = (GrapheneRun, RunNotFoundError, PythonError)


class PipelineRuns(graphene.Interface):
    """A list of runs (Dagster's legacy name for ``Runs``)."""

    results = graphene.NonNull(graphene.List(graphene.NonNull(GrapheneRun)))
    count = graphene.Int()


class GrapheneRuns(graphene.ObjectType):
    """A page of runs, newest first; ``count`` counts every run passing the filter."""

    class Meta:
        name = "Runs"
        interfaces = (PipelineRuns,)

    count = graphene.NonNull(graphene.Int)

    def __init__(self, records: list[RunRecord], count_runs: Callable[[], Awaitable[int]]) -> None:
        super().__init__(results=[GrapheneRun(r) for r in records])
        self._count_runs = count_runs  # counted only when asked: a count can be costly

    async def resolve_count(self, _info: Any) -> int:
        return await self._count_runs()


class RunsOrError(graphene.Union):
    """A page of runs, or why the filter could not be applied."""

    class Meta:
        types = (GrapheneRuns, InvalidPipelineRunsFilterError, PythonError)


class RunTagKeys(graphene.ObjectType):
    """Every tag key that some run has."""

    keys = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))


class RunTagKeysOrError(graphene.Union):
    """Run tag keys, or an error."""

    class Meta:
        types = (PythonError, RunTagKeys)


class RunTags(graphene.ObjectType):
    """Tag keys and the values runs have for them."""

    tags = graphene.NonNull(graphene.List(graphene.NonNull(PipelineTagAndValues)))


class RunTagsOrError(graphene.Union):
    """Run tags, or an error."""

    class Meta:
        types = (PythonError, RunTags)
