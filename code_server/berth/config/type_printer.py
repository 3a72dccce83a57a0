"""A config type as one line of text, as Dagster prints it in error messages: ``{ name?: String }``."""

from __future__ import annotations

from typing import Mapping

from berth.config.snap import ConfigTypeKind, ConfigTypeSnap

__all__ = ["print_config_type"]


def print_config_type(types: Mapping[str, ConfigTypeSnap], key: str) -> str:
    """Render the type ``key`` (and everything inside it) on a single line."""
    parts: list[str] = []
    _print(types, key, parts)
    return "".join(parts).strip()


def _print(types: Mapping[str, ConfigTypeSnap], key: str, parts: list[str]) -> None:
    snap = types[key]
    kind = snap.kind
    if kind == ConfigTypeKind.ARRAY:
        parts.append("[")
        _print(types, snap.inner_type_key, parts)
        parts.append("]")
    elif kind == ConfigTypeKind.NONEABLE:
        _print(types, snap.inner_type_key, parts)
        parts.append("?")
    elif kind == ConfigTypeKind.SCALAR_UNION:
        parts.append("(")
        _print(types, snap.scalar_type_key, parts)
        parts.append(" | ")
        _print(types, snap.non_scalar_type_key, parts)
        parts.append(")")
    elif kind == ConfigTypeKind.MAP:
        parts.append("{ [")
        if snap.given_name:
            parts.append(f"{snap.given_name}: ")
        _print(types, snap.type_param_keys[0], parts)
        parts.append("]: ")
        _print(types, snap.inner_type_key, parts)
        parts.append(" }")
    elif kind.has_fields:
        parts.append("{ ")
        for field in sorted(snap.fields, key=lambda f: f.name):
            parts.append(field.name + (": " if field.is_required else "?: "))
            _print(types, field.type_key, parts)
            parts.append(" ")
        parts.append("}")
    else:
        parts.append(snap.given_name or snap.key)
