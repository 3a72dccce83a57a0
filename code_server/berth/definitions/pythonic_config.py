"""Pythonic config: ``Config`` and ``ConfigurableResource`` classes (Pydantic models), ``EnvVar``, ``RunConfig``.

A model's fields become a config Shape (``config_schema``): annotations give the types, defaults
and ``pydantic.Field(description=...)`` the defaults and descriptions. At run time the validated
config dict becomes a model instance again (``model_from_config``).

This module imports Pydantic, so berth imports it only when user code uses one of these names:
a code location without Pythonic config starts without loading Pydantic.

``EnvVar("NAME")`` given to a resource is kept as ``{"env": "NAME"}`` in its default config (a
field of type ``Selector({"env": String})``), so the snapshot, the webserver and run storage see
the variable's name only; the run worker reads the variable when it builds the resource.
"""

from __future__ import annotations

import contextlib
import enum
import os
import typing
from typing import Any, Iterator, Mapping, Optional

import pydantic
from pydantic_core import PydanticUndefined

from berth.config import config_type as types
from berth.config.field import Field
from berth.definitions.errors import DefinitionError
from berth.definitions.io_manager import IOManager
from berth.definitions.resource import InitResourceContext, ResourceDefinition

__all__ = ["Config", "ConfigurableIOManager", "ConfigurableResource", "EnvVar", "RunConfig", "config_field_of_model",
           "model_from_config"]

_ENV_KEY = "env"
_ENV_SELECTOR = types.Selector({_ENV_KEY: types.String})


class EnvVar(str):
    """A config value read from the environment variable it names, in the process that runs the op."""

    @property
    def env_var_name(self) -> str:
        """The variable's name."""
        return str(self)

    def get_value(self, default: Optional[str] = None) -> Optional[str]:
        """The variable's value in this process (``default`` when it is not set)."""
        return os.environ.get(str(self), default)

    def __repr__(self) -> str:
        return f"EnvVar({str(self)!r})"


class Config(pydantic.BaseModel):
    """Base of an op's config class: annotate the op's ``config`` parameter with a subclass."""

    model_config = pydantic.ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class ConfigurableResource(pydantic.BaseModel):
    """A resource written as a class: its fields are its config, the instance is the resource's value.

    Override ``setup_for_execution`` / ``teardown_after_execution`` (or ``yield_for_execution``)
    to do work around the run. Fields given to the constructor become defaults of its run config.
    """

    model_config = pydantic.ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    def __init__(self, **data: Any) -> None:
        env_fields = {name for name, value in data.items() if isinstance(value, EnvVar)}
        super().__init__(**data)
        object.__setattr__(self, "_berth_given", {name: _given_value(value) for name, value in data.items()})
        object.__setattr__(self, "_berth_env_fields", frozenset(env_fields))

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Called before the run's ops use the resource."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Called after the run's ops used the resource (also when one failed)."""

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[Any]:
        """Set up, hand out the resource, tear down."""
        self.setup_for_execution(context)
        try:
            yield self
        finally:
            self.teardown_after_execution(context)

    def get_resource_context(self) -> Optional[InitResourceContext]:
        """The context the resource was built with (set during a run)."""
        return getattr(self, "_berth_context", None)

    def as_resource_definition(self) -> ResourceDefinition:
        """This configured resource as a ResourceDefinition.

        As in Dagster, the values given to the constructor are the default of the resource's whole
        ``config``: run config that configures the resource replaces them (it is not merged).
        """
        given = getattr(self, "_berth_given", {})
        env_fields: frozenset[str] = getattr(self, "_berth_env_fields", frozenset())
        definition = _resource_definition(type(self), {}, env_fields)
        shape = definition.config_field.config_type  # type: ignore[union-attr]
        definition.config_field = Field(shape, default_value=given, description=definition.description)
        return definition

    @classmethod
    def configure_at_launch(cls, **given: Any) -> "_LaunchConfiguredResource":
        """This resource with its fields (but ``given``) left to the run config of each launch."""
        return _LaunchConfiguredResource(cls, given)


class _LaunchConfiguredResource:
    """A ConfigurableResource class whose config comes at launch (``configure_at_launch``)."""

    def __init__(self, cls: type[ConfigurableResource], given: Mapping[str, Any]) -> None:
        self.cls = cls
        self.given = dict(given)

    def as_resource_definition(self) -> ResourceDefinition:
        """The resource definition, its config required at launch."""
        env_fields = frozenset(name for name, value in self.given.items() if isinstance(value, EnvVar))
        return _resource_definition(self.cls, {k: _given_value(v) for k, v in self.given.items()}, env_fields)


def _resource_definition(cls: type[ConfigurableResource], given: Mapping[str, Any],
                         env_fields: frozenset[str]) -> ResourceDefinition:
    def resource_fn(context: InitResourceContext) -> Iterator[Any]:
        instance = model_from_config(cls, context.resource_config or {})
        object.__setattr__(instance, "_berth_context", context)
        with instance.yield_for_execution(context) as value:
            yield value

    field = config_field_of_model(cls, given, env_fields)
    return ResourceDefinition(resource_fn, field, cls.__doc__ and cls.__doc__.strip())


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager written as a class: implement ``handle_output`` and ``load_input``."""


