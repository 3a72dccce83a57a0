"""Errors raised while defining, loading and selecting jobs, and ``Failure`` for op authors.

Exception tree::

    Exception
    ├── DefinitionError          a job, op, graph or repository is defined wrongly
    │   ├── InvalidSubsetError   an op selection names ops the job does not have
    │   └── NoDefinitionsError   a code location defines no repository, Definitions or job
    ├── Failure                  raised by an op to fail its step with a description
    ├── DagsterInvalidConfigError      execute_in_process: the run config does not fit the job
    ├── DagsterInvariantViolationError an ExecuteInProcessResult was asked for what the run lacks
    └── DagsterResourceFunctionError   execute_in_process: a resource failed in setup
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

__all__ = ["DagsterInvalidConfigError", "DagsterInvariantViolationError", "DagsterResourceFunctionError",
           "DefinitionError", "Failure", "InvalidSubsetError", "NoDefinitionsError"]


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


class DagsterInvalidConfigError(Exception):
    """``execute_in_process`` was given run config that does not fit the job; ``errors`` lists each problem."""

    def __init__(self, message: str, errors: Sequence[Any]) -> None:
        super().__init__(message)
        self.errors = list(errors)


class DagsterInvariantViolationError(Exception):
    """An ``ExecuteInProcessResult`` was asked for a node or an output that the run does not have."""


class DagsterResourceFunctionError(Exception):
    """``execute_in_process``: a resource raised while it was set up (the cause is its exception)."""
