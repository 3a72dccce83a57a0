"""Reading ``{"env": NAME}`` values of StringSource, IntSource and BoolSource: done by the run worker only.

Validation (webserver and code server) keeps ``{"env": NAME}`` as it is, so run storage, events and
the API see the variable's name, never its value. ``resolve_env_sources`` walks a validated value
along its schema and replaces each such entry by the variable's value in this process, converted
to the scalar's type, as Dagster's post-processing does.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

from berth.config.errors import ConfigError, MapValueEntry, PathEntry
from berth.config.snap import ConfigTypeKind, ConfigTypeSnap, ScalarKind

__all__ = ["FAILED_POST_PROCESSING", "resolve_env_sources"]

FAILED_POST_PROCESSING = "FAILED_POST_PROCESSING"
_ENV = "env"
_FALSE_STRINGS = frozenset({"false", "none", "0", ""})


def resolve_env_sources(types: Mapping[str, ConfigTypeSnap], key: str, value: Any,
                        environ: Optional[Mapping[str, str]] = None) -> tuple[Any, list[ConfigError]]:
    """``value`` with every ``{"env": NAME}`` of a scalar union replaced by the variable's value.

    Returns the new value (the input is not changed) and the errors: a variable that is not set,
    or whose text is not of the scalar's type. An error names the variable, never its value.
    """
    errors: list[ConfigError] = []
    resolved = _resolve(types, key, value, (), os.environ if environ is None else environ, errors)
    return resolved, errors


def _resolve(types: Mapping[str, ConfigTypeSnap], key: str, value: Any, path: tuple[PathEntry, ...],
             environ: Mapping[str, str], errors: list[ConfigError]) -> Any:
    snap = types[key]
    kind = snap.kind
    if value is None or kind in (ConfigTypeKind.ANY, ConfigTypeKind.SCALAR, ConfigTypeKind.ENUM):
        return value
    if kind == ConfigTypeKind.SCALAR_UNION:
        if isinstance(value, dict) and set(value) == {_ENV}:
            return _read(types[snap.scalar_type_key], str(value[_ENV]), path, environ, errors)
        return value
    if kind == ConfigTypeKind.NONEABLE:
        return _resolve(types, snap.inner_type_key, value, path, environ, errors)
    if kind == ConfigTypeKind.ARRAY and isinstance(value, list):
        return [_resolve(types, snap.inner_type_key, item, path + (index,), environ, errors)
                for index, item in enumerate(value)]
    if kind == ConfigTypeKind.MAP and isinstance(value, dict):
        return {name: _resolve(types, snap.inner_type_key, item, path + (MapValueEntry(name),), environ, errors)
                for name, item in value.items()}
    if kind.has_fields and isinstance(value, dict):
        fields = {field.name: field.type_key for field in snap.fields}
        return {name: (_resolve(types, fields[name], item, path + (name,), environ, errors)
                       if name in fields else item)
                for name, item in value.items()}
    return value


def _read(scalar: ConfigTypeSnap, name: str, path: tuple[PathEntry, ...], environ: Mapping[str, str],
          errors: list[ConfigError]) -> Any:
    text = environ.get(name)
    if text is None:
        errors.append(ConfigError.at(path, FAILED_POST_PROCESSING,
                                     f'You have attempted to fetch the environment variable "{name}" which is not '
                                     "set. In order for this execution to succeed it must be set in this "
                                     "environment."))
        return None
    if scalar.scalar_kind == ScalarKind.INT:
        try:
            return int(text)
        except ValueError:
            pass  # reported below, outside the except clause, so that no traceback carries the value
        errors.append(ConfigError.at(path, FAILED_POST_PROCESSING,
                                     f'Value stored in env variable "{name}" cannot be coerced into an int.'))
        return None
    if scalar.scalar_kind == ScalarKind.BOOL:
        return text.lower() not in _FALSE_STRINGS
    return text
