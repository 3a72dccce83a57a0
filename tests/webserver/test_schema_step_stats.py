"""RunStepStats as Dagster serves it: attempts and markers as RunMarker spans, empty event lists."""

from __future__ import annotations

from typing import Any, Optional

from test_schema_harness import SchemaHarness, add_run, harness, storage_harness, wait_for  # noqa: F401 - fixtures

from berth.events import EventType, RunEvent
from berth.runs import RunStatus

STEP_STATS = """
query StepStats($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run {
      stepStats {
        __typename stepKey status startTime endTime
        attempts { startTime endTime }
        markers { startTime endTime }
        materializations { __typename message }
        expectationResults { success }
      }
    }
  }
}
"""
LAUNCH = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) { __typename ... on LaunchRunSuccess { run { runId } } }
}
"""


def step_stats(harness: SchemaHarness, run_id: str) -> dict[str, dict[str, Any]]:  # noqa: F811
    data = harness.execute(STEP_STATS, {"runId": run_id})["runOrError"]
    return {stats["stepKey"]: stats for stats in data["stepStats"]}


def store(harness: SchemaHarness, run_id: str, *events: tuple[EventType, Optional[str], float, dict]) -> None:  # noqa: F811
    for event_type, step_key, timestamp, metadata in events:
        harness.storage.store_event(RunEvent(run_id, "", event_type, step_key=step_key, metadata=metadata,
                                             timestamp=timestamp))


def test_each_attempt_is_a_span_from_start_or_restart_to_its_outcome(storage_harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(storage_harness.storage, job_name="etl_job")
    store(storage_harness, run.run_id,
          (EventType.RUN_START, None, 100.0, {}),
          (EventType.STEP_START, "extract", 101.0, {}),
          (EventType.STEP_UP_FOR_RETRY, "extract", 102.0, {}),
          (EventType.STEP_RESTARTED, "extract", 103.0, {}),
          (EventType.STEP_UP_FOR_RETRY, "extract", 104.0, {}),
          (EventType.STEP_RESTARTED, "extract", 105.0, {}),
          (EventType.STEP_SUCCESS, "extract", 106.0, {}),
          (EventType.STEP_START, "transform", 107.0, {}),
          (EventType.STEP_FAILURE, "transform", 108.0, {}),
          (EventType.STEP_START, "load", 109.0, {}))
    stats = step_stats(storage_harness, run.run_id)
    extract = stats["extract"]
    assert extract["__typename"] == "RunStepStats" and extract["status"] == "SUCCESS"
    assert extract["attempts"] == [{"startTime": 101.0, "endTime": 102.0}, {"startTime": 103.0, "endTime": 104.0},
                                   {"startTime": 105.0, "endTime": 106.0}]
    assert (extract["markers"], extract["materializations"], extract["expectationResults"]) == ([], [], [])
    assert stats["transform"]["attempts"] == [{"startTime": 107.0, "endTime": 108.0}]
    # As in Dagster, an attempt still running is not listed yet.
    assert stats["load"]["status"] == "IN_PROGRESS" and stats["load"]["attempts"] == []


def test_engine_events_open_and_close_markers(storage_harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(storage_harness.storage, job_name="hello_job")
    store(storage_harness, run.run_id,
          (EventType.STEP_START, "say_hello", 10.0, {}),
          (EventType.ENGINE_EVENT, "say_hello", 11.0, {"marker_start": "resources"}),
          (EventType.ENGINE_EVENT, "say_hello", 12.0, {"marker_end": "resources"}),
          (EventType.ENGINE_EVENT, "say_hello", 13.0, {"marker_start": "io"}),
          (EventType.STEP_SUCCESS, "say_hello", 14.0, {}))
    stats = step_stats(storage_harness, run.run_id)["say_hello"]
    assert stats["markers"] == [{"startTime": 11.0, "endTime": 12.0}, {"startTime": 13.0, "endTime": None}]
    assert stats["attempts"] == [{"startTime": 10.0, "endTime": 14.0}]


def test_a_retried_step_of_a_real_run_shows_two_attempts(harness: SchemaHarness) -> None:  # noqa: F811
    selector = {"repositoryLocationName": "hello", "repositoryName": "__repository__", "jobName": "flaky_job"}
    data = harness.execute(LAUNCH, {"executionParams": {"selector": selector}})["launchRun"]
    assert data["__typename"] == "LaunchRunSuccess", data
    run_id = data["run"]["runId"]
    record = wait_for(lambda: (run := harness.storage.get_run(run_id)).is_finished and run, timeout=60)
    assert record.status == RunStatus.SUCCESS
    flaky = step_stats(harness, run_id)["flaky"]
    assert flaky["status"] == "SUCCESS" and len(flaky["attempts"]) == 2
    first, second = flaky["attempts"]
    assert first["startTime"] <= first["endTime"] <= second["startTime"] <= second["endTime"]
    assert (flaky["startTime"], flaky["endTime"]) == (first["startTime"], second["endTime"])
