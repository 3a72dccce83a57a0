"""Executing one step: call the op, collect and store its outputs, retry per its RetryPolicy.

Emits STEP_START / STEP_RESTARTED, STEP_OUTPUT per output, log lines from ``context.log``, then
STEP_SUCCESS, or STEP_UP_FOR_RETRY and another attempt, or STEP_FAILURE with the error.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import time
from typing import Any, Callable, Iterator, Mapping

from berth.definitions.context import OpExecutionContext
from berth.definitions.errors import Failure
from berth.definitions.io import Output
from berth.events import EventType, RunEvent, SerializableError
from berth.execution.errors import RunInterrupted
from berth.execution.interrupts import INTERRUPTS
from berth.execution.io_store import FilesystemIOStore
from berth.execution.plan import ExecutionStep

__all__ = ["StepRunner", "StepResult", "StepOutputError"]

Emit = Callable[[RunEvent], Any]

# Retry delays are slept in slices this long so that a cancel is noticed promptly.
_WAIT_SLICE_SECONDS = 0.05


class StepOutputError(Exception):
    """An op returned or yielded outputs that do not match its output definitions."""


@dataclasses.dataclass(frozen=True)
class StepResult:
    """How a step ended: success, its outputs (name -> value), and whether a cancel interrupted it."""

    success: bool
    outputs: Mapping[str, Any]
    interrupted: bool = False


@dataclasses.dataclass
class StepRunner:
    """What every step of one run shares: the run, where events go, where outputs are stored."""

    run_id: str
    job_name: str
    run_config: Mapping[str, Any]
    emit: Emit
    io_store: FilesystemIOStore
    retries_enabled: bool = True
    should_stop: Callable[[], bool] = lambda: False

    def run(self, step: ExecutionStep, inputs: Mapping[str, Any]) -> StepResult:
        """Execute ``step`` with its input values, retrying as its policy allows."""
        attempt = 0
        policy = step.retry_policy if self.retries_enabled else None
        while True:
            if attempt == 0:
                self._event(step, EventType.STEP_START, f'Started execution of step "{step.key}".')
            else:
                self._event(step, EventType.STEP_RESTARTED,
                            f'Started re-execution (attempt # {attempt + 1}) of step "{step.key}".',
                            metadata={"attempt": attempt + 1})
            started = time.perf_counter()
            try:
                outputs = self._compute(step, inputs, attempt)
            except RunInterrupted as exc:
                self._failure(step, exc, attempt)
                return StepResult(False, {}, interrupted=True)
            except Exception as exc:  # noqa: BLE001 - user code may raise anything; the step fails with it
                may_retry = not (isinstance(exc, Failure) and not exc.allow_retries)
                if policy is not None and may_retry and attempt < policy.max_retries:
                    attempt += 1
                    delay = policy.delay_for(attempt)
                    self._event(step, EventType.STEP_UP_FOR_RETRY,
                                f'Execution of step "{step.key}" failed and has requested a retry'
                                + (f" in {delay:g} seconds." if delay else "."),
                                error=SerializableError.from_exception(exc),
                                metadata={"attempt": attempt, "max_retries": policy.max_retries, "delay": delay})
                    if not self._wait(delay):
                        return StepResult(False, {}, interrupted=True)
                    continue
                self._failure(step, exc, attempt)
                return StepResult(False, {})
            duration_ms = (time.perf_counter() - started) * 1000
            self._event(step, EventType.STEP_SUCCESS,
                        f'Finished execution of step "{step.key}" in {_format_ms(duration_ms)}.',
                        metadata={"duration_ms": round(duration_ms, 3), "attempt": attempt + 1})
            return StepResult(True, outputs)

    def _compute(self, step: ExecutionStep, inputs: Mapping[str, Any], attempt: int) -> dict[str, Any]:
        op_def = step.node.op_def
        context = OpExecutionContext(op_config=step.op_config, run_id=self.run_id, job_name=self.job_name,
                                     op_def=op_def, node_name=step.key, retry_number=attempt,
                                     run_config=self.run_config, emit=self._emit_from_op)
        args = (context,) if op_def.has_context_arg else ()
        kwargs = {name: inputs[name] for name in op_def.input_param_names if name in inputs}
        # Only the op's own code (and what it calls) is interruptible by a cancel; storing its
        # outputs and events below is berth's bookkeeping and is not.
        with INTERRUPTS.op_code():
            result = op_def.compute_fn(*args, **kwargs)
        outputs: dict[str, Any] = {}
        if inspect.isgenerator(result):
            for item in _op_items(result):
                if not isinstance(item, Output):
                    raise StepOutputError(f'Op "{op_def.name}" yielded {item!r}; an op may only yield Output objects.')
                self._record(step, outputs, item.output_name, item.value)
        else:
            for name, value in _returned_outputs(op_def, result):
                self._record(step, outputs, name, value)
        missing = [d.name for d in op_def.output_defs if d.is_required and d.name not in outputs]
        if missing:
            raise StepOutputError(f'Op "{op_def.name}" did not return an output for non-optional outputs {missing}.')
        return outputs

    def _emit_from_op(self, event: RunEvent) -> Any:
        """``context.log`` writes from inside the op: a cancel waits until the write is done."""
        with INTERRUPTS.critical():
            return self.emit(event)

    def _record(self, step: ExecutionStep, outputs: dict[str, Any], name: str, value: Any) -> None:
        definition = step.node.op_def.outs.get(name)
        if definition is None:
            raise StepOutputError(f'Op "{step.node.op_def.name}" has no output named "{name}"; its outputs are '
                                  f"{list(step.node.op_def.outs)}.")
        if name in outputs:
            raise StepOutputError(f'Op "{step.node.op_def.name}" produced output "{name}" twice.')
        if not definition.is_nothing:
            self.io_store.store(self.run_id, step.key, name, value)
        outputs[name] = value
        self._event(step, EventType.STEP_OUTPUT,
                    f'Yielded output "{name}" of type "{definition.type_name}". (Type check passed).',
                    metadata={"output_name": name, "type_name": definition.type_name})

    def _failure(self, step: ExecutionStep, exc: BaseException, attempt: int) -> None:
        self._event(step, EventType.STEP_FAILURE, f'Execution of step "{step.key}" failed.',
                    level=logging.ERROR, error=_error_of(exc), metadata={"attempt": attempt + 1})

    def _wait(self, seconds: float) -> bool:
        """Sleep before a retry; False when the run was asked to stop meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            if self.should_stop():
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            time.sleep(min(remaining, _WAIT_SLICE_SECONDS))

    def _event(self, step: ExecutionStep, event_type: EventType, message: str, *, level: int = logging.DEBUG,
               error: SerializableError | None = None, metadata: Mapping[str, Any] | None = None) -> None:
        self.emit(RunEvent(self.run_id, message, event_type, level, step.key, error, dict(metadata or {})))


