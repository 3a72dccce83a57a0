"""ExecuteInProcessResult: what ``job.execute_in_process()`` answers, with Dagster's API for it.

Events are ``InProcessEvent`` views of berth's ``RunEvent`` with the attribute names Dagster's
``DagsterEvent`` uses in tests (``event_type_value``, ``step_key``, ``is_step_success``, ...).
Outputs are read from the values the run kept in memory (``RunCapture``), by node name as
Dagster names nodes: ``"op"``, ``"graph.op"``, or a graph node (followed through its output
mappings); a dynamic output, or an op mapped over one, answers a dict by mapping key.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from berth.definitions.errors import DagsterInvariantViolationError
from berth.events import EventType, RunEvent, SerializableError
from berth.runs import RunStatus

if TYPE_CHECKING:
    from berth.definitions.composition import NodeEntry
    from berth.definitions.graph import GraphDefinition
    from berth.definitions.job import JobDefinition
    from berth.execution.capture import RunCapture

__all__ = ["DagsterRunStatus", "ExecuteInProcessResult", "InProcessRun", "InProcessEvent"]

# Dagster's name for a run's status (``result.dagster_run.status == DagsterRunStatus.SUCCESS``).
DagsterRunStatus = RunStatus

_MAPPING_KEY = re.compile(r"\[[^\]]*\]$")


@dataclasses.dataclass(frozen=True)
class InProcessEvent:
    """One structured event of the run (plain log lines are not events, as in Dagster)."""

    event: RunEvent

    @property
    def event_type(self) -> EventType:
        """The event's type (its value is Dagster's event type name)."""
        assert self.event.event_type is not None  # only structured events are wrapped
        return self.event.event_type

    @property
    def event_type_value(self) -> str:
        """Dagster's name of the event type: ``STEP_SUCCESS``, ``PIPELINE_FAILURE``, ..."""
        return self.event_type.value

    @property
    def step_key(self) -> Optional[str]:
        """The step the event is about (None for run events)."""
        return self.event.step_key

    @property
    def node_name(self) -> Optional[str]:
        """The node's full name (``graph.op``), without a mapping key."""
        return _node_of(self.event.step_key) if self.event.step_key else None

    @property
    def message(self) -> str:
        """The event's message."""
        return self.event.message

    @property
    def error(self) -> Optional[SerializableError]:
        """The error of a failure event."""
        return self.event.error

    @property
    def metadata(self) -> Mapping[str, Any]:
        """The event's extras (output name, attempt, ...)."""
        return self.event.metadata

    @property
    def is_step_event(self) -> bool:
        return self.event.step_key is not None

    @property
    def is_step_start(self) -> bool:
        return self.event.event_type == EventType.STEP_START

    @property
    def is_step_success(self) -> bool:
        return self.event.event_type == EventType.STEP_SUCCESS

    @property
    def is_step_failure(self) -> bool:
        return self.event.event_type == EventType.STEP_FAILURE

    @property
    def is_step_skipped(self) -> bool:
        return self.event.event_type == EventType.STEP_SKIPPED

    @property
    def is_successful_output(self) -> bool:
        return self.event.event_type == EventType.STEP_OUTPUT

    @property
    def is_failure(self) -> bool:
        return self.event.event_type in (EventType.STEP_FAILURE, EventType.RUN_FAILURE)


@dataclasses.dataclass(frozen=True)
class InProcessRun:
    """The run record of an in-process run (Dagster's ``DagsterRun``): id, job, status, config, tags."""

    run_id: str
    job_name: str
    status: RunStatus
    run_config: Mapping[str, Any]
    tags: Mapping[str, str]

    @property
    def is_success(self) -> bool:
        return self.status == RunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status == RunStatus.FAILURE


