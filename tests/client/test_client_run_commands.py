"""The client methods behind the new commands — jobs, re-execution, deletion, watching, run cursors —
on both clients, against the stand-in webserver (the live server tests cover the same end to end)."""

from __future__ import annotations

import asyncio

import pytest
from client_fake_webserver import FakeWebserver

from berth_client import (
    AsyncBerthClient,
    BerthClient,
    DagsterRunStatus,
    JobSummary,
    NotFoundError,
    RunConfigValidationError,
    RunWaitTimeout,
    StepEventStatus,
)

JOBS = {"__typename": "RepositoryConnection", "nodes": [
    {"name": "r", "location": {"name": "b"}, "pipelines": [{"name": "z_job", "description": None}]},
    {"name": "r", "location": {"name": "a"}, "pipelines": [{"name": "y_job", "description": "Why."}]}]}


def _run(status: str, steps: list[tuple[str, str]]) -> dict:
    return {"__typename": "Run", "runId": "r1", "jobName": "j", "status": status,
            "stepStats": [{"stepKey": k, "status": s, "startTime": None, "endTime": None} for k, s in steps]}


def _both(fake, use_sync, use_async):
    """The same call on the blocking and the async client; both answers."""
    with BerthClient("berth.test", 3000, transport=fake.transport(), backoff=0) as client:
        sync = use_sync(client)

    async def main():
        async with AsyncBerthClient("berth.test", 3000, transport=fake.transport(), backoff=0) as client:
            return await use_async(client)

    return sync, asyncio.run(main())


def test_get_jobs_sorts_by_location_and_filters(fake) -> None:
    fake.answer("repositoriesOrError", JOBS)

    async def both_async(client):
        return await client.get_jobs(), await client.get_jobs("b")

    sync, in_async = _both(fake, lambda c: (c.get_jobs(), c.get_jobs("b")), both_async)
    every = [JobSummary("a", "r", "y_job", "Why."), JobSummary("b", "r", "z_job", None)]
    assert sync == in_async == (every, every[1:])


def test_reexecute_sends_the_strategy_and_maps_errors(fake) -> None:
    fake.answer("launchRunReexecution",
                {"__typename": "LaunchRunSuccess", "run": {"runId": "child"}},
                {"__typename": "LaunchRunSuccess", "run": {"runId": "child"}},
                {"__typename": "RunNotFoundError", "message": "Run p not found"},
                {"__typename": "RunConfigValidationInvalid", "errors": [
                    {"__typename": "MissingFieldConfigError", "message": "missing", "path": [], "reason": "MISSING"}]})
    assert _both(fake, lambda c: c.reexecute_run("p", from_failure=True),
                 lambda c: c.reexecute_run("p")) == ("child", "child")
    sent = [r["variables"]["reexecutionParams"] for r in fake.requests]
    assert sent == [{"parentRunId": "p", "strategy": "FROM_FAILURE"}, {"parentRunId": "p", "strategy": "ALL_STEPS"}]
    with BerthClient("berth.test", 3000, transport=fake.transport(), backoff=0) as client:
        with pytest.raises(NotFoundError, match="Run p not found"):
            client.reexecute_run("p")
        with pytest.raises(RunConfigValidationError):
            client.reexecute_run("p")


def test_delete_run_and_its_not_found_error(fake) -> None:
    fake.answer("deleteRun", {"__typename": "DeletePipelineRunSuccess", "runId": "r1"},
                {"__typename": "DeletePipelineRunSuccess", "runId": "r1"},
                {"__typename": "RunNotFoundError", "runId": "r1", "message": "Run r1 could not be found."})
    assert _both(fake, lambda c: c.delete_run("r1"), lambda c: c.delete_run("r1")) == (None, None)
    with BerthClient("berth.test", 3000, transport=fake.transport(), backoff=0) as client:
        with pytest.raises(NotFoundError, match="could not be found"):
            client.delete_run("r1")


def test_watch_run_emits_each_change_once_until_the_run_ends(fake) -> None:
    states = [_run("STARTING", []), _run("STARTED", [("a", "IN_PROGRESS")]), _run("STARTED", [("a", "IN_PROGRESS")]),
              _run("STARTED", [("a", "SUCCESS")]), _run("SUCCESS", [("a", "SUCCESS")])]
    fake.answer("runOrError", *states)
    with BerthClient("berth.test", 3000, transport=fake.transport(), backoff=0) as client:
        seen = list(client.watch_run("r1", poll_interval=0))
    assert [(r.status, [s.status for s in r.step_stats]) for r in seen] == [
        (DagsterRunStatus.STARTING, []), (DagsterRunStatus.STARTED, [StepEventStatus.IN_PROGRESS]),
        (DagsterRunStatus.STARTED, [StepEventStatus.SUCCESS]), (DagsterRunStatus.SUCCESS, [StepEventStatus.SUCCESS])]
    never_ends = FakeWebserver().answer("runOrError", _run("STARTED", []))

    async def watch():
        async with AsyncBerthClient("berth.test", 3000, transport=never_ends.transport(), backoff=0) as client:
            return [run async for run in client.watch_run("r1", timeout=0.05, poll_interval=0.01)]

    with pytest.raises(RunWaitTimeout):
        asyncio.run(watch())


def test_iter_runs_starts_after_the_cursor(fake) -> None:
    fake.answer("runsOrError", {"__typename": "Runs", "results": []})
    _both(fake, lambda c: list(c.iter_runs(cursor="r9", tags={"k": "v"})),
          lambda c: _collect(c.iter_runs(cursor="r9")))
    assert [r["variables"]["cursor"] for r in fake.requests] == ["r9", "r9"]
    assert fake.requests[0]["variables"]["filter"] == {"tags": [{"key": "k", "value": "v"}]}


async def _collect(iterator):
    return [item async for item in iterator]
