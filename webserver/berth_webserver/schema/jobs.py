"""Jobs as Dagster shows them: ``Pipeline`` and ``Job``, their modes, ops and runs."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import graphene

from berth.config.snap import ConfigTypeKind
from berth.runs import RunsFilter as RunsFilterRecord

from ..context import ResolveInfo
from .config_types import ConfigTypeField
from .runs import GrapheneRun, PipelineTag
from .solids import JobGraph, Solid, SolidHandle

__all__ = ["IPipelineSnapshot", "Job", "Logger", "Mode", "Pipeline", "Resource", "SolidContainer"]


class Resource(graphene.ObjectType):
    """A resource a job provides: its key, description and config field."""

    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    configField = graphene.Field(ConfigTypeField)

    @staticmethod
    def of_job(job_snap: Any) -> list["Resource"]:
        """The job's resources, read from its run-config schema (``resources: {<key>: {config: ...}}``).

        Each resource's field there carries its description and its ``config`` field, as in Dagster.
        """
        schema = job_snap.config_schema
        resources = next((field for field in schema.root.fields if field.name == "resources"), None)
        if resources is None or not ConfigTypeKind(schema.types[resources.type_key].kind).has_fields:
            return []
        shown = []
        for field in sorted(schema.types[resources.type_key].fields, key=lambda f: f.name):
            config = next((f for f in schema.types[field.type_key].fields if f.name == "config"), None)
            shown.append(Resource(name=field.name, description=field.description,
                                  configField=ConfigTypeField(config, schema.types) if config else None))
        return shown


class Logger(graphene.ObjectType):
    """A logger a mode provides."""

    name = graphene.NonNull(graphene.String)
    description = graphene.String()


class Mode(graphene.ObjectType):
    """A job's mode; berth jobs have exactly one, ``default``."""

    id = graphene.NonNull(graphene.String)
    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    resources = graphene.NonNull(graphene.List(graphene.NonNull(Resource)))
    loggers = graphene.NonNull(graphene.List(graphene.NonNull(Logger)))

    def __init__(self, job_snap: Any) -> None:
        super().__init__(id=f"{job_snap.name}-default", name="default", description=None, loggers=[])
        self._job_snap = job_snap

    def resolve_resources(self, _info: Any) -> list[Resource]:
        # read only when asked: listing jobs must not decode their config types
        return Resource.of_job(self._job_snap)


class SolidContainer(graphene.Interface):
    """Something made of ops."""

    id = graphene.NonNull(graphene.ID)
    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    solids = graphene.NonNull(graphene.List(graphene.NonNull(Solid)))
    solidHandle = graphene.Field(SolidHandle, handleID=graphene.NonNull(graphene.String))
    solidHandles = graphene.Field(graphene.NonNull(graphene.List(graphene.NonNull(SolidHandle))),
                                  parentHandleID=graphene.String())
    modes = graphene.NonNull(graphene.List(graphene.NonNull(Mode)))


class IPipelineSnapshot(graphene.Interface):
    """A job's snapshot: its ops, tags and runs."""

    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    pipelineSnapshotId = graphene.NonNull(graphene.String)
    solids = graphene.NonNull(graphene.List(graphene.NonNull(Solid)))
    modes = graphene.NonNull(graphene.List(graphene.NonNull(Mode)))
    solidHandles = graphene.Field(graphene.NonNull(graphene.List(graphene.NonNull(SolidHandle))),
                                  parentHandleID=graphene.String())
    solidHandle = graphene.Field(SolidHandle, handleID=graphene.NonNull(graphene.String))
    tags = graphene.NonNull(graphene.List(graphene.NonNull(PipelineTag)))
    runs = graphene.Field(graphene.NonNull(graphene.List(graphene.NonNull(GrapheneRun))),
                          cursor=graphene.String(), limit=graphene.Int())
    graphName = graphene.NonNull(graphene.String)


