"""execute_job: run a job's steps in dependency order and report every event.

The in-process executor runs steps one after another in this process; the multiprocess executor
(``execution: {config: {multiprocess: {max_concurrent: N}}}``) runs each step in a forked child.
Both check ``should_stop`` between steps and end with RUN_CANCELED when it turns true (also when
it turned true during the last step); ``RunInterrupted`` raised inside an op (the worker's SIGTERM
handler, ``berth.execution.interrupts``) cancels too.
"""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from berth.config.sources import resolve_env_sources
from berth.definitions.context import StepLog
from berth.definitions.io_manager import DEFAULT_IO_MANAGER_DEF
from berth.events import EventType, RunEvent, SerializableError
from berth.execution.capture import RunCapture
from berth.execution.errors import RunConfigValidationError, RunInterrupted, StepSelectionError
from berth.execution.plan import ExecutionPlan, ExecutionStep, build_plan
from berth.execution.resources import ResourceInitError, initialized_resources
from berth.execution.run_state import Readiness, RunState, StepStatus
from berth.execution.step import StepRunner
from berth.output_store import OutputStore, open_output_store

if TYPE_CHECKING:
    from berth.definitions.job import JobDefinition

__all__ = ["execute_job", "RunOutcome", "RunInterrupted", "RunConfigValidationError", "StepSelectionError"]

Emit = Callable[[RunEvent], Any]


