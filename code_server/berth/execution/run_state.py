"""What a run knows while it executes: each step's status and outputs, and how to feed inputs.

Both executors use it: it says whether a step can run, must be skipped, has to wait, or (a node
mapped over a dynamic output) can now be expanded into one step per mapping key; and it gathers
the step's input values from this run's outputs, the parent run's store (re-execution), input
config or input defaults. An output kept by a custom IO manager is handed over as a
``LoadRequest`` that the step resolves with the IO manager's ``load_input``.

A dynamic output's value is kept as a dict ``{mapping_key: value}`` in emission order.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Mapping, Optional

from berth.definitions.op_node import OpNode
from berth.execution.errors import MissingStepOutputError
from berth.execution.plan import ExecutionPlan, ExecutionStep
from berth.output_store import OutputStore

__all__ = ["StepStatus", "Readiness", "RunState", "LoadRequest"]


class StepStatus(str, enum.Enum):
    """Where a step of this run is."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    SKIPPED = "SKIPPED"
    # never became a step: downstream of a mapped node whose dynamic output never came, as Dagster's
    # unresolved steps, which it drops without an event
    ABANDONED = "ABANDONED"


class Readiness(str, enum.Enum):
    """Whether a pending step can start now."""

    READY = "READY"
    WAIT = "WAIT"
    SKIP = "SKIP"
    ABANDON = "ABANDON"
    EXPAND = "EXPAND"


@dataclasses.dataclass(frozen=True)
class LoadRequest:
    """An input value to load with an IO manager: which output of which step, through which manager."""

    step_key: str
    output_name: str
    io_manager_key: str
    mapping_key: Optional[str]
    op_def: Any