def _op_items(generator: Iterator[Any]) -> Iterator[Any]:
    """The items an op generator yields, each computed as interruptible op code."""
    while True:
        with INTERRUPTS.op_code():
            try:
                item = next(generator)
            except StopIteration:
                return
        yield item


def _returned_outputs(op_def: Any, result: Any) -> list[tuple[str, Any]]:
    """The (output name, value) pairs of a returned value."""
    definitions = op_def.output_defs
    if isinstance(result, Output):
        return [(result.output_name, result.value)]
    if not definitions:
        return []
    if len(definitions) == 1:
        return [(definitions[0].name, result)]
    if not isinstance(result, tuple) or len(result) != len(definitions):
        raise StepOutputError(f'Op "{op_def.name}" has {len(definitions)} outputs and must return a tuple of '
                              f"{len(definitions)} values (or yield Output objects), not {result!r}.")
    pairs = []
    for definition, value in zip(definitions, result):
        if isinstance(value, Output):
            pairs.append((value.output_name, value.value))
        else:
            pairs.append((definition.name, value))
    return pairs


def _error_of(exc: BaseException) -> SerializableError:
    if isinstance(exc, Failure) and exc.description:
        base = SerializableError.from_exception(exc)
        return dataclasses.replace(base, message=f"Failure: {exc.description}")
    return SerializableError.from_exception(exc)


def _format_ms(duration_ms: float) -> str:
    return f"{duration_ms:.0f}ms" if duration_ms >= 10 else f"{duration_ms:.2f}ms"
