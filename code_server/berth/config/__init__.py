"""The config type system: types users write, their snapshot records, and validation.

The same ``ConfigSchema.validate`` runs in the code server (from definitions) and in the webserver
(from snapshot protos), so both accept and reject exactly the same run config.
"""

from __future__ import annotations

from berth.config.config_type import (
                                      Any,
                                      AnyType,
                                      Array,
                                      Bool,
                                      BoolSource,
                                      ConfigType,
                                      Enum,
                                      EnumValue,
                                      Float,
                                      Int,
                                      IntSource,
                                      Map,
                                      Noneable,
                                      Permissive,
                                      ScalarType,
                                      ScalarUnion,
                                      Selector,
                                      Shape,
                                      String,
                                      StringSource,
)
from berth.config.errors import ConfigError, ConfigErrorReason, ValidationResult
from berth.config.field import NO_DEFAULT, ConfigDefinitionError, Field, as_field, resolve_config_type
from berth.config.schema import ConfigSchema
from berth.config.snap import ConfigEnumValueSnap, ConfigFieldSnap, ConfigTypeKind, ConfigTypeSnap, ScalarKind

__all__ = sorted([
    "Any", "AnyType", "Array", "Bool", "BoolSource", "ConfigDefinitionError", "ConfigEnumValueSnap", "ConfigError",
    "ConfigErrorReason", "ConfigFieldSnap", "ConfigSchema", "ConfigType", "ConfigTypeKind", "ConfigTypeSnap",
    "Enum", "EnumValue", "Field", "Float", "Int", "IntSource", "Map", "NO_DEFAULT", "Noneable", "Permissive",
    "ScalarKind", "ScalarType", "ScalarUnion", "Selector", "Shape", "String", "StringSource", "ValidationResult",
    "as_field", "resolve_config_type",
])
