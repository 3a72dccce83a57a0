"""ConfigSchema: a root type key plus every type reachable from it, and validation against it."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from berth.config.errors import ConfigError, ValidationResult
from berth.config.snap import ConfigTypeSnap
from berth.config.type_printer import print_config_type
from berth.config.validation import ConfigValidator
from berth.protocol.v1 import config_pb2

__all__ = ["ConfigSchema"]


class ConfigSchema:
    """A run-config (or any config) schema as data, validated the same way everywhere.

    The code server builds it from definitions; the webserver rebuilds it from snapshot protos
    with ``from_protos`` and validates without importing user code.
    """

    def __init__(self, root_key: str, types: Mapping[str, ConfigTypeSnap]) -> None:
        if root_key not in types:
            raise ValueError(f"root config type {root_key!r} is not among the schema's types")
        self.root_key = root_key
        self.types: Mapping[str, ConfigTypeSnap] = types
        self._validator = ConfigValidator(types)

    @classmethod
    def from_protos(cls, root_key: str, protos: Iterable[config_pb2.ConfigType]) -> "ConfigSchema":
        """Rebuild a schema from protocol messages (the webserver side)."""
        return cls(root_key, {pb.key: ConfigTypeSnap.from_proto(pb) for pb in protos})

    def to_protos(self) -> list[config_pb2.ConfigType]:
        """Every type as a protocol message, ordered by key so that output is stable."""
        return [self.types[key].to_proto() for key in sorted(self.types)]

    @property
    def root(self) -> ConfigTypeSnap:
        """The root type."""
        return self.types[self.root_key]

    def validate(self, value: Any) -> ValidationResult:
        """Validate ``value`` against the root type: every error, or the value with defaults filled."""
        errors: list[ConfigError] = []
        processed = self._validator.process(self.root_key, value, (), errors)
        if errors:
            return ValidationResult(False, None, errors)
        return ValidationResult(True, processed, [])

    def print_type(self, key: str | None = None) -> str:
        """A one-line rendering of a type (the root by default), as used in error messages."""
        return print_config_type(self.types, key or self.root_key)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ConfigSchema) and self.root_key == other.root_key
                and dict(self.types) == dict(other.types))

    def __hash__(self) -> int:
        return hash(self.root_key)

    def __repr__(self) -> str:
        return f"ConfigSchema(root_key={self.root_key!r}, types={len(self.types)})"
