"""Field and the shorthand rules: ``{...}`` is a Shape, ``[t]`` an Array, ``int``/``str``/... scalars.

Field applies Dagster's optionality rule: a field is optional when it has a default or when its
type has an implicit one (a shape whose fields are all optional, a Noneable); such a field gets
that implicit default, and every default is processed so that defaults nested inside it are filled.
"""

from __future__ import annotations

import json
import typing
from typing import Optional

from berth.config.config_type import (
    Any,
    AnyType,
    Array,
    Bool,
    ConfigType,
    Float,
    Int,
    Noneable,
    Permissive,
    Shape,
    String,
)

__all__ = ["Field", "resolve_config_type", "as_field", "NO_DEFAULT", "ConfigDefinitionError"]


class ConfigDefinitionError(TypeError):
    """A config schema is written wrongly (not a type, an invalid default, ...)."""


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: typing.Any = _NoDefault()

_PYTHON_SCALARS: dict[object, ConfigType] = {int: Int, float: Float, str: String, bool: Bool,
                                             typing.Any: Any, object: Any}


def resolve_config_type(value: object) -> ConfigType:
    """Turn a schema written by a user (a type, shorthand dict or list) into a ConfigType."""
    if isinstance(value, ConfigType):
        return value
    if isinstance(value, dict):
        return Shape(value)
    if isinstance(value, list):
        if len(value) != 1:
            raise ConfigDefinitionError(f"a list in a config schema must hold exactly one type, got {value!r}")
        return Array(value[0])
    if isinstance(value, Field):
        raise ConfigDefinitionError("a Field cannot be used as a config type here; pass its type instead")
    try:
        scalar = _PYTHON_SCALARS.get(value)
    except TypeError:  # unhashable value
        scalar = None
    if scalar is not None:
        return scalar
    if value is AnyType:
        return Any
    raise ConfigDefinitionError(f"{value!r} is not a valid config type")


def _implicit_default_json(config_type: ConfigType) -> Optional[str]:
    """The implicit default of a Noneable or shape as JSON, without running validation (fast path).

    Returns None when the fast path does not apply (the caller then processes ``None`` instead).
    The text equals ``json.dumps(value, sort_keys=True)`` of the processed default.
    """
    if isinstance(config_type, Noneable):
        return "null"
    if isinstance(config_type, (Shape, Permissive)):
        fields = config_type.fields
        parts = [f"{json.dumps(name)}: {fields[name].default_value_json}" for name in sorted(fields)
                 if fields[name].default_provided]
        return "{" + ", ".join(parts) + "}"
    return None


def as_field(value: object) -> "Field":
    """A Field as given, or a required-unless-implicitly-defaulted Field of the given type."""
    return value if isinstance(value, Field) else Field(value)


class Field:
    """One entry of a config schema: its type, whether it is required, its default and description."""

    def __init__(self, config: object, default_value: object = NO_DEFAULT, is_required: Optional[bool] = None,
                 description: Optional[str] = None) -> None:
        self.config_type = resolve_config_type(config)
        self.description = description
        explicit_default = default_value is not NO_DEFAULT
        if explicit_default and is_required:
            raise ConfigDefinitionError("a Field cannot be required and have a default value")
        # As in Dagster, only a field whose optionality is implied gets the implicit default:
        # Field(Noneable(int), is_required=False) stays absent from the value when not given.
        implied = is_required is None
        if is_required is None:
            is_required = not (explicit_default or self.config_type.has_implicit_default)
        self.is_required = is_required
        self.default_provided = False
        self.default_value_json: Optional[str] = None
        if explicit_default:
            self._set_default(default_value, explicit=True)
        elif implied and not is_required and self.config_type.has_implicit_default:
            implicit = _implicit_default_json(self.config_type)
            if implicit is not None:
                self.default_value_json, self.default_provided = implicit, True
            else:
                self._set_default(None, explicit=False)

    def _set_default(self, value: object, *, explicit: bool) -> None:
        from berth.config.schema import ConfigSchema

        schema = ConfigSchema(self.config_type.key, self.config_type.closure())
        result = schema.validate(value)
        if not result.success:
            if not explicit:
                return  # no implicit default after all; the field stays optional without one
            problems = "; ".join(error.message for error in result.errors)
            raise ConfigDefinitionError(f"invalid default_value {value!r} for a field of type "
                                        f"{schema.print_type()}: {problems}")
        try:
            self.default_value_json = json.dumps(result.value, sort_keys=True)
        except TypeError as exc:
            raise ConfigDefinitionError(f"default_value {value!r} is not JSON-serializable: {exc}") from None
        self.default_provided = True

    @property
    def default_value(self) -> object:
        """A fresh copy of the default (None when there is none)."""
        return json.loads(self.default_value_json) if self.default_value_json is not None else None

    def __repr__(self) -> str:
        return (f"Field({self.config_type!r}, is_required={self.is_required}"
                + (f", default_value={self.default_value_json}" if self.default_provided else "") + ")")
