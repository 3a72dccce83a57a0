"""Executing one step: call the op, collect and store its outputs, retry per its RetryPolicy.

Emits STEP_START / STEP_RESTARTED, STEP_OUTPUT per output, log lines from ``context.log``, then
STEP_SUCCESS, or STEP_UP_FOR_RETRY and another attempt, or STEP_FAILURE with the error.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import time
from typing import Any, Callable, Iterator, Mapping, Optional

from berth.definitions.context import OpExecutionContext
from berth.definitions.errors import Failure
from berth.definitions.io import DynamicOutput, Output
from berth.definitions.resource import Resources
from berth.definitions.user_logger import captured_user_logs
from berth.events import EventType, RunEvent, SerializableError
from berth.execution.capture import RunCapture
from berth.execution.errors import RunInterrupted
from berth.execution.interrupts import INTERRUPTS
from berth.execution.plan import ExecutionStep
from berth.execution.step_io import load_inputs, metadata_entries, metadata_entry_kinds, store_output
from berth.output_store import OutputStore

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
    io_store: OutputStore
    retries_enabled: bool = True
    should_stop: Callable[[], bool] = lambda: False
    # The initialized resources this process holds (all of the run's in-process; a step's own in a child).
    resources: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    # Set by execute_in_process: output values and step exceptions kept in memory for the caller.
    capture: Optional[RunCapture] = None

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
                                     op_def=op_def, node_name=step.node.name, retry_number=attempt,
                                     run_config=self.run_config, emit=self._emit_from_op,
                                     resources=Resources({key: self.resources[key]
                                                          for key in op_def.required_resource_keys}),
                                     mapping_key=step.mapping_key)
        args = (context,) if op_def.has_context_arg else ()
        values = load_inputs(inputs, self.resources, self.run_id, op_def, context.log)
        kwargs = {name: values[name] for name in op_def.input_param_names if name in values}
        kwargs.update({name: self.resources[name] for name in op_def.resource_param_names})
        if op_def.config_param_name is not None:
            from berth.definitions.pythonic_config import model_from_config

            assert op_def.config_model is not None  # set together with config_param_name
            kwargs[op_def.config_param_name] = model_from_config(op_def.config_model, step.op_config or {})
        # Only the op's own code (and what it calls) is interruptible by a cancel; storing its
        # outputs and events below is berth's bookkeeping and is not.
        outputs: dict[str, Any] = {}
        # get_dagster_logger() records become the step's log lines while the op's code runs (a
        # generator op's code runs while its items are read)
        with captured_user_logs(context.log):
            with INTERRUPTS.op_code():
                result = op_def.compute_fn(*args, **kwargs)
            if inspect.isgenerator(result):
                for item in _op_items(result):
                    self._record_item(step, context, outputs, item)
            elif (isinstance(result, list) and len(op_def.output_defs) == 1
                  and any(d.is_dynamic for d in op_def.output_defs)):
                for item in result:
                    self._record_item(step, context, outputs, item)
            else:
                for name, value, metadata in _returned_outputs(op_def, result):
                    self._record(step, context, outputs, name, value, None, metadata)
        for definition in op_def.output_defs:
            if definition.is_dynamic:  # zero values is a valid dynamic output: nothing is mapped over it
                outputs.setdefault(definition.name, {})
        missing = [d.name for d in op_def.output_defs if d.is_required and d.name not in outputs]
        if missing:
            raise StepOutputError(f'Core compute for op "{op_def.name}" did not return an output for non-optional '
                                  f"output \"{missing[0]}\"")
        return outputs

    def _emit_from_op(self, event: RunEvent) -> Any:
        """``context.log`` writes from inside the op: a cancel waits until the write is done."""
        with INTERRUPTS.critical():
            return self.emit(event)

    def _record_item(self, step: ExecutionStep, context: OpExecutionContext, outputs: dict[str, Any],
                     item: Any) -> None:
        if isinstance(item, DynamicOutput):
            self._record(step, context, outputs, item.output_name, item.value, item.mapping_key, item.metadata)
        elif isinstance(item, Output):
            self._record(step, context, outputs, item.output_name, item.value, None, item.metadata)
        else:
            raise StepOutputError(f'Op "{step.node.op_def.name}" yielded {item!r}; an op may only yield Output '
                                  "or DynamicOutput objects.")

    def _record(self, step: ExecutionStep, context: OpExecutionContext, outputs: dict[str, Any], name: str,
                value: Any, mapping_key: Optional[str], metadata: Mapping[str, Any]) -> None:
        op_def = step.node.op_def
        definition = op_def.outs.get(name)
        if definition is None:
            raise StepOutputError(f'Op "{op_def.name}" has no output named "{name}"; its outputs are '
                                  f"{list(op_def.outs)}.")
        if definition.is_dynamic != (mapping_key is not None):
            raise StepOutputError(f'Op "{op_def.name}": output "{name}" is {"" if definition.is_dynamic else "not "}'
                                  f"dynamic; {'yield DynamicOutput' if definition.is_dynamic else 'use Output'} "
                                  "objects for it.")
        if definition.is_dynamic:
            values = outputs.setdefault(name, {})
            if mapping_key in values:
                raise StepOutputError(f'Op "{op_def.name}" yielded mapping key "{mapping_key}" twice for output '
                                      f'"{name}".')
        elif name in outputs:
            raise StepOutputError(f'Op "{op_def.name}" produced output "{name}" twice.')
        all_metadata = {**context.pending_output_metadata.pop((name, mapping_key), {}), **metadata}
        if not definition.is_nothing:
            store_output(io_store=self.io_store, resources=self.resources, run_id=self.run_id, step_key=step.key,
                         op_def=op_def, output_def=definition, value=value, mapping_key=mapping_key,
                         log=context.log, metadata=all_metadata)
        if self.capture is not None:
            self.capture.record_output(step.key, name, mapping_key, value)
        if definition.is_dynamic:
            outputs[name][mapping_key] = value
        else:
            outputs[name] = value
        event_metadata: dict[str, Any] = {"output_name": name, "type_name": definition.type_name}
        if mapping_key is not None:
            event_metadata["mapping_key"] = mapping_key
        if all_metadata:
            event_metadata["entries"] = metadata_entries(all_metadata)
            kinds = metadata_entry_kinds(all_metadata)
            if kinds:
                event_metadata["entry_kinds"] = kinds
        key_text = f' (mapping key "{mapping_key}")' if mapping_key is not None else ""
        self._event(step, EventType.STEP_OUTPUT,
                    f'Yielded output "{name}"{key_text} of type "{definition.type_name}". (Type check passed).',
                    metadata=event_metadata)

    def _failure(self, step: ExecutionStep, exc: BaseException, attempt: int) -> None:
        if self.capture is not None:
            self.capture.record_failure(step.key, exc)
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


def _returned_outputs(op_def: Any, result: Any) -> list[tuple[str, Any, Mapping[str, Any]]]:
    """The (output name, value, metadata) triples of a returned value."""
    definitions = op_def.output_defs
    if isinstance(result, Output):
        return [(result.output_name, result.value, result.metadata)]
    if not definitions:
        return []
    if len(definitions) == 1:
        return [(definitions[0].name, result, {})]
    if not isinstance(result, tuple) or len(result) != len(definitions):
        raise StepOutputError(f'Op "{op_def.name}" has {len(definitions)} outputs and must return a tuple of '
                              f"{len(definitions)} values (or yield Output objects), not {result!r}.")
    triples: list[tuple[str, Any, Mapping[str, Any]]] = []
    for definition, value in zip(definitions, result):
        if isinstance(value, Output):
            triples.append((value.output_name, value.value, value.metadata))
        else:
            triples.append((definition.name, value, {}))
    return triples


def _error_of(exc: BaseException) -> SerializableError:
    if isinstance(exc, Failure) and exc.description:
        base = SerializableError.from_exception(exc)
        return dataclasses.replace(base, message=f"Failure: {exc.description}")
    return SerializableError.from_exception(exc)


def _format_ms(duration_ms: float) -> str:
    return f"{duration_ms:.0f}ms" if duration_ms >= 10 else f"{duration_ms:.2f}ms"
