"""SerializedJobSnap: a JobSnap that keeps its snapshot as the bytes it arrived in.

A decoded ``JobSnapshot`` takes about five times the memory of its wire form (every job repeats
the config types of execution, loggers and resources), and most jobs of a big location are never
looked at beyond their name. So the webserver keeps each job's stream message as bytes, with the
few fields that listing needs, and decodes the full message when something reads it. The bytes
also let a reload recognise an unchanged job without decoding anything.
"""

from __future__ import annotations

from typing import Mapping, Optional

from berth.protocol.v1 import code_location_pb2, snapshot_pb2
from berth.snapshot import JobSnap

__all__ = ["SerializedJobSnap"]


class SerializedJobSnap(JobSnap):
    """A ``JobSnap`` read from one ``RepositorySnapshotChunk`` message; ``proto`` is decoded on use.

    It is a ``JobSnap`` in every respect the webserver uses (fields, ``ops``, ``config_schema``,
    ``default_run_config``); only its ``proto`` is produced lazily from ``wire``.
    """

    wire: bytes  # the serialized RepositorySnapshotChunk that carried the job

    def __init__(self, wire: bytes, job: snapshot_pb2.JobSnapshot) -> None:
        # JobSnap is a frozen dataclass: set its fields the way its own __init__ does.
        fields: Mapping[str, object] = {"name": job.name, "description": job.description or None,
                                        "tags": dict(job.tags), "snapshot_id": job.snapshot_id, "wire": wire}
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_wire(cls, wire: bytes) -> Optional["SerializedJobSnap"]:
        """The job of a serialized chunk, or None when the chunk holds no job."""
        chunk = code_location_pb2.RepositorySnapshotChunk.FromString(wire)
        return cls(wire, chunk.job) if chunk.HasField("job") else None

    @property
    def proto(self) -> snapshot_pb2.JobSnapshot:
        """The decoded snapshot, decoded anew on each use (tens of microseconds).

        Not kept: what JobSnap derives from it (ops, config schema) is cached there, and keeping
        the message too would put back the memory this class exists to save.
        """
        return code_location_pb2.RepositorySnapshotChunk.FromString(self.wire).job
