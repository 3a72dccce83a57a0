"""The client against a real berth webserver: ``berth dev`` as a subprocess on a free port.

See client_live_server.py for the workspace: the example locations, "hello" served twice (so
its job names are ambiguous) and a scratch location that the reload and shutdown tests rewrite.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from typing import Iterator

import pytest
from client_live_server import (
    BIN,
    LOCATIONS,
    RUN_DEADLINE,
    SCRATCH_JOB,
    LiveServer,
    free_port,
    poll,
    start_live_server,
    stop_live_server,
)

from berth_client import (
    AmbiguousJobError,
    AsyncBerthClient,
    BerthClient,
    ConnectError,
    DagsterGraphQLClient,
    DagsterRunStatus,
    LocationLoadStatus,
    NotFoundError,
    ReloadRepositoryLocationStatus,
    RunConfigValidationError,
    RunWaitTimeout,
    ShutdownRepositoryLocationStatus,
    StepEventStatus,
)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("berth-home"))
    try:
        yield server
    finally:
        stop_live_server(server)


@pytest.fixture
def client(live: LiveServer) -> Iterator[BerthClient]:
    with live.client() as client:
        yield client


def _assert_succeeds(client: BerthClient, run_id: str) -> None:
    """Wait for the run; on anything but SUCCESS, fail showing the run's error events."""
    status = client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1)
    if status is not DagsterRunStatus.SUCCESS:
        errors = [f"{e.event_type}: {e.message} {e.error or ''}" for e in client.get_run_events(run_id)
                  if e.level == "ERROR" or e.error or e.event_type in ("ENGINE_EVENT", "PIPELINE_FAILURE", "RUN_FAILURE")]
        pytest.fail(f"run {run_id} ended {status.value}:\n" + "\n".join(errors))


def _launch(client: BerthClient, job: str = "hello_job", **kwargs) -> str:
    return client.submit_job_execution(job, repository_location_name="hello", repository_name="__repository__", **kwargs)


# launching and reading runs


def test_submit_infers_the_location_of_a_unique_job_and_runs_it(client) -> None:
    run_id = client.submit_job_execution("daily_report", tags={"suite": "client-live"})
    _assert_succeeds(client, run_id)
    run = client.get_run(run_id)
    assert (run.job_name, run.location_name, run.repository_name) == ("daily_report", "analytics", "reporting")
    assert run.tags["suite"] == "client-live"
    assert {s.step_key for s in run.step_stats} == {"count_rows", "report"}
    assert all(s.status is StepEventStatus.SUCCESS for s in run.step_stats)
    assert run.start_time and run.end_time and run.creation_time <= run.start_time <= run.end_time


def test_the_dagster_name_drives_berth_like_dagsters_client(live) -> None:
    with DagsterGraphQLClient("127.0.0.1", port_number=live.port) as client:
        _drive_like_dagster(client)


def _drive_like_dagster(client: DagsterGraphQLClient) -> None:
    run_id = client.submit_job_execution(
        "hello_job", repository_location_name="hello", repository_name="__repository__",
        run_config={"ops": {"say_hello": {"config": {"name": "berth"}}}},
    )
    assert client.get_run_status(run_id) in set(DagsterRunStatus)
    assert client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1) == DagsterRunStatus.SUCCESS
    assert client.get_run(run_id).run_config["ops"]["say_hello"]["config"] == {"name": "berth"}


def test_op_selection_runs_only_the_selected_ops(client) -> None:
    run_id = _launch(client, "etl_job", op_selection=["extract"])
    _assert_succeeds(client, run_id)
    assert [s.step_key for s in client.get_run(run_id).step_stats] == ["extract"]


def test_a_failing_run_reports_failure_and_its_error_event(client) -> None:
    run_id = _launch(client, "failing_job")
    assert client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1) is DagsterRunStatus.FAILURE
    events = client.get_run_events(run_id)
    failures = [e for e in events if e.event_type == "STEP_FAILURE"]
    assert failures and "this op always fails" in failures[0].error
    assert events[-1].ends_run


def test_get_run_events_are_in_order_and_complete(client) -> None:
    run_id = _launch(client, "etl_job")
    client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1)
    events = client.get_run_events(run_id)
    assert events == sorted(events, key=lambda e: e.timestamp)
    started = [e.step_key for e in events if e.event_type == "STEP_START"]
    assert started == ["extract", "transform", "load", "notify"]
    assert any("loaded total 6" in e.message for e in events)


