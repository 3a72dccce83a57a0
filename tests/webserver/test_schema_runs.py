"""Run queries over a few hundred stored runs: filters, cursors, counts, run fields and event logs."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from test_schema_harness import SchemaHarness, add_events, add_run, storage_harness  # noqa: F401 - fixture

from berth.events import EventType
from berth.runs import RunStatus

RUNS_QUERY = """
query Runs($filter: RunsFilter, $cursor: String, $limit: Int) {
  runsOrError(filter: $filter, cursor: $cursor, limit: $limit) {
    __typename
    ... on Runs { count results { runId jobName status tags { key value } } }
    ... on Error { message }
  }
}
"""
STATUSES = [RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.STARTED, RunStatus.CANCELED]


@pytest.fixture(scope="module")
def population(storage_harness: SchemaHarness) -> dict:  # noqa: F811
    """300 runs of three jobs with statuses, tags and creation times that the filters can tell apart."""
    runs = []
    base = time.time() - 1000
    for index in range(300):
        runs.append(add_run(
            storage_harness.storage, job_name=["etl_job", "hello_job", "slow_job"][index % 3],
            status=STATUSES[index % 4], tags={"team": "a" if index % 2 else "b", "batch": str(index // 100)},
        ).with_changes(create_timestamp=base + index))
    # Creation times one second apart, so that the created filters have a clear boundary.
    with storage_harness.storage.engine.begin() as connection:
        table = sa.Table("runs", sa.MetaData(), autoload_with=connection)
        for run in runs:
            connection.execute(table.update().where(table.c.run_id == run.run_id)
                               .values(create_timestamp=run.create_timestamp))
    return {"runs": runs, "base": base}


def runs_page(harness: SchemaHarness, **variables: object) -> dict:
    data = harness.execute(RUNS_QUERY, variables)["runsOrError"]
    assert data["__typename"] == "Runs", data
    return data


def test_runs_come_newest_first_and_count_every_run(storage_harness: SchemaHarness, population: dict) -> None:  # noqa: F811
    data = runs_page(storage_harness, limit=5)
    assert data["count"] == 300
    assert [r["runId"] for r in data["results"]] == [r.run_id for r in reversed(population["runs"][-5:])]


def test_cursor_pagination_visits_every_run_once(storage_harness: SchemaHarness, population: dict) -> None:  # noqa: F811
    seen, cursor = [], None
    while True:
        page = runs_page(storage_harness, cursor=cursor, limit=37)["results"]
        if not page:
            break
        seen.extend(r["runId"] for r in page)
        cursor = page[-1]["runId"]
    assert seen == [r.run_id for r in reversed(population["runs"])]


@pytest.mark.parametrize("run_filter, expected", [
    ({"statuses": ["FAILURE"]}, lambda i, r: r.status == RunStatus.FAILURE),
    ({"statuses": ["SUCCESS", "CANCELED"]}, lambda i, r: r.status in (RunStatus.SUCCESS, RunStatus.CANCELED)),
    ({"pipelineName": "slow_job"}, lambda i, r: r.job_name == "slow_job"),
    ({"tags": [{"key": "team", "value": "a"}]}, lambda i, r: r.tags["team"] == "a"),
    ({"tags": [{"key": "team", "value": "a"}, {"key": "batch", "value": "2"}]},
     lambda i, r: r.tags["team"] == "a" and r.tags["batch"] == "2"),
    ({"pipelineName": "etl_job", "statuses": ["STARTED"]},
     lambda i, r: r.job_name == "etl_job" and r.status == RunStatus.STARTED),
])
def test_filters(storage_harness: SchemaHarness, population: dict, run_filter: dict, expected) -> None:  # noqa: F811
    data = runs_page(storage_harness, filter=run_filter, limit=1000)
    wanted = [r.run_id for i, r in reversed(list(enumerate(population["runs"]))) if expected(i, r)]
    assert [r["runId"] for r in data["results"]] == wanted
    assert data["count"] == len(wanted)


def test_run_ids_and_creation_time_filters(storage_harness: SchemaHarness, population: dict) -> None:  # noqa: F811
    chosen = [r.run_id for r in population["runs"][10:13]]
    data = runs_page(storage_harness, filter={"runIds": chosen})
    assert sorted(r["runId"] for r in data["results"]) == sorted(chosen)
    base = population["base"]
    before = runs_page(storage_harness, filter={"createdBefore": base + 50}, limit=1000)
    assert before["count"] == 50
    after = runs_page(storage_harness, filter={"createdAfter": base + 249.5}, limit=1000)
    assert after["count"] == 50
    assert runs_page(storage_harness, filter={"updatedAfter": time.time() + 3600})["count"] == 0
    assert runs_page(storage_harness, filter={"updatedBefore": time.time() + 3600}, limit=1)["count"] == 300


def test_legacy_pipeline_runs_field_matches(storage_harness: SchemaHarness, population: dict) -> None:  # noqa: F811
    data = storage_harness.execute("{ pipelineRunsOrError(limit: 3) { ... on Runs { results { runId } } } }")
    assert [r["runId"] for r in data["pipelineRunsOrError"]["results"]] == \
        [r["runId"] for r in runs_page(storage_harness, limit=3)["results"]]


RUN_QUERY = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      id runId jobName pipelineName status mode runConfigYaml runConfig canTerminate parentRunId rootRunId
      creationTime startTime endTime updateTime solidSelection stepKeysToExecute
      tags { key value }
      repositoryOrigin { repositoryLocationName repositoryName }
      stats { __typename ... on RunStatsSnapshot { id runId stepsSucceeded stepsFailed startTime endTime } }
      stepStats { stepKey status startTime endTime }
      eventConnection { cursor hasMore events { __typename ... on MessageEvent { message level eventType stepKey } } }
    }
    ... on RunNotFoundError { runId message }
  }
}
"""


