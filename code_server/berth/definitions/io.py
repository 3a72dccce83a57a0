"""Inputs and outputs of ops: In, Out, Output and the Nothing type for order-only dependencies."""

from __future__ import annotations

import typing
from typing import Any, Mapping, Optional

__all__ = ["Nothing", "In", "Out", "Output", "DynamicOut", "DynamicOutput", "NO_VALUE", "type_name_for"]


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


class _NothingType:
    """The type of an input or output that carries no value, only an ordering."""

    def __repr__(self) -> str:
        return "Nothing"


Nothing: Any = _NothingType()

_TYPE_NAMES: dict[object, str] = {int: "Int", float: "Float", str: "String", bool: "Bool", list: "List",
                                  dict: "Dict", set: "Set", tuple: "Tuple", typing.Any: "Any", object: "Any",
                                  type(None): "Nothing"}


def type_name_for(python_type: object) -> str:
    """The Dagster-style name of an input or output type (``Int``, ``String``, ``Any``, ...)."""
    if python_type is NO_VALUE:
        return "Any"
    if python_type is Nothing or python_type is None:
        return "Nothing"
    try:
        known = _TYPE_NAMES.get(python_type)
    except TypeError:
        known = None
    if known is not None:
        return known
    from berth.config.config_type import AnyType

    if isinstance(python_type, AnyType):
        return "Any"
    origin = typing.get_origin(python_type)
    if origin is not None and origin in _TYPE_NAMES:
        args = ", ".join(type_name_for(arg) for arg in typing.get_args(python_type))
        return f"{_TYPE_NAMES[origin]}[{args}]" if args else _TYPE_NAMES[origin]
    return getattr(python_type, "__name__", None) or str(python_type)


class In:
    """An op input: its type (``Nothing`` for order only), description and default value."""

    def __init__(self, dagster_type: Any = NO_VALUE, description: Optional[str] = None,
                 default_value: Any = NO_VALUE, metadata: Optional[Mapping[str, Any]] = None) -> None:
        self.dagster_type = dagster_type
        self.description = description
        self.default_value = default_value
        self.metadata = dict(metadata or {})

    @property
    def is_nothing(self) -> bool:
        """True for an order-only input."""
        return self.dagster_type is Nothing


class Out:
    """An op output: its type, description and whether the op must produce it."""

    def __init__(self, dagster_type: Any = NO_VALUE, description: Optional[str] = None, is_required: bool = True,
                 metadata: Optional[Mapping[str, Any]] = None, io_manager_key: Optional[str] = None) -> None:
        self.dagster_type = dagster_type
        self.description = description
        self.is_required = is_required
        self.metadata = dict(metadata or {})
        self.io_manager_key = io_manager_key


class Output:
    """A value produced by an op for one of its outputs; yield or return it."""

    def __init__(self, value: Any, output_name: str = "result", metadata: Optional[Mapping[str, Any]] = None) -> None:
        self.value = value
        self.output_name = output_name
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:
        return f"Output({self.value!r}, {self.output_name!r})"


class DynamicOut(Out):
    """An output that yields any number of values, each under a mapping key (``DynamicOutput``)."""


class DynamicOutput:
    """One value of a dynamic output; downstream ``.map`` runs a step ``op[mapping_key]`` for it."""

    def __init__(self, value: Any, mapping_key: str, output_name: str = "result",
                 metadata: Optional[Mapping[str, Any]] = None) -> None:
        import re

        if not isinstance(mapping_key, str) or not re.fullmatch(r"[A-Za-z0-9_]+", mapping_key):
            from berth.definitions.errors import DefinitionError

            raise DefinitionError(f'Invalid mapping_key {mapping_key!r}: use only letters, digits and "_".')
        self.value = value
        self.mapping_key = mapping_key
        self.output_name = output_name
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:
        return f"DynamicOutput({self.value!r}, {self.mapping_key!r}, {self.output_name!r})"
