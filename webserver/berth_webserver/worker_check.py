"""What a run launcher can tell about the worker of an unfinished run, for the run monitor.

Every launcher (a run forked by its location's code server, a run as a Kubernetes Job) answers
``check_workers(runs)`` with one ``WorkerCheck`` per run id; the run monitor fails or cancels
the runs whose worker is ``GONE`` (after checking again) and waits on ``UNKNOWN`` ones up to
its timeout.
"""

from __future__ import annotations

import dataclasses
import enum

__all__ = ["WorkerCheck", "WorkerHealth"]


class WorkerHealth(enum.Enum):
    """Whether a run's worker is still there."""

    ALIVE = "alive"  # its worker runs, or it is being launched right now
    GONE = "gone"  # provably not running (``reason`` says what happened to it)
    UNKNOWN = "unknown"  # could not tell: the location or the cluster API did not answer


@dataclasses.dataclass(frozen=True)
class WorkerCheck:
    """One run's worker health, with a reason a user can read in the run's event log."""

    health: WorkerHealth
    reason: str = ""
    # GONE because the launched worker itself provably cannot run (a Kubernetes pod whose image
    # cannot be pulled): the launch is over, so even a STARTING run may be ended after the grace.
    cannot_start: bool = False
