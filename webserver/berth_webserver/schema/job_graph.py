"""A job's structure as the ops API walks it: dependency levels, graph definitions and handles.

A *level* is one dependency structure: the job's own graph, or the body of one nested graph
definition. Its nodes name only their siblings; a node that is a graph opens the level of that
graph's definition. Handles (``g``, ``g.a``) address every node of the job, at any depth; an op's
handle is its step key. No graphene here: the schema types in ``solids`` read this index.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional, Sequence

from berth.protocol.v1 import snapshot_pb2

__all__ = ["HandleEntry", "JobGraph", "Level", "NodeView"]

Edge = tuple[str, str]  # (node name, input or output name) within one level


@dataclasses.dataclass(frozen=True)
class NodeView:
    """One node of a level: what it invokes and which sibling outputs feed each of its inputs."""

    name: str
    definition_name: str
    is_graph: bool
    upstream: Mapping[str, tuple[Edge, ...]]
    # The flat op snapshot that shows an op node's definition (None for a graph node).
    op: Optional[snapshot_pb2.OpSnapshot]


@dataclasses.dataclass
class Level:
    """One dependency structure: nodes by name (in order) and who consumes each output."""

    nodes: dict[str, NodeView]
    consumers: dict[Edge, list[Edge]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in self.nodes.values():
            for input_name, handles in node.upstream.items():
                for handle in handles:
                    self.consumers.setdefault(handle, []).append((node.name, input_name))


@dataclasses.dataclass(frozen=True)
class HandleEntry:
    """A node of the job at any depth: its level, its name there and its parent's handle id."""

    level: Level
    node_name: str
    parent_id: Optional[str]


class JobGraph:
    """The ops of one job (flat, for execution views) and its nested structure (for the ops API)."""

    def __init__(self, pb: snapshot_pb2.JobSnapshot, config_types: Mapping[str, Any],
                 op_names: Optional[Sequence[str]] = None) -> None:
        keep = set(op_names) if op_names is not None else None
        self.job_name = pb.name
        self.snapshot_id = pb.snapshot_id
        self.config_types = config_types
        self.ops: dict[str, snapshot_pb2.OpSnapshot] = {
            op.name: op for op in pb.ops if keep is None or op.name in keep}
        # Any op snapshot of a definition shows that definition (inputs, outputs, config).
        self._op_defs = {op.definition_name: op for op in pb.ops}
        self.graph_defs: dict[str, snapshot_pb2.GraphDefSnapshot] = {g.name: g for g in pb.graph_defs}
        if pb.nodes:
            self.top = self._level(pb.nodes, "", keep)
        else:  # a job of ops only: its flat ops are its structure
            self.top = Level({name: _flat_node(op, self.ops) for name, op in self.ops.items()})
        self._graph_levels: dict[str, Level] = {}
        self.handles: dict[str, HandleEntry] = {}
        self._index(self.top, "", None, keep)

    @classmethod
    def from_job_snap(cls, job_snap: Any, op_names: Optional[Sequence[str]] = None) -> "JobGraph":
        """Index a ``berth.snapshot.JobSnap`` (only ``op_names`` when a subset is given)."""
        return cls(job_snap.proto, job_snap.config_schema.types, op_names)

    def graph_level(self, definition_name: str) -> Level:
        """The level of a nested graph definition's body."""
        return self._graph_levels[definition_name]

    def handles_under(self, parent_id: Optional[str]) -> list[str]:
        """Handle ids, sorted: all of them (None), the top level (""), or a node's children."""
        if parent_id is None:
            return sorted(self.handles)
        wanted = parent_id or None
        return sorted(h for h, entry in self.handles.items() if entry.parent_id == wanted)

    def _level(self, nodes: Sequence[snapshot_pb2.NodeInvocationSnapshot], prefix: str,
               keep: Optional[set[str]]) -> Level:
        # A graph node whose definition the snapshot lacks cannot be shown: it is left out.
        present = [n for n in nodes if (keep is None or _holds(prefix + n.name, n.is_graph, keep))
                   and (not n.is_graph or n.definition_name in self.graph_defs)]
        names = {n.name for n in present}
        views = {}
        for node in present:
            # Edges from nodes that an op subset left out are dropped with them.
            upstream = {i.input_name: tuple((u.op_name, u.output_name) for u in i.upstream if u.op_name in names)
                        for i in node.inputs}
            op = None if node.is_graph else self.ops.get(prefix + node.name) or self._op_defs.get(node.definition_name)
            views[node.name] = NodeView(node.name, node.definition_name, node.is_graph, upstream, op)
        return Level(views)

    def _index(self, level: Level, prefix: str, parent_id: Optional[str], keep: Optional[set[str]],
               enclosing: frozenset[str] = frozenset()) -> None:
        for node in level.nodes.values():
            handle = prefix + node.name
            self.handles[handle] = HandleEntry(level, node.name, parent_id)
            # A graph that contains itself cannot come from definitions; a snapshot saying so stops here.
            if node.is_graph and node.definition_name not in enclosing:
                inner = self._level(self.graph_defs[node.definition_name].nodes, handle + ".", keep)
                # A definition's own level (for CompositeSolidDefinition) is the first one reached.
                self._graph_levels.setdefault(node.definition_name, inner)
                self._index(inner, handle + ".", handle, keep, enclosing | {node.definition_name})


def _holds(handle: str, is_graph: bool, keep: set[str]) -> bool:
    if not is_graph:
        return handle in keep
    return any(name.startswith(handle + ".") for name in keep)


def _flat_node(op: snapshot_pb2.OpSnapshot, ops: Mapping[str, snapshot_pb2.OpSnapshot]) -> NodeView:
    upstream = {i.name: tuple((u.op_name, u.output_name) for u in i.upstream if u.op_name in ops) for i in op.inputs}
    return NodeView(op.name, op.definition_name or op.name, False, upstream, op)
