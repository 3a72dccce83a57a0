"""Jobs: a graph made executable, with tags, a default run config, op subsets and a run-config schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from berth.definitions.composition import compose
from berth.definitions.errors import DefinitionError
from berth.definitions.graph import GraphDefinition
from berth.definitions.io_manager import DEFAULT_IO_MANAGER_DEF, DEFAULT_IO_MANAGER_KEY
from berth.definitions.op_node import OpNode, flatten_graph
from berth.definitions.resource import ResourceDefinition, resource_definitions
from berth.definitions.retry import RetryPolicy
from berth.definitions.selection import resolve_op_selection

if TYPE_CHECKING:
    from berth.config.config_type import Shape
    from berth.config.schema import ConfigSchema
    from berth.execution.in_process_result import ExecuteInProcessResult

__all__ = ["JobDefinition", "job"]

# Dagster arguments that berth accepts only when they say "nothing special".
_IGNORED_WHEN_EMPTY = ("executor_def", "logger_defs", "hooks", "input_values",
                       "partitions_def", "asset_layer", "_subset_selection_data", "metadata", "run_tags")


class JobDefinition:
    """An executable graph. ``nodes`` are its ops (flattened, in execution order, subset applied)."""

    def __init__(self, graph_def: GraphDefinition, name: Optional[str] = None, description: Optional[str] = None,
                 tags: Optional[Mapping[str, Any]] = None, config: Optional[Mapping[str, Any]] = None,
                 op_retry_policy: Optional[RetryPolicy] = None, *, op_selection: Optional[Sequence[str]] = None,
                 resource_defs: Optional[Mapping[str, Any]] = None,
                 _nodes: Optional[dict[str, OpNode]] = None, **unsupported: Any) -> None:
        for key, value in unsupported.items():
            if key not in _IGNORED_WHEN_EMPTY:
                raise TypeError(f"JobDefinition got an unexpected argument {key!r}")
            if value and key not in ("metadata", "run_tags"):
                raise DefinitionError(f"berth does not support {key} (job {name or graph_def.name!r}); "
                                      "see docs/api.md for the supported definitions API.")
        if config is not None and callable(getattr(config, "to_config_dict", None)):  # a RunConfig
            config = config.to_config_dict()  # type: ignore[attr-defined]
        if graph_def.input_names:
            raise DefinitionError(f'Graph "{graph_def.name}" has inputs {list(graph_def.input_names)}; '
                                  "a job's graph cannot have inputs.")
        if config is not None and not isinstance(config, Mapping):
            raise DefinitionError("a job's config must be a dict of run config")
        self.graph = graph_def
        self.name = name or graph_def.name
        self.description = description if description is not None else graph_def.description
        self.tags = {**graph_def.tags, **{key: str(value) for key, value in (tags or {}).items()}}
        self.default_run_config: dict[str, Any] = dict(config or {})
        self.op_retry_policy = op_retry_policy
        self.op_selection: Optional[tuple[str, ...]] = tuple(op_selection) if op_selection is not None else None
        self.nodes: dict[str, OpNode] = _nodes if _nodes is not None else flatten_graph(graph_def)
        self.given_resource_defs: dict[str, ResourceDefinition] = resource_definitions(resource_defs)
        self._run_config_type: Optional["Shape"] = None
        self._run_config_schema: Optional["ConfigSchema"] = None

    @property
    def run_config_type(self) -> "Shape":
        """The root config type of this job's run config (built once)."""
        if self._run_config_type is None:
            from berth.definitions.run_config_schema import build_run_config_type

            self._run_config_type = build_run_config_type(self.nodes, self.default_run_config,
                                                          self.resource_defs)
        return self._run_config_type

    @property
    def resource_defs(self) -> dict[str, ResourceDefinition]:
        """Every resource of the job by key: berth's output store as ``io_manager`` unless overridden."""
        return {DEFAULT_IO_MANAGER_KEY: DEFAULT_IO_MANAGER_DEF, **self.given_resource_defs}

    def with_top_level_resources(self, resources: Mapping[str, Any]) -> "JobDefinition":
        """This job with ``Definitions(resources=...)`` added where the job binds no resource of that key."""
        merged = {**resources, **self.given_resource_defs}
        if merged.keys() == self.given_resource_defs.keys():
            return self
        return self._copy(resource_defs=merged)

    def check_resources(self) -> None:
        """DefinitionError naming what an op, output or resource requires that the job does not provide."""
        available = self.resource_defs
        for node in self.nodes.values():
            needed = set(node.op_def.required_resource_keys)
            needed.update(output.io_manager_key for output in node.op_def.output_defs)
            missing = sorted(needed - available.keys())
            if missing:
                raise DefinitionError(f'Job "{self.name}": op "{node.name}" requires resources {missing}, which '
                                      f"the job does not provide (its resources are {sorted(available)}).")
        for key, definition in available.items():
            missing = sorted(definition.required_resource_keys - available.keys())
            if missing:
                raise DefinitionError(f'Job "{self.name}": resource "{key}" requires resources {missing}, which '
                                      "the job does not provide.")

    def _copy(self, **changes: Any) -> "JobDefinition":
        arguments: dict[str, Any] = dict(graph_def=self.graph, name=self.name, description=self.description,
                                         tags=self.tags, config=self.default_run_config,
                                         op_retry_policy=self.op_retry_policy, op_selection=self.op_selection,
                                         resource_defs=self.given_resource_defs, _nodes=self.nodes)
        arguments.update(changes)
        return JobDefinition(**arguments)

    @property
    def run_config_schema(self) -> "ConfigSchema":
        """The run-config schema, for validation (built once)."""
        if self._run_config_schema is None:
            from berth.config.schema import ConfigSchema

            root = self.run_config_type
            self._run_config_schema = ConfigSchema(root.key, root.closure())
        return self._run_config_schema

    def retry_policy_for(self, node_name: str) -> Optional[RetryPolicy]:
        """The retry policy of a node: its invocation's, else its op's, else the job's op_retry_policy."""
        node = self.nodes[node_name]
        return node.retry_policy or node.op_def.retry_policy or self.op_retry_policy

    def get_subset(self, op_selection: Sequence[str]) -> "JobDefinition":
        """This job restricted to the selected ops (Dagster selection syntax); unknown names raise."""
        full = flatten_graph(self.graph) if self.op_selection is not None else self.nodes
        picked = resolve_op_selection(full, op_selection)
        nodes = {name: node.without_upstream(picked) for name, node in full.items() if name in picked}
        return self._copy(op_selection=list(op_selection), _nodes=nodes)

    def execute_in_process(self, run_config: Optional[Mapping[str, Any]] = None, instance: Any = None,
                           raise_on_error: bool = True, op_selection: Optional[Sequence[str]] = None,
                           tags: Optional[Mapping[str, Any]] = None, resources: Optional[Mapping[str, Any]] = None,
                           run_id: Optional[str] = None) -> "ExecuteInProcessResult":
        """Run this job in this process (in-process executor, outputs in memory), as Dagster's tests do."""
        from berth.execution.in_process import execute_in_process

        return execute_in_process(self, run_config, instance, raise_on_error, op_selection, tags, resources, run_id)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise DefinitionError(f'Job "{self.name}" cannot be called; execute it with execute_in_process().')

    def __repr__(self) -> str:
        return f"JobDefinition({self.name!r})"


def job(fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None,
        description: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None,
        config: Optional[Mapping[str, Any]] = None, op_retry_policy: Optional[RetryPolicy] = None,
        resource_defs: Optional[Mapping[str, Any]] = None, **unsupported: Any) -> Any:
    """Define a job by calling ops in a function body; usable bare (``@job``) or with arguments."""

    def decorate(body: Callable[..., Any]) -> JobDefinition:
        import inspect

        job_name = name or body.__name__
        graph_def = GraphDefinition(job_name, description=description if description is not None
                                    else inspect.getdoc(body), _composed=compose(job_name, body))
        return JobDefinition(graph_def, job_name, tags=tags, config=config, op_retry_policy=op_retry_policy,
                             resource_defs=resource_defs, **unsupported)

    return decorate(fn) if fn is not None else decorate
