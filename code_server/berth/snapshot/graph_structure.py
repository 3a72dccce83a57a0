"""A job's nested graphs as snapshot messages: node invocations, graph definitions, mappings.

Execution works on the flattened ops (step keys ``g.a``); the webserver shows the graphs as the
user wrote them, as Dagster does with its dependency structure and graph definition snapshots.
Each dependency structure names only sibling nodes: what crosses a graph's boundary goes through
its input and output mappings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Collection, Optional

from berth.definitions.errors import DefinitionError
from berth.protocol.v1 import snapshot_pb2

if TYPE_CHECKING:
    from berth.definitions.composition import NodeEntry
    from berth.definitions.graph import GraphDefinition
    from berth.definitions.op import InputDefinition

__all__ = ["graph_structure", "has_nested_graphs"]


def has_nested_graphs(graph: "GraphDefinition") -> bool:
    """True when one of the graph's nodes is itself a graph."""
    return any(_is_graph(entry) for entry in graph.nodes.values())


def graph_structure(
    graph: "GraphDefinition", op_names: Collection[str]
) -> tuple[list[snapshot_pb2.NodeInvocationSnapshot], list[snapshot_pb2.GraphDefSnapshot]]:
    """The top-level nodes of a job's graph and every graph definition it nests, by name.

    Only nodes that hold one of ``op_names`` (the job's ops, after any op selection) are kept.
    """
    kept = frozenset(op_names)
    graph_defs: dict[str, snapshot_pb2.GraphDefSnapshot] = {}
    definitions: dict[str, "GraphDefinition"] = {}
    top = _invocations(graph, "", kept, graph_defs, definitions)
    return top, [graph_defs[name] for name in sorted(graph_defs)]


def _is_graph(entry: "NodeEntry") -> bool:
    from berth.definitions.graph import GraphDefinition

    return isinstance(entry.definition, GraphDefinition)


def _holds_kept_op(entry: "NodeEntry", handle: str, kept: frozenset[str]) -> bool:
    if not _is_graph(entry):
        return handle in kept
    return any(name.startswith(handle + ".") for name in kept)


def _invocations(graph: "GraphDefinition", prefix: str, kept: frozenset[str],
                 graph_defs: dict[str, snapshot_pb2.GraphDefSnapshot],
                 definitions: dict[str, "GraphDefinition"]) -> list[snapshot_pb2.NodeInvocationSnapshot]:
    present = [name for name, entry in graph.nodes.items() if _holds_kept_op(entry, prefix + name, kept)]
    nodes = []
    for name in present:
        entry = graph.nodes[name]
        inputs = []
        for input_name in entry.definition.input_names:
            dependency = graph.dependencies.get((name, input_name))
            handles = [h for h in dependency.handles if h.node in present] if dependency is not None else []
            inputs.append(snapshot_pb2.InputDependencySnapshot(
                input_name=input_name, is_fan_in=bool(dependency is not None and dependency.is_fan_in),
                upstream=[snapshot_pb2.OutputHandle(op_name=h.node, output_name=h.output) for h in handles]))
        nodes.append(snapshot_pb2.NodeInvocationSnapshot(
            name=name, definition_name=entry.definition.name, is_graph=_is_graph(entry), tags=entry.tags,
            inputs=inputs))
        if _is_graph(entry):
            _add_graph_def(entry.definition, prefix + name + ".", kept, graph_defs, definitions)  # type: ignore[arg-type]
    return nodes


def _add_graph_def(definition: "GraphDefinition", prefix: str, kept: frozenset[str],
                   graph_defs: dict[str, snapshot_pb2.GraphDefSnapshot],
                   definitions: dict[str, "GraphDefinition"]) -> None:
    known = definitions.get(definition.name)
    if known is not None:
        if known is not definition:
            raise DefinitionError(f'The job nests two different graphs named "{definition.name}"; '
                                  "give each graph its own name.")
        return
    definitions[definition.name] = definition
    nodes = _invocations(definition, prefix, kept, graph_defs, definitions)
    graph_defs[definition.name] = snapshot_pb2.GraphDefSnapshot(
        name=definition.name, description=definition.description or "", tags=definition.tags,
        inputs=[_graph_input(definition, name) for name in definition.input_names],
        outputs=[_graph_output(definition, name) for name in definition.output_names],
        nodes=nodes,
        input_mappings=[snapshot_pb2.InputMappingSnapshot(graph_input_name=name, node_name=node, input_name=inner)
                        for name, targets in definition.input_mappings.items() for node, inner in targets],
        output_mappings=[snapshot_pb2.OutputMappingSnapshot(graph_output_name=name, node_name=node,
                                                            output_name=inner)
                         for name, (node, inner) in definition.output_mappings.items()],
    )


def _graph_input(definition: "GraphDefinition", name: str) -> snapshot_pb2.InputSnapshot:
    """A graph input, typed like the op input it finally feeds (as Dagster infers it)."""
    op_input = _mapped_op_input(definition, name)
    if op_input is None:
        return snapshot_pb2.InputSnapshot(name=name, type_name="Any")
    return snapshot_pb2.InputSnapshot(name=name, type_name=op_input.type_name, is_nothing=op_input.is_nothing,
                                      description=op_input.description or "")


def _mapped_op_input(definition: "GraphDefinition", name: str) -> Optional["InputDefinition"]:
    from berth.definitions.graph import GraphDefinition

    targets = definition.input_mappings.get(name) or []
    if not targets:
        return None
    node, inner = targets[0]
    inner_def = definition.nodes[node].definition
    if isinstance(inner_def, GraphDefinition):
        return _mapped_op_input(inner_def, inner)
    return next((d for d in inner_def.input_defs if d.name == inner), None)  # type: ignore[attr-defined]


def _graph_output(definition: "GraphDefinition", name: str) -> snapshot_pb2.OutputSnapshot:
    """A graph output: of type Any, as Dagster declares a graph output that ``out`` does not type."""
    return snapshot_pb2.OutputSnapshot(name=name, type_name="Any", is_required=True)
