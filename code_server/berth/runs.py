"""Runs as stored and served: status enum, the run record and the runs filter.

These are plain frozen dataclasses shared by run storage, the run worker,
the code server and the webserver.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence

__all__ = ["RunStatus", "RunRecord", "RunsFilter", "FINISHED_STATUSES", "IN_PROGRESS_STATUSES",
           "TERMINABLE_STATUSES"]


class RunStatus(str, enum.Enum):
    """A run's status; the same names and values as Dagster's DagsterRunStatus."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


FINISHED_STATUSES = frozenset({RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED})
IN_PROGRESS_STATUSES = frozenset(
    {RunStatus.QUEUED, RunStatus.NOT_STARTED, RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING}
)
# Statuses from which SAFE_TERMINATE can stop a run (as Dagster: not finished, not already canceling).
TERMINABLE_STATUSES = IN_PROGRESS_STATUSES - {RunStatus.CANCELING}


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One run: what was asked (job, config, tags, selection) and how it went (status, times).

    Timestamps are POSIX seconds (float). ``run_config`` is the validated config with defaults
    filled. ``step_keys_to_execute`` is set for re-execution from failure.
    """

    run_id: str
    job_name: str
    status: RunStatus = RunStatus.NOT_STARTED
    repository_name: str = ""
    location_name: str = ""
    run_config: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    op_selection: Optional[Sequence[str]] = None
    step_keys_to_execute: Optional[Sequence[str]] = None
    parent_run_id: Optional[str] = None
    root_run_id: Optional[str] = None
    job_snapshot_id: Optional[str] = None
    create_timestamp: float = 0.0
    update_timestamp: float = 0.0
    start_time: Optional[float] = None
    end_time: Optional[float] = None

    def with_changes(self, **changes: Any) -> "RunRecord":
        """Return a copy with the given fields replaced."""
        return dataclasses.replace(self, **changes)

    @property
    def is_finished(self) -> bool:
        """True once the run reached SUCCESS, FAILURE or CANCELED."""
        return self.status in FINISHED_STATUSES


@dataclasses.dataclass(frozen=True)
class RunsFilter:
    """Which runs to return; every given criterion must hold (tags: all pairs must match)."""

    run_ids: Optional[Sequence[str]] = None
    job_name: Optional[str] = None
    statuses: Optional[Sequence[RunStatus]] = None
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    created_before: Optional[datetime | float] = None
    created_after: Optional[datetime | float] = None
    updated_before: Optional[datetime | float] = None
    updated_after: Optional[datetime | float] = None
    location_name: Optional[str] = None
    snapshot_id: Optional[str] = None  # the job snapshot a run was launched from
