"""Errors raised while defining, loading and selecting jobs, and ``Failure`` for op authors.

Exception tree::

    Exception
    ├── DefinitionError          a job, op, graph or repository is defined wrongly
    │   ├── InvalidSubsetError   an op selection names ops the job does not have
    │   └── NoDefinitionsError   a code location defines no repository, Definitions or job
    └── Failure                  raised by an op to fail its step with a description
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

__all__ = ["DefinitionError", "InvalidSubsetError", "NoDefinitionsError", "Failure"]


class DefinitionError(Exception):
    """A job, op, graph or repository is defined wrongly."""


class InvalidSubsetError(DefinitionError):
    """An op selection names ops that the job does not have."""


class NoDefinitionsError(DefinitionError):
    """A code location defines no repository, Definitions object or job."""


class Failure(Exception):
    """Raise in an op to fail its step with a description (and optional metadata).

    ``allow_retries=False`` fails the step at once even when the op has a RetryPolicy.
    """

    def __init__(self, description: Optional[str] = None, metadata: Optional[Mapping[str, Any]] = None,
                 allow_retries: bool = True) -> None:
        super().__init__(description)
        self.description = description
        self.metadata = dict(metadata or {})
        self.allow_retries = allow_retries
