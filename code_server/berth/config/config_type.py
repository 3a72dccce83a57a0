"""The config types users write: scalars, Any, Array, Noneable, Map, Enum, Shape, Permissive, Selector,
ScalarUnion (with Dagster's StringSource, IntSource and BoolSource).

Each type knows its Dagster-style key and its ``ConfigTypeSnap``; both are computed once and
cached on the (immutable) type object, so that snapshotting thousands of jobs that share op config
types costs little.
"""

from __future__ import annotations

import enum as python_enum
import hashlib
from typing import Any as AnyValue
from typing import Iterable, Mapping, Optional, Sequence

from berth.config.snap import ConfigEnumValueSnap, ConfigFieldSnap, ConfigTypeKind, ConfigTypeSnap, ScalarKind

__all__ = ["ConfigType", "ScalarType", "AnyType", "Array", "Noneable", "Map", "Enum", "EnumValue",
           "Shape", "Permissive", "Selector", "ScalarUnion", "Int", "Float", "String", "Bool", "Any",
           "StringSource", "IntSource", "BoolSource"]


class ConfigType:
    """Base of every config type. Subclasses set ``kind`` and implement ``_compute_key``/``_build_snap``."""

    kind: ConfigTypeKind

    def __init__(self, given_name: Optional[str] = None, description: Optional[str] = None) -> None:
        self.given_name = given_name
        self.description = description
        self._key: Optional[str] = None
        self._snap: Optional[ConfigTypeSnap] = None
        self._closure: Optional[dict[str, ConfigTypeSnap]] = None

    @property
    def key(self) -> str:
        """The Dagster-style key: ``Int``, ``Array.Int``, ``Shape.<sha1>``, ..."""
        if self._key is None:
            self._key = self._compute_key()
        return self._key

    def type_snap(self) -> ConfigTypeSnap:
        """This type as a snapshot record."""
        if self._snap is None:
            self._snap = self._build_snap()
        return self._snap

    def children(self) -> Iterable["ConfigType"]:
        """The types this type refers to directly."""
        return ()

    def closure(self) -> dict[str, ConfigTypeSnap]:
        """This type and every type reachable from it, by key (do not mutate the result)."""
        if self._closure is None:
            closure: dict[str, ConfigTypeSnap] = {}
            for child in self.children():
                closure.update(child.closure())
            closure[self.key] = self.type_snap()
            self._closure = closure
        return self._closure

    @property
    def has_implicit_default(self) -> bool:
        """True when a field of this type may be omitted and still get a value (Dagster's rule)."""
        return False

    def _compute_key(self) -> str:
        raise NotImplementedError

    def _build_snap(self) -> ConfigTypeSnap:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key})"


class ScalarType(ConfigType):
    """Int, Float, String or Bool."""

    kind = ConfigTypeKind.SCALAR

    def __init__(self, name: str, scalar_kind: ScalarKind) -> None:
        super().__init__(given_name=name)
        self.scalar_kind = scalar_kind

    def _compute_key(self) -> str:
        return str(self.given_name)

    def _build_snap(self) -> ConfigTypeSnap:
        return ConfigTypeSnap(self.key, self.kind, given_name=self.given_name, scalar_kind=self.scalar_kind)


class AnyType(ConfigType):
    """Accepts any value unchanged."""

    kind = ConfigTypeKind.ANY

    def __init__(self) -> None:
        super().__init__(given_name="Any")

    def _compute_key(self) -> str:
        return "Any"

    def _build_snap(self) -> ConfigTypeSnap:
        return ConfigTypeSnap("Any", self.kind, given_name="Any")


Int = ScalarType("Int", ScalarKind.INT)
Float = ScalarType("Float", ScalarKind.FLOAT)
String = ScalarType("String", ScalarKind.STRING)
Bool = ScalarType("Bool", ScalarKind.BOOL)
Any = AnyType()


