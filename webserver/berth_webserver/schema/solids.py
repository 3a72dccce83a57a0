"""A job's ops as Dagster shows them: ``Solid``, ``SolidDefinition``, inputs, outputs and handles.

Every object holds the ``JobGraph`` of its job and the ``Level`` (dependency structure) its node
sits in, so that ``dependsOn`` / ``dependedBy`` walk siblings in either direction, and a nested
graph's node shows a ``CompositeSolidDefinition`` (``composites``).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Union

import graphene

from berth.config.snap import ConfigFieldSnap, ConfigTypeKind
from berth.protocol.v1 import snapshot_pb2

from .config_types import ConfigTypeField
from .job_graph import JobGraph, Level, NodeView

__all__ = [
    "DagsterType",
    "ResourceRequirement",
    "ISolidDefinition",
    "Input",
    "GrapheneInputDefinition",
    "JobGraph",
    "GrapheneOutput",
    "GrapheneOutputDefinition",
    "RegularDagsterType",
    "Solid",
    "SolidDefinition",
    "SolidHandle",
]

_BUILTIN_TYPE_NAMES = frozenset({"Any", "Bool", "Float", "Int", "String", "Nothing", "Nullable", "List"})


class DagsterType(graphene.Interface):
    """The type of an input or output."""

    key = graphene.NonNull(graphene.String)
    name = graphene.String()
    displayName = graphene.NonNull(graphene.String)
    description = graphene.String()
    isNullable = graphene.NonNull(graphene.Boolean)
    isList = graphene.NonNull(graphene.Boolean)
    isBuiltin = graphene.NonNull(graphene.Boolean)
    isNothing = graphene.NonNull(graphene.Boolean)
    innerTypes = graphene.NonNull(graphene.List(graphene.NonNull(lambda: DagsterType)))


class RegularDagsterType(graphene.ObjectType):
    """A named input or output type."""

    class Meta:
        interfaces = (DagsterType,)

    @classmethod
    def named(cls, type_name: str, is_nothing: bool = False) -> "RegularDagsterType":
        """The type called ``type_name`` (``Any`` when the snapshot gives none)."""
        name = type_name or ("Nothing" if is_nothing else "Any")
        return cls(key=name, name=name, displayName=name, description=None, isNullable=False, isList=False,
                   isBuiltin=name in _BUILTIN_TYPE_NAMES, isNothing=is_nothing or name == "Nothing", innerTypes=[])


class GrapheneInputDefinition(graphene.ObjectType):
    """An input an op declares."""

    class Meta:
        name = "InputDefinition"

    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    type = graphene.NonNull(DagsterType)

    @classmethod
    def of(cls, pb: snapshot_pb2.InputSnapshot) -> "GrapheneInputDefinition":
        """Show an input snapshot."""
        return cls(name=pb.name, description=pb.description or None,
                   type=RegularDagsterType.named(pb.type_name, pb.is_nothing))


class GrapheneOutputDefinition(graphene.ObjectType):
    """An output an op declares."""

    class Meta:
        name = "OutputDefinition"

    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    isDynamic = graphene.Boolean()
    type = graphene.NonNull(DagsterType)

    @classmethod
    def of(cls, pb: snapshot_pb2.OutputSnapshot) -> "GrapheneOutputDefinition":
        """Show an output snapshot."""
        return cls(name=pb.name, description=pb.description or None, isDynamic=False,
                   type=RegularDagsterType.named(pb.type_name))


class ISolidDefinition(graphene.Interface):
    """What an op is: its name, inputs and outputs."""

    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    inputDefinitions = graphene.NonNull(graphene.List(graphene.NonNull(GrapheneInputDefinition)))
    outputDefinitions = graphene.NonNull(graphene.List(graphene.NonNull(GrapheneOutputDefinition)))


def _requires_config(type_key: str, types: Mapping[str, Any]) -> bool:
    snap = types.get(type_key)
    if snap is None or not ConfigTypeKind(snap.kind).has_fields:
        return False
    return any(f.is_required and not f.default_provided for f in snap.fields)


class ResourceRequirement(graphene.ObjectType):
    """A resource an op requires, by key."""

    resourceKey = graphene.NonNull(graphene.String)


class SolidDefinition(graphene.ObjectType):
    """An op definition, with its config field and the resources it requires."""

    class Meta:
        interfaces = (ISolidDefinition,)

    configField = graphene.Field(ConfigTypeField)
    requiredResources = graphene.NonNull(graphene.List(graphene.NonNull(ResourceRequirement)))

    def __init__(self, pb: snapshot_pb2.OpSnapshot, graph: JobGraph) -> None:
        super().__init__(name=pb.definition_name or pb.name, description=pb.description or None,
                         inputDefinitions=[GrapheneInputDefinition.of(i) for i in pb.inputs],
                         outputDefinitions=[GrapheneOutputDefinition.of(o) for o in pb.outputs])
        self._pb = pb
        self._graph = graph

    def resolve_configField(self, _info: Any) -> Optional[ConfigTypeField]:
        # An op without config takes any (optional) config, as Dagster serves it.
        key = self._pb.config_type_key or "Any"
        if key not in self._graph.config_types:
            return None
        field_snap = ConfigFieldSnap("config", key, _requires_config(key, self._graph.config_types))
        return ConfigTypeField(field_snap, self._graph.config_types)

    def resolve_requiredResources(self, _info: Any) -> list[ResourceRequirement]:
        return [ResourceRequirement(resourceKey=key) for key in self._pb.required_resource_keys]


def _input_snaps(node: NodeView, graph: JobGraph) -> Sequence[snapshot_pb2.InputSnapshot]:
    if node.is_graph:
        return graph.graph_defs[node.definition_name].inputs
    return node.op.inputs if node.op is not None else ()


def _output_snaps(node: NodeView, graph: JobGraph) -> Sequence[snapshot_pb2.OutputSnapshot]:
    if node.is_graph:
        return graph.graph_defs[node.definition_name].outputs
    return node.op.outputs if node.op is not None else ()


class Solid(graphene.ObjectType):
    """One node (an op or a nested graph) as its job or graph invokes it."""

    name = graphene.NonNull(graphene.String)
    definition = graphene.NonNull(ISolidDefinition)
    inputs = graphene.NonNull(graphene.List(graphene.NonNull(lambda: Input)))
    outputs = graphene.NonNull(graphene.List(graphene.NonNull(lambda: GrapheneOutput)))
    isDynamicMapped = graphene.NonNull(graphene.Boolean)

    def __init__(self, level: Level, node_name: str, graph: JobGraph) -> None:
        super().__init__(name=node_name, isDynamicMapped=False)
        self._node = level.nodes[node_name]
        self._level = level
        self._graph = graph

    def resolve_definition(self, _info: Any) -> Union[SolidDefinition, Any]:
        if self._node.is_graph:
            from .composites import CompositeSolidDefinition  # composites shows Solids: import on use

            return CompositeSolidDefinition(self._node.definition_name, self._graph)
        assert self._node.op is not None
        return SolidDefinition(self._node.op, self._graph)

    def resolve_inputs(self, _info: Any) -> list["Input"]:
        return [Input(self._level, self._node.name, i.name, self._graph) for i in _input_snaps(self._node, self._graph)]

    def resolve_outputs(self, _info: Any) -> list["GrapheneOutput"]:
        return [GrapheneOutput(self._level, self._node.name, o.name, self._graph)
                for o in _output_snaps(self._node, self._graph)]


class Input(graphene.ObjectType):
    """One input of a node, with the sibling outputs that feed it."""

    solid = graphene.NonNull(Solid)
    definition = graphene.NonNull(GrapheneInputDefinition)
    dependsOn = graphene.NonNull(graphene.List(graphene.NonNull(lambda: GrapheneOutput)))
    isDynamicCollect = graphene.NonNull(graphene.Boolean)

    def __init__(self, level: Level, node_name: str, input_name: str, graph: JobGraph) -> None:
        super().__init__(isDynamicCollect=False)
        self._level = level
        self._node = level.nodes[node_name]
        self._name = input_name
        self._graph = graph

    def resolve_solid(self, _info: Any) -> Solid:
        return Solid(self._level, self._node.name, self._graph)

    def resolve_definition(self, _info: Any) -> GrapheneInputDefinition:
        pb = next(i for i in _input_snaps(self._node, self._graph) if i.name == self._name)
        return GrapheneInputDefinition.of(pb)

    def resolve_dependsOn(self, _info: Any) -> list["GrapheneOutput"]:
        return [GrapheneOutput(self._level, node, output, self._graph)
                for node, output in self._node.upstream.get(self._name, ())]


class GrapheneOutput(graphene.ObjectType):
    """One output of a node, with the sibling inputs it feeds."""

    class Meta:
        name = "Output"

    solid = graphene.NonNull(Solid)
    definition = graphene.NonNull(GrapheneOutputDefinition)
    dependedBy = graphene.NonNull(graphene.List(graphene.NonNull(Input)))

    def __init__(self, level: Level, node_name: str, output_name: str, graph: JobGraph) -> None:
        super().__init__()
        self._level = level
        self._node = level.nodes[node_name]
        self._name = output_name
        self._graph = graph

    def resolve_solid(self, _info: Any) -> Solid:
        return Solid(self._level, self._node.name, self._graph)

    def resolve_definition(self, _info: Any) -> GrapheneOutputDefinition:
        pb = next((o for o in _output_snaps(self._node, self._graph) if o.name == self._name), None)
        if pb is None:  # an upstream handle to an output the snapshot does not list
            return GrapheneOutputDefinition(name=self._name, type=RegularDagsterType.named("Any"), isDynamic=False)
        return GrapheneOutputDefinition.of(pb)

    def resolve_dependedBy(self, _info: Any) -> list[Input]:
        return [Input(self._level, node, name, self._graph)
                for node, name in self._level.consumers.get((self._node.name, self._name), [])]


class SolidHandle(graphene.ObjectType):
    """A node's place in its job: ``g.a`` is op ``a`` of graph node ``g`` (an op's handle is its step key)."""

    handleID = graphene.NonNull(graphene.String)
    solid = graphene.NonNull(Solid)
    parent = graphene.Field(lambda: SolidHandle)
    stepStats = graphene.Field(lambda: _step_stats_type(), limit=graphene.Int())

    def __init__(self, handle_id: str, graph: JobGraph) -> None:
        super().__init__(handleID=handle_id)
        self._entry = graph.handles[handle_id]
        self._graph = graph

    def resolve_solid(self, _info: Any) -> Solid:
        return Solid(self._entry.level, self._entry.node_name, self._graph)

    def resolve_parent(self, _info: Any) -> Optional["SolidHandle"]:
        parent = self._entry.parent_id
        return SolidHandle(parent, self._graph) if parent is not None else None

    async def resolve_stepStats(self, info: Any, limit: Optional[int] = None) -> Any:
        from ..operations.step_history import step_history
        from .run_stats import RunStepStats
        from .solid_step_stats import SolidStepStatsConnection, SolidStepStatusUnavailableError

        node = self._entry.level.nodes[self._entry.node_name]
        if node.is_graph:
            return SolidStepStatusUnavailableError(
                message="Step stats are not available for composite solids / subgraphs")
        history = await info.context.storage.run(step_history, self._graph.job_name, self.handleID, limit)
        return SolidStepStatsConnection(nodes=[RunStepStats(run_id, stats) for run_id, stats in history])

    @classmethod
    def listed(cls, graph: JobGraph, parent_id: Optional[str]) -> list["SolidHandle"]:
        """``solidHandles(parentHandleID)`` as Dagster answers it: every handle when None, the top
        level for "", else the children of that handle; sorted by handle id."""
        return [cls(handle, graph) for handle in graph.handles_under(parent_id)]

    @classmethod
    def find(cls, graph: JobGraph, handle_id: str) -> Optional["SolidHandle"]:
        """``solidHandle(handleID)``: the handle, or None when the job has no such node."""
        return cls(handle_id, graph) if handle_id in graph.handles else None


def _step_stats_type() -> type:
    from .solid_step_stats import SolidStepStatsOrError  # run_stats reaches events: import on first use

    return SolidStepStatsOrError
