"""A job's run-config schema, in Dagster's shape.

::

    ops:        {<op>: {config: <op config>, inputs: {<unconnected input>: Any}}}
                (a graph node nests as {<graph>: {ops: {...}}}); optional when nothing inside is required
    execution:  {config: {in_process: {retries: ...}} | {multiprocess: {max_concurrent: Int?, retries: ...}}}
                optional; defaults to in_process (Dagster defaults to multiprocess, berth to the
                executor that costs nothing per run)
    loggers:    permissive, optional
    resources:  {<resource>: {config: <resource config>}} for every resource of the job, berth's
                default ``io_manager`` included (optional when nothing inside is required)

A job's default run config (``@job(config=...)``, ``to_job(config=...)``) becomes defaults inside
this schema, as in Dagster, so a launch may leave out whatever the default provides.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Mapping, Optional

from berth.config.config_type import Any as AnyConfig
from berth.config.config_type import ConfigType, Int, Noneable, Permissive, Selector, Shape
from berth.config.field import Field
from berth.definitions.io_manager import DEFAULT_IO_MANAGER_DEF, DEFAULT_IO_MANAGER_KEY
from berth.definitions.op import OpDefinition
from berth.definitions.op_node import OpNode

if TYPE_CHECKING:
    from berth.definitions.resource import ResourceDefinition

__all__ = ["build_run_config_type", "op_config_path", "EXECUTION_FIELD"]

_RETRIES = Field(Selector({"enabled": {}, "disabled": {}}), default_value={"enabled": {}},
                 description="Whether retry policies of ops are honoured.")

EXECUTION_FIELD = Field(
    Shape({"config": Field(
        Selector({
            "in_process": Shape({"retries": _RETRIES}),
            "multiprocess": Shape({
                "max_concurrent": Field(Noneable(Int), default_value=None,
                                        description="How many step processes may run at once; 0 or "
                                                    "null means the number of CPUs."),
                "retries": _RETRIES,
            }),
        }),
        default_value={"in_process": {}},
    )}),
    description="How the run executes its steps: in the run worker's process or one process per step.",
)

# op definition -> unconnected input names -> node field; shared so that jobs reusing an op also
# reuse its config types (and their keys, snaps and protos)
_NODE_FIELDS: "weakref.WeakKeyDictionary[OpDefinition, dict[tuple[str, ...], Field]]" = weakref.WeakKeyDictionary()

# Jobs with the same ops under the same names (a job per partition, per customer, ...) share one
# ops shape and one root type, so its key, closure and snapshot bytes are computed once. Keys hold
# the ids of the fields (or shape) the value is built from: the value keeps those alive, so an id
# cannot be reused while its entry exists, and the entry goes when no job uses the type any more.
_OPS_SHAPES: "weakref.WeakValueDictionary[tuple[tuple[str, int], ...], Shape]" = weakref.WeakValueDictionary()
_ROOT_TYPES: "weakref.WeakValueDictionary[int, Shape]" = weakref.WeakValueDictionary()

# optional by implication, so that (as before) they default to {}
_LOGGERS_FIELD = Field(Permissive())


def build_run_config_type(nodes: Mapping[str, OpNode], default_run_config: Optional[Mapping[str, Any]],
                          resource_defs: Optional[Mapping[str, "ResourceDefinition"]] = None) -> Shape:
    """The root type of a job's run config, with its default run config applied as defaults.

    ``resource_defs`` are the job's resources (the default IO manager when it binds none).
    """
    tree: dict[str, Any] = {}
    for name, node in nodes.items():
        parts = name.split(".")
        branch = tree
        for part in parts[:-1]:
            branch = branch.setdefault(part, {})
        branch[parts[-1]] = node
    ops_shape = _ops_shape(tree)
    root = _ROOT_TYPES.get(id(ops_shape))
    if root is None:
        root = _ROOT_TYPES[id(ops_shape)] = Shape({
            "ops": Field(ops_shape),
            "execution": EXECUTION_FIELD,
            "loggers": _LOGGERS_FIELD,
            "resources": _DEFAULT_RESOURCES_FIELD,
        })
    if resource_defs and dict(resource_defs) != {DEFAULT_IO_MANAGER_KEY: DEFAULT_IO_MANAGER_DEF}:
        root = Shape({**root.fields, "resources": _resources_field(resource_defs)})
    if default_run_config:
        return _with_defaults(root, default_run_config)  # type: ignore[return-value]
    return root


def _resources_field(resource_defs: Mapping[str, "ResourceDefinition"]) -> Field:
    """``{<key>: {config: ...}}`` with each resource's description on its field, as Dagster serves it."""
    fields = {}
    for key in sorted(resource_defs):
        definition = resource_defs[key]
        config_field = definition.config_field or Field(AnyConfig, is_required=False)
        fields[key] = Field(Shape({"config": config_field}), description=definition.description)
    return Field(Shape(fields))


