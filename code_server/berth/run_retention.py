"""Deleting old finished runs: their tags and events from run storage, their outputs from the output store.

``berth runs prune --older-than 30d`` calls ``prune_runs``. A run is old when it finished (SUCCESS,
FAILURE or CANCELED) before the cutoff: its last update is its end. A run in progress is never
pruned. Each run's outputs go first, then its output file on this host (``$BERTH_HOME/logs/runs/<run
id>.log``, when this machine ran its worker), then the run, so that a prune stopped half-way (the object
store unreachable, say) leaves no outputs that no run owns, and the next prune finishes the job.
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import TYPE_CHECKING, Collection, Optional

from berth.runs import FINISHED_STATUSES, RunRecord, RunsFilter, RunStatus

if TYPE_CHECKING:
    from berth.output_store import OutputStore
    from berth.storage import RunStorage

__all__ = ["PrunedRun", "PruneReport", "parse_age", "prune_runs"]

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_SECONDS_PER_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# Runs are read and deleted this many at a time.
_PAGE = 100


def parse_age(text: str) -> float:
    """Seconds in an age such as ``30d``, ``12h``, ``90m``, ``45s`` or ``2w``; ``ValueError`` otherwise."""
    match = _AGE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an age such as 30d, 12h, 90m, 45s or 2w")
    return float(match.group(1)) * _SECONDS_PER_UNIT[match.group(2)]


@dataclasses.dataclass(frozen=True)
class PrunedRun:
    """One run that was (or, in a dry run, would be) deleted."""

    run_id: str
    job_name: str
    status: str
    ended_at: Optional[float]
    outputs: int  # how many stored outputs it had


@dataclasses.dataclass(frozen=True)
class PruneReport:
    """What a prune did: the cutoff and the runs it deleted (or would delete)."""

    cutoff: float
    dry_run: bool
    runs: list[PrunedRun]

    @property
    def outputs(self) -> int:
        """How many stored outputs the runs had."""
        return sum(run.outputs for run in self.runs)


def prune_runs(storage: "RunStorage", output_store: "OutputStore", older_than: float, *,
               statuses: Optional[Collection[RunStatus]] = None, dry_run: bool = False,
               now: Optional[float] = None) -> PruneReport:
    """Delete the runs that finished more than ``older_than`` seconds ago, with their events and outputs.

    ``statuses`` narrows the runs to some finished statuses; a status that is not finished raises
    ``ValueError``. With ``dry_run`` nothing is deleted and the report says what would be.
    """
    chosen = frozenset(statuses) if statuses else FINISHED_STATUSES
    unfinished = sorted(status.value for status in chosen - FINISHED_STATUSES)
    if unfinished:
        raise ValueError(f"only finished runs are pruned, not {', '.join(unfinished)}")
    cutoff = (time.time() if now is None else now) - older_than
    filters = RunsFilter(statuses=sorted(chosen), updated_before=cutoff)
    pruned: list[PrunedRun] = []
    seen: set[str] = set()
    cursor: Optional[str] = None
    while True:
        # Deleted runs leave the query, so a prune reads the first page again; a dry run pages on.
        page = [run for run in storage.get_runs(filters, cursor=cursor, limit=_PAGE) if run.run_id not in seen]
        if not page:
            break
        for run in page:
            seen.add(run.run_id)
            pruned.append(_prune_one(storage, output_store, run, dry_run))
        if dry_run:
            cursor = page[-1].run_id
    return PruneReport(cutoff, dry_run, pruned)


def _prune_one(storage: "RunStorage", output_store: "OutputStore", run: RunRecord, dry_run: bool) -> PrunedRun:
    try:
        outputs = len(output_store.run_outputs(run.run_id)) if dry_run else output_store.delete_run(run.run_id)
    except ValueError:  # an id the store refuses as a path (not one berth made): it can hold no outputs
        outputs = 0
    if not dry_run:
        from berth.execution.worker_records import delete_run_log

        delete_run_log(run.run_id)
        storage.delete_run(run.run_id)
    return PrunedRun(run.run_id, run.job_name, run.status.value, run.end_time or run.update_timestamp, outputs)