def test_a_finished_run_shows_its_stats_steps_and_events(storage_harness: SchemaHarness) -> None:  # noqa: F811
    storage = storage_harness.storage
    run = add_run(storage, job_name="etl_job", run_config={"ops": {}}, tags={"owner": "me"},
                  op_selection=["extract", "transform"])
    add_events(storage, run.run_id,
               (EventType.RUN_START, "started", None),
               (EventType.STEP_START, "extract starts", "extract"),
               (None, "a log line", "extract"),
               (EventType.STEP_SUCCESS, "extract done", "extract"),
               (EventType.STEP_START, "transform starts", "transform"),
               (EventType.STEP_FAILURE, "transform failed", "transform"),
               (EventType.RUN_FAILURE, "failed", None))
    data = storage_harness.execute(RUN_QUERY, {"runId": run.run_id})["runOrError"]
    assert data["__typename"] == "Run"
    assert (data["id"], data["jobName"], data["pipelineName"], data["status"], data["mode"]) == (
        run.run_id, "etl_job", "etl_job", "FAILURE", "default")
    assert data["canTerminate"] is False
    assert data["solidSelection"] == ["extract", "transform"]
    assert data["tags"] == [{"key": "owner", "value": "me"}]
    assert data["repositoryOrigin"] == {"repositoryLocationName": "hello", "repositoryName": "__repository__"}
    assert data["stats"]["__typename"] == "RunStatsSnapshot"
    assert (data["stats"]["stepsSucceeded"], data["stats"]["stepsFailed"]) == (1, 1)
    assert data["startTime"] is not None and data["endTime"] >= data["startTime"]
    assert [(s["stepKey"], s["status"]) for s in data["stepStats"]] == [("extract", "SUCCESS"),
                                                                        ("transform", "FAILURE")]
    events = data["eventConnection"]["events"]
    assert [e["__typename"] for e in events] == [
        "RunStartEvent", "ExecutionStepStartEvent", "LogMessageEvent", "ExecutionStepSuccessEvent",
        "ExecutionStepStartEvent", "ExecutionStepFailureEvent", "RunFailureEvent"]
    assert events[2] == {"__typename": "LogMessageEvent", "message": "a log line", "level": "INFO",
                         "eventType": None, "stepKey": "extract"}
    assert data["eventConnection"]["hasMore"] is False