# Most jobs keep the default IO manager only: one shared field (and type) for all of them.
_DEFAULT_RESOURCES_FIELD = _resources_field({DEFAULT_IO_MANAGER_KEY: DEFAULT_IO_MANAGER_DEF})


def op_config_path(node_name: str) -> tuple[str, ...]:
    """Where an op's config sits in run config: ("ops", "g", "ops", "op", "config") for "g.op"."""
    path: list[str] = []
    for part in node_name.split("."):
        path += ["ops", part]
    return tuple(path) + ("config",)


def _ops_shape(tree: Mapping[str, Any]) -> Shape:
    fields = {}
    for name, item in tree.items():
        if isinstance(item, OpNode):
            fields[name] = _op_node_field(item)
        else:
            fields[name] = _graph_node_field(_ops_shape(item))
    key = tuple((name, id(field)) for name, field in fields.items())
    shape = _OPS_SHAPES.get(key)
    if shape is None:
        shape = _OPS_SHAPES[key] = Shape(fields)
    return shape


# ops shape of a graph node -> the node's field; the field holds the shape, so the id stays valid
_GRAPH_NODE_FIELDS: "weakref.WeakValueDictionary[int, Field]" = weakref.WeakValueDictionary()


def _graph_node_field(ops_shape: Shape) -> Field:
    field = _GRAPH_NODE_FIELDS.get(id(ops_shape))
    if field is None:
        field = _GRAPH_NODE_FIELDS[id(ops_shape)] = Field(Shape({"ops": Field(ops_shape)}))
    return field


def _op_node_field(node: OpNode) -> Field:
    """The field of one op node; nodes of the same op with the same unconnected inputs share it."""
    unconnected = tuple(definition.name for definition in node.op_def.input_defs
                        if not definition.is_nothing and not definition.has_default
                        and definition.name not in node.inputs)
    cache = _NODE_FIELDS.get(node.op_def)
    if cache is None:
        cache = _NODE_FIELDS[node.op_def] = {}
    field = cache.get(unconnected)
    if field is None:
        field = cache[unconnected] = Field(_op_node_shape(node, unconnected))
    return field


def _op_node_shape(node: OpNode, unconnected_inputs: tuple[str, ...]) -> Shape:
    config_field = node.op_def.config_field or Field(AnyConfig, is_required=False)
    fields: dict[str, Field] = {"config": config_field}
    if unconnected_inputs:
        fields["inputs"] = Field(Shape({name: Field(AnyConfig) for name in unconnected_inputs}))
    return Shape(fields)


def _with_defaults(config_type: ConfigType, value: Any) -> ConfigType:
    """``config_type`` with ``value`` applied as the defaults of its fields (recursively into shapes)."""
    if not isinstance(config_type, Shape) or not isinstance(value, Mapping):
        return config_type
    fields = {}
    for name, field in config_type.fields.items():
        if name in value:
            fields[name] = _field_with_default(field, value[name])
        else:
            fields[name] = field
    return Shape(fields, description=config_type.description)


def _field_with_default(field: Field, value: Any) -> Field:
    if isinstance(field.config_type, Shape) and isinstance(value, Mapping):
        return Field(_with_defaults(field.config_type, value), description=field.description)
    return Field(field.config_type, default_value=value, description=field.description)
