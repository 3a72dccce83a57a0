"""``MetadataValue``: Dagster's typed metadata values, as output metadata entries.

berth's API serves text, Markdown, URL, path, int, float, bool, JSON and null entries, each as
Dagster's entry type (``MarkdownMetadataEntry.mdStr``, ``UrlMetadataEntry.url``,
``PathMetadataEntry.path``, ...); the step event keeps the kind of the text-like ones.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence, Union

__all__ = ["MetadataValue"]


@dataclasses.dataclass(frozen=True)
class MetadataValue:
    """One metadata value and its kind (``text``, ``md``, ``url``, ``path``, ``int``, ...)."""

    value: Any
    kind: str = "text"

    @staticmethod
    def text(text: str) -> "MetadataValue":
        """Plain text."""
        return MetadataValue(str(text), "text")

    @staticmethod
    def md(md_str: str) -> "MetadataValue":
        """Markdown (a ``MarkdownMetadataEntry``)."""
        return MetadataValue(str(md_str), "md")

    @staticmethod
    def url(url: str) -> "MetadataValue":
        """A URL (a ``UrlMetadataEntry``)."""
        return MetadataValue(str(url), "url")

    @staticmethod
    def path(path: Any) -> "MetadataValue":
        """A filesystem path (a ``PathMetadataEntry``)."""
        return MetadataValue(str(path), "path")

    @staticmethod
    def int(value: int) -> "MetadataValue":
        """An integer."""
        return MetadataValue(value, "int")

    @staticmethod
    def float(value: float) -> "MetadataValue":
        """A float."""
        return MetadataValue(value, "float")

    @staticmethod
    def bool(value: bool) -> "MetadataValue":
        """A boolean."""
        return MetadataValue(value, "bool")

    @staticmethod
    def json(data: Union[Sequence[Any], Mapping[str, Any]]) -> "MetadataValue":
        """JSON data."""
        return MetadataValue(data, "json")

    @staticmethod
    def null() -> "MetadataValue":
        """No value."""
        return MetadataValue(None, "null")

    def __repr__(self) -> str:
        return f"MetadataValue.{self.kind}({self.value!r})"


