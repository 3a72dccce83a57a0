"""Recording a ``@job`` / ``@graph`` body: calling ops inside it wires outputs to inputs.

While a body runs, a ``CompositionFrame`` is current. Calling a node definition asks the frame to
record a node (named after the definition, ``name_2`` on a second use, or its alias) and returns
``InvokedOutput`` handles for its outputs, which later calls receive as arguments.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import inspect
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Union

from berth.definitions.dependency import (
    DependencyDefinition,
    DynamicCollectDependencyDefinition,
    MultiDependencyDefinition,
)
from berth.definitions.errors import DefinitionError

if TYPE_CHECKING:
    from berth.definitions.node import NodeDefinition
    from berth.definitions.retry import RetryPolicy

__all__ = ["CompositionFrame", "InvokedOutput", "GraphInput", "NodeEntry", "ComposedGraph", "compose",
           "current_frame"]

Dependency = Union[DependencyDefinition, MultiDependencyDefinition, DynamicCollectDependencyDefinition]

_frames: list["CompositionFrame"] = []


def current_frame() -> Optional["CompositionFrame"]:
    """The frame of the body being recorded, if any."""
    return _frames[-1] if _frames else None


@dataclasses.dataclass(frozen=True)
class InvokedOutput:
    """A handle on one output of a node recorded in a body."""

    node_name: str
    output_name: str
    collected: bool = False

    def __iter__(self) -> Any:
        raise DefinitionError(f'Node "{self.node_name}" has a single output; it cannot be unpacked.')

    def map(self, fn: Callable[[Any], Any]) -> Any:
        """Run ``fn`` (an op, or a function calling ops) once per value of this dynamic output."""
        if self.collected:
            raise DefinitionError(f'Output "{self.output_name}" of "{self.node_name}" was collected; it cannot '
                                  "be mapped.")
        return fn(self)

    def collect(self) -> "InvokedOutput":
        """All values of this dynamic output as one list input."""
        return dataclasses.replace(self, collected=True)


@dataclasses.dataclass(frozen=True)
class GraphInput:
    """A handle on an input of the graph whose body is being recorded."""

    name: str


@dataclasses.dataclass(frozen=True)
class NodeEntry:
    """One node of a graph: its name, the definition it invokes, and invocation-level options."""

    name: str
    definition: "NodeDefinition"
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    retry_policy: Optional["RetryPolicy"] = None


@dataclasses.dataclass
class ComposedGraph:
    """The structure a body recorded."""

    nodes: dict[str, NodeEntry]
    dependencies: dict[tuple[str, str], Dependency]
    input_mappings: dict[str, list[tuple[str, str]]]
    output_mappings: dict[str, tuple[str, str]]


class CompositionFrame:
    """Collects the nodes and dependencies of one body."""

    def __init__(self, graph_name: str) -> None:
        self.graph_name = graph_name
        self.nodes: dict[str, NodeEntry] = {}
        self.dependencies: dict[tuple[str, str], Dependency] = {}
        self.input_mappings: dict[str, list[tuple[str, str]]] = {}

    def invoke(self, definition: "NodeDefinition", args: tuple, kwargs: dict, *, alias: Optional[str],
               tags: Optional[Mapping[str, str]], retry_policy: Optional["RetryPolicy"]) -> Any:
        """Record one call of ``definition`` and return handles on its outputs."""
        name = self._node_name(definition, alias)
        self.nodes[name] = NodeEntry(name, definition, dict(tags or {}), retry_policy)
        for input_name, value in self._bind(definition, name, args, kwargs).items():
            self._connect(name, input_name, value)
        outputs = list(definition.output_names)
        if not outputs:
            return None
        handles = [InvokedOutput(name, output) for output in outputs]
        if len(handles) == 1:
            return handles[0]
        return _outputs_tuple_type(definition.name, tuple(outputs))(*handles)

    def _node_name(self, definition: "NodeDefinition", alias: Optional[str]) -> str:
        if alias is not None:
            if alias in self.nodes:
                raise DefinitionError(f'Graph "{self.graph_name}" already has a node named "{alias}".')
            return alias
        name, count = definition.name, 1
        while name in self.nodes:
            count += 1
            name = f"{definition.name}_{count}"
        return name

    def _bind(self, definition: "NodeDefinition", node_name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
        input_names = list(definition.input_names)
        if len(args) > len(input_names):
            raise DefinitionError(f'Node "{node_name}" takes {len(input_names)} inputs but was given '
                                  f"{len(args)} positional arguments.")
        bound = dict(zip(input_names, args))
        for key, value in kwargs.items():
            if key not in input_names:
                raise DefinitionError(f'Node "{node_name}" has no input named "{key}"; its inputs are '
                                      f"{input_names}.")
            if key in bound:
                raise DefinitionError(f'Input "{key}" of node "{node_name}" was given twice.')
            bound[key] = value
        return bound

    def _connect(self, node_name: str, input_name: str, value: Any) -> None:
        if isinstance(value, InvokedOutput) and value.collected:
            self.dependencies[(node_name, input_name)] = DynamicCollectDependencyDefinition(value.node_name,
                                                                                           value.output_name)
        elif isinstance(value, InvokedOutput):
            self.dependencies[(node_name, input_name)] = DependencyDefinition(value.node_name, value.output_name)
        elif isinstance(value, GraphInput):
            self.input_mappings.setdefault(value.name, []).append((node_name, input_name))
        elif isinstance(value, list) and value and all(isinstance(item, InvokedOutput) for item in value):
            self.dependencies[(node_name, input_name)] = MultiDependencyDefinition(
                [DependencyDefinition(item.node_name, item.output_name) for item in value])
        elif isinstance(value, tuple) and value and all(isinstance(item, InvokedOutput) for item in value):
            raise DefinitionError(f'Input "{input_name}" of node "{node_name}" received all outputs of a '
                                  "multi-output node; pass one of them (by name or by unpacking).")
        else:
            raise DefinitionError(
                f'Input "{input_name}" of node "{node_name}" in "{self.graph_name}" received {value!r}; '
                "inside a job or graph body, inputs may only receive outputs of other ops or graph inputs.")


@functools.lru_cache(maxsize=1024)
def _outputs_tuple_type(name: str, outputs: tuple[str, ...]) -> Any:
    return collections.namedtuple(f"{name}_outputs", outputs)


def _parameter_names(body: Callable[..., Any]) -> list[str]:
    code = getattr(body, "__code__", None)
    if code is not None and not code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    return list(inspect.signature(body).parameters)


def compose(graph_name: str, body: Callable[..., Any],
            output_names: Optional[Sequence[str]] = None) -> ComposedGraph:
    """Run a body with a fresh frame (its parameters are graph inputs) and return what it recorded."""
    frame = CompositionFrame(graph_name)
    params = _parameter_names(body)
    _frames.append(frame)
    try:
        returned = body(*[GraphInput(param) for param in params])
    finally:
        _frames.pop()
    return ComposedGraph(frame.nodes, frame.dependencies,
                         {param: frame.input_mappings.get(param, []) for param in params},
                         _output_mappings(graph_name, returned, output_names))


def _output_mappings(graph_name: str, returned: Any,
                     output_names: Optional[Sequence[str]]) -> dict[str, tuple[str, str]]:
    if returned is None:
        return {}
    if isinstance(returned, InvokedOutput):
        name = output_names[0] if output_names and len(output_names) == 1 else "result"
        return {name: (returned.node_name, returned.output_name)}
    if isinstance(returned, dict):
        items = list(returned.items())
    elif isinstance(returned, tuple):
        names = list(output_names) if output_names else list(getattr(returned, "_fields", []))
        if len(names) != len(returned):
            raise DefinitionError(f'Graph "{graph_name}" returns {len(returned)} values; declare as many '
                                  "outputs with out={...}.")
        items = list(zip(names, returned))
    else:
        raise DefinitionError(f'Graph "{graph_name}" returned {returned!r}; return op outputs, a dict of '
                              "them, or None.")
    mappings = {}
    for name, handle in items:
        if not isinstance(handle, InvokedOutput):
            raise DefinitionError(f'Output "{name}" of graph "{graph_name}" must be an op output, got {handle!r}.')
        mappings[name] = (handle.node_name, handle.output_name)
    return mappings
