"""A job's ops as a flat, ordered set of nodes: nested graphs flattened to ``graph.op`` names.

Every ``OpNode`` knows which upstream outputs feed each of its inputs, so that execution, op
selection, run-config schemas and snapshots all work on this one structure.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Mapping, Optional

from berth.definitions.dependency import OutputHandle
from berth.definitions.errors import DefinitionError
from berth.definitions.op import OpDefinition

if TYPE_CHECKING:
    from berth.definitions.graph import GraphDefinition
    from berth.definitions.retry import RetryPolicy

__all__ = ["InputSource", "OpNode", "flatten_graph", "topological_order"]


@dataclasses.dataclass(frozen=True)
class InputSource:
    """What feeds one input: upstream outputs, and whether the op receives them as a list (fan-in)."""

    handles: tuple[OutputHandle, ...]
    fan_in: bool = False
    collect: bool = False


@dataclasses.dataclass(frozen=True)
class OpNode:
    """One op invocation in a job: its name (the step key), definition, tags and input sources."""

    name: str
    op_def: OpDefinition
    tags: Mapping[str, str]
    retry_policy: Optional["RetryPolicy"]
    inputs: Mapping[str, InputSource]
    # The dynamic output this node is mapped over (it runs once per mapping key), if any.
    mapped_over: Optional[OutputHandle] = None

    @property
    def upstream_node_names(self) -> tuple[str, ...]:
        """Names of the nodes this one runs after, sorted."""
        return tuple(sorted({handle.node for source in self.inputs.values() for handle in source.handles}))

    def without_upstream(self, kept: "set[str] | frozenset[str]") -> "OpNode":
        """This node with every input source from outside ``kept`` dropped (for op subsets)."""
        inputs = {}
        for name, source in self.inputs.items():
            handles = tuple(handle for handle in source.handles if handle.node in kept)
            if handles:
                inputs[name] = InputSource(handles, source.fan_in, source.collect)
        mapped_over = self.mapped_over if self.mapped_over is not None and self.mapped_over.node in kept else None
        return dataclasses.replace(self, inputs=inputs, mapped_over=mapped_over)


def flatten_graph(graph: "GraphDefinition") -> dict[str, OpNode]:
    """Every op of ``graph`` (recursively) as OpNodes, in topological order."""
    nodes: dict[str, OpNode] = {}
    _collect(graph, "", {}, nodes)
    ordered = {name: nodes[name] for name in topological_order(nodes)}
    return _mark_mapped(ordered)


def _mark_mapped(nodes: dict[str, OpNode]) -> dict[str, OpNode]:
    """Set ``mapped_over`` on the nodes downstream of a dynamic output that they do not collect."""
    for name, node in nodes.items():
        mapped_over: set[OutputHandle] = set()
        for input_name, source in node.inputs.items():
            for handle in source.handles:
                upstream = nodes.get(handle.node)
                if upstream is None:
                    continue
                output = upstream.op_def.outs.get(handle.output)
                root = handle if output is not None and output.is_dynamic else upstream.mapped_over
                if root is None:
                    continue
                if source.collect:
                    if upstream.mapped_over is not None and output is not None and output.is_dynamic:
                        raise DefinitionError(f'Node "{name}" collects a dynamic output inside a mapping; berth '
                                              "does not support nested dynamic outputs.")
                    continue
                if source.fan_in:
                    raise DefinitionError(f'Input "{input_name}" of node "{name}" fans in a dynamic output; use '
                                          ".map(...) or .collect().")
                mapped_over.add(root)
        if len(mapped_over) > 1:
            raise DefinitionError(f'Node "{name}" is mapped over more than one dynamic output.')
        if mapped_over:
            nodes[name] = dataclasses.replace(node, mapped_over=mapped_over.pop())
    return nodes


def _collect(graph: "GraphDefinition", prefix: str, outer_inputs: Mapping[tuple[str, str], InputSource],
             out: dict[str, OpNode]) -> None:
    """Add the ops of ``graph`` to ``out``; ``outer_inputs`` feeds the graph's own inputs (by node, input)."""
    from berth.definitions.graph import GraphDefinition

    for node_name, entry in graph.nodes.items():
        sources: dict[str, InputSource] = {}
        for input_name in entry.definition.input_names:
            dependency = graph.dependencies.get((node_name, input_name))
            if dependency is not None:
                handles = tuple(handle for dep in dependency.handles
                                for handle in _resolve_output(graph, prefix, dep.node, dep.output))
                sources[input_name] = InputSource(handles, dependency.is_fan_in,
                                                  bool(getattr(dependency, "is_collect", False)))
            elif (node_name, input_name) in outer_inputs:
                sources[input_name] = outer_inputs[(node_name, input_name)]
        full_name = prefix + node_name
        definition = entry.definition
        if isinstance(definition, GraphDefinition):
            inner_inputs = {}
            for graph_input, targets in definition.input_mappings.items():
                if graph_input in sources:
                    for target in targets:
                        inner_inputs[target] = sources[graph_input]
            _collect(definition, full_name + ".", inner_inputs, out)
        elif isinstance(definition, OpDefinition):
            tags = {**definition.tags, **entry.tags}
            out[full_name] = OpNode(full_name, definition, tags, entry.retry_policy, sources)
        else:
            raise DefinitionError(f"{definition!r} is neither an op nor a graph")


def _resolve_output(graph: "GraphDefinition", prefix: str, node: str, output: str) -> list[OutputHandle]:
    """The op output (flat name) behind output ``output`` of node ``node`` of ``graph``."""
    from berth.definitions.graph import GraphDefinition

    definition = graph.nodes[node].definition
    if isinstance(definition, GraphDefinition):
        inner_node, inner_output = definition.output_mappings[output]
        return _resolve_output(definition, f"{prefix}{node}.", inner_node, inner_output)
    return [OutputHandle(prefix + node, output)]


def topological_order(nodes: Mapping[str, OpNode]) -> list[str]:
    """Node names so that every node comes after its upstream nodes; level by level, by name within a level."""
    remaining = {name: set(node.upstream_node_names) & nodes.keys() for name, node in nodes.items()}
    order: list[str] = []
    while remaining:
        level = sorted(name for name, upstream in remaining.items() if not upstream)
        if not level:
            raise DefinitionError(f"the dependencies of {sorted(remaining)} form a cycle")
        order.extend(level)
        for name in level:
            del remaining[name]
        done = set(level)
        for upstream in remaining.values():
            upstream -= done
    return order
