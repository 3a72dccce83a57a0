"""One load of the user code (a generation) and its repository snapshots, built once and cached.

A generation is immutable: a reload makes a new one, so requests that hold the old one finish on
consistent data. Each repository's snapshot is built once, in the background right after the load
(``prebuild``) or by the first request, whichever comes first, and kept as serialized messages, so
streaming even a 5,000-job repository again costs no rebuilding or re-encoding. A request that
arrives while the build runs streams each job as soon as it is built, so that the webserver decodes
while the code server encodes.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, Optional

from berth.events import SerializableError
from berth.execution.code_target import CodeTarget
from berth.protocol.v1 import code_location_pb2, snapshot_pb2
from berth.snapshot.wire import length_delimited

if TYPE_CHECKING:
    from berth.definitions.job import JobDefinition
    from berth.definitions.repository import RepositoryDefinition

__all__ = ["CodeGeneration", "RepositorySnapshotBuild", "RepositorySnapshotMessages", "load_generation"]

_JOB_CHUNK_FIELD = code_location_pb2.RepositorySnapshotChunk.DESCRIPTOR.fields_by_name["job"].number


@dataclasses.dataclass(frozen=True)
class RepositorySnapshotMessages:
    """A repository's snapshot stream as serialized ``RepositorySnapshotChunk`` messages.

    ``chunks`` may still be growing: iterating it yields each message once it is built.
    """

    name: str
    chunks: Iterable[bytes]


class RepositorySnapshotBuild:
    """The serialized snapshot stream of one repository, built once and readable while it grows.

    ``run`` builds it (in whichever thread calls it); any number of readers iterate it at the
    same time, each getting every message in order, waiting for the ones not built yet.
    """

    def __init__(self, location_name: str, repository: "RepositoryDefinition") -> None:
        self.location_name = location_name
        self.repository = repository
        self._chunks: list[bytes] = []
        self._changed = threading.Condition()
        self._done = False
        self.error: Optional[BaseException] = None

    @property
    def failed(self) -> bool:
        """True when the build raised (readers get the error after the messages built before it)."""
        return self.error is not None

    def run(self) -> None:
        """Build every message, publishing each one as soon as it exists."""
        try:
            for chunk in _snapshot_chunks(self.location_name, self.repository):
                with self._changed:
                    self._chunks.append(chunk)
                    self._changed.notify_all()
        except Exception as exc:  # noqa: BLE001 - handed to the readers, who report it
            self.error = exc
        finally:
            with self._changed:
                self._done = True
                self._changed.notify_all()

    def wait_started(self) -> None:
        """Wait until the first job is built (or the build ended); raise if it failed before that."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._chunks) > 1 or self._done)
        if self.error is not None and len(self._chunks) <= 1:
            raise self.error

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: len(self._chunks) > sent or self._done)
                # Take every message built so far: one lock round per batch, not per message.
                batch = self._chunks[sent:]
                finished = self._done
            yield from batch
            sent += len(batch)
            if finished and not batch:
                if self.error is not None:
                    raise self.error
                return


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
        self._builds: dict[str, RepositorySnapshotBuild] = {}

    def find_job(self, repository_name: str, job_name: str) -> tuple["RepositoryDefinition", "JobDefinition"]:
        """The repository and job a run names; raises ``JobLookupError``."""
        from berth.definitions.lookup import find_job

        return find_job(self.repositories, repository_name, job_name)

    def snapshot_messages(self, repository_name: str) -> RepositorySnapshotMessages:
        """The serialized snapshot stream of one repository (KeyError if there is none).

        Starts the build in the background if no one has; raises when the build failed before
        any job was built (a failure later ends the stream with the error).
        """
        build, started_here = self._build_of(repository_name)
        if started_here:
            threading.Thread(target=build.run, name="berth-snapshot-build", daemon=True).start()
        build.wait_started()
        return RepositorySnapshotMessages(repository_name, build)

    def prebuild(self) -> None:
        """Build every repository's snapshot now, in this thread (errors wait for the request that hits them)."""
        for name in self.repositories:
            build, started_here = self._build_of(name)
            if started_here:
                build.run()
            if build.failed:
                return

    def _build_of(self, repository_name: str) -> tuple[RepositorySnapshotBuild, bool]:
        repository = self.repositories[repository_name]
        with self._lock:
            build = self._builds.get(repository_name)
            if build is not None and not build.failed:
                return build, False
            # A failed build is tried again, as a request for it would have been before.
            build = self._builds[repository_name] = RepositorySnapshotBuild(self.location_name, repository)
            return build, True


def _snapshot_chunks(location_name: str, repository: "RepositoryDefinition") -> Iterator[bytes]:
    from berth.snapshot.build import job_snapshot_bytes

    jobs = list(repository.jobs.values())
    header = snapshot_pb2.RepositoryHeader(name=repository.name, job_count=len(jobs),
                                           location_name=location_name)
    yield code_location_pb2.RepositorySnapshotChunk(header=header).SerializeToString()
    for job in jobs:
        # A chunk holding a job is just the job's bytes framed as the ``job`` field.
        yield length_delimited(_JOB_CHUNK_FIELD, job_snapshot_bytes(job))


def load_generation(target: CodeTarget, number: int, location_name: str) -> CodeGeneration:
    """Import the user code; an import error becomes the generation's ``load_error``."""
    try:
        repositories = target.load()
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not _raised_by_user_code(exc):
            raise
        return CodeGeneration(number, location_name, {}, SerializableError.from_exception(exc))
    return CodeGeneration(number, location_name, repositories, None)


def _raised_by_user_code(exc: BaseException) -> bool:
    # A user file calling sys.exit() at import is a load error; Ctrl-C during the load is not.
    return isinstance(exc, SystemExit)
