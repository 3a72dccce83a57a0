"""The run-config type system as Dagster shows it: ``ConfigType`` and its members.

Types are read from a job's ``ConfigSchema`` (flat ``key -> ConfigTypeSnap``), so every object
carries the schema to resolve the keys it refers to.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional

import graphene

from berth.config.snap import ConfigFieldSnap, ConfigTypeKind, ConfigTypeSnap

__all__ = [
    "ArrayConfigType",
    "CompositeConfigType",
    "GrapheneConfigType",
    "ConfigTypeField",
    "EnumConfigType",
    "EnumConfigValue",
    "MapConfigType",
    "NullableConfigType",
    "RegularConfigType",
    "ScalarUnionConfigType",
    "WrappingConfigType",
    "config_type",
]

ConfigTypes = Mapping[str, ConfigTypeSnap]


class GrapheneConfigType(graphene.Interface):
    """A run-config type."""

    class Meta:
        name = "ConfigType"

    key = graphene.NonNull(graphene.String)
    description = graphene.String()
    recursiveConfigTypes = graphene.NonNull(graphene.List(graphene.NonNull(lambda: GrapheneConfigType)))
    typeParamKeys = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    isSelector = graphene.NonNull(graphene.Boolean)


class WrappingConfigType(graphene.Interface):
    """A type that wraps another (arrays, nullables)."""

    ofType = graphene.NonNull(GrapheneConfigType)


class _ConfigTypeBase:
    """What every member shares: it shows one snap and resolves keys through the schema's types."""

    _snap: ConfigTypeSnap
    _types: ConfigTypes

    def resolve_recursiveConfigTypes(self, _info: Any) -> list[Any]:
        return [config_type(key, self._types) for key in _reachable_keys(self._snap, self._types)]


def _referenced_keys(snap: ConfigTypeSnap) -> list[str]:
    return [field.type_key for field in snap.fields] + list(snap.type_param_keys)


def _reachable_keys(snap: ConfigTypeSnap, types: ConfigTypes) -> Iterator[str]:
    """Keys of every type reachable from ``snap`` (not ``snap`` itself), each once."""
    seen = {snap.key}
    pending = _referenced_keys(snap)
    while pending:
        key = pending.pop(0)
        if key in seen or key not in types:
            continue
        seen.add(key)
        yield key
        pending.extend(_referenced_keys(types[key]))


class RegularConfigType(_ConfigTypeBase, graphene.ObjectType):
    """A scalar or ``Any``."""

    class Meta:
        interfaces = (GrapheneConfigType,)

    givenName = graphene.NonNull(graphene.String)


class ConfigTypeField(graphene.ObjectType):
    """One field of a shape or selector."""

    name = graphene.NonNull(graphene.String)
    description = graphene.String()
    configType = graphene.NonNull(GrapheneConfigType)
    configTypeKey = graphene.NonNull(graphene.String)
    isRequired = graphene.NonNull(graphene.Boolean)
    isSecret = graphene.NonNull(graphene.Boolean)
    defaultValueAsJson = graphene.String()

    def __init__(self, field: ConfigFieldSnap, types: ConfigTypes) -> None:
        super().__init__(name=field.name, description=field.description, configTypeKey=field.type_key,
                         isRequired=field.is_required, isSecret=False,
                         defaultValueAsJson=field.default_value_json if field.default_provided else None)
        self._types = types

    def resolve_configType(self, _info: Any) -> Any:
        return config_type(self.configTypeKey, self._types)


class CompositeConfigType(_ConfigTypeBase, graphene.ObjectType):
    """A shape, permissive shape or selector."""

    class Meta:
        interfaces = (GrapheneConfigType,)

    fields = graphene.NonNull(graphene.List(graphene.NonNull(ConfigTypeField)))

    def resolve_fields(self, _info: Any) -> list[ConfigTypeField]:
        # by name, as Dagster lists them
        return [ConfigTypeField(field, self._types) for field in sorted(self._snap.fields, key=lambda f: f.name)]


class EnumConfigValue(graphene.ObjectType):
    """One allowed value of an enum type."""

    value = graphene.NonNull(graphene.String)
    description = graphene.String()


