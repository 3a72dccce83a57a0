"""What an op sees while it runs: its config, the run, and a log that becomes run events."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from berth.events import RunEvent

if TYPE_CHECKING:
    from berth.definitions.op import OpDefinition

__all__ = ["OpExecutionContext", "StepLog", "build_op_context"]


class StepLog:
    """``context.log``: each call emits a log-line run event (no event type) for the step."""

    def __init__(self, run_id: str, step_key: Optional[str], emit: Optional[Callable[[RunEvent], Any]]) -> None:
        self._run_id = run_id
        self._step_key = step_key
        self._emit = emit
        self._python_logger = logging.getLogger("berth.op")

    def log(self, level: int, msg: Any, *args: Any) -> None:
        """Log ``msg`` (``%``-formatted with ``args``) at ``level``."""
        message = str(msg) % args if args else str(msg)
        if self._emit is None:
            self._python_logger.log(level, message)
            return
        self._emit(RunEvent(self._run_id, message, None, level, self._step_key))

    def debug(self, msg: Any, *args: Any) -> None:
        """Log at DEBUG."""
        self.log(logging.DEBUG, msg, *args)

    def info(self, msg: Any, *args: Any) -> None:
        """Log at INFO."""
        self.log(logging.INFO, msg, *args)

    def warning(self, msg: Any, *args: Any) -> None:
        """Log at WARNING."""
        self.log(logging.WARNING, msg, *args)

    warn = warning

    def error(self, msg: Any, *args: Any) -> None:
        """Log at ERROR."""
        self.log(logging.ERROR, msg, *args)

    def critical(self, msg: Any, *args: Any) -> None:
        """Log at CRITICAL."""
        self.log(logging.CRITICAL, msg, *args)

    def exception(self, msg: Any, *args: Any) -> None:
        """Log at ERROR (the current exception is in the step's failure event anyway)."""
        self.log(logging.ERROR, msg, *args)


class OpExecutionContext:
    """The first argument of an op: ``op_config``, ``log``, ``run_id``, ``job_name``, ``op_def``..."""

    def __init__(self, *, op_config: Any = None, run_id: str = "", job_name: str = "",
                 op_def: Optional["OpDefinition"] = None, node_name: str = "", retry_number: int = 0,
                 run_config: Optional[Mapping[str, Any]] = None,
                 emit: Optional[Callable[[RunEvent], Any]] = None, resources: Any = None,
                 mapping_key: Optional[str] = None) -> None:
        self._op_config = op_config
        self._run_id = run_id
        self._job_name = job_name
        self._op_def = op_def
        self._node_name = node_name
        self._step_key = node_name if mapping_key is None else f"{node_name}[{mapping_key}]"
        self._retry_number = retry_number
        self._run_config = dict(run_config or {})
        self._log = StepLog(run_id, self._step_key or None, emit)
        self._resources = resources
        self._mapping_key = mapping_key
        # (output name, mapping key) -> metadata added by add_output_metadata, taken when the output is stored
        self.pending_output_metadata: dict[tuple[str, Optional[str]], dict[str, Any]] = {}

    @property
    def resources(self) -> Any:
        """The resources the op requires, as attributes (``context.resources.db``)."""
        if self._resources is None:
            from berth.definitions.resource import Resources

            self._resources = Resources({})
        return self._resources

    def get_mapping_key(self) -> Optional[str]:
        """The mapping key of this step when it runs for one value of a dynamic output."""
        return self._mapping_key

    def add_output_metadata(self, metadata: Mapping[str, Any], output_name: Optional[str] = None,
                            mapping_key: Optional[str] = None) -> None:
        """Attach metadata to an output's event (the only output when ``output_name`` is not given)."""
        if output_name is None:
            outputs = self._op_def.output_names if self._op_def is not None else ["result"]
            if len(outputs) != 1:
                raise ValueError("add_output_metadata needs output_name for an op with several outputs")
            output_name = outputs[0]
        self.pending_output_metadata.setdefault((output_name, mapping_key), {}).update(metadata)

    @property
    def op_config(self) -> Any:
        """The op's validated config, defaults filled."""
        return self._op_config

    @property
    def log(self) -> StepLog:
        """The step's log: its lines become run events."""
        return self._log

    @property
    def run_id(self) -> str:
        """The id of the run executing this op."""
        return self._run_id

    @property
    def job_name(self) -> str:
        """The name of the job being run."""
        return self._job_name

    @property
    def op_def(self) -> Optional["OpDefinition"]:
        """The op's definition."""
        return self._op_def

    @property
    def op_handle(self) -> str:
        """The node name of this op in the job (``graph.op`` inside nested graphs)."""
        return self._node_name

    node_handle = op_handle

    @property
    def step_key(self) -> str:
        """The key of the step executing this op (its node name, with ``[mapping_key]`` when mapped)."""
        return self._step_key

    @property
    def retry_number(self) -> int:
        """0 on the first attempt, then 1, 2, ... on retries."""
        return self._retry_number

    @property
    def run_config(self) -> Mapping[str, Any]:
        """The run's whole validated run config."""
        return self._run_config


def build_op_context(op_config: Any = None, *, op_def: Optional["OpDefinition"] = None,
                     run_id: str = "", job_name: str = "", resources: Optional[Mapping[str, Any]] = None,
                     config: Any = None) -> OpExecutionContext:
    """A context for calling an op directly (in tests); its log goes to the ``berth.op`` logger."""
    from berth.definitions.resource import Resources

    return OpExecutionContext(op_config=op_config if op_config is not None else config, run_id=run_id,
                              job_name=job_name, op_def=op_def, node_name=op_def.name if op_def else "",
                              resources=Resources(resources or {}))
