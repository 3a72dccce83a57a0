"""The ``config_types`` field of job snapshots, from serialized config types shared between jobs.

Most config types of a job (execution, loggers, resources, the config of ops reused across jobs)
are the same records as in every other job, so each is serialized once, keyed by its type key,
and a job's field is the join of those bytes in key order, kept per root type (jobs with the same
ops share their root type).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from berth.config.snap import ConfigTypeSnap
from berth.protocol.v1 import snapshot_pb2
from berth.snapshot.wire import length_delimited

if TYPE_CHECKING:
    from berth.config.config_type import ConfigType

__all__ = ["config_types_field"]

_CONFIG_TYPES_FIELD = snapshot_pb2.JobSnapshot.DESCRIPTOR.fields_by_name["config_types"].number

# type key -> (snap, encoded field element). The snap is kept to check that a cached entry still
# describes the same type: keys of enums are their names only, and a shape's key ignores field order.
_ENCODED: dict[str, tuple[ConfigTypeSnap, bytes]] = {}
_BY_ROOT: "weakref.WeakKeyDictionary[ConfigType, bytes]" = weakref.WeakKeyDictionary()


def config_types_field(root: "ConfigType") -> bytes:
    """The encoded ``JobSnapshot.config_types`` elements of ``root``'s closure, ordered by key."""
    encoded = _BY_ROOT.get(root)
    if encoded is None:
        types = root.closure()
        encoded = _BY_ROOT[root] = b"".join([_encoded(types[key]) for key in sorted(types)])
    return encoded


def _encoded(snap: ConfigTypeSnap) -> bytes:
    cached = _ENCODED.get(snap.key)
    if cached is not None and (cached[0] is snap or cached[0] == snap):
        return cached[1]
    encoded = length_delimited(_CONFIG_TYPES_FIELD, snap.to_proto().SerializeToString(deterministic=True))
    _ENCODED[snap.key] = (snap, encoded)
    return encoded