class EnumConfigType(_ConfigTypeBase, graphene.ObjectType):
    """An enum: one of a fixed set of strings."""

    class Meta:
        interfaces = (GrapheneConfigType,)

    values = graphene.NonNull(graphene.List(graphene.NonNull(EnumConfigValue)))
    givenName = graphene.NonNull(graphene.String)

    def resolve_values(self, _info: Any) -> list[EnumConfigValue]:
        return [EnumConfigValue(value=v.value, description=v.description) for v in self._snap.enum_values]


class ArrayConfigType(_ConfigTypeBase, graphene.ObjectType):
    """A list of values of one type."""

    class Meta:
        interfaces = (GrapheneConfigType, WrappingConfigType)

    def resolve_ofType(self, _info: Any) -> Any:
        return config_type(self._snap.inner_type_key, self._types)


class NullableConfigType(_ConfigTypeBase, graphene.ObjectType):
    """A value of one type, or null."""

    class Meta:
        interfaces = (GrapheneConfigType, WrappingConfigType)

    def resolve_ofType(self, _info: Any) -> Any:
        return config_type(self._snap.inner_type_key, self._types)


class MapConfigType(_ConfigTypeBase, graphene.ObjectType):
    """A mapping from keys of one type to values of another."""

    class Meta:
        interfaces = (GrapheneConfigType,)

    keyType = graphene.NonNull(GrapheneConfigType)
    valueType = graphene.NonNull(GrapheneConfigType)
    keyLabelName = graphene.String()

    def resolve_keyType(self, _info: Any) -> Any:
        return config_type(self._snap.type_param_keys[0], self._types)

    def resolve_valueType(self, _info: Any) -> Any:
        return config_type(self._snap.inner_type_key, self._types)


class ScalarUnionConfigType(_ConfigTypeBase, graphene.ObjectType):
    """A scalar, or a non-scalar value in its place (StringSource: a string, or {env: NAME})."""

    class Meta:
        interfaces = (GrapheneConfigType,)

    scalarType = graphene.NonNull(GrapheneConfigType)
    nonScalarType = graphene.NonNull(GrapheneConfigType)
    scalarTypeKey = graphene.NonNull(graphene.String)
    nonScalarTypeKey = graphene.NonNull(graphene.String)

    def resolve_scalarType(self, _info: Any) -> Any:
        return config_type(self._snap.scalar_type_key, self._types)

    def resolve_nonScalarType(self, _info: Any) -> Any:
        return config_type(self._snap.non_scalar_type_key, self._types)

    def resolve_scalarTypeKey(self, _info: Any) -> str:
        return self._snap.scalar_type_key

    def resolve_nonScalarTypeKey(self, _info: Any) -> str:
        return self._snap.non_scalar_type_key


_MEMBER_FOR_KIND = {
    ConfigTypeKind.ANY: RegularConfigType,
    ConfigTypeKind.SCALAR: RegularConfigType,
    ConfigTypeKind.ENUM: EnumConfigType,
    ConfigTypeKind.SELECTOR: CompositeConfigType,
    ConfigTypeKind.STRICT_SHAPE: CompositeConfigType,
    ConfigTypeKind.PERMISSIVE_SHAPE: CompositeConfigType,
    ConfigTypeKind.MAP: MapConfigType,
    ConfigTypeKind.ARRAY: ArrayConfigType,
    ConfigTypeKind.NONEABLE: NullableConfigType,
    ConfigTypeKind.SCALAR_UNION: ScalarUnionConfigType,
}


def config_type(key: str, types: ConfigTypes) -> Any:
    """The ``ConfigType`` member that shows the type ``key`` of ``types``."""
    snap = types[key]
    member = _MEMBER_FOR_KIND[ConfigTypeKind(snap.kind)]
    extra: dict[str, Optional[str]] = {}
    if member in (RegularConfigType, EnumConfigType):
        extra["givenName"] = snap.given_name or snap.key
    shown = member(key=snap.key, description=snap.description, typeParamKeys=list(snap.type_param_keys),
                   isSelector=snap.kind == ConfigTypeKind.SELECTOR, **extra)
    # graphene puts its own __init__ first in the MRO, so the mixin's state is bound here.
    shown._snap, shown._types = snap, types
    return shown