def test_stream_run_events_follows_a_run_to_its_end(client) -> None:
    run_id = _launch(client, "etl_job")
    events = list(client.stream_run_events(run_id))
    assert events[-1].ends_run
    assert [e.step_key for e in events if e.event_type == "STEP_SUCCESS"] == ["extract", "transform", "load", "notify"]
    assert client.get_run_status(run_id) is DagsterRunStatus.SUCCESS


def test_iter_runs_pages_and_filters(client) -> None:
    tag = {"batch": f"iter-{time.monotonic_ns()}"}
    run_ids = [_launch(client, tags=tag) for _ in range(3)]
    for run_id in run_ids:
        client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1)
    found = [run.run_id for run in client.iter_runs(tags=tag, page_size=2)]
    assert found == list(reversed(run_ids))  # newest first, across two pages
    assert [r.run_id for r in client.iter_runs(tags=tag, statuses=[DagsterRunStatus.FAILURE])] == []
    assert {r.run_id for r in client.iter_runs(run_ids=run_ids[:1])} == {run_ids[0]}
    first = client.get_run(run_ids[0])
    later = [r.run_id for r in client.iter_runs(tags=tag, created_after=first.creation_time)]
    assert run_ids[0] not in later and set(later) == set(run_ids[1:])
    assert all(r.job_name == "hello_job" for r in client.iter_runs(job_name="hello_job", tags=tag))


# terminating


def test_terminate_a_running_run(client) -> None:
    run_id = _launch(client, "slow_job")
    poll(lambda: client.get_run_status(run_id) is DagsterRunStatus.STARTED, RUN_DEADLINE, "slow_job starting")
    client.terminate_run(run_id)
    assert client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1) is DagsterRunStatus.CANCELED


def test_force_terminate_marks_runs_canceled_at_once(client) -> None:
    run_ids = [_launch(client, "slow_job") for _ in range(2)]
    client.terminate_runs(run_ids, force=True)
    assert [client.get_run_status(r) for r in run_ids] == [DagsterRunStatus.CANCELED] * 2


def test_wait_for_run_times_out_on_a_slow_run(client) -> None:
    run_id = _launch(client, "slow_job")
    with pytest.raises(RunWaitTimeout) as caught:
        client.wait_for_run(run_id, timeout=0.5, poll_interval=0.1)
    assert not caught.value.status.is_finished
    client.terminate_run(run_id, force=True)


# error paths


def test_unknown_job(client) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.submit_job_execution("no_such_job")
    assert caught.value.args[0] == "JobNotFoundError"
    with pytest.raises(NotFoundError) as caught:
        client.submit_job_execution("no_such_job", "hello", "__repository__")
    assert caught.value.args[0] == "PipelineNotFoundError"


def test_ambiguous_job_lists_the_choices(client) -> None:
    with pytest.raises(AmbiguousJobError) as caught:
        client.submit_job_execution("hello_job")
    assert {str(c) for c in caught.value.choices} == {"hello:__repository__", "hello_copy:__repository__"}
    assert "hello_copy:__repository__" in str(caught.value)


def test_bad_config_carries_the_validation_errors(client) -> None:
    with pytest.raises(RunConfigValidationError) as caught:
        client.submit_job_execution("export_job", run_config={"ops": {"export_table": {"config": {"bogus": 1}}}})
    assert caught.value.args[0] == "RunConfigValidationInvalid"
    reasons = {e.reason for e in caught.value.errors}
    assert "FIELD_NOT_DEFINED" in reasons
    assert any("bogus" in e.message for e in caught.value.errors)
    assert caught.value.body and caught.value.body[0]["reason"] in reasons


def test_unknown_run(client) -> None:
    for call in (client.get_run_status, client.get_run, client.get_run_events, client.terminate_run):
        with pytest.raises(NotFoundError) as caught:
            call("00000000-0000-0000-0000-000000000000")
        assert caught.value.args[0] == "RunNotFoundError", call.__name__
    with pytest.raises(NotFoundError):
        list(client.stream_run_events("00000000-0000-0000-0000-000000000000"))


def test_unknown_location(client) -> None:
    reload = client.reload_repository_location("no_such_location")
    assert (reload.status, reload.failure_type) == (ReloadRepositoryLocationStatus.FAILURE, "RepositoryLocationNotFound")
    shutdown = client.shutdown_repository_location("no_such_location")
    assert shutdown.status is ShutdownRepositoryLocationStatus.FAILURE and "no_such_location" in shutdown.message


def test_unreachable_host_names_the_url() -> None:
    port = free_port()
    with BerthClient("127.0.0.1", port, retries=0) as client:
        with pytest.raises(ConnectError, match=f"127.0.0.1:{port}"):
            client.get_run_status("x")