class _JobFields:
    """What ``Pipeline`` and ``Job`` share: both show one job snapshot of one repository."""

    _location_name: str
    _repository_name: str
    _job_snap: Any
    _op_selection: Optional[Sequence[str]]
    _built_graph: Optional[JobGraph]

    @classmethod
    def of(cls, location_name: str, repository_name: str, job_snap: Any,
           op_selection: Optional[Sequence[str]] = None) -> Any:
        """Show a job snapshot of a repository (only ``op_selection`` when given)."""
        # graphene puts its own __init__ first in the MRO, so a mixin binds after construction.
        job = cls(  # type: ignore[call-arg]
            id=f"{location_name}:{repository_name}:{job_snap.name}",
            name=job_snap.name,
            description=job_snap.description or None,
            pipelineSnapshotId=job_snap.snapshot_id,
            graphName=job_snap.name,
            isJob=True,
            isAssetJob=False,
            tags=[PipelineTag(key=k, value=v) for k, v in sorted(job_snap.tags.items())],
            modes=[Mode(job_snap)],
        )
        job._location_name = location_name
        job._repository_name = repository_name
        job._job_snap = job_snap
        job._op_selection = op_selection
        job._built_graph = None
        return job

    @property
    def _graph(self) -> JobGraph:
        # Built on first use: listing the names of a big location's jobs must not decode each
        # job's ops and config types (time, and memory kept by the snapshot's caches).
        if self._built_graph is None:
            self._built_graph = JobGraph.from_job_snap(self._job_snap, self._op_selection)
        return self._built_graph

    def resolve_solids(self, _info: Any) -> list[Solid]:
        top = self._graph.top
        return [Solid(top, name, self._graph) for name in sorted(top.nodes)]

    def resolve_nodeNames(self, _info: Any) -> list[str]:
        return sorted(self._graph.top.nodes)  # Dagster's: the job's own nodes, by name

    def resolve_solidHandles(self, _info: Any, parentHandleID: Optional[str] = None) -> list[SolidHandle]:
        return SolidHandle.listed(self._graph, parentHandleID)

    def resolve_solidHandle(self, _info: Any, handleID: str) -> Optional[SolidHandle]:
        return SolidHandle.find(self._graph, handleID)

    async def resolve_runs(self, info: ResolveInfo, cursor: Optional[str] = None,
                           limit: Optional[int] = None) -> list[GrapheneRun]:
        filters = RunsFilterRecord(job_name=self._job_snap.name, location_name=self._location_name)
        return [GrapheneRun(r) for r in await info.context.storage.get_runs(filters, cursor=cursor, limit=limit)]

    def resolve_repository(self, info: Any) -> Any:
        from .repositories import Repository  # repositories lists jobs: import at call time

        entry = info.context.workspace.entry(self._location_name)
        return Repository(entry, entry.repositories[self._repository_name])

    def _may_launch(self, info: Any) -> bool:
        return bool(info.context.may("launchRun"))

    def _may_reexecute(self, info: Any) -> bool:
        return bool(info.context.may("launchRunReexecution"))

    resolve_hasLaunchExecutionPermission = _may_launch
    resolve_hasLaunchReexecutionPermission = _may_reexecute


class Pipeline(_JobFields, graphene.ObjectType):
    """A job (Dagster's legacy name)."""

    class Meta:
        interfaces = (SolidContainer, IPipelineSnapshot)

    isJob = graphene.NonNull(graphene.Boolean)
    isAssetJob = graphene.NonNull(graphene.Boolean)
    nodeNames = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    repository = graphene.NonNull(lambda: _repository_type())
    hasLaunchExecutionPermission = graphene.NonNull(graphene.Boolean)
    hasLaunchReexecutionPermission = graphene.NonNull(graphene.Boolean)


class Job(_JobFields, graphene.ObjectType):
    """A job."""

    class Meta:
        interfaces = (SolidContainer, IPipelineSnapshot)

    isJob = graphene.NonNull(graphene.Boolean)
    isAssetJob = graphene.NonNull(graphene.Boolean)
    nodeNames = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    repository = graphene.NonNull(lambda: _repository_type())
    hasLaunchExecutionPermission = graphene.NonNull(graphene.Boolean)
    hasLaunchReexecutionPermission = graphene.NonNull(graphene.Boolean)


def _repository_type() -> type:
    from .repositories import Repository

    return Repository
