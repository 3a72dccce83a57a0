"""Validate a config value against a flat schema of ConfigTypeSnaps and fill in defaults.

Every error is collected (not only the first), each with Dagster's reason and wording. The
per-type facts that validation needs (field maps, required fields, processed defaults) are
computed once per schema and reused, because the webserver validates on every launch.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from berth.config.errors import ConfigError, ConfigErrorReason, MapKeyEntry, MapValueEntry, PathEntry, path_message
from berth.config.snap import ConfigFieldSnap, ConfigTypeKind, ConfigTypeSnap, ScalarKind
from berth.config.type_printer import print_config_type

__all__ = ["ConfigValidator"]

Path = tuple[PathEntry, ...]

_SCALAR_NAMES = {ScalarKind.INT: "Int", ScalarKind.FLOAT: "Float", ScalarKind.STRING: "String",
                 ScalarKind.BOOL: "Bool"}


def _is_valid_scalar(kind: Optional[ScalarKind], value: Any) -> bool:
    if kind == ScalarKind.STRING:
        return isinstance(value, str)
    if kind == ScalarKind.BOOL:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == ScalarKind.INT:
        return isinstance(value, int)
    return isinstance(value, (int, float))


class _FieldsInfo:
    """What validation needs to know about a type with fields, computed once."""

    __slots__ = ("fields", "required", "defaults_json")

    def __init__(self, snap: ConfigTypeSnap) -> None:
        self.fields: dict[str, ConfigFieldSnap] = {field.name: field for field in snap.fields}
        self.required = [f.name for f in snap.fields if f.is_required and not f.default_provided]
        # field name -> processed default as JSON text; filled on first use (parsing a fresh copy
        # each time is cheap and keeps callers from sharing mutable defaults)
        self.defaults_json: dict[str, str] = {}


class ConfigValidator:
    """Validates values against the types of one schema; holds the precomputed per-type facts."""

    def __init__(self, types: Mapping[str, ConfigTypeSnap]) -> None:
        self._types = types
        self._fields_info: dict[str, _FieldsInfo] = {}

    def process(self, key: str, value: Any, path: Path, errors: list[ConfigError]) -> Any:
        """Validate ``value`` as type ``key``; append errors and return the value with defaults."""
        snap = self._types[key]
        kind = snap.kind
        if kind == ConfigTypeKind.ANY:
            return value
        if kind == ConfigTypeKind.NONEABLE:
            return None if value is None else self.process(snap.inner_type_key, value, path, errors)
        if kind.has_fields:
            if kind == ConfigTypeKind.SELECTOR:
                return self._process_selector(snap, value, path, errors)
            return self._process_shape(snap, value, path, errors)
        if value is None:
            return self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                               f'Value {path_message(path)} must not be None. Expected "{self._print(key)}"',
                               value_rep=repr(value))
        if kind == ConfigTypeKind.SCALAR_UNION:
            # a dict or list is the non-scalar form ({"env": NAME} of StringSource), anything else the scalar
            member = snap.non_scalar_type_key if isinstance(value, (dict, list)) else snap.scalar_type_key
            return self.process(member, value, path, errors)
        if kind == ConfigTypeKind.SCALAR:
            if not _is_valid_scalar(snap.scalar_kind, value):
                type_name = snap.given_name or _SCALAR_NAMES.get(snap.scalar_kind, key)  # type: ignore[arg-type]
                self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                            f'Invalid scalar {path_message(path)}. Value "{value}" of type "{type(value)}" '
                            f'is not valid for expected type "{type_name}".', value_rep=repr(value))
            return value
        if kind == ConfigTypeKind.ENUM:
            return self._process_enum(snap, value, path, errors)
        if kind == ConfigTypeKind.ARRAY:
            if not isinstance(value, list):
                return self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                                   f'Value {path_message(path)} must be list. Expected: "{self._print(key)}"',
                                   value_rep=repr(value))
            inner = snap.inner_type_key
            return [self.process(inner, item, path + (index,), errors) for index, item in enumerate(value)]
        if kind == ConfigTypeKind.MAP:
            return self._process_map(snap, value, path, errors)
        raise ValueError(f"unknown config type kind {kind!r} for {key!r}")

    def _process_shape(self, snap: ConfigTypeSnap, value: Any, path: Path, errors: list[ConfigError]) -> Any:
        if value is None:  # YAML's empty mapping ("in_process:") arrives as None
            value = {}
        if not isinstance(value, dict):
            return self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                               f'Value {path_message(path)} must be dict. Expected: "{self._print(snap.key)}".',
                               value_rep=repr(value))
        info = self._info(snap)
        fields = info.fields
        result: dict[str, Any] = {}
        undefined = []
        for name, item in value.items():
            field = fields.get(name)
            if field is None:
                undefined.append(name)
                result[name] = item
            else:
                result[name] = self.process(field.type_key, item, path + (name,), errors)
        if undefined and snap.kind == ConfigTypeKind.STRICT_SHAPE:
            self._undefined_error(snap, undefined, path, errors)
        missing = [name for name in info.required if name not in value]
        if len(missing) == 1:
            self._error(errors, path, ConfigErrorReason.MISSING_REQUIRED_FIELD,
                        f'Missing required config entry "{missing[0]}" {path_message(path)}.',
                        field_names=(missing[0],), fields=(fields[missing[0]],))
        elif missing:
            self._error(errors, path, ConfigErrorReason.MISSING_REQUIRED_FIELDS,
                        f"Missing required config entries {sorted(missing)} {path_message(path)}.",
                        field_names=tuple(sorted(missing)), fields=tuple(fields[name] for name in sorted(missing)))
        if len(value) - len(undefined) < len(fields):
            for name, field in fields.items():
                if name not in value and field.default_provided:
                    result[name] = self._default(snap.key, info, field, path)
        return result

    def _undefined_error(self, snap: ConfigTypeSnap, undefined: list[str], path: Path,
                         errors: list[ConfigError]) -> None:
        if len(undefined) == 1:
            self._error(errors, path, ConfigErrorReason.FIELD_NOT_DEFINED,
                        f'Received unexpected config entry "{undefined[0]}" {path_message(path)}. '
                        f'Expected: "{self._print(snap.key)}".', field_names=(undefined[0],))
        else:
            self._error(errors, path, ConfigErrorReason.FIELDS_NOT_DEFINED,
                        f'Received unexpected config entries "{sorted(undefined)}" {path_message(path)}. '
                        f'Expected: "{sorted(snap.field_names)}."', field_names=tuple(sorted(undefined)))

    def _process_selector(self, snap: ConfigTypeSnap, value: Any, path: Path, errors: list[ConfigError]) -> Any:
        info = self._info(snap)
        fields = info.fields
        if value:
            if not isinstance(value, dict):
                return self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                                   f"Value for selector type {path_message(path)} must be a dict",
                                   value_rep=repr(value))
            if len(value) > 1:
                return self._error(errors, path, ConfigErrorReason.SELECTOR_FIELD_ERROR,
                                   f"You can only specify a single field {path_message(path)}. You specified "
                                   f"{sorted(value)}. The available fields are {sorted(fields)}",
                                   incoming_fields=tuple(sorted(value)))
            name, item = next(iter(value.items()))
            field = fields.get(name)
            if field is None:
                return self._undefined_error(snap, [name], path, errors)
            return {name: self.process(field.type_key, item, path + (name,), errors)}
        if len(fields) != 1:
            return self._error(errors, path, ConfigErrorReason.SELECTOR_FIELD_ERROR,
                               f"Must specify a field {path_message(path)} if more than one field is defined. "
                               f"Defined fields: {sorted(fields)}")
        field = next(iter(fields.values()))
        if field.default_provided:
            return {field.name: self._default(snap.key, info, field, path)}
        if field.is_required:
            return self._error(errors, path, ConfigErrorReason.SELECTOR_FIELD_ERROR,
                               f"Must specify the required field {path_message(path)}. "
                               f"Defined fields: {sorted(fields)}")
        return {field.name: self.process(field.type_key, None, path + (field.name,), errors)}

    def _process_enum(self, snap: ConfigTypeSnap, value: Any, path: Path, errors: list[ConfigError]) -> Any:
        if not isinstance(value, str):
            return self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                               f"Value {path_message(path)} for enum type {snap.given_name} must be a string",
                               value_rep=repr(value))
        if all(option.value != value for option in snap.enum_values):
            self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                        f"Value {path_message(path)} not in enum type {snap.given_name} got {value}",
                        value_rep=repr(value))
        return value

    def _process_map(self, snap: ConfigTypeSnap, value: Any, path: Path, errors: list[ConfigError]) -> Any:
        if not isinstance(value, dict):
            return self._error(errors, path, ConfigErrorReason.RUNTIME_TYPE_MISMATCH,
                               f'Value {path_message(path)} must be dict. Expected: "{self._print(snap.key)}"',
                               value_rep=repr(value))
        key_type, value_type = snap.type_param_keys
        result = {}
        for map_key, item in value.items():
            # Dagster's stack tells a bad key from a bad value; ``ConfigError.path`` shows both by the key.
            self.process(key_type, map_key, path + (MapKeyEntry(map_key),), errors)
            result[map_key] = self.process(value_type, item, path + (MapValueEntry(map_key),), errors)
        return result

    def _default(self, type_key: str, info: _FieldsInfo, field: ConfigFieldSnap, path: Path) -> Any:
        cached = info.defaults_json.get(field.name)
        if cached is None:
            # Defaults are processed too, so that defaults nested inside a default are filled.
            ignored: list[ConfigError] = []
            processed = self.process(field.type_key, field.default_value, path + (field.name,), ignored)
            cached = info.defaults_json[field.name] = json.dumps(processed)
        return json.loads(cached)

    def _info(self, snap: ConfigTypeSnap) -> _FieldsInfo:
        info = self._fields_info.get(snap.key)
        if info is None:
            info = self._fields_info[snap.key] = _FieldsInfo(snap)
        return info

    def _print(self, key: str) -> str:
        return print_config_type(self._types, key)

    @staticmethod
    def _error(errors: list[ConfigError], path: Path, reason: str, message: str, **details: Any) -> None:
        errors.append(ConfigError.at(path, reason, message, **details))
        return None
