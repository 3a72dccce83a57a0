"""execute_in_process: run a job in this process and hand back its result, as Dagster's tests do.

```python
result = my_job.execute_in_process(run_config={...})
assert result.success
assert result.output_for_node("add") == 3
```

The run uses berth's engine with the in-process executor (as Dagster's ``execute_in_process``,
which ignores an ``execution`` section), keeps its events in memory and passes outputs between
ops in memory (an op's value need not be picklable); nothing is stored. With
``raise_on_error=True`` (the default) the run stops at the first failed step and that step's
exception is raised again, as Dagster raises the op's own exception; invalid run config raises
``DagsterInvalidConfigError`` either way, a resource that fails in setup ``DagsterResourceFunctionError``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from berth.definitions.errors import DagsterInvalidConfigError, DagsterResourceFunctionError, DefinitionError
from berth.events import RunEvent
from berth.execution.capture import RunCapture
from berth.execution.engine import RunOutcome, execute_job
from berth.execution.errors import RunConfigValidationError
from berth.execution.in_process_result import ExecuteInProcessResult, InProcessRun
from berth.execution.memory_store import MemoryOutputStore
from berth.execution.resources import ResourceInitError
from berth.runs import RunStatus

if TYPE_CHECKING:
    from berth.definitions.job import JobDefinition

__all__ = ["execute_in_process"]


def execute_in_process(job: "JobDefinition", run_config: Optional[Mapping[str, Any]] = None,
                       instance: Any = None, raise_on_error: bool = True,
                       op_selection: Optional[Sequence[str]] = None, tags: Optional[Mapping[str, Any]] = None,
                       resources: Optional[Mapping[str, Any]] = None,
                       run_id: Optional[str] = None) -> ExecuteInProcessResult:
    """Execute ``job`` here and now; see the module docstring."""
    if instance is not None:
        raise DefinitionError("berth's execute_in_process keeps the run in memory and takes no instance "
                              "(instance=None); docs/api.md lists what berth supports.")
    if callable(getattr(run_config, "to_config_dict", None)):  # a RunConfig
        run_config = run_config.to_config_dict()  # type: ignore[union-attr]
    if run_config is not None and not isinstance(run_config, Mapping):
        raise DagsterInvalidConfigError(f"Error in config for job {job.name}: run config must be a dict, "
                                        f"not {type(run_config).__name__}.", [])
    if resources:
        job = job._copy(resource_defs={**job.given_resource_defs, **resources})
    job.check_resources()
    if op_selection is not None:
        job = job.get_subset(op_selection)
    # The job's default config applies when none is given, as at launch; the executor is always
    # in-process, whatever the execution section says (Dagster ignores it here too).
    config = dict(job.default_run_config if run_config is None else run_config)
    config.pop("execution", None)
    run_id = run_id or str(uuid.uuid4())
    events: list[RunEvent] = []
    capture = RunCapture()
    try:
        # With raise_on_error the run stops at the first failed step, whose exception is then
        # raised: as in Dagster, no later step runs.
        outcome = execute_job(job, config, run_id=run_id, emit=events.append, io_store=MemoryOutputStore(),
                              capture=capture, should_stop=lambda: raise_on_error and bool(capture.step_errors))
    except RunConfigValidationError as exc:
        raise DagsterInvalidConfigError(str(exc), exc.errors) from None
    status = {RunOutcome.SUCCESS: RunStatus.SUCCESS, RunOutcome.FAILURE: RunStatus.FAILURE,
              RunOutcome.CANCELED: RunStatus.CANCELED}[outcome]
    all_tags = {**job.tags, **{key: str(value) for key, value in (tags or {}).items()}}
    run = InProcessRun(run_id, job.name, status, config, all_tags)
    if raise_on_error and status != RunStatus.SUCCESS:
        _raise_failure(capture, events)
    return ExecuteInProcessResult(job, run, events, capture)


def _raise_failure(capture: RunCapture, events: Sequence[RunEvent]) -> None:
    """Raise what failed the run: a resource's setup error, else the first failed step's exception."""
    error = capture.resource_error
    if isinstance(error, ResourceInitError):
        raise DagsterResourceFunctionError(str(error)) from error.cause
    for event in events:
        failed = capture.step_errors.get(event.step_key or "")
        if failed is not None:
            raise failed
