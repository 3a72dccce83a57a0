"""The execution plan of a run: which steps run, with what config, on which executor."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from berth.definitions.run_config_schema import op_config_path
from berth.execution.errors import StepSelectionError

if TYPE_CHECKING:
    from berth.definitions.job import JobDefinition
    from berth.definitions.op_node import OpNode
    from berth.definitions.retry import RetryPolicy

__all__ = ["ExecutionStep", "ExecutionPlan", "build_plan"]


@dataclasses.dataclass(frozen=True)
class ExecutionStep:
    """One step: an op node with its config, the config of its unconnected inputs and its retry policy."""

    key: str
    node: "OpNode"
    op_config: Any
    input_config: Mapping[str, Any]
    retry_policy: Optional["RetryPolicy"]
    mapping_key: Optional[str] = None

    @property
    def is_unresolved(self) -> bool:
        """True for a node mapped over a dynamic output before its mapping keys are known."""
        return self.node.mapped_over is not None and self.mapping_key is None

    def for_mapping_key(self, mapping_key: str) -> "ExecutionStep":
        """The step of this mapped node for one mapping key: ``op[key]``."""
        return dataclasses.replace(self, key=f"{self.node.name}[{mapping_key}]", mapping_key=mapping_key)


@dataclasses.dataclass(frozen=True)
class ExecutionPlan:
    """The steps to execute (in dependency order) and how."""

    job_name: str
    steps: tuple[ExecutionStep, ...]
    executor: str  # "in_process" | "multiprocess"
    max_concurrent: int
    retries_enabled: bool
    resource_config: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def step_keys(self) -> frozenset[str]:
        """Keys of the steps this run executes."""
        return frozenset(step.key for step in self.steps)


def build_plan(job: "JobDefinition", run_config: Mapping[str, Any],
               step_keys_to_execute: Optional[Sequence[str]] = None) -> ExecutionPlan:
    """Plan a run of ``job`` with validated ``run_config`` (defaults filled)."""
    keys = list(job.nodes)
    if step_keys_to_execute is not None:
        unknown = sorted(set(step_keys_to_execute) - set(keys))
        if unknown:
            raise StepSelectionError(f'Job "{job.name}" has no steps {unknown}; its steps are {keys}.')
        selected = set(step_keys_to_execute)
        keys = [key for key in keys if key in selected]
    steps = []
    for key in keys:
        node_config = _lookup(run_config, op_config_path(key)[:-1]) or {}
        steps.append(ExecutionStep(key, job.nodes[key], node_config.get("config"),
                                   node_config.get("inputs") or {}, job.retry_policy_for(key)))
    executor_config = _lookup(run_config, ("execution", "config")) or {"in_process": {}}
    executor, options = next(iter(executor_config.items()))
    options = options or {}
    max_concurrent = options.get("max_concurrent") or os.cpu_count() or 1
    retries = (options.get("retries") or {"enabled": {}})
    return ExecutionPlan(job.name, tuple(steps), executor, int(max_concurrent), "disabled" not in retries,
                         _lookup(run_config, ("resources",)) or {})


def _lookup(value: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
