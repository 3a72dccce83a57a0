"""Failures that the operations report; the schema turns each into its Dagster error type.

    OperationError                 base: any expected failure of an operation
    ├── UnauthorizedOperation      a mutation in read-only mode
    ├── RepositoryNotFound         no such location / repository
    ├── JobNotFound                no such job in the repository
    ├── InvalidSubset              an op selection names an unknown op
    ├── RunConfigInvalid           run config failed validation (carries the ConfigErrors)
    ├── RunNotFound                no run with that id
    ├── ConflictingExecutionParams re-execution given contradicting params
    ├── InvalidStep                step keys that name no step of the job
    ├── InvalidRunsFilter          a runs query the storage cannot answer (a negative limit)
    ├── ModeNotFound               a mode other than "default" (berth jobs have one mode)
    ├── PresetNotFound             a preset (berth jobs have none)
    └── RunLaunchFailed            the launcher could not start the run (run is marked FAILURE)

The workspace's ``LocationNotFound`` (no such code location) is raised through operations as is.
``schema/errors.py`` maps each error to its GraphQL type in one table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence

if TYPE_CHECKING:
    from berth.config import ConfigError, ConfigTypeSnap

__all__ = [
    "ConflictingExecutionParams",
    "InvalidRunsFilter",
    "InvalidStep",
    "InvalidSubset",
    "JobNotFound",
    "ModeNotFound",
    "OperationError",
    "PresetNotFound",
    "RepositoryNotFound",
    "RunConfigInvalid",
    "RunLaunchFailed",
    "RunNotFound",
    "UnauthorizedOperation",
    "check_mode",
]


class OperationError(Exception):
    """An expected failure of an operation; ``str(e)`` is the user-facing message."""


class UnauthorizedOperation(OperationError):
    """The webserver is read-only, so mutations are refused."""

    def __init__(self, message: str = "Mutations are disabled: the webserver runs in read-only mode.") -> None:
        super().__init__(message)


class RepositoryNotFound(OperationError):
    """No repository with that name in that location (or no such location)."""

    def __init__(self, location_name: str, repository_name: str) -> None:
        self.location_name = location_name
        self.repository_name = repository_name
        super().__init__(f"Could not find Repository {location_name}.{repository_name}")


class JobNotFound(OperationError):
    """No job with that name in the given repository."""

    def __init__(self, location_name: str, repository_name: str, job_name: str, message: str = "") -> None:
        self.location_name = location_name
        self.repository_name = repository_name
        self.job_name = job_name
        super().__init__(message or f"Could not find Pipeline {location_name}.{repository_name}.{job_name}")


class InvalidSubset(OperationError):
    """An op selection names ops that the job does not have."""

    def __init__(self, message: str, location_name: str, repository_name: str, job_name: str) -> None:
        self.location_name = location_name
        self.repository_name = repository_name
        self.job_name = job_name
        super().__init__(message)


class RunConfigInvalid(OperationError):
    """The run config does not conform to the job's config schema."""

    def __init__(self, job_name: str, errors: Sequence["ConfigError"],
                 config_types: Optional[Mapping[str, "ConfigTypeSnap"]] = None) -> None:
        self.job_name = job_name
        self.errors = list(errors)
        # The schema's types: missing-field errors show the fields' types.
        self.config_types: Mapping[str, ConfigTypeSnap] = dict(config_types or {})
        super().__init__(f"Run config for {job_name} is invalid ({len(self.errors)} errors)")


class RunNotFound(OperationError):
    """No run with that id in run storage."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"Run {run_id} could not be found.")


class ConflictingExecutionParams(OperationError):
    """Re-execution params contradict each other (e.g. neither form given)."""


class InvalidStep(OperationError):
    """A step key that names no step of the job."""

    def __init__(self, step_key: str) -> None:
        self.step_key = step_key
        super().__init__(f"Step {step_key} does not exist in the job.")


class InvalidRunsFilter(OperationError):
    """A runs query that cannot be answered (e.g. a negative limit)."""


class ModeNotFound(OperationError):
    """A mode other than "default": berth jobs have exactly one mode."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        super().__init__(f"Mode {mode} not found: berth jobs have one mode, default.")


class PresetNotFound(OperationError):
    """A preset name: berth jobs have no presets."""

    def __init__(self, preset: str) -> None:
        self.preset = preset
        super().__init__(f"Preset {preset} not found: berth jobs have no presets.")


def check_mode(mode: Optional[str], preset: Optional[str] = None) -> None:
    """Raise ``PresetNotFound`` for any preset and ``ModeNotFound`` for a mode but "default"."""
    if preset:
        raise PresetNotFound(preset)
    if mode not in (None, "default"):
        raise ModeNotFound(mode)


class RunLaunchFailed(OperationError):
    """The run was stored but could not be started; it is marked FAILURE."""

    def __init__(self, run_id: str, message: str) -> None:
        self.run_id = run_id
        super().__init__(message)
