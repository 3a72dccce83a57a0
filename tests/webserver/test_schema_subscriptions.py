"""The pipelineRunLogs subscription: past events, live batches, the end of the stream, unknown runs."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from test_schema_harness import SchemaHarness, add_events, add_run, storage_harness  # noqa: F401 - fixture

from berth.events import EventType
from berth.runs import RunStatus

RUN_LOGS = """subscription Logs($runId: ID!, $cursor: String) { pipelineRunLogs(runId: $runId, cursor: $cursor) {
  __typename
  ... on PipelineRunLogsSubscriptionSuccess { run { runId status } hasMorePastEvents cursor
    messages { __typename ... on MessageEvent { message eventType } } }
  ... on PipelineRunLogsSubscriptionFailure { message missingRunId } } }"""


def messages_of(batches: list[dict]) -> list[str]:
    return [m["message"] for b in batches for m in b["pipelineRunLogs"]["messages"]]


def test_a_finished_run_streams_its_log_and_ends(storage_harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(storage_harness.storage)
    add_events(storage_harness.storage, run.run_id, (EventType.RUN_START, "start", None), (None, "line", None),
               (EventType.RUN_SUCCESS, "done", None))
    batches = storage_harness.subscribe(RUN_LOGS, {"runId": run.run_id})
    assert messages_of(batches) == ["start", "line", "done"]
    last = batches[-1]["pipelineRunLogs"]
    assert last["run"]["status"] == "SUCCESS" and last["hasMorePastEvents"] is False


def test_events_arrive_live_until_the_run_ends(storage_harness: SchemaHarness) -> None:  # noqa: F811
    storage = storage_harness.storage
    run = add_run(storage, status=RunStatus.STARTING)
    add_events(storage, run.run_id, (EventType.RUN_START, "start", None))

    def finish_run() -> None:  # the worker's part, from another thread, once the stream is open
        add_events(storage, run.run_id, (EventType.STEP_START, "step", "say_hello"), (None, "hello!", "say_hello"),
                   (EventType.STEP_SUCCESS, "step done", "say_hello"), (EventType.RUN_SUCCESS, "done", None))

    writer = threading.Thread(target=finish_run)
    batches = storage_harness.subscribe(RUN_LOGS, {"runId": run.run_id}, on_first=writer.start)
    writer.join()
    assert messages_of(batches) == ["start", "step", "hello!", "step done", "done"]
    assert batches[0]["pipelineRunLogs"]["messages"][0]["eventType"] == "PIPELINE_START"
    assert batches[-1]["pipelineRunLogs"]["run"]["status"] == "SUCCESS"


def test_a_cursor_resumes_after_the_events_already_seen(storage_harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(storage_harness.storage)
    add_events(storage_harness.storage, run.run_id, (None, "one", None), (None, "two", None))
    first = storage_harness.subscribe(RUN_LOGS, {"runId": run.run_id}, until=lambda received: True)
    cursor = first[0]["pipelineRunLogs"]["cursor"]
    add_events(storage_harness.storage, run.run_id, (None, "three", None), (EventType.RUN_CANCELED, "end", None))
    rest = storage_harness.subscribe(RUN_LOGS, {"runId": run.run_id, "cursor": cursor})
    assert messages_of(rest) == ["three", "end"]


def test_an_unknown_run_gives_a_failure(storage_harness: SchemaHarness) -> None:  # noqa: F811
    batches = storage_harness.subscribe(RUN_LOGS, {"runId": "missing"})
    assert batches == [{"pipelineRunLogs": {"__typename": "PipelineRunLogsSubscriptionFailure",
                                            "message": "Run missing could not be found.", "missingRunId": "missing"}}]


def test_the_last_batch_carries_the_finished_status_when_the_run_ends_between_reads(
        storage_harness: SchemaHarness, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Each poll reads the run, then its events. A run that ends between the two reads gives a batch
    with its last event but the old status; the stream must still end on the finished status (the run
    page's header shows it)."""
    storage = storage_harness.storage
    run = add_run(storage, status=RunStatus.STARTING)
    add_events(storage, run.run_id, (EventType.RUN_START, "start", None))
    read_events = storage.get_events
    calls = []

    def get_events_after_the_run_ends(run_id: str, **kwargs: Any) -> Any:
        calls.append(run_id)
        if len(calls) == 2:  # the first poll after the opening batch: the worker finishes in between
            add_events(storage, run.run_id, (EventType.RUN_SUCCESS, "done", None))
        return read_events(run_id, **kwargs)

    monkeypatch.setattr(storage, "get_events", get_events_after_the_run_ends)
    batches = storage_harness.subscribe(RUN_LOGS, {"runId": run.run_id})
    assert messages_of(batches) == ["start", "done"]
    assert batches[-1]["pipelineRunLogs"]["run"]["status"] == "SUCCESS"