class _WrappingType(ConfigType):
    """A type with one inner type (Array, Noneable)."""

    prefix: str

    def __init__(self, inner_type: AnyValue, description: Optional[str] = None) -> None:
        from berth.config.field import resolve_config_type

        super().__init__(description=description)
        self.inner_type: ConfigType = resolve_config_type(inner_type)

    def children(self) -> Iterable[ConfigType]:
        return (self.inner_type,)

    def _compute_key(self) -> str:
        return f"{self.prefix}.{self.inner_type.key}"

    def _build_snap(self) -> ConfigTypeSnap:
        return ConfigTypeSnap(self.key, self.kind, description=self.description,
                              type_param_keys=(self.inner_type.key,))


class Array(_WrappingType):
    """A list whose elements all have the inner type; ``[int]`` is shorthand for ``Array(int)``."""

    kind = ConfigTypeKind.ARRAY
    prefix = "Array"


class Noneable(_WrappingType):
    """The inner type or None; a field of this type defaults to None."""

    kind = ConfigTypeKind.NONEABLE
    prefix = "Noneable"

    @property
    def has_implicit_default(self) -> bool:
        return True


class Map(ConfigType):
    """A dict with keys of a scalar type and values of the inner type."""

    kind = ConfigTypeKind.MAP

    def __init__(self, key_type: AnyValue, inner_type: AnyValue, key_label_name: Optional[str] = None) -> None:
        from berth.config.field import resolve_config_type

        super().__init__(given_name=key_label_name)
        self.key_type = resolve_config_type(key_type)
        if self.key_type.kind != ConfigTypeKind.SCALAR:
            raise TypeError(f"Map keys must be a scalar type, got {self.key_type!r}")
        self.inner_type = resolve_config_type(inner_type)
        self.key_label_name = key_label_name

    def children(self) -> Iterable[ConfigType]:
        return (self.key_type, self.inner_type)

    def _compute_key(self) -> str:
        label = f":name:{self.key_label_name}" if self.key_label_name else ""
        return f"Map.{self.key_type.key}.{self.inner_type.key}{label}"

    def _build_snap(self) -> ConfigTypeSnap:
        return ConfigTypeSnap(self.key, self.kind, given_name=self.key_label_name,
                              type_param_keys=(self.key_type.key, self.inner_type.key))


class EnumValue:
    """One allowed value of an Enum: the string in config and the Python value the op receives."""

    def __init__(self, config_value: str, python_value: AnyValue = None, description: Optional[str] = None) -> None:
        self.config_value = config_value
        self.python_value = config_value if python_value is None else python_value
        self.description = description


class Enum(ConfigType):
    """One of a fixed set of strings."""

    kind = ConfigTypeKind.ENUM

    def __init__(self, name: str, enum_values: Sequence[EnumValue], description: Optional[str] = None) -> None:
        super().__init__(given_name=name, description=description)
        self.enum_values = list(enum_values)

    @classmethod
    def from_python_enum(cls, enum_type: type[python_enum.Enum]) -> "Enum":
        """An Enum whose config values are the member names of a Python enum."""
        return cls(enum_type.__name__, [EnumValue(member.name, member) for member in enum_type])

    def to_python_value(self, config_value: str) -> AnyValue:
        """The Python value for a (validated) config string."""
        for value in self.enum_values:
            if value.config_value == config_value:
                return value.python_value
        raise ValueError(f"{config_value!r} is not a value of enum {self.given_name}")

    def _compute_key(self) -> str:
        return str(self.given_name)

    def _build_snap(self) -> ConfigTypeSnap:
        return ConfigTypeSnap(self.key, self.kind, given_name=self.given_name, description=self.description,
                              enum_values=tuple(ConfigEnumValueSnap(v.config_value, v.description)
                                                for v in self.enum_values))


