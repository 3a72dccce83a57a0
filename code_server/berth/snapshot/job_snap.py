"""JobSnap: the webserver's view of a job, read from a JobSnapshot proto without user code.

Ops and the config schema are decoded on first use, so that receiving thousands of jobs stays
cheap and only the jobs someone looks at pay for decoding.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any, Mapping, Optional

from berth.config.schema import ConfigSchema
from berth.protocol.v1 import snapshot_pb2

__all__ = ["JobSnap", "OpSnap", "InputSnap", "OutputSnap", "UpstreamOutput"]


@dataclasses.dataclass(frozen=True)
class UpstreamOutput:
    """An output of an upstream op that feeds an input."""

    op_name: str
    output_name: str


@dataclasses.dataclass(frozen=True)
class InputSnap:
    """One input of an op in a job."""

    name: str
    type_name: str
    description: Optional[str]
    is_nothing: bool
    upstream: tuple[UpstreamOutput, ...]


@dataclasses.dataclass(frozen=True)
class OutputSnap:
    """One output of an op."""

    name: str
    type_name: str
    description: Optional[str]
    is_required: bool


@dataclasses.dataclass(frozen=True)
class OpSnap:
    """One op (node) of a job."""

    name: str
    definition_name: str
    description: Optional[str]
    tags: Mapping[str, str]
    inputs: tuple[InputSnap, ...]
    outputs: tuple[OutputSnap, ...]
    config_type_key: Optional[str]
    upstream_op_names: tuple[str, ...]

    @classmethod
    def from_proto(cls, pb: snapshot_pb2.OpSnapshot) -> "OpSnap":
        """Decode one op."""
        return cls(
            name=pb.name, definition_name=pb.definition_name, description=pb.description or None,
            tags=dict(pb.tags),
            inputs=tuple(InputSnap(i.name, i.type_name, i.description or None, i.is_nothing,
                                   tuple(UpstreamOutput(u.op_name, u.output_name) for u in i.upstream))
                         for i in pb.inputs),
            outputs=tuple(OutputSnap(o.name, o.type_name, o.description or None, o.is_required) for o in pb.outputs),
            config_type_key=pb.config_type_key or None,
            upstream_op_names=tuple(pb.upstream_op_names),
        )


@dataclasses.dataclass(frozen=True)
class JobSnap:
    """A job as the webserver knows it: name, description, tags, ops, config schema, snapshot id."""

    name: str
    description: Optional[str]
    tags: Mapping[str, str]
    snapshot_id: str
    proto: snapshot_pb2.JobSnapshot = dataclasses.field(compare=False, repr=False)

    @classmethod
    def from_proto(cls, pb: snapshot_pb2.JobSnapshot) -> "JobSnap":
        """Wrap a snapshot proto (decoding the rest lazily)."""
        return cls(pb.name, pb.description or None, dict(pb.tags), pb.snapshot_id, pb)

    @functools.cached_property
    def ops(self) -> tuple[OpSnap, ...]:
        """The ops, in execution order."""
        return tuple(OpSnap.from_proto(op) for op in self.proto.ops)

    @functools.cached_property
    def ops_by_name(self) -> dict[str, OpSnap]:
        """The ops by name."""
        return {op.name: op for op in self.ops}

    def op(self, name: str) -> Optional[OpSnap]:
        """The op called ``name``, if any."""
        return self.ops_by_name.get(name)

    @property
    def op_names(self) -> list[str]:
        """The op names, in execution order."""
        return [op.name for op in self.proto.ops]

    @functools.cached_property
    def config_schema(self) -> ConfigSchema:
        """The run-config schema, for validation without user code."""
        return ConfigSchema.from_protos(self.proto.root_config_type_key, self.proto.config_types)

    @property
    def root_config_type_key(self) -> str:
        """The key of the root run-config type."""
        return self.proto.root_config_type_key

    @functools.cached_property
    def default_run_config(self) -> dict[str, Any]:
        """The default run config given with the job (empty when none)."""
        text = self.proto.default_run_config_json
        return json.loads(text) if text else {}
