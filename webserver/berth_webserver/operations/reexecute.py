"""Re-executing a run: all its steps, or only those that did not succeed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional

from berth.runs import RunRecord, RunStatus

from .errors import ConflictingExecutionParams
from .launch import LaunchRequest, launch_run
from .locations import find_job
from .runs import get_run

if TYPE_CHECKING:
    from ..context import RequestContext

__all__ = ["ALL_STEPS", "FROM_FAILURE", "reexecute_run", "steps_from_failure"]

ALL_STEPS = "ALL_STEPS"
FROM_FAILURE = "FROM_FAILURE"

# Dagster's lineage tags on a re-execution.
PARENT_RUN_ID_TAG = "dagster/parent_run_id"
ROOT_RUN_ID_TAG = "dagster/root_run_id"


async def steps_from_failure(context: "RequestContext", parent: RunRecord) -> list[str]:
    """The steps a from-failure re-execution runs: every step of the parent that did not succeed."""
    if parent.status != RunStatus.FAILURE:
        raise ConflictingExecutionParams(
            f"Cannot re-execute run {parent.run_id} from failure: its status is {parent.status.value}, not FAILURE."
        )
    parent_steps = parent.step_keys_to_execute or parent.op_selection
    if parent_steps is None:
        job_snap = find_job(context.workspace, parent.location_name, parent.repository_name, parent.job_name)
        parent_steps = [op.name for op in job_snap.proto.ops]
    succeeded = {s.step_key for s in await context.storage.get_step_stats(parent.run_id) if s.status == "SUCCESS"}
    steps = [step for step in parent_steps if step not in succeeded]
    if not steps:
        raise ConflictingExecutionParams(f"Run {parent.run_id} has no failed steps to re-execute.")
    return steps


async def reexecute_run(context: "RequestContext", parent_run_id: str, strategy: str,
                        extra_tags: Optional[Mapping[str, str]] = None,
                        use_parent_run_tags: Optional[bool] = None) -> RunRecord:
    """Launch a re-execution of a stored run with its job, config and selection.

    Raises ``RunNotFound``, ``ConflictingExecutionParams`` (from failure of a run that did not
    fail) and what ``launch_run`` raises.
    """
    parent = await get_run(context.storage, parent_run_id)
    root_run_id = parent.root_run_id or parent.run_id
    tags = dict(parent.tags) if use_parent_run_tags is not False else {}
    tags.update(extra_tags or {})
    tags.update({PARENT_RUN_ID_TAG: parent.run_id, ROOT_RUN_ID_TAG: root_run_id})
    step_keys = None
    if strategy == FROM_FAILURE:
        step_keys = await steps_from_failure(context, parent)
    elif strategy != ALL_STEPS:
        raise ConflictingExecutionParams(f"Unsupported re-execution strategy {strategy}.")
    request = LaunchRequest(
        location_name=parent.location_name,
        repository_name=parent.repository_name,
        job_name=parent.job_name,
        run_config=dict(parent.run_config),
        op_selection=list(parent.op_selection) if parent.op_selection is not None else None,
        tags=tags,
        step_keys=step_keys,
        parent_run_id=parent.run_id,
        root_run_id=root_run_id,
    )
    return await launch_run(context, request)
