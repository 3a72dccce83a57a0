"""Workspace: locations load concurrently from real code servers; a broken one does not hurt the others."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterator

import pytest
from webserver_process import EXAMPLES, LoopThread

from berth.protocol.v1 import code_location_pb2 as pb
from berth.snapshot import JobSnap
from berth_webserver.workspace import LocationNotFound, Workspace, load_workspace_file, origin_for_python_file

_FIRST = '''
from berth import Definitions, job, op

@op
def step():
    return 1

@job(description="the first version")
def first_job():
    step()

defs = Definitions(jobs=[first_job])
'''

_BROKEN = '''
raise RuntimeError("this location is broken on purpose")
'''


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


@pytest.fixture(scope="module")
def editable_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("editable") / "editable_defs.py"
    path.write_text(_FIRST)
    return path


@pytest.fixture(scope="module")
def workspace(loop: LoopThread, tmp_path_factory: pytest.TempPathFactory, editable_file: Path) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("workspace")
    broken = folder / "broken_defs.py"
    broken.write_text(_BROKEN)
    url = f"sqlite:///{folder / 'runs.db'}"
    origins = load_workspace_file(str(EXAMPLES / "workspace.yaml"))
    origins += [origin_for_python_file(str(broken), "broken"), origin_for_python_file(str(editable_file), "editable")]
    space = Workspace(origins, url)
    loop.run(space.start())
    yield space
    loop.run(space.stop())


def test_both_example_locations_load_with_their_jobs(workspace: Workspace) -> None:
    hello, analytics = workspace.entry("hello"), workspace.entry("analytics")
    assert hello is not None and analytics is not None
    assert hello.is_available and analytics.is_available
    assert list(hello.repositories) == ["__repository__"]
    assert list(hello.repositories["__repository__"].jobs) == sorted(
        ["hello_job", "etl_job", "failing_job", "slow_job", "flaky_job"])
    assert sorted(analytics.repositories) == ["analytics", "reporting"]
    assert hello.server_info is not None and hello.server_info.location_name == "hello"
    job = workspace.find_job("hello", "__repository__", "hello_job")
    assert job is not None and job.description == "Greets someone."
    assert workspace.find_job("hello", "__repository__", "nope") is None
    assert workspace.find_job("nope", "__repository__", "hello_job") is None


def test_a_broken_location_is_an_entry_with_its_error_beside_working_ones(workspace: Workspace) -> None:
    broken = workspace.entry("broken")
    assert broken is not None and not broken.is_available
    assert broken.load_status == "LOADED" and broken.repositories == {}
    assert broken.load_error is not None and "broken on purpose" in broken.load_error.message
    assert [entry.name for entry in workspace.entries()] == ["hello", "analytics", "broken", "editable"]
    assert workspace.entry("hello").is_available  # type: ignore[union-attr]


def test_reload_picks_up_an_edited_definitions_file(loop: LoopThread, workspace: Workspace,
                                                    editable_file: Path) -> None:
    before = workspace.entry("editable")
    assert before is not None and list(before.repositories["__repository__"].jobs) == ["first_job"]
    editable_file.write_text(_FIRST.replace("defs = Definitions(jobs=[first_job])", '''
@job
def second_job():
    step()

defs = Definitions(jobs=[first_job, second_job])
'''))
    after = loop.run(workspace.reload_location("editable"))
    assert list(after.repositories["__repository__"].jobs) == ["first_job", "second_job"]
    assert after.server_info.generation > before.server_info.generation  # type: ignore[union-attr]
    assert after.server_id == before.server_id and after.is_available
    assert workspace.entry("editable") is after


def test_reload_of_a_still_broken_location_keeps_its_error(loop: LoopThread, workspace: Workspace) -> None:
    entry = loop.run(workspace.reload_location("broken"))
    assert entry.load_error is not None and "broken on purpose" in entry.load_error.message


def test_unknown_locations_raise_location_not_found(loop: LoopThread, workspace: Workspace) -> None:
    with pytest.raises(LocationNotFound, match="'nope' does not exist") as caught:
        loop.run(workspace.reload_location("nope"))
    assert caught.value.location_name == "nope"
    with pytest.raises(LocationNotFound):
        loop.run(workspace.shutdown_location("nope"))
    assert workspace.entry("nope") is None


def test_jobs_read_from_the_stream_are_the_jobs_of_their_snapshot_messages(loop: LoopThread,
                                                                           workspace: Workspace) -> None:
    async def messages() -> list:
        call = workspace.client("hello").stub.StreamRepositorySnapshot(pb.StreamRepositorySnapshotRequest())
        return [chunk.job async for chunk in call if chunk.HasField("job")]

    entry = workspace.entry("hello")
    assert entry is not None
    jobs = entry.repositories["__repository__"].jobs
    decoded = loop.run(messages())
    assert sorted(message.name for message in decoded) == list(jobs)
    for message in decoded:
        expected, job = JobSnap.from_proto(message), jobs[message.name]
        assert isinstance(job, JobSnap)
        for field in dataclasses.fields(JobSnap):  # every field is set, whatever JobSnap grows
            assert getattr(job, field.name) == getattr(expected, field.name), field.name
        assert job.ops == expected.ops and job.op_names == expected.op_names
        assert job.default_run_config == expected.default_run_config
        assert job.root_config_type_key == expected.root_config_type_key
        for run_config in ({}, {"ops": {"nope": {}}}):
            assert job.config_schema.validate(run_config) == expected.config_schema.validate(run_config)


def test_reloading_an_unchanged_location_keeps_each_job_snapshot(loop: LoopThread, workspace: Workspace) -> None:
    before = workspace.entry("hello")
    assert before is not None
    after = loop.run(workspace.reload_location("hello"))
    assert after.server_info.generation > before.server_info.generation  # type: ignore[union-attr]
    old_jobs, new_jobs = before.repositories["__repository__"].jobs, after.repositories["__repository__"].jobs
    assert list(new_jobs) == list(old_jobs)
    assert all(new_jobs[name] is old_jobs[name] for name in old_jobs)  # one copy, nothing decoded again
