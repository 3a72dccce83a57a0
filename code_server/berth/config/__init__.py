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
                                      ConfigType,
                                      Enum,
                                      EnumValue,
                                      Float,
                                      Int,
                                      Map,
                                      Noneable,
                                      Permissive,
                                      ScalarType,
                                      Selector,
                                      Shape,
                                      String,
)
from berth.config.errors import ConfigError, ConfigErrorReason, ValidationResult
from berth.config.field import NO_DEFAULT, ConfigDefinitionError, Field, as_field, resolve_config_type
from berth.config.schema import ConfigSchema
from berth.config.snap import ConfigEnumValueSnap, ConfigFieldSnap, ConfigTypeKind, ConfigTypeSnap, ScalarKind

__all__ = sorted([
    "Any", "AnyType", "Array", "Bool", "ConfigDefinitionError", "ConfigEnumValueSnap", "ConfigError",
    "ConfigErrorReason", "ConfigFieldSnap", "ConfigSchema", "ConfigType", "ConfigTypeKind", "ConfigTypeSnap",
    "Enum", "EnumValue", "Field", "Float", "Int", "Map", "NO_DEFAULT", "Noneable", "Permissive", "ScalarKind",
    "ScalarType", "Selector", "Shape", "String", "ValidationResult", "as_field", "resolve_config_type",
])