class _FieldsType(ConfigType):
    """Shape, Permissive and Selector: a mapping of field names to Fields."""

    prefix: str

    def __init__(self, fields: Optional[Mapping[str, AnyValue]] = None, description: Optional[str] = None) -> None:
        from berth.config.field import as_field

        super().__init__(description=description)
        self.fields = {name: as_field(value) for name, value in (fields or {}).items()}

    def children(self) -> Iterable[ConfigType]:
        return [field.config_type for field in self.fields.values()]

    def _compute_key(self) -> str:
        # One sha1 over the joined parts equals the Dagster-style sequence of updates, at a
        # fraction of the calls (keys of per-job shapes are computed for every job).
        parts = [f":description: {self.description}"] if self.description else []
        for name in sorted(self.fields):
            field = self.fields[name]
            parts.append(f":fieldname:{name}")
            if field.default_provided:
                parts.append(f":default_value: {field.default_value_json}")
            parts.append(f":is_required: {field.is_required}:type_key: {field.config_type.key}")
            if field.description:
                parts.append(f":description: {field.description}")
        return f"{self.prefix}.{hashlib.sha1(''.join(parts).encode()).hexdigest()}"

    def _build_snap(self) -> ConfigTypeSnap:
        return ConfigTypeSnap(
            self.key, self.kind, description=self.description,
            fields=tuple(ConfigFieldSnap(name, field.config_type.key, field.is_required, field.default_provided,
                                         field.default_value_json, field.description)
                         for name, field in self.fields.items()),
        )

    @property
    def has_implicit_default(self) -> bool:
        return all(not field.is_required for field in self.fields.values())


class Shape(_FieldsType):
    """A dict with exactly these fields; a plain dict in a schema is shorthand for it."""

    kind = ConfigTypeKind.STRICT_SHAPE
    prefix = "Shape"


class Permissive(_FieldsType):
    """A dict with these fields checked and any other keys passed through."""

    kind = ConfigTypeKind.PERMISSIVE_SHAPE
    prefix = "Permissive"


class Selector(_FieldsType):
    """A dict with exactly one of these fields."""

    kind = ConfigTypeKind.SELECTOR
    prefix = "Selector"

    @property
    def has_implicit_default(self) -> bool:
        return len(self.fields) == 1 and super().has_implicit_default


class ScalarUnion(ConfigType):
    """A scalar, or a value of a non-scalar type (a selector, shape or array) in its place.

    Dagster's ``StringSource``, ``IntSource`` and ``BoolSource`` are scalar unions whose non-scalar
    form is ``{"env": NAME}``: the run worker reads the variable (``berth.config.sources``).
    """

    kind = ConfigTypeKind.SCALAR_UNION

    def __init__(self, scalar_type: AnyValue, non_scalar_schema: AnyValue, _key: Optional[str] = None) -> None:
        from berth.config.field import resolve_config_type

        super().__init__()
        self.scalar_type = resolve_config_type(scalar_type)
        self.non_scalar_type = resolve_config_type(non_scalar_schema)
        if self.scalar_type.kind != ConfigTypeKind.SCALAR:
            raise TypeError(f"a ScalarUnion's scalar type must be a scalar, got {self.scalar_type!r}")
        if self.non_scalar_type.kind not in (ConfigTypeKind.STRICT_SHAPE, ConfigTypeKind.SELECTOR,
                                             ConfigTypeKind.ARRAY):
            raise TypeError(f"a ScalarUnion's non-scalar type must be a shape, selector or array, "
                            f"got {self.non_scalar_type!r}")
        self._given_key = _key

    def children(self) -> Iterable[ConfigType]:
        return (self.scalar_type, self.non_scalar_type)

    def _compute_key(self) -> str:
        return self._given_key or f"ScalarUnion.{self.scalar_type.key}-{self.non_scalar_type.key}"

    def _build_snap(self) -> ConfigTypeSnap:
        return ConfigTypeSnap(self.key, self.kind, description=self.description,
                              type_param_keys=(self.scalar_type.key, self.non_scalar_type.key))


ENV_SOURCE_KEY = "env"
_ENV_SELECTOR = Selector({ENV_SOURCE_KEY: String})
StringSource = ScalarUnion(String, _ENV_SELECTOR, "StringSourceType")
IntSource = ScalarUnion(Int, _ENV_SELECTOR, "IntSourceType")
BoolSource = ScalarUnion(Bool, _ENV_SELECTOR, "BoolSourceType")
