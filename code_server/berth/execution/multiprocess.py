"""The multiprocess executor: each step runs in a forked child, at most ``max_concurrent`` at once.

A child inherits the parent's memory (the job, the input values) through fork, runs the step with
the same StepRunner, sends its events and finally its outputs back through a pipe (pickled). The
parent forwards events to ``emit`` as they arrive, so the event log reads the same as in-process.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, cast

from berth.definitions.context import StepLog
from berth.events import EventType, RunEvent, SerializableError
from berth.execution.errors import RunInterrupted
from berth.execution.interrupts import INTERRUPTS
from berth.execution.plan import ExecutionPlan, ExecutionStep
from berth.execution.resources import ResourceInitError, initialized_resources, resource_keys_for_step
from berth.execution.run_state import Readiness, RunState, StepStatus
from berth.execution.step import StepRunner

if TYPE_CHECKING:
    from berth.definitions.resource import ResourceDefinition

__all__ = ["execute_multiprocess"]

# How often the parent looks at should_stop while children run.
_POLL_SECONDS = 0.05
# How long canceled children get to report their interrupted step before they are killed.
_CANCEL_GRACE_SECONDS = 5.0


class _Child:
    """One running step process and the parent's end of its pipe."""

    def __init__(self, step: ExecutionStep, process: Any, connection: multiprocessing.connection.Connection) -> None:
        self.step = step
        self.process = process
        self.connection = connection
        self.result: Optional[tuple[bool, dict[str, Any]]] = None


def execute_multiprocess(plan: ExecutionPlan, state: RunState, runner: StepRunner,
                         should_stop: Callable[[], bool],
                         resource_defs: Optional[Mapping[str, "ResourceDefinition"]] = None) -> bool:
    """Run the plan's steps in child processes; True when the run was canceled.

    Each child sets up the resources its step needs (its op's, its IO managers') and tears them
    down when the step ends, as Dagster's multiprocess executor does.
    """
    from berth.execution.engine import gather_inputs, skip_step

    context = multiprocessing.get_context("fork")
    pending = list(plan.steps)
    running: dict[Any, _Child] = {}
    while pending or running:
        if should_stop():
            _cancel(running, runner, state)
            return True
        for step in list(pending):
            if len(running) >= plan.max_concurrent:
                break
            readiness, reason = state.readiness(step)
            if readiness == Readiness.WAIT:
                continue
            if readiness == Readiness.EXPAND:
                index = pending.index(step)
                pending[index:index + 1] = state.expand(step)
                continue
            pending.remove(step)
            if readiness in (Readiness.SKIP, Readiness.ABANDON):
                skip_step(runner, state, step, reason, abandoned=readiness == Readiness.ABANDON)
                continue
            inputs = gather_inputs(runner, state, step)
            if inputs is None:
                continue
            keys = resource_keys_for_step(step.node, lambda node: _upstream_io_keys(state, node))
            child = _start(context, runner, step, inputs, (resource_defs or {}, keys, plan.resource_config))
            state.status[step.key] = StepStatus.RUNNING
            running[child.connection] = child
        if running:
            _receive(running, runner, state, _POLL_SECONDS)
    return False


def _upstream_io_keys(state: RunState, node: Any) -> set[str]:
    keys = set()
    for source in node.inputs.values():
        for handle in source.handles:
            upstream = state.nodes.get(handle.node)
            output = upstream.op_def.outs.get(handle.output) if upstream is not None else None
            if output is not None and output.io_manager_key in state.custom_io_manager_keys:
                keys.add(output.io_manager_key)
    return keys


def _start(context: Any, runner: StepRunner, step: ExecutionStep, inputs: dict[str, Any],
           resources: tuple[Any, set[str], Any]) -> _Child:
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(runner, step, inputs, sender, resources),
                              name=f"berth-step-{step.key}", daemon=True)
    process.start()
    sender.close()
    return _Child(step, process, receiver)


def _child_main(runner: StepRunner, step: ExecutionStep, inputs: dict[str, Any],
                sender: multiprocessing.connection.Connection, resources: tuple[Any, set[str], Any]) -> None:
    """Entry point of a step process."""
    # SIGTERM interrupts the op wherever it waits, never the sending of an event.
    INTERRUPTS.install()
    signal.signal(signal.SIGINT, signal.SIG_DFL)

    def send_event(event: RunEvent) -> None:
        sender.send(("event", event))

    runner.emit = send_event
    runner.should_stop = lambda: False  # the parent stops children by SIGTERM
    from berth.execution.engine import teardown_error_reporter

    resource_defs, keys, resource_config = resources
    try:
        with initialized_resources(resource_defs, keys, resource_config, runner.run_id,
                                   StepLog(runner.run_id, step.key, send_event),
                                   teardown_error_reporter(runner.run_id, step.key, send_event)) as values:
            runner.resources = values
            result = runner.run(step, inputs)
        sender.send(("done", result.success, dict(result.outputs) if result.success else {}))
    except ResourceInitError as exc:
        send_event(RunEvent(runner.run_id, f'Started execution of step "{step.key}".', EventType.STEP_START,
                            logging.DEBUG, step.key))
        send_event(RunEvent(runner.run_id, f"Initialization of resources {exc.keys} failed.", EventType.STEP_FAILURE,
                            logging.ERROR, step.key, SerializableError.from_exception(exc)))
        sender.send(("done", False, {}))
    except RunInterrupted:
        sender.send(("done", False, {}))
    finally:
        sender.close()


def _receive(running: dict[Any, _Child], runner: StepRunner, state: RunState, timeout: float) -> None:
    """Forward what children sent within ``timeout``; finish children whose pipe closed."""
    for ready in multiprocessing.connection.wait(list(running), timeout=timeout):
        connection = cast("multiprocessing.connection.Connection", ready)  # wait() returns what it is given
        child = running[connection]
        try:
            message = connection.recv()
        except (EOFError, OSError):
            _finish_child(running.pop(connection), runner, state)
            continue
        if message[0] == "event":
            runner.emit(message[1])
        else:
            child.result = (message[1], message[2])


def _finish_child(child: _Child, runner: StepRunner, state: RunState) -> None:
    child.connection.close()
    child.process.join(timeout=5)
    if child.result is None:
        runner.emit(RunEvent(runner.run_id,
                             f'Step process of "{child.step.key}" exited unexpectedly (exit code '
                             f"{child.process.exitcode}).", EventType.STEP_FAILURE, logging.ERROR, child.step.key,
                             SerializableError(f"step process exited with code {child.process.exitcode}",
                                               class_name="StepProcessExited")))
        state.record(child.step.key, False, {})
    else:
        state.record(child.step.key, child.result[0], child.result[1])


def _cancel(running: dict[Any, _Child], runner: StepRunner, state: RunState) -> None:
    """Stop every child: SIGTERM, let them report their interrupted step, then kill stragglers."""
    for child in running.values():
        if child.process.pid is not None:
            try:
                os.kill(child.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + _CANCEL_GRACE_SECONDS
    while running and time.monotonic() < deadline:
        _receive(running, runner, state, _POLL_SECONDS)
    for child in list(running.values()):
        child.process.kill()
        _finish_child(child, runner, state)
    running.clear()
