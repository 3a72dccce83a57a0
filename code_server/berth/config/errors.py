"""What validation returns: errors with Dagster's reasons, paths, messages and details.

``ConfigErrorReason`` holds the reason names as plain strings (the GraphQL layer exposes them as
Dagster's ``EvaluationErrorReason`` enum values). Each ``ConfigError`` carries the details of its
reason that Dagster's config error types serve (see ``ConfigError``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Sequence, Union

from berth.config.snap import ConfigFieldSnap

__all__ = [
    "ConfigError",
    "ConfigErrorReason",
    "MapKeyEntry",
    "MapValueEntry",
    "PathEntry",
    "ValidationResult",
    "path_message",
]


@dataclasses.dataclass(frozen=True)
class MapKeyEntry:
    """A step into the key of a map entry (the key itself is what is invalid)."""

    key: Any


@dataclasses.dataclass(frozen=True)
class MapValueEntry:
    """A step into the value of a map entry."""

    key: Any


# A step into a config value: a field name (str), a list index (int) or a map entry's key or value.
PathEntry = Union[str, int, MapKeyEntry, MapValueEntry]


class ConfigErrorReason:
    """Dagster's DagsterEvaluationErrorReason names, as plain strings."""

    RUNTIME_TYPE_MISMATCH = "RUNTIME_TYPE_MISMATCH"
    MISSING_REQUIRED_FIELD = "MISSING_REQUIRED_FIELD"
    MISSING_REQUIRED_FIELDS = "MISSING_REQUIRED_FIELDS"
    FIELD_NOT_DEFINED = "FIELD_NOT_DEFINED"
    FIELDS_NOT_DEFINED = "FIELDS_NOT_DEFINED"
    SELECTOR_FIELD_ERROR = "SELECTOR_FIELD_ERROR"


@dataclasses.dataclass(frozen=True)
class ConfigError:
    """One problem with a config value: what is wrong, where (from the root), why, and its details.

    ``path`` gives each step as text (a map entry by its key); ``stack`` gives the same steps typed
    (``PathEntry``). The details depend on ``reason``, as in Dagster's error data:

    - FIELD_NOT_DEFINED, FIELDS_NOT_DEFINED: ``field_names``, the entries the type does not define;
    - MISSING_REQUIRED_FIELD(S): ``field_names`` and ``fields``, the missing fields (sorted by name);
    - RUNTIME_TYPE_MISMATCH: ``value_rep``, the ``repr`` of the offending value;
    - SELECTOR_FIELD_ERROR: ``incoming_fields``, the entries given (empty when none was).
    """

    message: str
    path: tuple[str, ...]
    reason: str
    stack: tuple[PathEntry, ...] = ()
    field_names: tuple[str, ...] = ()
    fields: tuple[ConfigFieldSnap, ...] = ()
    value_rep: Optional[str] = None
    incoming_fields: tuple[str, ...] = ()

    @classmethod
    def at(cls, stack: Sequence[PathEntry], reason: str, message: str, **details: Any) -> "ConfigError":
        """An error at ``stack`` (typed steps from the root); ``details`` are the fields above."""
        path = tuple(str(entry.key) if isinstance(entry, (MapKeyEntry, MapValueEntry)) else str(entry)
                     for entry in stack)
        return cls(message, path, reason, tuple(stack), **details)


@dataclasses.dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating a config value: every error, or the value with defaults filled."""

    success: bool
    value: Any
    errors: list[ConfigError]

    @property
    def value_with_defaults(self) -> Any:
        """Alias of ``value``: the validated value with every default filled in."""
        return self.value


def path_message(path: Sequence[PathEntry]) -> str:
    """Dagster's wording of a path: "at the root" or "at path root:ops:say_hello:config[0]".

    Map entries read as Dagster writes them: ``root:counts:'a':value`` (``:key`` for the key).
    """
    if not path:
        return "at the root"
    parts = ["root"]
    for entry in path:
        if isinstance(entry, int):
            parts.append(f"[{entry}]")
        elif isinstance(entry, MapKeyEntry):
            parts.append(f":{entry.key!r}:key")
        elif isinstance(entry, MapValueEntry):
            parts.append(f":{entry.key!r}:value")
        else:
            parts.append(f":{entry}")
    return "at path " + "".join(parts)