class ExecuteInProcessResult:
    """The outcome of ``execute_in_process``: success, events and the output values of the run."""

    def __init__(self, job_def: "JobDefinition", run: InProcessRun, events: Sequence[RunEvent],
                 capture: "RunCapture") -> None:
        self.job_def = job_def
        self.dagster_run = run
        self._events = [InProcessEvent(event) for event in events if event.event_type is not None]
        self._capture = capture

    @property
    def success(self) -> bool:
        """True when the run succeeded."""
        return self.dagster_run.status == RunStatus.SUCCESS

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.dagster_run.run_id

    @property
    def all_events(self) -> list[InProcessEvent]:
        """Every structured event of the run, in order."""
        return list(self._events)

    @property
    def all_node_events(self) -> list[InProcessEvent]:
        """Every step event of the run, in order."""
        return [event for event in self._events if event.is_step_event]

    def events_for_node(self, node_name: str) -> list[InProcessEvent]:
        """The step events of a node (of every node inside it, for a graph node)."""
        return [event for event in self.all_node_events
                if event.node_name == node_name or (event.node_name or "").startswith(node_name + ".")]

    def filter_events(self, event_filter: Callable[[InProcessEvent], bool]) -> list[InProcessEvent]:
        """The events for which ``event_filter`` is true."""
        return [event for event in self._events if event_filter(event)]

    def get_step_success_events(self) -> list[InProcessEvent]:
        return [event for event in self._events if event.is_step_success]

    def get_step_failure_events(self) -> list[InProcessEvent]:
        return [event for event in self._events if event.is_step_failure]

    def get_step_skipped_events(self) -> list[InProcessEvent]:
        return [event for event in self._events if event.is_step_skipped]

    def get_failed_step_keys(self) -> set[str]:
        return {event.step_key for event in self.get_step_failure_events() if event.step_key}

    def get_run_success_event(self) -> InProcessEvent:
        return self._run_event(EventType.RUN_SUCCESS)

    def get_run_failure_event(self) -> InProcessEvent:
        return self._run_event(EventType.RUN_FAILURE)

    def is_node_success(self, node_name: str) -> bool:
        return any(event.is_step_success for event in self.events_for_node(node_name))

    def is_node_failed(self, node_name: str) -> bool:
        return any(event.is_step_failure for event in self.events_for_node(node_name))

    def is_node_skipped(self, node_name: str) -> bool:
        return any(event.is_step_skipped for event in self.events_for_node(node_name))

    def is_node_untouched(self, node_name: str) -> bool:
        return not self.events_for_node(node_name)

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value of one output of a node (``"op"``, ``"graph.op"``, or a graph node)."""
        graph = self.job_def.graph
        parts = node_str.split(".")
        for part in parts[:-1]:
            graph = _as_graph(self._entry(graph, part, node_str).definition, self.job_def.name, node_str)
        definition = self._entry(graph, parts[-1], node_str).definition
        if output_name not in definition.output_names:
            raise DagsterInvariantViolationError(f"{definition.name} has no output named {output_name}.")
        mappings = getattr(definition, "output_mappings", None)
        if mappings is not None:  # a graph node: its output is an inner node's
            inner_node, inner_output = mappings[output_name]
            return self.output_for_node(f"{node_str}.{inner_node}", inner_output)
        if node_str not in self.job_def.nodes:
            raise DagsterInvariantViolationError(f"{self.job_def.name} has no op named {node_str}.")
        return self._captured(node_str, output_name)

    def _entry(self, graph: "GraphDefinition", name: str, node_str: str) -> "NodeEntry":
        entry = graph.nodes.get(name)
        if entry is None:
            raise DagsterInvariantViolationError(f"{self.job_def.name} has no op named {node_str}.")
        return entry

    def output_value(self, output_name: str = "result") -> Any:
        """The value of one output of the job's own graph (a job made from a graph that returns values)."""
        mappings = self.job_def.graph.output_mappings
        if not mappings:
            raise DagsterInvariantViolationError(f"Attempted to retrieve top-level outputs for "
                                                 f"'{self.job_def.name}', which has no outputs.")
        if output_name not in mappings:
            raise DagsterInvariantViolationError(f"Output '{output_name}' not defined in job "
                                                 f"'{self.job_def.name}'.")
        node, inner_output = mappings[output_name]
        return self.output_for_node(node, inner_output)

    def _captured(self, node_name: str, output_name: str) -> Any:
        keyed: dict[str, Any] = {}
        for (step_key, name, mapping_key), value in self._capture.outputs.items():
            if name != output_name or _node_of(step_key) != node_name:
                continue
            if step_key == node_name and mapping_key is None:
                return value
            # a dynamic output ({mapping key: value}) or a node mapped over one (one value per copy)
            key = mapping_key if mapping_key is not None else step_key[len(node_name) + 1:-1]
            keyed[key] = value
        if keyed or self._dynamic_ran(node_name, output_name):
            return keyed
        raise DagsterInvariantViolationError(f"No outputs found for output '{output_name}' from node "
                                             f"'{node_name}'.")

    def _dynamic_ran(self, node_name: str, output_name: str) -> bool:
        """True when a dynamic output produced zero values (its step succeeded)."""
        node = self.job_def.nodes[node_name]
        definition = node.op_def.outs.get(output_name)
        return bool(definition is not None and definition.is_dynamic and self.is_node_success(node_name))

    def _run_event(self, event_type: EventType) -> InProcessEvent:
        for event in self._events:
            if event.event.event_type == event_type:
                return event
        raise DagsterInvariantViolationError(f"The run did not emit {event_type.value}.")


def _node_of(step_key: str) -> str:
    """The node of a step key: ``op[key]`` -> ``op``."""
    return _MAPPING_KEY.sub("", step_key)


def _as_graph(definition: Any, job_name: str, node_str: str) -> "GraphDefinition":
    from berth.definitions.graph import GraphDefinition

    if not isinstance(definition, GraphDefinition):
        raise DagsterInvariantViolationError(f"{job_name} has no op named {node_str}.")
    return definition