# locations: statuses, reload, shutdown (on the scratch location only)


def test_location_statuses(client) -> None:
    statuses = {s.name: s for s in client.get_location_statuses()}
    assert set(LOCATIONS) <= set(statuses)
    assert statuses["hello"].load_status is LocationLoadStatus.LOADED


def test_reload_waits_for_the_new_definitions_and_reports_load_errors(live, client) -> None:
    live.scratch_file.write_text(SCRATCH_JOB.format(name="scratch_job_v2"))
    info = client.reload_repository_location("scratch")
    assert info.status is ReloadRepositoryLocationStatus.SUCCESS
    # wait=True returned only once loaded: the new job is launchable at once.
    _assert_succeeds(client, client.submit_job_execution("scratch_job_v2"))

    live.scratch_file.write_text("this is not python(\n")
    try:
        info = client.reload_repository_location("scratch")
        assert (info.status, info.failure_type) == (ReloadRepositoryLocationStatus.FAILURE, "PythonError")
        assert "SyntaxError" in info.message
    finally:
        live.scratch_file.write_text(SCRATCH_JOB.format(name="scratch_job"))
        assert client.reload_repository_location("scratch").status is ReloadRepositoryLocationStatus.SUCCESS


def test_shutdown_then_the_location_comes_back(live, client) -> None:
    info = client.shutdown_repository_location("scratch")
    assert info.status is ShutdownRepositoryLocationStatus.SUCCESS

    def launched_after_restart() -> str:
        run_id = client.submit_job_execution("scratch_job")
        return run_id if client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1) == "SUCCESS" else ""

    assert poll(launched_after_restart, RUN_DEADLINE, "scratch location restarting after shutdown")


# the async client and the command line


def test_async_client_end_to_end(live) -> None:
    async def scenario() -> tuple:
        async with AsyncBerthClient("127.0.0.1", live.port) as client:
            run_id = await client.submit_job_execution("hello_job", "hello_copy", "__repository__")
            streamed = [event async for event in client.stream_run_events(run_id)]
            status = await client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1)
            run = await client.get_run(run_id)
            stored = await client.get_run_events(run_id)
            listed = [r.run_id async for r in client.iter_runs(run_ids=[run_id])]
            locations = await client.get_location_statuses()
            with pytest.raises(AmbiguousJobError):
                await client.submit_job_execution("hello_job")
            with pytest.raises(NotFoundError):
                await client.get_run_status("nope")
            return run_id, streamed, status, run, stored, listed, locations

    run_id, streamed, status, run, stored, listed, locations = asyncio.run(scenario())
    assert status is DagsterRunStatus.SUCCESS and run.location_name == "hello_copy"
    assert streamed[-1].ends_run and len(stored) >= len(streamed)
    assert listed == [run_id]
    assert {s.name for s in locations} >= set(LOCATIONS)


def _cli(live: LiveServer, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "berth-client"), "--port", str(live.port), "--host", "127.0.0.1", *args],
                          capture_output=True, text=True, timeout=RUN_DEADLINE + 30)


def test_command_line(live, tmp_path) -> None:
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"ops": {"say_hello": {"config": {"name": "cli"}}}}))
    launched = _cli(live, "launch", "hello_job", "--location", "hello", "--repository", "__repository__",
                    "--config", str(config), "--tag", "via=cli", "--json")
    assert launched.returncode == 0, launched.stderr
    run_id = json.loads(launched.stdout)["run_id"]
    waited = _cli(live, "wait", run_id, "--timeout", str(RUN_DEADLINE))
    assert (waited.returncode, waited.stdout.strip()) == (0, "SUCCESS")
    assert _cli(live, "status", run_id).stdout.strip() == "SUCCESS"
    listed = _cli(live, "runs", "list", "--job", "hello_job", "--limit", "50")
    assert run_id in listed.stdout and listed.stdout.splitlines()[0].startswith("RUN ID")
    locations = json.loads(_cli(live, "locations", "--json").stdout)
    assert {entry["name"] for entry in locations} >= set(LOCATIONS)
    ambiguous = _cli(live, "launch", "hello_job")
    assert ambiguous.returncode == 1 and "hello_copy:__repository__" in ambiguous.stderr
    missing = _cli(live, "terminate", "nope")
    assert missing.returncode == 1 and "RunNotFoundError" in missing.stderr
    assert _cli(live, "reload", "hello").stdout.strip() == "reloaded"
