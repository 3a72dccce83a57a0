"""Pythonic config: ``Config`` classes (Pydantic models) as op config, ``EnvVar``, ``RunConfig``.

A model's fields become a config Shape (``config_field_of_model``): annotations give the types,
defaults and ``pydantic.Field(description=...)`` the defaults and descriptions. At run time the
validated config dict becomes a model instance again (``model_from_config``). Resources written
as classes (``ConfigurableResource``) are in ``pythonic_resource``; they use the same conversions.

This module imports Pydantic, so berth imports it only when user code uses one of these names:
a code location without Pythonic config starts without loading Pydantic.

As in Dagster, ``str``, ``int`` and ``bool`` fields are of the types ``StringSource``,
``IntSource`` and ``BoolSource``: a value, or ``{"env": NAME}``. ``EnvVar("NAME")`` (or
``EnvVar.int("NAME")``) given to a resource or a Config instance is kept as ``{"env": NAME}``, so
the snapshot, the webserver and run storage see the variable's name only; the run worker reads the
variable (``berth.config.sources``).
"""

from __future__ import annotations

import enum
import os
import typing
from typing import Any, Mapping, Optional

import pydantic
from pydantic_core import PydanticUndefined

from berth.config import config_type as types
from berth.config.field import Field
from berth.definitions.errors import DefinitionError

__all__ = ["Config", "EnvVar", "IntEnvVar", "RunConfig", "config_field_of_model", "given_config_value",
           "model_from_config"]

_ENV_KEY = types.ENV_SOURCE_KEY
_SOURCE_TYPES: dict[Any, types.ConfigType] = {str: types.StringSource, int: types.IntSource, bool: types.BoolSource,
                                              float: types.Float}


class EnvVar(str):
    """A config value read from the environment variable it names, in the process that runs the op."""

    @property
    def env_var_name(self) -> str:
        """The variable's name."""
        return str(self)

    def get_value(self, default: Optional[str] = None) -> Optional[str]:
        """The variable's value in this process (``default`` when it is not set)."""
        return os.environ.get(str(self), default)

    @classmethod
    def int(cls, name: str) -> "IntEnvVar":
        """An int config value read from the variable ``name`` (for ``int`` fields), as in Dagster."""
        return IntEnvVar.create(name)

    def __repr__(self) -> str:
        return f"EnvVar({str(self)!r})"


class IntEnvVar(int):
    """``EnvVar.int("NAME")``: an int field's value read from a variable (the int itself is a placeholder 0)."""

    env_var_name: str

    @classmethod
    def create(cls, name: str) -> "IntEnvVar":
        """The placeholder for the variable ``name``."""
        value = cls(0)
        value.env_var_name = name
        return value

    def get_value(self, default: Optional[int] = None) -> Optional[int]:
        """The variable's value in this process as an int (``default`` when it is not set)."""
        raw = os.environ.get(self.env_var_name)
        return default if raw is None else int(raw)

    def __repr__(self) -> str:
        return f"EnvVar.int({self.env_var_name!r})"


class Config(pydantic.BaseModel):
    """Base of an op's config class: annotate the op's ``config`` parameter with a subclass."""

    model_config = pydantic.ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        # Pydantic keeps an EnvVar as a plain str: remember which fields named a variable, so that
        # RunConfig sends {"env": NAME} for them (the worker reads the variable).
        object.__setattr__(self, "_berth_env_vars", {name: value for name, value in data.items()
                                                     if isinstance(value, (EnvVar, IntEnvVar))})


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
        return {"config": given_config_value(value)}
    return value


def given_config_value(value: Any) -> Any:
    """A Python value as a config value: models as dicts, enums by member name, EnvVar as {"env": NAME}."""
    if isinstance(value, EnvVar):
        return {_ENV_KEY: str(value)}
    if isinstance(value, IntEnvVar):
        return {_ENV_KEY: value.env_var_name}
    if isinstance(value, pydantic.BaseModel):
        resource_fields: frozenset[str] = getattr(type(value), "__berth_resource_fields__", frozenset())
        env_vars = getattr(value, "_berth_env_vars", {})
        return {name: given_config_value(env_vars.get(name, getattr(value, name))) for name in type(value).model_fields
                if name not in resource_fields}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (list, tuple)):
        return [given_config_value(item) for item in value]
    if isinstance(value, dict):
        return {key: given_config_value(item) for key, item in value.items()}
    return value


def config_field_of_model(cls: type[pydantic.BaseModel], given: Optional[Mapping[str, Any]] = None) -> Field:
    """The config field of a model class; ``given`` values (a configured resource's) become defaults."""
    given = given or {}
    fields = {}
    resource_fields: frozenset[str] = getattr(cls, "__berth_resource_fields__", frozenset())
    for name, info in cls.model_fields.items():
        if name in resource_fields:
            continue  # a resource, not config (as in Dagster, it is not in the run-config schema)
        config_type, _optional = _config_type_of(info.annotation, f"{cls.__name__}.{name}")
        if name in given:
            fields[name] = Field(config_type, default_value=given[name], description=info.description)
        elif info.default is not PydanticUndefined or info.default_factory is not None:
            default = info.default if info.default_factory is None else info.default_factory()  # type: ignore[call-arg]
            if not isinstance(config_type, (types.Noneable, types.Shape)):
                # As in Dagster, a field with a default (but a nested Config) is Optional: Noneable.
                config_type = types.Noneable(config_type)
            fields[name] = Field(config_type, default_value=given_config_value(default), description=info.description)
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
    if annotation in _SOURCE_TYPES:
        return _SOURCE_TYPES[annotation], False
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
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return config_field_of_model(annotation).config_type, False
    raise DefinitionError(f"{where}: berth does not support the config type {annotation!r}.")


def model_from_config(cls: type[pydantic.BaseModel], value: Mapping[str, Any],
                      resources: Optional[Mapping[str, Any]] = None) -> Any:
    """A model instance from validated config (enum names become members) and the resources it holds."""
    data = dict(resources or {})
    for name, info in cls.model_fields.items():
        if name in value and name not in data:
            if value[name] is None and not info.is_required() and _source_scalar(info.annotation) is not None \
                    and type(None) not in typing.get_args(info.annotation):
                continue  # null for a field that has a default but is not Optional: the default applies
            data[name] = _python_value(info.annotation, value[name])
    return cls(**data)


def _python_value(annotation: Any, value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {_ENV_KEY}:
        # {"env": NAME} that the worker did not read: config set outside run config (a model's default)
        source = _source_scalar(annotation)
        if source is not None:
            return _read_env(value[_ENV_KEY], source)
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


def _source_scalar(annotation: Any) -> Optional[type]:
    """str, int or bool when the annotation is one (or Optional of one): the types that read variables."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if candidate in (str, int, bool):
            return typing.cast(type, candidate)
    return None


def _read_env(name: str, scalar: type) -> Any:
    from berth.config.sources import resolve_env_sources

    source = {str: types.StringSource, int: types.IntSource, bool: types.BoolSource}[scalar]
    value, errors = resolve_env_sources(source.closure(), source.key, {_ENV_KEY: name})
    if errors:
        raise DefinitionError(errors[0].message)
    return value