def test_logs_for_run_pages_with_a_cursor(storage_harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(storage_harness.storage, status=RunStatus.STARTED)
    add_events(storage_harness.storage, run.run_id, *[(None, f"line {n}", None) for n in range(7)])
    query = """query Logs($runId: ID!, $after: String) { logsForRun(runId: $runId, afterCursor: $after, limit: 3) {
      __typename ... on EventConnection { cursor hasMore events { ... on MessageEvent { message timestamp } } } } }"""
    messages, cursor, has_more = [], None, True
    while has_more:
        page = storage_harness.execute(query, {"runId": run.run_id, "after": cursor})["logsForRun"]
        assert page["__typename"] == "EventConnection"
        messages.extend(e["message"] for e in page["events"])
        cursor, has_more = page["cursor"], page["hasMore"]
    assert messages == [f"line {n}" for n in range(7)]
    assert all(e["timestamp"].isdigit() for e in
               storage_harness.execute(query, {"runId": run.run_id})["logsForRun"]["events"])
    missing = storage_harness.execute('{ logsForRun(runId: "nope") { __typename ... on RunNotFoundError { runId } } }')
    assert missing["logsForRun"] == {"__typename": "RunNotFoundError", "runId": "nope"}


def test_unknown_run_is_run_not_found(storage_harness: SchemaHarness) -> None:  # noqa: F811
    for field in ("runOrError", "pipelineRunOrError"):
        data = storage_harness.execute(f'{{ {field}(runId: "missing") {{ __typename ... on RunNotFoundError '
                                       f'{{ runId message }} }} }}')[field]
        assert data["__typename"] == "RunNotFoundError" and data["runId"] == "missing" and "missing" in data["message"]


def test_run_tag_keys_and_values(storage_harness: SchemaHarness, population: dict) -> None:  # noqa: F811
    keys = storage_harness.execute("{ runTagKeysOrError { ... on RunTagKeys { keys } } }")
    assert {"team", "batch"} <= set(keys["runTagKeysOrError"]["keys"])
    tags = storage_harness.execute('{ runTagsOrError(tagKeys: ["team"]) { __typename ... on RunTags '
                                   '{ tags { key values } } } }')["runTagsOrError"]
    assert tags["__typename"] == "RunTags"
    assert [(t["key"], sorted(t["values"])) for t in tags["tags"]] == [("team", ["a", "b"])]


def test_a_bad_argument_is_an_invalid_filter_error_not_a_graphql_error(storage_harness: SchemaHarness) -> None:  # noqa: F811
    result = storage_harness.execute(RUNS_QUERY, {"limit": -1})["runsOrError"]
    assert result["__typename"] == "InvalidPipelineRunsFilterError" and "limit" in result["message"]


def test_snapshot_id_and_mode_filters(storage_harness: SchemaHarness) -> None:  # noqa: F811
    old = add_run(storage_harness.storage, job_name="snapshot_job", job_snapshot_id="snap-old")
    new = add_run(storage_harness.storage, job_name="snapshot_job", job_snapshot_id="snap-new")
    found = runs_page(storage_harness, filter={"pipelineName": "snapshot_job", "snapshotId": "snap-old"})
    assert [run["runId"] for run in found["results"]] == [old.run_id] and found["count"] == 1
    default_mode = runs_page(storage_harness, filter={"pipelineName": "snapshot_job", "mode": "default"})
    assert {run["runId"] for run in default_mode["results"]} == {old.run_id, new.run_id}
    other_mode = runs_page(storage_harness, filter={"pipelineName": "snapshot_job", "mode": "other"})
    assert other_mode["results"] == [] and other_mode["count"] == 0