class RunConfig:
    """Run config built from Config instances: ``RunConfig(ops={"op": MyConfig(...)}).to_config_dict()``."""

    def __init__(self, ops: Optional[Mapping[str, Any]] = None, resources: Optional[Mapping[str, Any]] = None,
                 loggers: Optional[Mapping[str, Any]] = None, execution: Optional[Mapping[str, Any]] = None) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        """The run config as a plain dict (what a launch sends)."""
        result: dict[str, Any] = {}
        if self.ops:
            result["ops"] = {name: _node_config(value) for name, value in self.ops.items()}
        if self.resources:
            result["resources"] = {name: _node_config(value) for name, value in self.resources.items()}
        if self.loggers:
            result["loggers"] = dict(self.loggers)
        if self.execution:
            result["execution"] = dict(self.execution)
        return result


def _node_config(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return {"config": _given_value(value)}
    return value


def _given_value(value: Any) -> Any:
    """A Python value as a config value: models as dicts, enums by member name, EnvVar as {"env": NAME}."""
    if isinstance(value, EnvVar):
        return {_ENV_KEY: str(value)}
    if isinstance(value, pydantic.BaseModel):
        return {name: _given_value(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (list, tuple)):
        return [_given_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _given_value(item) for key, item in value.items()}
    return value


def config_field_of_model(cls: type[pydantic.BaseModel], given: Optional[Mapping[str, Any]] = None,
                          env_fields: frozenset[str] = frozenset()) -> Field:
    """The config field of a model class; ``given`` values (a configured resource's) become defaults."""
    given = given or {}
    fields = {}
    for name, info in cls.model_fields.items():
        if name in env_fields:
            fields[name] = (Field(_ENV_SELECTOR, default_value=given[name], description=info.description)
                            if name in given else Field(_ENV_SELECTOR, description=info.description))
            continue
        config_type, _optional = _config_type_of(info.annotation, f"{cls.__name__}.{name}")
        if name in given:
            fields[name] = Field(config_type, default_value=given[name], description=info.description)
        elif info.default is not PydanticUndefined or info.default_factory is not None:
            default = info.default if info.default_factory is None else info.default_factory()  # type: ignore[call-arg]
            fields[name] = Field(config_type, default_value=_given_value(default), description=info.description)
        else:
            # an Optional field without default is implicitly optional (defaults to None), as in Dagster
            fields[name] = Field(config_type, description=info.description)
    return Field(types.Shape(fields, description=(cls.__doc__ or "").strip() or None))


def _config_type_of(annotation: Any, where: str) -> tuple[types.ConfigType, bool]:
    """The config type of a field annotation, and whether it is Optional."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or (origin is not None and getattr(origin, "__name__", "") == "UnionType"):
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) == 1 and len(args) == 2:
            return types.Noneable(_config_type_of(inner[0], where)[0]), True
        raise DefinitionError(f"{where}: berth does not support the union type {annotation!r} in config.")
    if origin is typing.Annotated:
        return _config_type_of(args[0], where)
    if annotation in (int, float, str, bool):
        return {int: types.Int, float: types.Float, str: types.String, bool: types.Bool}[annotation], False
    if annotation in (typing.Any, object):
        return types.Any, False
    if origin in (list, list) or annotation is list:
        return types.Array(_config_type_of(args[0], where)[0] if args else types.Any), False
    if origin in (dict, dict) or annotation is dict:
        if not args:
            return types.Permissive(), False
        if args[0] is not str:
            raise DefinitionError(f"{where}: config dicts must have str keys, not {args[0]!r}.")
        return types.Map(types.String, _config_type_of(args[1], where)[0]), False
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return types.Enum.from_python_enum(annotation), False
    if isinstance(annotation, type) and issubclass(annotation, ConfigurableResource):
        raise DefinitionError(f"{where}: berth does not support resources nested in resources.")
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return config_field_of_model(annotation).config_type, False
    raise DefinitionError(f"{where}: berth does not support the config type {annotation!r}.")


def model_from_config(cls: type[pydantic.BaseModel], value: Mapping[str, Any]) -> Any:
    """A model instance from validated config: enum names become members, ``{"env": NAME}`` is read."""
    data = {}
    for name, info in cls.model_fields.items():
        if name in value:
            data[name] = _python_value(info.annotation, value[name])
    return cls(**data)


def _python_value(annotation: Any, value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {_ENV_KEY} and _accepts_str(annotation):
        name = value[_ENV_KEY]
        if name not in os.environ:
            raise DefinitionError(f'Environment variable "{name}" named by EnvVar is not set in the run worker.')
        return os.environ[name]
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or (origin is not None and getattr(origin, "__name__", "") == "UnionType"):
        inner = [arg for arg in args if arg is not type(None)]
        return _python_value(inner[0], value) if len(inner) == 1 else value
    if origin is typing.Annotated:
        return _python_value(args[0], value)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum) and isinstance(value, str):
        return annotation[value]
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel) and isinstance(value, dict):
        return model_from_config(annotation, value)
    if origin in (list, list) and args and isinstance(value, list):
        return [_python_value(args[0], item) for item in value]
    if origin in (dict, dict) and len(args) == 2 and isinstance(value, dict):
        return {key: _python_value(args[1], item) for key, item in value.items()}
    return value


def _accepts_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    return str in typing.get_args(annotation)
