"""The parsed-and-validated document cache, bounded in bytes rather than in entries.

Clients send the same few documents over and over, so parsing and validating them once pays. An
entry count alone does not bound memory: 256 documents of 1 MiB each would pin gigabytes of
syntax trees. Each entry is charged an estimate of its tree's size (the document text times
``TREE_BYTES_PER_CHAR``, measured with tracemalloc on the Dagster UI's documents), and the least
recently used entries are dropped to stay within the budget. A document larger than a quarter of
the budget is not cached at all.
"""

from __future__ import annotations

import collections
import threading
from typing import Callable, Generic, Hashable, TypeVar

__all__ = ["DocumentCache", "TREE_BYTES_PER_CHAR"]

# graphql-core's AST with locations: about 60 bytes of nodes and tokens per character of text.
TREE_BYTES_PER_CHAR = 60

_Value = TypeVar("_Value")


class DocumentCache(Generic[_Value]):
    """A least-recently-used map from (schema, document text) to a value, within a byte budget."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self.used_bytes = 0
        self._entries: "collections.OrderedDict[tuple[Hashable, str], tuple[_Value, int]]" = \
            collections.OrderedDict()
        self._lock = threading.Lock()  # the schema is built in a thread; requests may come from several

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_build(self, schema: Hashable, text: str, build: Callable[[], _Value]) -> _Value:
        """The cached value for this document, or ``build()`` (cached when it fits the budget)."""
        key = (schema, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
        value = build()
        cost = len(text) * TREE_BYTES_PER_CHAR
        if cost > self.budget_bytes // 4:
            return value
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, cost)
                self.used_bytes += cost
            while self.used_bytes > self.budget_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.used_bytes -= dropped
        return value
