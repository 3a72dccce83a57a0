"""Errors of run execution.

Exception tree::

    BaseException
    ├── RunInterrupted              the worker was told to stop while an op ran (SIGTERM): cancel
    └── Exception
        ├── RunConfigValidationError  the run config does not fit the job's schema
        ├── StepSelectionError        step_keys_to_execute names steps the job does not have
        └── MissingStepOutputError    an input's upstream output is stored nowhere
"""

from __future__ import annotations

from typing import Sequence

from berth.config.errors import ConfigError

__all__ = ["RunInterrupted", "RunConfigValidationError", "StepSelectionError", "MissingStepOutputError"]


class RunInterrupted(BaseException):
    """Raised inside a running op when the run is canceled; a BaseException so ops do not swallow it."""


class RunConfigValidationError(Exception):
    """The run config is invalid for the job; ``errors`` lists every problem."""

    def __init__(self, job_name: str, errors: Sequence[ConfigError]) -> None:
        self.job_name = job_name
        self.errors = list(errors)
        lines = "\n".join(f"    {error.message}" for error in self.errors)
        super().__init__(f'Error in config for job "{job_name}" ({len(self.errors)} errors):\n{lines}')


class StepSelectionError(ValueError):
    """``step_keys_to_execute`` names steps that the job does not have."""


class MissingStepOutputError(Exception):
    """An input needs an output that neither this run nor its parent run has stored."""
