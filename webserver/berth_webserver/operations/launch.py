"""Launching runs: resolve the job, apply the op selection, validate config, store, launch."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from berth.events import EventType, RunEvent, SerializableError
from berth.run_failure import end_unfinished_run
from berth.runs import RunRecord, RunStatus

from ..launcher import LaunchError
from .errors import InvalidStep, RunConfigInvalid, RunLaunchFailed
from .locations import find_job
from .op_selection import resolve_op_selection

if TYPE_CHECKING:
    from berth.config import ConfigError
    from berth.snapshot import JobSnap
    from berth.storage import RunStorage

    from ..context import RequestContext
    from ..workspace.workspace import Workspace

__all__ = ["LaunchRequest", "launch_run", "merge_config", "prepare_run"]


@dataclass(frozen=True)
class LaunchRequest:
    """What to launch: the job, its run config and selection, tags and lineage."""

    location_name: str
    repository_name: str
    job_name: str
    run_config: Any = None
    op_selection: Optional[Sequence[str]] = None
    tags: Mapping[str, str] = field(default_factory=dict)
    step_keys: Optional[Sequence[str]] = None
    parent_run_id: Optional[str] = None
    root_run_id: Optional[str] = None


def merge_config(defaults: Any, given: Any) -> Any:
    """``given`` laid over ``defaults``, dict by dict (a given value wins)."""
    if isinstance(defaults, Mapping) and isinstance(given, Mapping):
        merged = dict(defaults)
        for key, value in given.items():
            merged[key] = merge_config(defaults.get(key), value) if key in defaults else value
        return merged
    return given


def _applies_to(error: "ConfigError", selected: Optional[list[str]]) -> bool:
    # Config of ops outside the selection is not needed: the subset's schema would not ask for it.
    path = list(error.path)
    if selected is None or len(path) < 2 or path[0] != "ops":
        return True
    return path[1] in selected


def _validated_config(job_snap: "JobSnap", run_config: Any, selected: Optional[list[str]]) -> dict[str, Any]:
    config = merge_config(dict(job_snap.default_run_config or {}), run_config or {})
    result = job_snap.config_schema.validate(config)
    errors = [e for e in result.errors if _applies_to(e, selected)]
    if errors:
        raise RunConfigInvalid(job_snap.name, errors, job_snap.config_schema.types)
    value = dict(result.value) if result.success else config
    return _config_for_selection(value, selected)


def _config_for_selection(config: dict[str, Any], selected: Optional[list[str]]) -> dict[str, Any]:
    # The run executes the subset job, whose schema has no entries for unselected ops: keep
    # only the config of selected nodes (a nested graph "g" stays when "g.op" is selected).
    ops = config.get("ops")
    if selected is None or not isinstance(ops, dict):
        return config
    kept = {name: value for name, value in ops.items()
            if any(s == name or s.startswith(name + ".") for s in selected)}
    return {**config, "ops": kept}


def prepare_run(workspace: "Workspace", request: LaunchRequest) -> RunRecord:
    """The run a request asks for, validated (not stored).

    Raises ``RepositoryNotFound`` / ``JobNotFound``, ``InvalidSubset``, ``InvalidStep`` or
    ``RunConfigInvalid``.
    """
    job_snap = find_job(workspace, request.location_name, request.repository_name, request.job_name)
    selected = resolve_op_selection(job_snap, request.op_selection, request.location_name,
                                    request.repository_name)
    op_names = selected if selected is not None else [op.name for op in job_snap.proto.ops]
    for step_key in request.step_keys or ():
        if step_key not in op_names:
            raise InvalidStep(step_key)
    run_config = _validated_config(job_snap, request.run_config, selected)
    now = time.time()
    return RunRecord(
        run_id=str(uuid.uuid4()),
        job_name=job_snap.name,
        status=RunStatus.NOT_STARTED,
        repository_name=request.repository_name,
        location_name=request.location_name,
        run_config=run_config,
        tags={**dict(job_snap.tags), **dict(request.tags)},
        op_selection=selected,
        step_keys_to_execute=list(request.step_keys) if request.step_keys else None,
        parent_run_id=request.parent_run_id,
        root_run_id=request.root_run_id,
        job_snapshot_id=job_snap.snapshot_id,
        create_timestamp=now,
        update_timestamp=now,
    )


async def launch_run(context: "RequestContext", request: LaunchRequest) -> RunRecord:
    """Validate, store (NOT_STARTED, then STARTING) and launch a run; returns the stored run.

    With a run queue the run is stored QUEUED instead (with a RUN_ENQUEUED event, as Dagster)
    and its launch is left to the dequeuer.

    Raises what ``prepare_run`` raises, and ``RunLaunchFailed`` when the launcher cannot start
    the run. The failure is recorded here, once: the run ends FAILURE with the reason in its log.
    """
    run = prepare_run(context.workspace, request)
    run = run.with_changes(tags={**run.tags, **context.launch_tags()})
    if context.run_queue is not None:
        # The dequeuer (on whichever webserver leads) launches it when the limits allow.
        run = await context.storage.run(_store_queued, run)
        context.run_queue.wake()
        return run
    with context.launcher.launching_run(run.run_id):
        run = await context.storage.run(_store_starting, run)
        try:
            await context.launcher.launch(run)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, LaunchError) else f"{type(exc).__name__}: {exc}"
            await context.storage.run(end_unfinished_run, run.run_id, f"Could not launch the run. {reason}",
                                      error=SerializableError.from_exception(exc))
            raise RunLaunchFailed(run.run_id, reason) from exc
    return await context.storage.get_run(run.run_id) or run


def _store_starting(storage: "RunStorage", run: RunRecord) -> RunRecord:
    storage.add_run(run)
    storage.store_event(RunEvent(run.run_id, f"Launching run of {run.job_name}.", EventType.RUN_STARTING))
    return storage.get_run(run.run_id) or run


def _store_queued(storage: "RunStorage", run: RunRecord) -> RunRecord:
    storage.add_run(run.with_changes(status=RunStatus.QUEUED))
    storage.store_event(RunEvent(run.run_id, "Run queued.", EventType.RUN_ENQUEUED))
    return storage.get_run(run.run_id) or run
