"""One load of the user code (a generation) and its repository snapshots, built once and cached.

A generation is immutable: a reload makes a new one, so requests that hold the old one finish on
consistent data. Snapshots are built once (in the background right after the load, or by the
first request, whichever comes first) and kept as serialized messages, so streaming even a
5,000-job repository again costs no rebuilding or re-encoding.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

from berth.events import SerializableError
from berth.execution.code_target import CodeTarget
from berth.protocol.v1 import code_location_pb2, snapshot_pb2

if TYPE_CHECKING:
    from berth.definitions.repository import RepositoryDefinition

__all__ = ["CodeGeneration", "RepositorySnapshotMessages", "load_generation"]


@dataclasses.dataclass(frozen=True)
class RepositorySnapshotMessages:
    """A repository's snapshot stream as serialized ``RepositorySnapshotChunk`` messages."""

    name: str
    chunks: Sequence[bytes]


class CodeGeneration:
    """The repositories of one import of the user code, or the error that import raised."""

    def __init__(self, number: int, location_name: str,
                 repositories: Mapping[str, "RepositoryDefinition"],
                 load_error: Optional[SerializableError]) -> None:
        self.number = number
        self.location_name = location_name
        self.repositories = dict(repositories)
        self.load_error = load_error
        self._lock = threading.Lock()
        self._snapshots: dict[str, RepositorySnapshotMessages] = {}

    def snapshot_messages(self, repository_name: str) -> RepositorySnapshotMessages:
        """The serialized snapshot stream of one repository (KeyError if there is none)."""
        repository = self.repositories[repository_name]
        with self._lock:
            cached = self._snapshots.get(repository_name)
            if cached is None:
                cached = self._snapshots[repository_name] = _build_messages(self.location_name, repository)
            return cached

    def prebuild(self) -> None:
        """Build every repository's snapshot now (errors wait for the request that hits them)."""
        for name in self.repositories:
            try:
                self.snapshot_messages(name)
            except Exception:  # noqa: BLE001 - StreamRepositorySnapshot reports it when asked
                return


def _build_messages(location_name: str, repository: "RepositoryDefinition") -> RepositorySnapshotMessages:
    from berth.snapshot import build_job_snapshot

    jobs = list(repository.jobs.values())
    header = snapshot_pb2.RepositoryHeader(name=repository.name, job_count=len(jobs),
                                           location_name=location_name)
    chunks = [code_location_pb2.RepositorySnapshotChunk(header=header).SerializeToString()]
    for job in jobs:
        chunk = code_location_pb2.RepositorySnapshotChunk(job=build_job_snapshot(job))
        chunks.append(chunk.SerializeToString())
    return RepositorySnapshotMessages(repository.name, tuple(chunks))


def load_generation(target: CodeTarget, number: int, location_name: str) -> CodeGeneration:
    """Import the user code; an import error becomes the generation's ``load_error``."""
    try:
        repositories = target.load()
    except BaseException as exc:  # noqa: BLE001 - any failure of user code is reported, not raised
        if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not _raised_by_user_code(exc):
            raise
        return CodeGeneration(number, location_name, {}, SerializableError.from_exception(exc))
    return CodeGeneration(number, location_name, repositories, None)


def _raised_by_user_code(exc: BaseException) -> bool:
    # A user file calling sys.exit() at import is a load error; Ctrl-C during the load is not.
    return isinstance(exc, SystemExit)
