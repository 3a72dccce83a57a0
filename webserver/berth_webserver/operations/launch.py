"""Launching runs: resolve the job, apply the op selection, validate config, store, launch."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from berth.events import EventType, RunEvent, SerializableError
from berth.runs import RunRecord, RunStatus

from .errors import InvalidStep, InvalidSubset, RunConfigInvalid, RunLaunchFailed
from .locations import find_job
from .op_selection import select_ops

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


def _selected_ops(request: LaunchRequest, job_snap: Any) -> Optional[list[str]]:
    if not request.op_selection:
        return None
    upstream = {op.name: list(op.upstream_op_names) for op in job_snap.proto.ops}
    try:
        return select_ops(upstream, request.op_selection)
    except KeyError as exc:
        raise InvalidSubset(
            f"No qualified ops to execute found for op_selection={list(request.op_selection)}: "
            f"{exc.args[0]!r} matches no op of job {job_snap.name}",
            request.location_name, request.repository_name, request.job_name,
        ) from None


def _applies_to(error: Any, selected: Optional[list[str]]) -> bool:
    # Config of ops outside the selection is not needed: the subset's schema would not ask for it.
    path = list(error.path)
    if selected is None or len(path) < 2 or path[0] != "ops":
        return True
    return path[1] in selected


def _validated_config(job_snap: Any, run_config: Any, selected: Optional[list[str]]) -> dict:
    config = merge_config(dict(job_snap.default_run_config or {}), run_config or {})
    result = job_snap.config_schema.validate(config)
    errors = [e for e in result.errors if _applies_to(e, selected)]
    if errors:
        raise RunConfigInvalid(job_snap.name, errors, job_snap.config_schema.types)
    value = dict(result.value) if result.success else config
    return _config_for_selection(value, selected)


def _config_for_selection(config: dict, selected: Optional[list[str]]) -> dict:
    # The run executes the subset job, whose schema has no entries for unselected ops: keep
    # only the config of selected nodes (a nested graph "g" stays when "g.op" is selected).
    ops = config.get("ops")
    if selected is None or not isinstance(ops, dict):
        return config
    kept = {name: value for name, value in ops.items()
            if any(s == name or s.startswith(name + ".") for s in selected)}
    return {**config, "ops": kept}


def prepare_run(workspace: Any, request: LaunchRequest) -> RunRecord:
    """The run a request asks for, validated (not stored).

    Raises ``RepositoryNotFound`` / ``JobNotFound``, ``InvalidSubset``, ``InvalidStep`` or
    ``RunConfigInvalid``.
    """
    job_snap = find_job(workspace, request.location_name, request.repository_name, request.job_name)
    selected = _selected_ops(request, job_snap)
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


async def launch_run(context: Any, request: LaunchRequest) -> RunRecord:
    """Validate, store (NOT_STARTED, then STARTING) and launch a run; returns the stored run.

    Raises what ``prepare_run`` raises, and ``RunLaunchFailed`` when the launcher cannot start
    the run (the run is then marked FAILURE, with the reason in its event log).
    """
    storage = context.storage
    run = prepare_run(context.workspace, request)
    run = storage.add_run(run.with_changes(tags={**run.tags, **context.launch_tags()}))
    storage.store_event(RunEvent(run.run_id, f"Launching run of {run.job_name}.", EventType.RUN_STARTING))
    run = storage.get_run(run.run_id) or run
    try:
        await context.launcher.launch(run)
    except Exception as exc:  # noqa: BLE001 - any launch failure fails the run, not the request
        _record_launch_failure(storage, run, exc)
        raise RunLaunchFailed(run.run_id, getattr(exc, "message", None) or str(exc)) from exc
    return storage.get_run(run.run_id) or run


def _record_launch_failure(storage: Any, run: RunRecord, exc: Exception) -> None:
    """Mark the run FAILURE unless the launcher did already (it records LaunchError itself)."""
    current = storage.get_run(run.run_id)
    if current is None or current.is_finished:
        return
    storage.store_event(RunEvent(run.run_id, f"Could not launch the run: {exc}", EventType.ENGINE_EVENT,
                                 level=logging.ERROR, error=SerializableError.from_exception(exc)))
    storage.store_event(RunEvent(run.run_id, "Run failed: it could not be launched.", EventType.RUN_FAILURE,
                                 level=logging.ERROR))
