"""Nested graphs as Dagster shows them: ``CompositeSolidDefinition`` with its input and output mappings.

A composite definition is a ``SolidContainer``: its ``solids`` are the nodes of its own body, and,
as in Dagster, its ``solidHandle`` / ``solidHandles`` address the handles of the whole job.
"""

from __future__ import annotations

from typing import Any, Optional

import graphene

from .jobs import Mode, SolidContainer
from .solids import (
    GrapheneInputDefinition,
    GrapheneOutput,
    GrapheneOutputDefinition,
    Input,
    ISolidDefinition,
    JobGraph,
    Solid,
    SolidHandle,
)

__all__ = ["CompositeSolidDefinition", "InputMapping", "OutputMapping"]


class InputMapping(graphene.ObjectType):
    """A graph input and the input of an inner node that receives it."""

    mappedInput = graphene.NonNull(Input)
    definition = graphene.NonNull(GrapheneInputDefinition)


class OutputMapping(graphene.ObjectType):
    """A graph output and the output of an inner node that provides it."""

    mappedOutput = graphene.NonNull(GrapheneOutput)
    definition = graphene.NonNull(GrapheneOutputDefinition)


class CompositeSolidDefinition(graphene.ObjectType):
    """A graph definition nested in a job."""

    class Meta:
        interfaces = (ISolidDefinition, SolidContainer)

    inputMappings = graphene.NonNull(graphene.List(graphene.NonNull(InputMapping)))
    outputMappings = graphene.NonNull(graphene.List(graphene.NonNull(OutputMapping)))

    def __init__(self, definition_name: str, graph: JobGraph) -> None:
        pb = graph.graph_defs[definition_name]
        super().__init__(
            id=f"{graph.snapshot_id}:{definition_name}", name=definition_name, description=pb.description or None,
            inputDefinitions=[GrapheneInputDefinition.of(i) for i in pb.inputs],
            outputDefinitions=[GrapheneOutputDefinition.of(o) for o in pb.outputs],
        )
        self._pb = pb
        self._graph = graph
        self._level = graph.graph_level(definition_name)

    def resolve_solids(self, _info: Any) -> list[Solid]:
        return [Solid(self._level, name, self._graph) for name in sorted(self._level.nodes)]

    def resolve_inputMappings(self, _info: Any) -> list[InputMapping]:
        inputs = {i.name: i for i in self._pb.inputs}
        return [InputMapping(mappedInput=Input(self._level, m.node_name, m.input_name, self._graph),
                             definition=GrapheneInputDefinition.of(inputs[m.graph_input_name]))
                for m in self._pb.input_mappings if m.node_name in self._level.nodes]

    def resolve_outputMappings(self, _info: Any) -> list[OutputMapping]:
        outputs = {o.name: o for o in self._pb.outputs}
        return [OutputMapping(mappedOutput=GrapheneOutput(self._level, m.node_name, m.output_name, self._graph),
                              definition=GrapheneOutputDefinition.of(outputs[m.graph_output_name]))
                for m in self._pb.output_mappings if m.node_name in self._level.nodes]

    def resolve_solidHandle(self, _info: Any, handleID: str) -> Optional[SolidHandle]:
        return SolidHandle.find(self._graph, handleID)

    def resolve_solidHandles(self, _info: Any, parentHandleID: Optional[str] = None) -> list[SolidHandle]:
        return SolidHandle.listed(self._graph, parentHandleID)

    def resolve_modes(self, _info: Any) -> list[Mode]:
        return []  # a graph has no modes: Dagster answers [] too
