"""What a run knows while it executes: each step's status and outputs, and how to feed inputs.

Both executors use it: it says whether a step can run, must be skipped, or has to wait, and it
gathers the step's input values from this run's outputs, the parent run's store (re-execution),
input config or input defaults.
"""

from __future__ import annotations

import enum
from typing import Any, Mapping, Optional

from berth.definitions.op_node import OpNode
from berth.execution.errors import MissingStepOutputError
from berth.execution.io_store import FilesystemIOStore
from berth.execution.plan import ExecutionPlan, ExecutionStep

__all__ = ["StepStatus", "Readiness", "RunState"]


class StepStatus(str, enum.Enum):
    """Where a step of this run is."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    SKIPPED = "SKIPPED"


class Readiness(str, enum.Enum):
    """Whether a pending step can start now."""

    READY = "READY"
    WAIT = "WAIT"
    SKIP = "SKIP"


class RunState:
    """Step statuses and in-memory outputs of one run."""

    def __init__(self, plan: ExecutionPlan, nodes: Mapping[str, OpNode], run_id: str,
                 parent_run_id: Optional[str], io_store: FilesystemIOStore) -> None:
        self.plan = plan
        self.nodes = nodes
        self.run_id = run_id
        self.parent_run_id = parent_run_id
        self.io_store = io_store
        self.status: dict[str, StepStatus] = {step.key: StepStatus.PENDING for step in plan.steps}
        self.outputs: dict[tuple[str, str], Any] = {}

    def readiness(self, step: ExecutionStep) -> tuple[Readiness, str]:
        """READY, WAIT (an upstream step of this run is unfinished) or SKIP (with the reason)."""
        for source in step.node.inputs.values():
            for handle in source.handles:
                upstream = self.status.get(handle.node)
                if upstream is None:  # not executed in this run: its output comes from the parent run
                    continue
                if upstream in (StepStatus.PENDING, StepStatus.RUNNING):
                    return Readiness.WAIT, ""
                if upstream != StepStatus.SUCCESS:
                    return Readiness.SKIP, f'upstream step "{handle.node}" did not succeed'
                if (handle.node, handle.output) not in self.outputs:
                    return Readiness.SKIP, f'upstream step "{handle.node}" did not produce output "{handle.output}"'
        return Readiness.READY, ""

    def inputs_for(self, step: ExecutionStep) -> dict[str, Any]:
        """The values of a ready step's data inputs."""
        values: dict[str, Any] = {}
        for definition in step.node.op_def.input_defs:
            if definition.is_nothing:
                continue
            source = step.node.inputs.get(definition.name)
            if source is None:
                if definition.name in step.input_config:
                    values[definition.name] = step.input_config[definition.name]
                elif definition.has_default:
                    values[definition.name] = definition.default_value
                continue
            items = [self._output_value(handle.node, handle.output) for handle in source.handles]
            values[definition.name] = items if source.fan_in else items[0]
        return values

    def record(self, step_key: str, success: bool, outputs: dict[str, Any]) -> None:
        """Note how a step ended and keep its outputs for downstream steps."""
        self.status[step_key] = StepStatus.SUCCESS if success else StepStatus.FAILURE
        for name, value in outputs.items():
            self.outputs[(step_key, name)] = value

    def failed_steps(self) -> list[str]:
        """Steps that failed, in plan order."""
        return [key for key, status in self.status.items() if status == StepStatus.FAILURE]

    def _output_value(self, step_key: str, output_name: str) -> Any:
        if (step_key, output_name) in self.outputs:
            return self.outputs[(step_key, output_name)]
        upstream = self.nodes[step_key].op_def.outs.get(output_name)
        if upstream is not None and upstream.is_nothing:
            return None
        if step_key in self.status:
            raise MissingStepOutputError(f'Step "{step_key}" did not produce output "{output_name}".')
        # A step this run does not execute: its output comes from the parent run, and is copied so that
        # a later re-execution of this run finds it too.
        if self.parent_run_id is None:
            raise MissingStepOutputError(f'Step "{step_key}" is not executed in this run and the run has no '
                                         f'parent run to load its output "{output_name}" from.')
        value = self.io_store.load(self.parent_run_id, step_key, output_name)
        self.io_store.copy_output(self.parent_run_id, self.run_id, step_key, output_name)
        self.outputs[(step_key, output_name)] = value
        return value
