"""AsyncBerthClient: the same methods and error mapping as the blocking client."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from berth_client import (
    AmbiguousJobError,
    AsyncBerthClient,
    ConnectError,
    DagsterRunStatus,
    NotFoundError,
    ReloadRepositoryLocationStatus,
    RunConfigValidationError,
    RunWaitTimeout,
    ShutdownRepositoryLocationStatus,
)

REPOSITORIES = {"__typename": "RepositoryConnection", "nodes": [
    {"name": "__repository__", "location": {"name": "a"}, "pipelines": [{"name": "same"}, {"name": "unique"}]},
    {"name": "__repository__", "location": {"name": "b"}, "pipelines": [{"name": "same"}]}]}


def run_async(fake, use):
    async def main():
        async with AsyncBerthClient("berth.test", 3000, transport=fake.transport(), backoff=0) as client:
            return await use(client)

    return asyncio.run(main())


def test_submit_infers_and_launches(fake) -> None:
    fake.answer("repositoriesOrError", REPOSITORIES)
    fake.answer("launchPipelineExecution", {"__typename": "LaunchRunSuccess", "run": {"runId": "r1"}})
    assert run_async(fake, lambda c: c.submit_job_execution("unique", tags={"t": "v"})) == "r1"
    selector = fake.requests[-1]["variables"]["executionParams"]["selector"]
    assert (selector["repositoryLocationName"], selector["repositoryName"]) == ("a", "__repository__")


def test_submit_errors(fake) -> None:
    fake.answer("repositoriesOrError", REPOSITORIES)
    with pytest.raises(AmbiguousJobError, match="a:__repository__, b:__repository__"):
        run_async(fake, lambda c: c.submit_job_execution("same"))
    with pytest.raises(NotFoundError):
        run_async(fake, lambda c: c.submit_job_execution("missing"))
    fake.answer("launchPipelineExecution", {"__typename": "RunConfigValidationInvalid", "errors": [
        {"__typename": "FieldNotDefinedConfigError", "message": "bad", "path": [], "reason": "FIELD_NOT_DEFINED"}]})
    with pytest.raises(RunConfigValidationError) as caught:
        run_async(fake, lambda c: c.submit_job_execution("x", "a", "r", run_config={"bogus": 1}))
    assert caught.value.errors[0].reason == "FIELD_NOT_DEFINED"


def test_status_run_and_wait(fake) -> None:
    fake.answer("pipelineRunOrError", {"__typename": "Run", "status": "STARTED"},
                {"__typename": "Run", "status": "SUCCESS"})
    assert run_async(fake, lambda c: c.get_run_status("r")) is DagsterRunStatus.STARTED
    assert run_async(fake, lambda c: c.wait_for_run("r", poll_interval=0)) is DagsterRunStatus.SUCCESS
    fake.answer("runOrError", {"__typename": "Run", "runId": "r", "jobName": "j", "status": "FAILURE",
                               "tags": [{"key": "a", "value": "b"}], "stepStats": []})
    run = run_async(fake, lambda c: c.get_run("r"))
    assert (run.status, run.tags) == (DagsterRunStatus.FAILURE, {"a": "b"})


def test_wait_times_out(fake) -> None:
    fake.answer("pipelineRunOrError", {"__typename": "Run", "status": "STARTED"})
    with pytest.raises(RunWaitTimeout):
        run_async(fake, lambda c: c.wait_for_run("r", timeout=0.05, poll_interval=0.01))


def test_iter_runs_and_events_page(fake) -> None:
    pages = [{"__typename": "Runs", "results": [{"__typename": "Run", "runId": f"r{i}", "jobName": "j",
                                                 "status": "SUCCESS"} for i in chunk]} for chunk in ([0, 1], [2])]
    fake.answer("runsOrError", *pages)

    async def runs(client):
        return [run.run_id async for run in client.iter_runs(page_size=2)]

    assert run_async(fake, runs) == ["r0", "r1", "r2"]
    event = {"__typename": "LogMessageEvent", "runId": "r", "message": "m", "timestamp": "1", "level": "INFO",
             "stepKey": None, "eventType": None}
    fake.answer("logsForRun", {"__typename": "EventConnection", "events": [event], "cursor": "1", "hasMore": True},
                {"__typename": "EventConnection", "events": [event], "cursor": "2", "hasMore": False})
    assert len(run_async(fake, lambda c: c.get_run_events("r"))) == 2


def test_locations_reload_shutdown_terminate(fake) -> None:
    fake.answer("locationStatusesOrError", {"__typename": "WorkspaceLocationStatusEntries",
                                            "entries": [{"name": "a", "loadStatus": "LOADED"}]})
    assert [s.name for s in run_async(fake, lambda c: c.get_location_statuses())] == ["a"]
    fake.answer("reloadRepositoryLocation", {"__typename": "WorkspaceLocationEntry", "name": "a", "loadStatus": "LOADING",
                                             "locationOrLoadError": None})
    fake.answer("workspaceOrError", {"__typename": "Workspace", "locationEntries": [
        {"name": "a", "loadStatus": "LOADED", "locationOrLoadError": {"__typename": "RepositoryLocation"}}]})
    info = run_async(fake, lambda c: c.reload_repository_location("a"))
    assert info.status is ReloadRepositoryLocationStatus.SUCCESS
    fake.answer("shutdownRepositoryLocation", {"__typename": "RepositoryLocationNotFound", "message": "no"})
    assert run_async(fake, lambda c: c.shutdown_repository_location("z")).status is ShutdownRepositoryLocationStatus.FAILURE
    fake.answer("terminateRun", {"__typename": "RunNotFoundError", "runId": "r", "message": "Run r not found"})
    with pytest.raises(NotFoundError):
        run_async(fake, lambda c: c.terminate_run("r"))
    fake.answer("terminateRuns", {"__typename": "TerminateRunsResult", "terminateRunResults": [
        {"__typename": "TerminateRunSuccess", "run": {"runId": "r"}}]})
    run_async(fake, lambda c: c.terminate_runs(["r"], force=True))
    assert fake.requests[-1]["variables"]["terminatePolicy"] == "MARK_AS_CANCELED_IMMEDIATELY"


def test_retries_queries_but_not_mutations(fake) -> None:
    refused = httpx.ConnectError("refused")
    fake.answer("pipelineRunOrError", refused, {"__typename": "Run", "status": "QUEUED"})
    assert run_async(fake, lambda c: c.get_run_status("r")) is DagsterRunStatus.QUEUED
    fake.answer("launchPipelineExecution", refused, {"__typename": "LaunchRunSuccess", "run": {"runId": "r"}})
    with pytest.raises(ConnectError):
        run_async(fake, lambda c: c.submit_job_execution("j", "l", "r"))
    assert fake.fields_requested() == ["pipelineRunOrError", "pipelineRunOrError", "launchPipelineExecution"]
