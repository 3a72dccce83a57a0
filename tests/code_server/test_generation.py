"""Snapshot streams of a generation: built once, streamed while they are built, errors reported.

The jobs are real definitions; a job whose run-config type waits for an event lets a test hold the
build in the middle, so that it can see what a reader gets before the build has finished.
"""

from __future__ import annotations

import threading
from typing import Iterator

import pytest

from berth import job, op
from berth.definitions.job import JobDefinition
from berth.definitions.repository import RepositoryDefinition
from berth.protocol.v1 import code_location_pb2 as pb
from berth.server.generation import CodeGeneration
from berth.snapshot import build_job_snapshot

DEADLINE_SECONDS = 30.0


@op
def step() -> int:
    return 1


def _job(name: str) -> JobDefinition:
    def body() -> None:
        step()

    body.__name__ = name
    return job(body)


class GatedJob(JobDefinition):
    """A job whose snapshot cannot be built until ``gate`` is set (or that fails, given ``error``)."""

    def __init__(self, name: str, error: Exception | None = None) -> None:
        base = _job(name)
        super().__init__(base.graph, name)
        self.gate = threading.Event()
        self.error = error

    @property
    def run_config_type(self):  # type: ignore[no-untyped-def]
        assert self.gate.wait(DEADLINE_SECONDS), "the test never opened the gate"
        if self.error is not None:
            raise self.error
        return super().run_config_type


def _generation(*jobs: JobDefinition) -> CodeGeneration:
    return CodeGeneration(1, "here", {"repo": RepositoryDefinition("repo", jobs)}, None)


def _decoded(chunks: Iterator[bytes]) -> list[pb.RepositorySnapshotChunk]:
    return [pb.RepositorySnapshotChunk.FromString(chunk) for chunk in chunks]


def test_stream_is_a_header_then_every_job_as_built_by_build_job_snapshot() -> None:
    jobs = [_job(f"job_{index}") for index in range(5)]
    generation = _generation(*jobs)
    chunks = _decoded(iter(generation.snapshot_messages("repo").chunks))
    assert chunks[0].header == pb.RepositorySnapshotChunk(header={"name": "repo", "job_count": 5,
                                                                  "location_name": "here"}).header
    assert [chunk.job for chunk in chunks[1:]] == [build_job_snapshot(job_def) for job_def in jobs]


def test_prebuilt_stream_is_served_again_without_rebuilding() -> None:
    generation = _generation(_job("a"), _job("b"))
    generation.prebuild()
    first = list(generation.snapshot_messages("repo").chunks)
    again = list(generation.snapshot_messages("repo").chunks)
    assert len(first) == 3
    assert all(left is right for left, right in zip(first, again))


def test_readers_get_the_first_jobs_while_later_ones_are_still_being_built() -> None:
    gated = GatedJob("b_gated")
    generation = _generation(_job("a_ready"), gated, _job("c_after"))
    builder = threading.Thread(target=generation.prebuild)
    builder.start()
    try:
        readers = [iter(generation.snapshot_messages("repo").chunks) for _ in range(2)]
        for reader in readers:
            header, ready = _decoded(iter([next(reader), next(reader)]))
            assert header.header.job_count == 3 and ready.job.name == "a_ready"
    finally:
        gated.gate.set()
        builder.join(DEADLINE_SECONDS)
    for reader in readers:
        assert [chunk.job.name for chunk in _decoded(reader)] == ["b_gated", "c_after"]


def test_a_failure_on_the_first_job_is_raised_by_snapshot_messages() -> None:
    broken = GatedJob("broken", error=RuntimeError("cannot snapshot"))
    broken.gate.set()
    generation = _generation(broken)
    with pytest.raises(RuntimeError, match="cannot snapshot"):
        generation.snapshot_messages("repo")


def test_a_failure_after_some_jobs_ends_the_stream_with_the_error() -> None:
    broken = GatedJob("z_broken", error=RuntimeError("cannot snapshot"))
    broken.gate.set()
    generation = _generation(_job("a_fine"), broken)
    reader = iter(generation.snapshot_messages("repo").chunks)
    assert [chunk.WhichOneof("item") for chunk in _decoded(iter([next(reader), next(reader)]))] == ["header", "job"]
    with pytest.raises(RuntimeError, match="cannot snapshot"):
        next(reader)


def test_an_unknown_repository_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        _generation(_job("a")).snapshot_messages("nope")