class RunState:
    """Step statuses and in-memory outputs of one run."""

    def __init__(self, plan: ExecutionPlan, nodes: Mapping[str, OpNode], run_id: str,
                 parent_run_id: Optional[str], io_store: OutputStore,
                 custom_io_manager_keys: frozenset[str] = frozenset()) -> None:
        self.plan = plan
        self.nodes = nodes
        self.run_id = run_id
        self.parent_run_id = parent_run_id
        self.io_store = io_store
        self.custom_io_manager_keys = custom_io_manager_keys
        self.status: dict[str, StepStatus] = {step.key: StepStatus.PENDING for step in plan.steps}
        self.outputs: dict[tuple[str, str], Any] = {}
        # mapped node -> the keys of its steps, once its dynamic output is known
        self.expanded: dict[str, list[str]] = {}

    def readiness(self, step: ExecutionStep) -> tuple[Readiness, str]:
        """READY, WAIT (an upstream step of this run is unfinished), SKIP (with the reason), EXPAND, or
        ABANDON (an upstream mapped node never resolved: the step silently does not exist)."""
        if step.is_unresolved:
            return self._resolution(step)
        for source in step.node.inputs.values():
            for handle in source.handles:
                for upstream_key in self._upstream_step_keys(step, handle.node, source.collect):
                    verdict = self._upstream_verdict(upstream_key, handle.output)
                    if verdict[0] != Readiness.READY:
                        return verdict
        return Readiness.READY, ""

    def expand(self, step: ExecutionStep) -> list[ExecutionStep]:
        """The steps of a mapped node, one per mapping key of its dynamic output (maybe none).

        In a re-execution that does not run the dynamic op, its values come from the parent run.
        """
        root = step.node.mapped_over
        assert root is not None
        if (root.node, root.output) not in self.outputs and root.node not in self.status and self.parent_run_id:
            self._output_value(root.node, root.output)
        values = self.outputs.get((root.node, root.output)) or {}
        steps = [step.for_mapping_key(mapping_key) for mapping_key in values]
        self.status.pop(step.key, None)
        for concrete in steps:
            self.status[concrete.key] = StepStatus.PENDING
        self.expanded[step.node.name] = [concrete.key for concrete in steps]
        return steps

    def _resolution(self, step: ExecutionStep) -> tuple[Readiness, str]:
        root = step.node.mapped_over
        assert root is not None
        verdict = self._upstream_verdict(root.node, root.output)
        return (Readiness.EXPAND, "") if verdict[0] == Readiness.READY else verdict

    def _upstream_step_keys(self, step: ExecutionStep, node_name: str, collect: bool) -> list[str]:
        """The steps whose output feeds ``step`` from node ``node_name``; [] when one is not known yet."""
        upstream = self.nodes.get(node_name)
        if upstream is None or upstream.mapped_over is None:
            return [node_name]
        if not collect:
            return [f"{node_name}[{step.mapping_key}]"]
        if node_name not in self.expanded:
            return [f"{node_name}[?]"]
        return self.expanded[node_name]

    def _upstream_verdict(self, step_key: str, output: str) -> tuple[Readiness, str]:
        if step_key.endswith("[?]"):  # a mapped node not expanded yet: its unresolved step is pending
            node = step_key[:-3]
            if self.status.get(node) in (StepStatus.PENDING, StepStatus.RUNNING):
                return Readiness.WAIT, ""
            return Readiness.ABANDON, f'upstream step "{node}" never resolved'

        upstream = self.status.get(step_key)
        if upstream is None:  # not executed in this run: its output comes from the parent run
            return Readiness.READY, ""
        if upstream in (StepStatus.PENDING, StepStatus.RUNNING):
            return Readiness.WAIT, ""
        if upstream == StepStatus.ABANDONED:
            return Readiness.ABANDON, f'upstream step "{step_key}" never resolved'
        if upstream != StepStatus.SUCCESS:
            return Readiness.SKIP, f'upstream step "{step_key}" did not succeed'
        if (step_key, output) not in self.outputs:
            return Readiness.SKIP, f'upstream step "{step_key}" did not produce output "{output}"'
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
            items = [self._input_item(step, handle.node, handle.output, source.collect) for handle in source.handles]
            values[definition.name] = items if source.fan_in else items[0]
        return values

    def _input_item(self, step: ExecutionStep, node_name: str, output_name: str, collect: bool) -> Any:
        upstream = self.nodes.get(node_name)
        output = upstream.op_def.outs.get(output_name) if upstream is not None else None
        if output is not None and output.is_dynamic:
            mapping = self._output_value(node_name, output_name)
            keys = list(mapping)
            if collect:
                return [self._maybe_load(node_name, output_name, key, mapping[key]) for key in keys]
            return self._maybe_load(node_name, output_name, step.mapping_key, mapping[step.mapping_key])
        step_keys = self._upstream_step_keys(step, node_name, collect)
        items = []
        for step_key in step_keys:
            mapping_key = step_key[len(node_name) + 1:-1] if step_key != node_name else None
            items.append(self._maybe_load(step_key, output_name, mapping_key,
                                          self._output_value(step_key, output_name)))
        return items if collect and upstream is not None and upstream.mapped_over is not None else items[0]

    def _maybe_load(self, step_key: str, output_name: str, mapping_key: Optional[str], value: Any) -> Any:
        """The value, or a LoadRequest when a custom IO manager keeps it."""
        node = self.nodes.get(step_key.split("[")[0])
        output = node.op_def.outs.get(output_name) if node is not None else None
        if output is None or output.is_nothing or output.io_manager_key not in self.custom_io_manager_keys:
            return value
        return LoadRequest(step_key, output_name, output.io_manager_key, mapping_key, node.op_def)  # type: ignore[union-attr]

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
        upstream = self.nodes[step_key.split("[")[0]].op_def.outs.get(output_name)
        if upstream is not None and upstream.is_nothing:
            return None
        if step_key in self.status:
            raise MissingStepOutputError(f'Step "{step_key}" did not produce output "{output_name}".')
        # A step this run does not execute: its output comes from the parent run, and is copied so that
        # a later re-execution of this run finds it too.
        if self.parent_run_id is None:
            raise MissingStepOutputError(f'Step "{step_key}" is not executed in this run and the run has no '
                                         f'parent run to load its output "{output_name}" from.')
        if upstream is not None and upstream.is_dynamic:
            value = {}
            for mapping_key in self.io_store.mapping_keys(self.parent_run_id, step_key, output_name):
                stored_name = f"{output_name}[{mapping_key}]"
                value[mapping_key] = self.io_store.load(self.parent_run_id, step_key, stored_name)
                self.io_store.copy_output(self.parent_run_id, self.run_id, step_key, stored_name)
        else:
            value = self.io_store.load(self.parent_run_id, step_key, output_name)
            self.io_store.copy_output(self.parent_run_id, self.run_id, step_key, output_name)
        self.outputs[(step_key, output_name)] = value
        return value
