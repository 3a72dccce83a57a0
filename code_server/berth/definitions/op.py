"""Ops: the ``@op`` decorator and OpDefinition, the unit of computation and of execution (a step).

The decorated function's first parameter is the context when it is named ``context`` (or ``_``,
``_context``) or annotated as OpExecutionContext; the other parameters are the op's inputs.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from berth.config.field import Field, as_field
from berth.definitions.errors import DefinitionError
from berth.definitions.io import NO_VALUE, DynamicOut, In, Nothing, Out, type_name_for
from berth.definitions.io_manager import DEFAULT_IO_MANAGER_KEY
from berth.definitions.node import NodeDefinition
from berth.definitions.resource import RESOURCE_PARAM_MARK
from berth.definitions.retry import RetryPolicy

__all__ = ["op", "OpDefinition", "InputDefinition", "OutputDefinition"]

_CONTEXT_PARAM_NAMES = ("context", "_context", "_", "ctx")


@dataclasses.dataclass(frozen=True)
class InputDefinition:
    """One input of an op as berth uses it."""

    name: str
    type_name: str = "Any"
    description: Optional[str] = None
    is_nothing: bool = False
    default_value: Any = NO_VALUE

    @property
    def has_default(self) -> bool:
        """True when the input may stay unconnected and take its default value."""
        return self.default_value is not NO_VALUE


@dataclasses.dataclass(frozen=True)
class OutputDefinition:
    """One output of an op as berth uses it."""

    name: str
    type_name: str = "Any"
    description: Optional[str] = None
    is_required: bool = True
    io_manager_key: str = DEFAULT_IO_MANAGER_KEY
    is_dynamic: bool = False
    metadata: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_nothing(self) -> bool:
        """True for an order-only output (no value is stored)."""
        return self.type_name == "Nothing"


class OpDefinition(NodeDefinition):
    """An op: a function with typed inputs and outputs, config, tags and a retry policy."""

    def __init__(self, compute_fn: Callable[..., Any], name: Optional[str] = None,
                 ins: Optional[Mapping[str, In]] = None, outs: Union[Out, Mapping[str, Out], None] = None,
                 config_schema: Any = None, description: Optional[str] = None,
                 tags: Optional[Mapping[str, Any]] = None, retry_policy: Optional[RetryPolicy] = None,
                 required_resource_keys: Optional[Sequence[str]] = None, version: Optional[str] = None) -> None:
        if not callable(compute_fn):
            raise DefinitionError("an op needs a function to compute")
        self.compute_fn = compute_fn
        self.name = name or compute_fn.__name__
        self.description = description if description is not None else inspect.getdoc(compute_fn)
        self.tags = {key: str(value) for key, value in (tags or {}).items()}
        self.retry_policy = retry_policy
        self.config_field: Optional[Field] = None if config_schema is None else as_field(config_schema)
        self.version = version
        hints = _type_hints(compute_fn)
        params = list(inspect.signature(compute_fn).parameters.values())
        self.has_context_arg = bool(params) and _is_context_param(params[0], hints)
        self.resource_param_names: list[str] = []
        self.config_param_name: Optional[str] = None
        self.config_model: Optional[type] = None
        self.input_param_names = []
        for param in params[1 if self.has_context_arg else 0:]:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            special = _special_param(hints.get(param.name))
            if special == "resource":
                self.resource_param_names.append(param.name)
            elif special is not None:
                self._use_config_model(param.name, special, config_schema)
            else:
                self.input_param_names.append(param.name)
        if required_resource_keys and self.resource_param_names:
            raise DefinitionError(f'Op "{self.name}": cannot specify resource requirements in both the @op '
                                  "decorator (required_resource_keys) and as parameters of its function.")
        self.required_resource_keys = frozenset(required_resource_keys or ()) | frozenset(self.resource_param_names)
        hints = {name: _strip_annotated(hint) for name, hint in hints.items()}
        self.input_defs = _input_defs(self.name, self.input_param_names, dict(ins or {}), hints)
        self.output_defs = _output_defs(outs, hints.get("return", NO_VALUE))

    def _use_config_model(self, param_name: str, model: type, config_schema: Any) -> None:
        from berth.definitions.pythonic_config import config_field_of_model

        if config_schema is not None:
            raise DefinitionError(f'Op "{self.name}" has both config_schema and a Config parameter "{param_name}".')
        self.config_param_name = param_name
        self.config_model = model
        self.config_field = config_field_of_model(model)

    @property
    def ins(self) -> dict[str, InputDefinition]:
        """Inputs by name."""
        return {definition.name: definition for definition in self.input_defs}

    @property
    def outs(self) -> dict[str, OutputDefinition]:
        """Outputs by name."""
        return {definition.name: definition for definition in self.output_defs}

    @property
    def input_names(self) -> Sequence[str]:
        return [definition.name for definition in self.input_defs]

    @property
    def output_names(self) -> Sequence[str]:
        return [definition.name for definition in self.output_defs]

    @property
    def config_schema(self) -> Optional[Field]:
        """The op's config field (None when the op takes no config)."""
        return self.config_field

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from berth.definitions.composition import current_frame

        if current_frame() is not None:
            return self._invoke_in_composition(args, kwargs)
        return self._invoke_directly(args, kwargs)

    def _invoke_directly(self, args: tuple, kwargs: dict) -> Any:
        """Call the op as a function (in tests): builds a context when the op wants one and none is given."""
        if self.has_context_arg:
            from berth.definitions.context import OpExecutionContext, build_op_context

            if not args or not isinstance(args[0], OpExecutionContext):
                args = (build_op_context(op_def=self), *args)
        result = self.compute_fn(*args, **kwargs)
        if inspect.isgenerator(result):
            return list(result)
        return result

    def __repr__(self) -> str:
        return f"OpDefinition({self.name!r})"


