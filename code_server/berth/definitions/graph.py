"""Graphs: nodes (ops or graphs) wired together, built by ``@graph`` or explicitly from dependencies.

``@graph`` records its body (see ``composition``). ``GraphDefinition(name, node_defs=[...],
dependencies={...})`` builds the same structure from Dagster's explicit form. ``to_job`` turns a
graph into an executable job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Union

from berth.definitions.composition import ComposedGraph, Dependency, NodeEntry, compose, current_frame
from berth.definitions.dependency import NodeInvocation
from berth.definitions.errors import DefinitionError
from berth.definitions.node import NodeDefinition

if TYPE_CHECKING:
    from berth.definitions.job import JobDefinition
    from berth.definitions.retry import RetryPolicy
    from berth.execution.in_process_result import ExecuteInProcessResult

__all__ = ["GraphDefinition", "graph"]


class GraphDefinition(NodeDefinition):
    """A graph of nodes. ``nodes``/``dependencies`` hold the structure; inputs and outputs map inward."""

    def __init__(self, name: str, node_defs: Optional[Sequence[NodeDefinition]] = None,
                 dependencies: Optional[Mapping[Union[str, NodeInvocation], Mapping[str, Dependency]]] = None,
                 description: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None,
                 *, _composed: Optional[ComposedGraph] = None) -> None:
        self.name = name
        self.description = description
        self.tags = {key: str(value) for key, value in (tags or {}).items()}
        composed = _composed if _composed is not None else _explicit_structure(name, node_defs or [],
                                                                               dependencies or {})
        self.nodes: dict[str, NodeEntry] = composed.nodes
        self.dependencies: dict[tuple[str, str], Dependency] = composed.dependencies
        self.input_mappings: dict[str, list[tuple[str, str]]] = composed.input_mappings
        self.output_mappings: dict[str, tuple[str, str]] = composed.output_mappings
        self._check_structure()

    @property
    def input_names(self) -> Sequence[str]:
        return list(self.input_mappings)

    @property
    def output_names(self) -> Sequence[str]:
        return list(self.output_mappings)

    @property
    def node_defs(self) -> list[NodeDefinition]:
        """The distinct definitions the graph's nodes invoke."""
        seen: dict[int, NodeDefinition] = {}
        for entry in self.nodes.values():
            seen.setdefault(id(entry.definition), entry.definition)
        return list(seen.values())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current_frame() is None:
            raise DefinitionError(f'Graph "{self.name}" can only be called inside a @job or @graph body; '
                                  "use to_job() to execute it.")
        return self._invoke_in_composition(args, kwargs)

    def to_job(self, name: Optional[str] = None, description: Optional[str] = None,
               tags: Optional[Mapping[str, Any]] = None, config: Optional[Mapping[str, Any]] = None,
               op_retry_policy: Optional["RetryPolicy"] = None, **unsupported: Any) -> "JobDefinition":
        """An executable job running this graph (default run config ``config``, extra ``tags``)."""
        from berth.definitions.job import JobDefinition

        return JobDefinition(graph_def=self, name=name, description=description, tags=tags, config=config,
                             op_retry_policy=op_retry_policy, **unsupported)

    def execute_in_process(self, run_config: Optional[Mapping[str, Any]] = None, instance: Any = None,
                           resources: Optional[Mapping[str, Any]] = None, raise_on_error: bool = True,
                           op_selection: Optional[Sequence[str]] = None,
                           run_id: Optional[str] = None) -> "ExecuteInProcessResult":
        """Run this graph as a job in this process; ``result.output_value()`` reads the graph's outputs."""
        return self.to_job().execute_in_process(run_config, instance, raise_on_error, op_selection,
                                                resources=resources, run_id=run_id)

    def _check_structure(self) -> None:
        for (node, input_name), dependency in self.dependencies.items():
            entry = self._entry(node)
            if input_name not in entry.definition.input_names:
                raise DefinitionError(f'Node "{node}" in graph "{self.name}" has no input "{input_name}".')
            for handle in dependency.handles:
                upstream = self._entry(handle.node)
                if handle.output not in upstream.definition.output_names:
                    raise DefinitionError(f'Node "{handle.node}" in graph "{self.name}" has no output '
                                          f'"{handle.output}".')

    def _entry(self, node: str) -> NodeEntry:
        entry = self.nodes.get(node)
        if entry is None:
            raise DefinitionError(f'Graph "{self.name}" has no node named "{node}".')
        return entry

    def __repr__(self) -> str:
        return f"GraphDefinition({self.name!r})"


def graph(fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None,
          description: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None,
          out: Optional[Mapping[str, Any]] = None, ins: Optional[Mapping[str, Any]] = None) -> Any:
    """Define a graph by calling ops (and graphs) in a function body; bare or with arguments."""

    def decorate(body: Callable[..., Any]) -> GraphDefinition:
        graph_name = name or body.__name__
        composed = compose(graph_name, body, list(out) if isinstance(out, Mapping) else None)
        return GraphDefinition(graph_name, description=description if description is not None
                               else _docstring(body), tags=tags, _composed=composed)

    return decorate(fn) if fn is not None else decorate


def _docstring(body: Callable[..., Any]) -> Optional[str]:
    import inspect

    return inspect.getdoc(body)


def _explicit_structure(name: str, node_defs: Sequence[NodeDefinition],
                        dependencies: Mapping[Union[str, NodeInvocation], Mapping[str, Dependency]]) -> ComposedGraph:
    by_name: dict[str, NodeDefinition] = {}
    for definition in node_defs:
        if definition.name in by_name and by_name[definition.name] is not definition:
            raise DefinitionError(f'Graph "{name}" has two different node definitions named "{definition.name}".')
        by_name[definition.name] = definition
    nodes: dict[str, NodeEntry] = {}
    deps: dict[tuple[str, str], Dependency] = {}
    for key, inputs in dependencies.items():
        invocation = key if isinstance(key, NodeInvocation) else NodeInvocation(key)
        found = by_name.get(invocation.name)
        if found is None:
            raise DefinitionError(f'Graph "{name}" has a dependency entry for "{invocation.name}", which is '
                                  "not among its node_defs.")
        node_name = invocation.node_name
        if node_name in nodes:
            raise DefinitionError(f'Graph "{name}" has two nodes named "{node_name}".')
        nodes[node_name] = NodeEntry(node_name, found, dict(invocation.tags or {}),
                                     invocation.retry_policy)  # type: ignore[arg-type]
        for input_name, dependency in inputs.items():
            deps[(node_name, input_name)] = dependency
    invoked = {entry.definition.name for entry in nodes.values()}
    for definition in node_defs:
        if definition.name not in invoked and definition.name not in nodes:
            nodes[definition.name] = NodeEntry(definition.name, definition)
    return ComposedGraph(nodes, deps, {}, {})
