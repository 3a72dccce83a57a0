"""``OutputStore``: what the engine, ``deleteRun`` and ``berth runs prune`` need of an output store."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from berth.execution.errors import MissingStepOutputError

__all__ = ["OutputStore", "check_run_id"]

_UNSAFE = frozenset("/\\\0*?[]")


def check_run_id(run_id: str) -> str:
    """``run_id`` if it names one folder of the store; ``ValueError`` otherwise.

    A run id becomes a path segment: an empty one, ``..`` or one with a separator would reach
    outside the run's own folder (an empty one, deleted, would be the whole store), and fsspec
    reads ``*?[`` in a path to delete as a pattern.
    """
    if not run_id or run_id in (".", "..") or any(char in run_id for char in _UNSAFE):
        raise ValueError(f"not a run id the output store can use: {run_id!r}")
    return run_id


class OutputStore(abc.ABC):
    """Step outputs by run, step key and output name (``name[mapping_key]`` for a dynamic output)."""

    url: str

    @abc.abstractmethod
    def store(self, run_id: str, step_key: str, output_name: str, value: Any) -> str:
        """Pickle ``value``; it appears complete or not at all. Returns where it is."""

    @abc.abstractmethod
    def has(self, run_id: str, step_key: str, output_name: str) -> bool:
        """True when the output is stored."""

    @abc.abstractmethod
    def load(self, run_id: str, step_key: str, output_name: str) -> Any:
        """Unpickle a stored output; ``MissingStepOutputError`` when it is not stored."""

    @abc.abstractmethod
    def mapping_keys(self, run_id: str, step_key: str, output_name: str) -> list[str]:
        """The mapping keys stored for a dynamic output (outputs ``<output>[<key>]``), sorted."""

    @abc.abstractmethod
    def copy_output(self, from_run_id: str, to_run_id: str, step_key: str, output_name: str) -> None:
        """Copy a stored output from one run to another (a re-execution keeps what it reused)."""

    @abc.abstractmethod
    def run_outputs(self, run_id: str) -> list[str]:
        """Where each stored output of the run is, sorted (empty for a run with none)."""

    @abc.abstractmethod
    def delete_run(self, run_id: str) -> int:
        """Delete every output of the run; returns how many there were."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


def missing(run_id: str, step_key: str, output_name: str) -> "MissingStepOutputError":
    """The error for an output that is not stored."""
    # Imported here: the webserver opens a store to delete outputs and needs no config types.
    from berth.execution.errors import MissingStepOutputError

    return MissingStepOutputError(f'Output "{output_name}" of step "{step_key}" is not stored for run {run_id}.')
