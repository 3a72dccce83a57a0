"""What validation returns: errors with Dagster's reasons, paths and messages.

``ConfigErrorReason`` holds the reason names as plain strings (the GraphQL layer exposes them as
Dagster's ``EvaluationErrorReason`` enum values).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence, Union

__all__ = ["ConfigErrorReason", "ConfigError", "ValidationResult", "path_message", "PathEntry"]

# A step into a config value: a field name or map key (str) or a list index (int).
PathEntry = Union[str, int]


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
    """One problem with a config value: what is wrong, where (field names from the root), and why."""

    message: str
    path: tuple[str, ...]
    reason: str


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
    """Dagster's wording of a path: "at the root" or "at path root:ops:say_hello:config[0]"."""
    if not path:
        return "at the root"
    parts = ["root"]
    for entry in path:
        parts.append(f"[{entry}]" if isinstance(entry, int) else f":{entry}")
    return "at path " + "".join(parts)
