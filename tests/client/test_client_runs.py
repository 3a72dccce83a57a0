"""Runs as typed objects, paging through runs and events, waiting for a run."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from berth_client import DagsterRunStatus, NotFoundError, Run, RunWaitTimeout, StepEventStatus, StepStats


def run_node(run_id: str, status: str = "SUCCESS", **extra) -> dict:
    node = {
        "__typename": "Run", "runId": run_id, "jobName": "etl_job", "status": status,
        "creationTime": 1700000000.0, "startTime": 1700000001.0, "endTime": 1700000003.0,
        "updateTime": 1700000003.0, "runConfig": {"ops": {"extract": {"config": {"rows": 2}}}},
        "solidSelection": None, "parentRunId": None, "rootRunId": None, "canTerminate": False,
        "repositoryOrigin": {"repositoryLocationName": "hello", "repositoryName": "__repository__"},
        "tags": [{"key": "kind", "value": "etl"}],
        "stepStats": [{"stepKey": "extract", "status": "SUCCESS", "startTime": 1700000001.0,
                       "endTime": 1700000002.0}],
    }
    node.update(extra)
    return node


def test_get_run_returns_a_typed_run(client, fake) -> None:
    fake.answer("runOrError", run_node("r1"))
    run = client.get_run("r1")
    assert run == Run(
        run_id="r1", job_name="etl_job", status=DagsterRunStatus.SUCCESS, location_name="hello",
        repository_name="__repository__", run_config={"ops": {"extract": {"config": {"rows": 2}}}},
        tags={"kind": "etl"}, op_selection=None, creation_time=1700000000.0, start_time=1700000001.0,
        end_time=1700000003.0, update_time=1700000003.0, can_terminate=False,
        step_stats=(StepStats("extract", StepEventStatus.SUCCESS, 1700000001.0, 1700000002.0),),
    )
    assert run.is_finished


def test_get_run_of_an_unknown_run(client, fake) -> None:
    fake.answer("runOrError", {"__typename": "RunNotFoundError", "message": "Run r9 not found"})
    with pytest.raises(NotFoundError, match="r9"):
        client.get_run("r9")


def test_iter_runs_pages_through_every_match_with_the_cursor(client, fake) -> None:
    ids = [f"r{i}" for i in range(5)]

    def page(variables: dict) -> dict:
        start = ids.index(variables["cursor"]) + 1 if variables["cursor"] else 0
        chosen = ids[start:start + variables["limit"]]
        return {"__typename": "Runs", "results": [run_node(i) for i in chosen]}

    fake.answer("runsOrError", page)
    runs = list(client.iter_runs(page_size=2))
    assert [r.run_id for r in runs] == ids
    assert [r["variables"]["cursor"] for r in fake.requests] == [None, "r1", "r3"]


def test_iter_runs_sends_the_filter(client, fake) -> None:
    fake.answer("runsOrError", {"__typename": "Runs", "results": []})
    after = datetime(2024, 1, 1, tzinfo=timezone.utc)
    list(client.iter_runs(statuses=[DagsterRunStatus.FAILURE, "SUCCESS"], job_name="etl_job",
                          tags={"kind": "etl"}, created_after=after, created_before=1800000000,
                          updated_after=1.5, run_ids=["a"]))
    assert fake.requests[0]["variables"]["filter"] == {
        "statuses": ["FAILURE", "SUCCESS"], "pipelineName": "etl_job", "tags": [{"key": "kind", "value": "etl"}],
        "runIds": ["a"], "createdAfter": after.timestamp(), "createdBefore": 1800000000.0, "updatedAfter": 1.5,
    }
    list(client.iter_runs())
    assert fake.requests[1]["variables"]["filter"] is None


def test_iter_runs_with_an_invalid_filter(client, fake) -> None:
    fake.answer("runsOrError", {"__typename": "InvalidPipelineRunsFilterError", "message": "bad filter"})
    with pytest.raises(Exception, match="bad filter"):
        list(client.iter_runs(job_name="x"))


def test_wait_for_run_returns_the_final_status(client, fake) -> None:
    fake.answer("pipelineRunOrError", *({"__typename": "Run", "status": s} for s in ("STARTING", "STARTED", "FAILURE")))
    assert client.wait_for_run("r", poll_interval=0) is DagsterRunStatus.FAILURE
    assert len(fake.requests) == 3


def test_wait_for_run_times_out_with_the_last_status(client, fake) -> None:
    fake.answer("pipelineRunOrError", {"__typename": "Run", "status": "STARTED"})
    with pytest.raises(RunWaitTimeout) as caught:
        client.wait_for_run("r", timeout=0.05, poll_interval=0.01)
    assert caught.value.status is DagsterRunStatus.STARTED
    assert "r" in str(caught.value)


def _event(kind: str, event_type: str | None, message: str, **extra) -> dict:
    return {"__typename": kind, "runId": "r", "message": message, "timestamp": "1700000000123",
            "level": "INFO", "stepKey": extra.pop("stepKey", None), "eventType": event_type, **extra}


def test_get_run_events_follows_the_cursor_until_no_more(client, fake) -> None:
    first = [_event("RunStartEvent", "RUN_START", "started"),
             _event("ExecutionStepFailureEvent", "STEP_FAILURE", "failed", stepKey="explode",
                    error={"message": "ValueError: this op always fails"})]
    second = [_event("LogMessageEvent", None, "hello"), _event("RunFailureEvent", "RUN_FAILURE", "done", error=None)]
    fake.answer("logsForRun",
                {"__typename": "EventConnection", "events": first, "cursor": "2", "hasMore": True},
                {"__typename": "EventConnection", "events": second, "cursor": "4", "hasMore": False})
    events = client.get_run_events("r")
    assert [e.kind for e in events] == ["RunStartEvent", "ExecutionStepFailureEvent", "LogMessageEvent", "RunFailureEvent"]
    assert events[1].error == "ValueError: this op always fails"
    assert events[1].step_key == "explode"
    assert events[0].timestamp == pytest.approx(1700000000.123)
    assert events[3].ends_run and not events[2].ends_run
    assert [r["variables"]["afterCursor"] for r in fake.requests] == [None, "2"]


def test_get_run_events_of_an_unknown_run(client, fake) -> None:
    fake.answer("logsForRun", {"__typename": "RunNotFoundError", "message": "Run r not found"})
    with pytest.raises(NotFoundError):
        client.get_run_events("r")
