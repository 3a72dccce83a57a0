"""Event metadata entries (output metadata of a step), as Dagster's ``MetadataEntry`` members.

A run worker stores metadata as JSON-ready values (``berth.execution.step_io.metadata_entries``);
each value becomes the entry type of its JSON kind, but Markdown, URL and path values, which the
event lists by label in ``entry_kinds``.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

import graphene

from .events import MetadataEntry

__all__ = ["BoolMetadataEntry", "FloatMetadataEntry", "IntMetadataEntry", "JsonMetadataEntry", "METADATA_ENTRY_TYPES",
           "MarkdownMetadataEntry", "NullMetadataEntry", "PathMetadataEntry", "TextMetadataEntry", "UrlMetadataEntry",
           "metadata_entries"]

_INT32 = 2 ** 31


class TextMetadataEntry(graphene.ObjectType):
    """A text value."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "TextMetadataEntry"

    text = graphene.NonNull(graphene.String)


class MarkdownMetadataEntry(graphene.ObjectType):
    """Markdown text."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "MarkdownMetadataEntry"

    mdStr = graphene.NonNull(graphene.String)


class UrlMetadataEntry(graphene.ObjectType):
    """A URL."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "UrlMetadataEntry"

    url = graphene.NonNull(graphene.String)


class PathMetadataEntry(graphene.ObjectType):
    """A filesystem path."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "PathMetadataEntry"

    path = graphene.NonNull(graphene.String)


class IntMetadataEntry(graphene.ObjectType):
    """An integer; ``intValue`` is null beyond 32 bits, ``intRepr`` always holds it."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "IntMetadataEntry"

    intValue = graphene.Int()
    intRepr = graphene.NonNull(graphene.String)


class FloatMetadataEntry(graphene.ObjectType):
    """A float, with its text form for nan and infinities."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "FloatMetadataEntry"

    floatValue = graphene.Float()
    floatRepr = graphene.NonNull(graphene.String)


class BoolMetadataEntry(graphene.ObjectType):
    """A boolean."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "BoolMetadataEntry"

    boolValue = graphene.Boolean()


class JsonMetadataEntry(graphene.ObjectType):
    """A list or dict, as JSON text."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "JsonMetadataEntry"

    jsonString = graphene.NonNull(graphene.String)


class NullMetadataEntry(graphene.ObjectType):
    """No value."""

    class Meta:
        interfaces = (MetadataEntry,)
        name = "NullMetadataEntry"


METADATA_ENTRY_TYPES = [TextMetadataEntry, MarkdownMetadataEntry, UrlMetadataEntry, PathMetadataEntry, IntMetadataEntry,
                        FloatMetadataEntry, BoolMetadataEntry, JsonMetadataEntry, NullMetadataEntry]


def _markdown(label: str, value: str) -> graphene.ObjectType:
    return MarkdownMetadataEntry(label=label, mdStr=value)


def _url(label: str, value: str) -> graphene.ObjectType:
    return UrlMetadataEntry(label=label, url=value)


def _path(label: str, value: str) -> graphene.ObjectType:
    return PathMetadataEntry(label=label, path=value)


# The entry of each text-like MetadataValue kind (``MetadataValue.md`` ...).
_TEXT_KIND_ENTRIES = {"md": _markdown, "url": _url, "path": _path}


def _entry(label: str, value: Any, kind: Optional[str] = None) -> graphene.ObjectType:
    text_entry = _TEXT_KIND_ENTRIES.get(kind or "")
    if text_entry is not None and isinstance(value, str):
        return text_entry(label, value)
    if value is None:
        return NullMetadataEntry(label=label)
    if isinstance(value, bool):
        return BoolMetadataEntry(label=label, boolValue=value)
    if isinstance(value, int):
        return IntMetadataEntry(label=label, intValue=value if -_INT32 <= value < _INT32 else None, intRepr=str(value))
    if isinstance(value, float):
        return FloatMetadataEntry(label=label, floatValue=value, floatRepr=repr(value))
    if isinstance(value, str):
        return TextMetadataEntry(label=label, text=value)
    return JsonMetadataEntry(label=label, jsonString=json.dumps(value))


def metadata_entries(entries: Mapping[str, Any],
                     kinds: Optional[Mapping[str, str]] = None) -> list[graphene.ObjectType]:
    """The GraphQL entries of stored metadata, in the order it was given (``kinds``: md/url/path by label)."""
    kinds = kinds if isinstance(kinds, Mapping) else {}
    return [_entry(str(label), value, kinds.get(str(label))) for label, value in entries.items()]
