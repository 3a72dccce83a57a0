"""One step's history across a job's runs: what ``SolidHandle.stepStats`` shows for an op."""

from __future__ import annotations

from typing import Optional

from berth.runs import RunsFilter
from berth.storage import RunStorage, StepStats

from .runs import check_page_limit

__all__ = ["step_history"]


def step_history(storage: RunStorage, job_name: str, step_key: str,
                 limit: Optional[int]) -> list[tuple[str, StepStats]]:
    """(run id, the step's stats) for the newest ``limit`` runs of the job that ran this step.

    Runs are matched by job name alone, as Dagster does; a run that skipped the step is left out.
    Several storage reads: call it on the storage's thread pool (``AsyncRunStorage.run``).
    """
    check_page_limit(limit)
    history = []
    for run in storage.get_runs(RunsFilter(job_name=job_name), limit=limit):
        stats = next((s for s in storage.get_step_stats(run.run_id) if s.step_key == step_key), None)
        if stats is not None:
            history.append((run.run_id, stats))
    return history
