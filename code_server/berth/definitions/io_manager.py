"""IO managers: resources that store an op's outputs (``handle_output``) and load them as inputs (``load_input``).

The resource key ``io_manager`` is berth's output store unless a job or ``Definitions`` binds
another one; an ``Out(io_manager_key=...)`` picks another key for one output.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence

from berth.definitions.resource import ResourceDefinition

__all__ = ["DEFAULT_IO_MANAGER_DEF", "DEFAULT_IO_MANAGER_KEY", "IOManager", "IOManagerDefinition", "InputContext",
           "OutputContext", "OutputStoreIOManager", "io_manager"]

DEFAULT_IO_MANAGER_KEY = "io_manager"


class OutputContext:
    """What ``handle_output`` knows about the output it stores."""

    def __init__(self, *, step_key: str, name: str, run_id: str, op_def: Any = None,
                 mapping_key: Optional[str] = None, metadata: Optional[Mapping[str, Any]] = None,
                 resource_config: Any = None, log: Any = None, output_metadata_sink: Optional[dict] = None) -> None:
        self.step_key = step_key
        self.name = name
        self.run_id = run_id
        self.op_def = op_def
        self.mapping_key = mapping_key
        self.definition_metadata = dict(metadata or {})
        self.metadata = self.definition_metadata
        self.resource_config = resource_config
        self.log = log
        self._output_metadata_sink = output_metadata_sink

    @property
    def has_asset_key(self) -> bool:
        """False: berth runs ops, not assets."""
        return False

    def get_identifier(self) -> list[str]:
        """Run id, step key and output name (and mapping key): where Dagster's IO managers keep it."""
        parts = [self.run_id, self.step_key, self.name]
        return parts + [self.mapping_key] if self.mapping_key else parts

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata to the output's event."""
        if self._output_metadata_sink is not None:
            self._output_metadata_sink.update(metadata)


class InputContext:
    """What ``load_input`` knows: the input and the upstream output it reads."""

    def __init__(self, *, name: str, upstream_output: OutputContext, op_def: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None, log: Any = None) -> None:
        self.name = name
        self.upstream_output = upstream_output
        self.op_def = op_def
        self.definition_metadata = dict(metadata or {})
        self.metadata = self.definition_metadata
        self.log = log

    @property
    def has_asset_key(self) -> bool:
        """False: berth runs ops, not assets."""
        return False


class IOManager:
    """Base of IO managers: store an output, load it for a downstream input."""

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj``, the value of the output ``context`` describes."""
        raise NotImplementedError

    def load_input(self, context: InputContext) -> Any:
        """Load the value of ``context.upstream_output`` for the input ``context`` describes."""
        raise NotImplementedError


class IOManagerDefinition(ResourceDefinition):
    """A resource whose value is an IOManager."""


def io_manager(fn: Optional[Callable[..., Any]] = None, *, config_schema: Any = None,
               description: Optional[str] = None, required_resource_keys: Optional[Sequence[str]] = None,
               version: Optional[str] = None) -> Any:
    """Define an IO manager from a function of an InitResourceContext that returns an IOManager."""

    def decorate(function: Callable[..., Any]) -> IOManagerDefinition:
        import inspect

        wants_context = bool(inspect.signature(function).parameters)
        resource_fn = function if wants_context else (lambda _context: function())
        return IOManagerDefinition(resource_fn, config_schema, description or inspect.getdoc(function),
                                   required_resource_keys, version)

    return decorate(fn) if fn is not None else decorate


class OutputStoreIOManager(IOManager):
    """berth's output store (``berth.output_store``) as an IO manager: the default ``io_manager``.

    The engine hands such outputs straight to the store the run executes with; these methods serve
    code that calls the IO manager itself (another IO manager that delegates to it, a test).
    ``store`` defaults to the process's output store (``$BERTH_OUTPUT_STORE``, else ``$BERTH_HOME/storage``).
    """

    def __init__(self, store: Any = None) -> None:
        self._store = store

    @property
    def store(self) -> Any:
        """The ``OutputStore`` it reads and writes."""
        if self._store is None:
            from berth.output_store import open_output_store

            self._store = open_output_store()
        return self._store

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Pickle ``obj`` into the output store under the run, step and output of ``context``."""
        self.store.store(context.run_id, context.step_key, _stored_name(context), obj)

    def load_input(self, context: InputContext) -> Any:
        """Load the upstream output of ``context`` from the output store."""
        upstream = context.upstream_output
        return self.store.load(upstream.run_id, upstream.step_key, _stored_name(upstream))

    def __repr__(self) -> str:
        return "OutputStoreIOManager()"


def _stored_name(context: OutputContext) -> str:
    return context.name if context.mapping_key is None else f"{context.name}[{context.mapping_key}]"


DEFAULT_IO_MANAGER_DEF = IOManagerDefinition(
    lambda _context: OutputStoreIOManager(),
    description="Built-in IO manager that stores and retrieves values in berth's output store using pickling.")
