"""What the webserver knows about one code location: the entry the schema reads."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Mapping, Optional

from berth.events import SerializableError

if TYPE_CHECKING:
    from berth.protocol.v1 import code_location_pb2
    from berth.snapshot import JobSnap

__all__ = ["RepositorySnap", "LocationEntry", "LOADING", "LOADED"]

LOADING = "LOADING"
LOADED = "LOADED"


@dataclasses.dataclass(frozen=True)
class RepositorySnap:
    """One repository of a location, as its snapshot stream delivered it."""

    name: str
    location_name: str
    jobs: Mapping[str, "JobSnap"]  # ordered by name

    def job(self, name: str) -> Optional["JobSnap"]:
        """The job of that name, or None."""
        return self.jobs.get(name)


@dataclasses.dataclass(frozen=True)
class LocationEntry:
    """One code location: its load status, error, server identity and repositories.

    ``load_error`` is set when the user code failed to import (the server reports it) or when the
    server cannot be reached; in the latter case the repositories of the last load are kept, so
    that a short disconnect does not lose them, but the location is not available.
    """

    name: str
    load_status: str = LOADING
    load_error: Optional[SerializableError] = None
    server_info: Optional["code_location_pb2.ServerInfo"] = None
    repositories: Mapping[str, RepositorySnap] = dataclasses.field(default_factory=dict)
    updated_at: float = 0.0
    origin: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # False while the code server does not answer (its watch stream is broken).
    reachable: bool = True

    @property
    def is_available(self) -> bool:
        """True when the server is reachable and the location loaded without error."""
        return self.reachable and self.load_status == LOADED and self.load_error is None

    @property
    def server_id(self) -> Optional[str]:
        """The id of the server process this entry was loaded from."""
        return self.server_info.server_id if self.server_info is not None else None

    def with_changes(self, **changes: Any) -> "LocationEntry":
        """A copy with the given fields replaced."""
        return dataclasses.replace(self, **changes)
