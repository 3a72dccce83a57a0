"""A job's ops as Dagster shows them: ``Solid``, ``SolidDefinition``, inputs, outputs and handles.

Every object holds the ``JobGraph`` of its job, so that ``dependsOn`` / ``dependedBy`` can walk
the dependency structure in either direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import graphene

from berth.config.snap import ConfigFieldSnap, ConfigTypeKind
from berth.protocol.v1 import snapshot_pb2

from .config_types import ConfigTypeField

__all__ = [
    "DagsterType",
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


@dataclass
class JobGraph:
    """The ops of one job, indexed by name, with who consumes each output."""

    ops: Mapping[str, snapshot_pb2.OpSnapshot]
    config_types: Mapping[str, Any]
    consumers: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def from_job_snap(cls, job_snap: Any, op_names: Optional[Sequence[str]] = None) -> "JobGraph":
        """Index the ops of a ``berth.snapshot.JobSnap`` (only ``op_names`` when a subset is given)."""
        keep = set(op_names) if op_names is not None else None
        ops = {op.name: op for op in job_snap.proto.ops if keep is None or op.name in keep}
        graph = cls(ops, job_snap.config_schema.types)
        for op in ops.values():
            for op_input in op.inputs:
                for handle in op_input.upstream:
                    graph.consumers.setdefault((handle.op_name, handle.output_name), []).append(
                        (op.name, op_input.name))
        return graph


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


class SolidDefinition(graphene.ObjectType):
    """An op definition, with its config field."""

    class Meta:
        interfaces = (ISolidDefinition,)

    configField = graphene.Field(ConfigTypeField)

    def __init__(self, pb: snapshot_pb2.OpSnapshot, graph: JobGraph) -> None:
        super().__init__(name=pb.definition_name or pb.name, description=pb.description or None,
                         inputDefinitions=[GrapheneInputDefinition.of(i) for i in pb.inputs],
                         outputDefinitions=[GrapheneOutputDefinition.of(o) for o in pb.outputs])
        self._pb = pb
        self._graph = graph

    def resolve_configField(self, _info: Any) -> Optional[ConfigTypeField]:
        key = self._pb.config_type_key
        if not key or key not in self._graph.config_types:
            return None
        field_snap = ConfigFieldSnap("config", key, _requires_config(key, self._graph.config_types))
        return ConfigTypeField(field_snap, self._graph.config_types)


class Solid(graphene.ObjectType):
    """One op invocation in a job."""

    name = graphene.NonNull(graphene.String)
    definition = graphene.NonNull(ISolidDefinition)
    inputs = graphene.NonNull(graphene.List(graphene.NonNull(lambda: Input)))
    outputs = graphene.NonNull(graphene.List(graphene.NonNull(lambda: GrapheneOutput)))
    isDynamicMapped = graphene.NonNull(graphene.Boolean)

    def __init__(self, op_name: str, graph: JobGraph) -> None:
        super().__init__(name=op_name, isDynamicMapped=False)
        self._pb = graph.ops[op_name]
        self._graph = graph

    def resolve_definition(self, _info: Any) -> SolidDefinition:
        return SolidDefinition(self._pb, self._graph)

    def resolve_inputs(self, _info: Any) -> list["Input"]:
        return [Input(self._pb.name, i.name, self._graph) for i in self._pb.inputs]

    def resolve_outputs(self, _info: Any) -> list["GrapheneOutput"]:
        return [GrapheneOutput(self._pb.name, o.name, self._graph) for o in self._pb.outputs]


class Input(graphene.ObjectType):
    """One input of an op invocation, with the outputs that feed it."""

    solid = graphene.NonNull(Solid)
    definition = graphene.NonNull(GrapheneInputDefinition)
    dependsOn = graphene.NonNull(graphene.List(graphene.NonNull(lambda: GrapheneOutput)))
    isDynamicCollect = graphene.NonNull(graphene.Boolean)

    def __init__(self, op_name: str, input_name: str, graph: JobGraph) -> None:
        super().__init__(isDynamicCollect=False)
        self._pb = next(i for i in graph.ops[op_name].inputs if i.name == input_name)
        self._op_name = op_name
        self._graph = graph

    def resolve_solid(self, _info: Any) -> Solid:
        return Solid(self._op_name, self._graph)

    def resolve_definition(self, _info: Any) -> GrapheneInputDefinition:
        return GrapheneInputDefinition.of(self._pb)

    def resolve_dependsOn(self, _info: Any) -> list["GrapheneOutput"]:
        return [GrapheneOutput(h.op_name, h.output_name, self._graph) for h in self._pb.upstream if h.op_name in self._graph.ops]


class GrapheneOutput(graphene.ObjectType):
    """One output of an op invocation, with the inputs it feeds."""

    class Meta:
        name = "Output"

    solid = graphene.NonNull(Solid)
    definition = graphene.NonNull(GrapheneOutputDefinition)
    dependedBy = graphene.NonNull(graphene.List(graphene.NonNull(Input)))

    def __init__(self, op_name: str, output_name: str, graph: JobGraph) -> None:
        super().__init__()
        self._op_name = op_name
        self._output_name = output_name
        self._graph = graph

    def resolve_solid(self, _info: Any) -> Solid:
        return Solid(self._op_name, self._graph)

    def resolve_definition(self, _info: Any) -> GrapheneOutputDefinition:
        pb = next((o for o in self._graph.ops[self._op_name].outputs if o.name == self._output_name), None)
        if pb is None:  # an upstream handle to an output the op snapshot does not list
            return GrapheneOutputDefinition(name=self._output_name, type=RegularDagsterType.named("Any"), isDynamic=False)
        return GrapheneOutputDefinition.of(pb)

    def resolve_dependedBy(self, _info: Any) -> list[Input]:
        return [Input(op, name, self._graph)
                for op, name in self._graph.consumers.get((self._op_name, self._output_name), [])
                if op in self._graph.ops]


class SolidHandle(graphene.ObjectType):
    """An op's place in a job (berth jobs are flat: every handle is top level)."""

    handleID = graphene.NonNull(graphene.String)
    solid = graphene.NonNull(Solid)
    parent = graphene.Field(lambda: SolidHandle)

    def __init__(self, op_name: str, graph: JobGraph) -> None:
        super().__init__(handleID=op_name, parent=None)
        self._op_name = op_name
        self._graph = graph

    def resolve_solid(self, _info: Any) -> Solid:
        return Solid(self._op_name, self._graph)
