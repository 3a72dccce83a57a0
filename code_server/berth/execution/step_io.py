"""A step's inputs and outputs at the IO-manager boundary.

Outputs go to berth's output store (the default ``io_manager``) or to the IO manager their
``Out(io_manager_key=...)`` names (``handle_output``); inputs whose upstream output a custom IO
manager keeps arrive as ``LoadRequest``s and are loaded with its ``load_input``. Output metadata
(``Output(metadata=...)``, ``context.add_output_metadata``) becomes JSON-ready entries of the
step's output event.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from berth.definitions.io_manager import InputContext, OutputContext, OutputStoreIOManager
from berth.execution.run_state import LoadRequest
from berth.output_store import OutputStore

__all__ = ["load_inputs", "metadata_entries", "metadata_entry_kinds", "store_output"]


def store_output(*, io_store: OutputStore, resources: Mapping[str, Any], run_id: str, step_key: str,
                 op_def: Any, output_def: Any, value: Any, mapping_key: Optional[str], log: Any,
                 metadata: dict[str, Any]) -> None:
    """Hand one output value to its IO manager (berth's output store by default)."""
    manager = resources.get(output_def.io_manager_key)
    name = output_def.name if mapping_key is None else f"{output_def.name}[{mapping_key}]"
    if manager is None or isinstance(manager, OutputStoreIOManager):
        io_store.store(run_id, step_key, name, value)
        return
    context = OutputContext(step_key=step_key, name=output_def.name, run_id=run_id, op_def=op_def,
                            mapping_key=mapping_key, metadata=output_def.metadata, log=log,
                            output_metadata_sink=metadata)
    manager.handle_output(context, value)


def load_inputs(values: Mapping[str, Any], resources: Mapping[str, Any], run_id: str, op_def: Any,
                log: Any) -> dict[str, Any]:
    """The input values with every LoadRequest (also inside a collected list) loaded by its IO manager."""
    loaded = {}
    for name, value in values.items():
        if isinstance(value, list):
            loaded[name] = [_load(name, item, resources, run_id, op_def, log) for item in value]
        else:
            loaded[name] = _load(name, value, resources, run_id, op_def, log)
    return loaded


def _load(name: str, value: Any, resources: Mapping[str, Any], run_id: str, op_def: Any, log: Any) -> Any:
    if not isinstance(value, LoadRequest):
        return value
    upstream_def = value.op_def.outs[value.output_name]
    upstream = OutputContext(step_key=value.step_key, name=value.output_name, run_id=run_id, op_def=value.op_def,
                             mapping_key=value.mapping_key, metadata=upstream_def.metadata, log=log)
    context = InputContext(name=name, upstream_output=upstream, op_def=op_def, log=log)
    return resources[value.io_manager_key].load_input(context)


def metadata_entries(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata as JSON-ready values: numbers, strings, booleans, None and JSON data stay; others become text."""
    entries = {}
    for label, value in metadata.items():
        raw = getattr(value, "value", value) if type(value).__name__.endswith("MetadataValue") else value
        try:
            json.dumps(raw)
            entries[str(label)] = raw
        except (TypeError, ValueError):
            entries[str(label)] = str(raw)
    return entries


# MetadataValue kinds that are text underneath but have an entry type of their own in the API.
_TEXT_KINDS = frozenset({"md", "url", "path"})


def metadata_entry_kinds(metadata: Mapping[str, Any]) -> dict[str, str]:
    """The labels of Markdown, URL and path values with their kind (``md``, ``url``, ``path``)."""
    return {str(label): value.kind for label, value in metadata.items()
            if type(value).__name__ == "MetadataValue" and getattr(value, "kind", None) in _TEXT_KINDS}
