"""Config types as data: the records a snapshot carries and the webserver validates against.

A ``ConfigTypeSnap`` describes one type and names the types it refers to by key, so a whole
schema is a flat mapping ``key -> ConfigTypeSnap`` that converts one to one to and from the
``config_pb2.ConfigType`` messages of the protocol.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Any, Optional

from berth.protocol.v1 import config_pb2

__all__ = ["ConfigTypeKind", "ScalarKind", "ConfigFieldSnap", "ConfigEnumValueSnap", "ConfigTypeSnap"]


class ConfigTypeKind(str, enum.Enum):
    """What a config type is; the same names as Dagster's ConfigTypeKind."""

    ANY = "ANY"
    SCALAR = "SCALAR"
    ENUM = "ENUM"
    SELECTOR = "SELECTOR"
    STRICT_SHAPE = "STRICT_SHAPE"
    PERMISSIVE_SHAPE = "PERMISSIVE_SHAPE"
    MAP = "MAP"
    ARRAY = "ARRAY"
    NONEABLE = "NONEABLE"
    SCALAR_UNION = "SCALAR_UNION"

    @property
    def has_fields(self) -> bool:
        """True for shapes, permissive shapes and selectors."""
        return self in _KINDS_WITH_FIELDS


_KINDS_WITH_FIELDS = frozenset(
    {ConfigTypeKind.SELECTOR, ConfigTypeKind.STRICT_SHAPE, ConfigTypeKind.PERMISSIVE_SHAPE}
)


class ScalarKind(str, enum.Enum):
    """Which value a scalar type accepts."""

    INT = "INT"
    FLOAT = "FLOAT"
    STRING = "STRING"
    BOOL = "BOOL"


_KIND_TO_PROTO = {kind: getattr(config_pb2, f"CONFIG_TYPE_KIND_{kind.value}") for kind in ConfigTypeKind}
_KIND_FROM_PROTO = {value: kind for kind, value in _KIND_TO_PROTO.items()}
_SCALAR_TO_PROTO = {kind: getattr(config_pb2, f"SCALAR_KIND_{kind.value}") for kind in ScalarKind}
_SCALAR_FROM_PROTO = {value: kind for kind, value in _SCALAR_TO_PROTO.items()}


@dataclasses.dataclass(frozen=True)
class ConfigFieldSnap:
    """One field of a shape or selector; the default travels as JSON text."""

    name: str
    type_key: str
    is_required: bool
    default_provided: bool = False
    default_value_json: Optional[str] = None
    description: Optional[str] = None

    @property
    def default_value(self) -> Any:
        """The default as a Python value (None when no default is provided)."""
        return json.loads(self.default_value_json) if self.default_provided and self.default_value_json else None

    def to_proto(self) -> config_pb2.ConfigField:
        """The protocol message for this field."""
        return config_pb2.ConfigField(
            name=self.name, type_key=self.type_key, is_required=self.is_required,
            has_default_value=self.default_provided, default_value_json=self.default_value_json or "",
            description=self.description or "",
        )

    @classmethod
    def from_proto(cls, pb: config_pb2.ConfigField) -> "ConfigFieldSnap":
        """Inverse of ``to_proto``."""
        return cls(pb.name, pb.type_key, pb.is_required, pb.has_default_value,
                   pb.default_value_json if pb.has_default_value else None, pb.description or None)


@dataclasses.dataclass(frozen=True)
class ConfigEnumValueSnap:
    """One allowed value of an enum type."""

    value: str
    description: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class ConfigTypeSnap:
    """One config type. ``type_param_keys`` is [inner] for arrays and noneables, [key, value] for maps,
    [scalar, non-scalar] for scalar unions."""

    key: str
    kind: ConfigTypeKind
    given_name: Optional[str] = None
    description: Optional[str] = None
    scalar_kind: Optional[ScalarKind] = None
    fields: tuple[ConfigFieldSnap, ...] = ()
    type_param_keys: tuple[str, ...] = ()
    enum_values: tuple[ConfigEnumValueSnap, ...] = ()

    @property
    def field_names(self) -> list[str]:
        """The names of the fields, in definition order."""
        return [field.name for field in self.fields]

    @property
    def inner_type_key(self) -> str:
        """The element type of an array or noneable, the value type of a map."""
        return self.type_param_keys[-1]

    @property
    def scalar_type_key(self) -> str:
        """The scalar member of a scalar union."""
        return self.type_param_keys[0]

    @property
    def non_scalar_type_key(self) -> str:
        """The non-scalar member of a scalar union (a selector, shape or array)."""
        return self.type_param_keys[1]

    def to_proto(self) -> config_pb2.ConfigType:
        """The protocol message for this type."""
        return config_pb2.ConfigType(
            key=self.key, kind=_KIND_TO_PROTO[self.kind], given_name=self.given_name or "",
            description=self.description or "",
            scalar_kind=_SCALAR_TO_PROTO[self.scalar_kind] if self.scalar_kind else None,
            fields=[field.to_proto() for field in self.fields],
            type_param_keys=list(self.type_param_keys),
            enum_values=[config_pb2.ConfigEnumValue(value=v.value, description=v.description or "")
                         for v in self.enum_values],
        )

    @classmethod
    def from_proto(cls, pb: config_pb2.ConfigType) -> "ConfigTypeSnap":
        """Inverse of ``to_proto``."""
        return cls(
            key=pb.key, kind=_KIND_FROM_PROTO[pb.kind], given_name=pb.given_name or None,
            description=pb.description or None,
            scalar_kind=_SCALAR_FROM_PROTO.get(pb.scalar_kind),
            fields=tuple(ConfigFieldSnap.from_proto(field) for field in pb.fields),
            type_param_keys=tuple(pb.type_param_keys),
            enum_values=tuple(ConfigEnumValueSnap(v.value, v.description or None) for v in pb.enum_values),
        )