class RunOutcome(str, enum.Enum):
    """How a run ended; the values are RunStatus names."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELED = "CANCELED"


def execute_job(job: "JobDefinition", run_config: Optional[Mapping[str, Any]], *, run_id: str, emit: Emit,
                should_stop: Callable[[], bool] = lambda: False,
                step_keys_to_execute: Optional[Sequence[str]] = None,
                parent_run_id: Optional[str] = None,
                io_store: Optional[OutputStore] = None,
                capture: Optional[RunCapture] = None) -> RunOutcome:
    """Execute ``job`` with ``run_config`` and emit RUN_START ... RUN_SUCCESS/FAILURE/CANCELED.

    ``capture`` (in-process executor only) keeps output values and step exceptions in memory.
    Raises RunConfigValidationError (invalid config) or StepSelectionError (unknown step keys)
    before emitting anything; the caller records those as the run's failure.
    """
    schema = job.run_config_schema
    result = schema.validate(dict(run_config or {}))
    if not result.success:
        raise RunConfigValidationError(job.name, result.errors)
    # {"env": NAME} values are read here, in the worker, and live only in this process's memory:
    # the stored run config (and context.run_config, as in Dagster) keep the variable's name.
    resolved, source_errors = resolve_env_sources(schema.types, schema.root_key, result.value)
    if source_errors:
        raise RunConfigValidationError(job.name, source_errors)
    plan = build_plan(job, resolved, step_keys_to_execute)
    store = io_store or open_output_store()
    resource_defs = job.resource_defs
    custom_io = frozenset(key for key, definition in resource_defs.items() if definition is not DEFAULT_IO_MANAGER_DEF)
    state = RunState(plan, job.nodes, run_id, parent_run_id, store, custom_io)
    runner = StepRunner(run_id, job.name, result.value, emit, store, plan.retries_enabled, should_stop,
                        capture=capture)
    emit(RunEvent(run_id, f'Started execution of run for "{job.name}".', EventType.RUN_START,
                  metadata={"executor": plan.executor}))
    if plan.executor == "multiprocess":
        from berth.execution.multiprocess import execute_multiprocess

        # As in Dagster, each step process sets up the resources its step needs: a resource that
        # fails in setup fails the steps that need it.
        canceled = execute_multiprocess(plan, state, runner, should_stop, resource_defs)
    else:
        # In process, every resource of the job is set up once before the first step, as in Dagster:
        # a resource that fails in setup fails the run before any step.
        log = StepLog(run_id, None, emit)
        try:
            with initialized_resources(resource_defs, resource_defs, plan.resource_config, run_id, log,
                                       teardown_error_reporter(run_id, None, emit)) as values:
                runner.resources = values
                canceled = _execute_in_process(plan, state, runner, should_stop)
        except ResourceInitError as exc:
            if capture is not None:
                capture.resource_error = exc
            emit(RunEvent(run_id, f"Initialization of resources {exc.keys} failed.", EventType.ENGINE_EVENT,
                          logging.ERROR, error=SerializableError.from_exception(exc.cause)))
            emit(RunEvent(run_id, f'Execution of run for "{job.name}" failed. An exception was thrown during '
                          "execution.", EventType.RUN_FAILURE, logging.ERROR,
                          error=SerializableError.from_exception(exc)))
            return RunOutcome.FAILURE
    # A cancel that came while the last step was finishing still cancels: a run whose terminate
    # was accepted never ends SUCCESS.
    canceled = canceled or should_stop()
    return _finish(job.name, run_id, state, canceled, emit)


def _execute_in_process(plan: ExecutionPlan, state: RunState, runner: StepRunner,
                        should_stop: Callable[[], bool]) -> bool:
    """Run the steps in order in this process; True when the run was canceled."""
    queue = list(plan.steps)
    while queue:
        step = queue.pop(0)
        if should_stop():
            return True
        readiness, reason = state.readiness(step)
        if readiness == Readiness.EXPAND:
            queue[0:0] = state.expand(step)
            continue
        if readiness in (Readiness.SKIP, Readiness.ABANDON):
            skip_step(runner, state, step, reason, abandoned=readiness == Readiness.ABANDON)
            continue
        inputs = gather_inputs(runner, state, step)
        if inputs is None:
            continue
        try:
            outcome = runner.run(step, inputs)
        except RunInterrupted as exc:  # raised outside the op's own frames (rare): still a cancel
            runner.emit(RunEvent(runner.run_id, f'Execution of step "{step.key}" was interrupted.',
                                 EventType.STEP_FAILURE, logging.ERROR, step.key,
                                 SerializableError.from_exception(exc)))
            state.record(step.key, False, {})
            return True
        state.record(step.key, outcome.success, dict(outcome.outputs))
        if outcome.interrupted:
            return True
    return False


def teardown_error_reporter(run_id: str, step_key: Optional[str], emit: Emit) -> Callable[[str, BaseException], None]:
    """Report a resource whose teardown failed as an engine event (the run's outcome stays as it is)."""

    def report(key: str, exc: BaseException) -> None:
        emit(RunEvent(run_id, f'Teardown of resource "{key}" failed.', EventType.ENGINE_EVENT, logging.ERROR,
                      step_key, SerializableError.from_exception(exc)))

    return report


def skip_step(runner: StepRunner, state: RunState, step: ExecutionStep, reason: str, abandoned: bool = False) -> None:
    """Mark a step skipped and say why; silently abandon a mapped node whose dynamic output never came
    and whatever depends on it (Dagster drops such unresolved steps without an event)."""
    if abandoned or step.is_unresolved:
        state.status[step.key] = StepStatus.ABANDONED
        return
    state.status[step.key] = StepStatus.SKIPPED
    runner.emit(RunEvent(runner.run_id, f'Skipped execution of step "{step.key}": {reason}.',
                         EventType.STEP_SKIPPED, logging.INFO, step.key, metadata={"reason": reason}))


def gather_inputs(runner: StepRunner, state: RunState, step: ExecutionStep) -> Optional[dict[str, Any]]:
    """The step's input values, or None after reporting the step failed because one is missing."""
    try:
        return state.inputs_for(step)
    except Exception as exc:  # noqa: BLE001 - a missing output, or unpickling (which runs user code) failed
        runner.emit(RunEvent(runner.run_id, f'Started execution of step "{step.key}".', EventType.STEP_START,
                             logging.DEBUG, step.key))
        runner.emit(RunEvent(runner.run_id, f'Execution of step "{step.key}" failed: could not load its inputs.',
                             EventType.STEP_FAILURE, logging.ERROR, step.key, SerializableError.from_exception(exc)))
        state.record(step.key, False, {})
        return None


def _finish(job_name: str, run_id: str, state: RunState, canceled: bool, emit: Emit) -> RunOutcome:
    if canceled:
        emit(RunEvent(run_id, f'Execution of run for "{job_name}" canceled.', EventType.RUN_CANCELED,
                      logging.INFO))
        return RunOutcome.CANCELED
    failed = state.failed_steps()
    if failed:
        emit(RunEvent(run_id, f'Execution of run for "{job_name}" failed. Steps failed: {failed}.',
                      EventType.RUN_FAILURE, logging.ERROR, metadata={"failed_steps": failed}))
        return RunOutcome.FAILURE
    emit(RunEvent(run_id, f'Finished execution of run for "{job_name}".', EventType.RUN_SUCCESS, logging.INFO))
    return RunOutcome.SUCCESS
