"""What the run monitor does about one unfinished run: the rules, as a pure function.

``judge`` looks at a run (STARTING, STARTED or CANCELING), what its launcher said about its
worker, since when the launcher has been saying so, and the clock, and answers with a
``Verdict`` or None (leave the run alone). The monitor (``run_monitor``) applies verdicts; these
rules hold no state and touch nothing, so they read (and are tested) on their own.

The rules follow Dagster's run monitoring, with its setting names:

- a STARTING run that has not started ``start_timeout_seconds`` after its launch fails
  ("Run timed out due to taking longer than N seconds to start."), its worker stopped if one runs.
  A worker that is GONE does not fail a STARTING run sooner: another webserver may be launching
  it right now (its launching set is not ours), so only the timeout is conclusive — unless the
  launcher saw the launched worker itself fail to start (``WorkerCheck.cannot_start``: a pod whose
  image cannot be pulled), which ends the run after ``grace_seconds`` with that reason;
- a STARTED or CANCELING run whose worker has been GONE for ``grace_seconds`` (two checks at
  least that far apart) ends FAILURE, or CANCELED when it was being canceled;
- a run whose worker could not be checked (UNKNOWN: the location is unreachable or no longer in
  the workspace) for ``unreachable_location_timeout_seconds`` ends the same way, naming the location;
- a CANCELING run whose worker still runs ``cancel_timeout_seconds`` after the cancel ends
  CANCELED and its worker is killed;
- a STARTED run with the tag ``dagster/max_runtime`` (seconds) that has run longer ends FAILURE
  and its worker is stopped, as Dagster does ("Exceeded maximum runtime of N seconds.").
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Mapping, Optional

from berth.runs import RunRecord, RunStatus

from ..worker_check import WorkerCheck, WorkerHealth

__all__ = ["MAX_RUNTIME_TAGS", "RunMonitorSettings", "Verdict", "judge", "max_runtime_of"]

_log = logging.getLogger(__name__)

# Dagster's tag, and the longer spelling its run monitoring also accepts.
MAX_RUNTIME_TAGS = ("dagster/max_runtime", "dagster/max_runtime_seconds")


@dataclasses.dataclass(frozen=True)
class RunMonitorSettings:
    """How often the monitor looks and how long it waits before ending a run (all in seconds).

    The names are those of Dagster's ``run_monitoring`` block in dagster.yaml, plus
    ``grace_seconds``: how long a worker must stay gone before its run is ended.
    """

    enabled: bool = True
    poll_interval_seconds: float = 15.0
    grace_seconds: float = 10.0
    start_timeout_seconds: float = 180.0
    cancel_timeout_seconds: float = 180.0
    unreachable_location_timeout_seconds: float = 300.0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if field.name != "enabled" and not (number and 0 < value < math.inf):
                raise ValueError(f"run monitoring: {field.name} must be a positive number of seconds, "
                                 f"got {value!r}")


@dataclasses.dataclass(frozen=True)
class Verdict:
    """End a run with ``reason`` (FAILURE, or CANCELED when it is CANCELING).

    ``stop_worker``: its worker may still run, so ask the launcher to stop it after the run is
    ended (``kill``: at once, without the terminate grace).
    """

    reason: str
    stop_worker: bool = False
    kill: bool = False


def max_runtime_of(tags: Mapping[str, str]) -> Optional[float]:
    """The run's maximum runtime in seconds from its tags; None when unset or not a positive number."""
    for key in MAX_RUNTIME_TAGS:
        text = tags.get(key)
        if text is None:
            continue
        try:
            seconds = float(text)
        except ValueError:
            _log.warning("ignoring the tag %s=%r: not a number of seconds", key, text)
            return None
        return seconds if seconds > 0 else None
    return None


def _seconds(value: float) -> str:
    return f"{value:g}"


def judge(run: RunRecord, check: WorkerCheck, since: float, now: float,
          settings: RunMonitorSettings) -> Optional[Verdict]:
    """What to do about ``run``, whose launcher has said ``check`` continuously since ``since``."""
    waited = now - since
    if run.status == RunStatus.STARTING and check.health == WorkerHealth.GONE and check.cannot_start:
        if waited < settings.grace_seconds:
            return None
        return Verdict(f"The run worker could not start: {check.reason}. It still could not when checked again "
                       f"{_seconds(waited)} s later.")
    if run.status == RunStatus.STARTING:
        launched_at = run.update_timestamp or run.create_timestamp
        if now - launched_at < settings.start_timeout_seconds:
            return None
        detail = f" ({check.reason})" if check.reason else ""
        return Verdict(f"Run timed out due to taking longer than {_seconds(settings.start_timeout_seconds)} "
                       f"seconds to start{detail}.", stop_worker=check.health != WorkerHealth.GONE, kill=True)
    if check.health == WorkerHealth.GONE and waited >= settings.grace_seconds:
        return Verdict(f"The run worker is gone: {check.reason}. It was still gone when checked again "
                       f"{_seconds(waited)} s later.")
    if check.health == WorkerHealth.UNKNOWN and waited >= settings.unreachable_location_timeout_seconds:
        return Verdict(f"The run's worker could not be checked for {_seconds(waited)} s: {check.reason}. "
                       f"Ending the run, since nothing can say whether it still runs.", stop_worker=True)
    if check.health != WorkerHealth.ALIVE:
        return None
    if run.status == RunStatus.CANCELING:
        if now - run.update_timestamp >= settings.cancel_timeout_seconds:
            return Verdict(f"Run timed out due to taking longer than {_seconds(settings.cancel_timeout_seconds)} "
                           "seconds to cancel; its worker is killed.", stop_worker=True, kill=True)
        return None
    max_runtime = max_runtime_of(run.tags)
    if run.status == RunStatus.STARTED and max_runtime is not None and run.start_time is not None \
            and now - run.start_time > max_runtime:
        return Verdict(f"Exceeded maximum runtime of {_seconds(max_runtime)} seconds (tag dagster/max_runtime): "
                       "the run is terminated.", stop_worker=True)
    return None