def op(fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None,
       description: Optional[str] = None, ins: Optional[Mapping[str, In]] = None,
       out: Union[Out, Mapping[str, Out], None] = None, config_schema: Any = None,
       tags: Optional[Mapping[str, Any]] = None, retry_policy: Optional[RetryPolicy] = None,
       required_resource_keys: Optional[Sequence[str]] = None, version: Optional[str] = None) -> Any:
    """Define an op from a function; usable bare (``@op``) or with arguments (``@op(...)``)."""

    def decorate(function: Callable[..., Any]) -> OpDefinition:
        return OpDefinition(function, name=name, ins=ins, outs=out, config_schema=config_schema,
                            description=description, tags=tags, retry_policy=retry_policy,
                            required_resource_keys=required_resource_keys, version=version)

    return decorate(fn) if fn is not None else decorate


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:  # noqa: BLE001 - unresolvable string annotations just mean "Any"
        return {key: value for key, value in getattr(fn, "__annotations__", {}).items() if not isinstance(value, str)}


def _special_param(annotation: Any) -> Any:
    """"resource" for a resource parameter, the Config class for a config parameter, else None."""
    if typing.get_origin(annotation) is typing.Annotated and RESOURCE_PARAM_MARK in typing.get_args(annotation)[1:]:
        return "resource"
    # Only user code that imported Pythonic config can annotate with its classes: no Pydantic import here.
    if not isinstance(annotation, type):
        return None
    resources = sys.modules.get("berth.definitions.pythonic_resource")
    if resources is not None and issubclass(annotation, resources.ConfigurableResource):
        return "resource"
    pythonic = sys.modules.get("berth.definitions.pythonic_config")
    if pythonic is not None and issubclass(annotation, pythonic.Config):
        return annotation
    return None


def _strip_annotated(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _is_context_param(param: inspect.Parameter, hints: Mapping[str, Any]) -> bool:
    if param.name in _CONTEXT_PARAM_NAMES:
        return True
    from berth.definitions.context import OpExecutionContext

    annotation = hints.get(param.name)
    return isinstance(annotation, type) and issubclass(annotation, OpExecutionContext)


def _input_defs(op_name: str, param_names: list[str], ins: dict[str, In],
                hints: Mapping[str, Any]) -> list[InputDefinition]:
    defs = []
    for param in param_names:
        given = ins.pop(param, None) or In()
        if given.is_nothing:
            raise DefinitionError(f'Input "{param}" of op "{op_name}" is of type Nothing and cannot be a '
                                  "function parameter; declare it only in ins.")
        python_type = given.dagster_type if given.dagster_type is not NO_VALUE else hints.get(param, NO_VALUE)
        defs.append(InputDefinition(param, type_name_for(python_type), given.description, False,
                                    given.default_value))
    for extra, given in ins.items():
        if not given.is_nothing:
            raise DefinitionError(f'Op "{op_name}" declares input "{extra}" in ins but its function has no '
                                  "parameter of that name.")
        defs.append(InputDefinition(extra, "Nothing", given.description, True))
    return defs


def _output_defs(outs: Union[Out, Mapping[str, Out], None], return_hint: Any) -> list[OutputDefinition]:
    if outs is None or isinstance(outs, Out):
        single = outs or Out()
        python_type = single.dagster_type if single.dagster_type is not NO_VALUE else return_hint
        if python_type is type(None):
            python_type = Nothing
        return [_output_def("result", single, python_type)]
    return [_output_def(name, definition, definition.dagster_type) for name, definition in outs.items()]


def _output_def(name: str, out: Out, python_type: Any) -> OutputDefinition:
    return OutputDefinition(name, type_name_for(python_type), out.description, out.is_required,
                            out.io_manager_key or DEFAULT_IO_MANAGER_KEY, isinstance(out, DynamicOut),
                            dict(out.metadata))
