"""Launch, re-execution, terminate and delete mutations against real code servers and storage."""

from __future__ import annotations

import dataclasses
import socket
from typing import Any, Optional

import pytest
from test_schema_harness import SchemaHarness, add_events, add_run, harness, wait_for  # noqa: F401 - fixture

from berth.events import EventType
from berth.output_store import open_output_store
from berth.runs import RunStatus
from berth_webserver.context import RequestContext
from berth_webserver.launcher import RunLauncher
from berth_webserver.operations import LaunchRequest, delete_run, launch_run
from berth_webserver.operations.errors import RunLaunchFailed
from berth_webserver.workspace.code_location_client import CodeLocationClient

LAUNCH = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status jobName solidSelection tags { key value } runConfig } }
    ... on RunConfigValidationInvalid {
      pipelineName
      errors { __typename message path reason stack { entries { __typename ... on EvaluationStackPathEntry { fieldName } } } }
    }
    ... on PipelineNotFoundError { message pipelineName repositoryName repositoryLocationName }
    ... on InvalidSubsetError { message pipeline { name } }
    ... on UnauthorizedError { message }
    ... on PythonError { message }
  }
}
"""
REEXECUTE = """
mutation Reexecute($parentRunId: String!, $strategy: ReexecutionStrategy!) {
  launchRunReexecution(reexecutionParams: {parentRunId: $parentRunId, strategy: $strategy}) {
    __typename
    ... on LaunchRunSuccess { run { runId parentRunId rootRunId stepKeysToExecute jobName tags { key value } } }
    ... on ConflictingExecutionParamsError { message }
    ... on PythonError { message }
  }
}
"""
TERMINATE = """
mutation Terminate($runId: String!, $policy: TerminateRunPolicy) {
  terminateRun(runId: $runId, terminatePolicy: $policy) {
    __typename
    ... on TerminateRunSuccess { run { runId status canTerminate } }
    ... on TerminateRunFailure { message run { status } }
    ... on RunNotFoundError { runId }
    ... on UnauthorizedError { message }
  }
}
"""


def params(job: str = "hello_job", location: str = "hello", repository: str = "__repository__",
           config: Any = None, selection: Optional[list[str]] = None, **extra: Any) -> dict:
    selector = {"repositoryLocationName": location, "repositoryName": repository, "jobName": job}
    if selection is not None:
        selector["solidSelection"] = selection
    return {"executionParams": {"selector": selector, "runConfigData": config, **extra}}


def launch(harness: SchemaHarness, **kwargs: Any) -> dict:  # noqa: F811
    return harness.execute(LAUNCH, params(**kwargs))["launchRun"]


def test_launch_stores_the_run_with_config_defaults_and_tags(harness: SchemaHarness) -> None:  # noqa: F811
    data = launch(harness, config={"ops": {"say_hello": {"config": {"name": "berth"}}}},
                  executionMetadata={"tags": [{"key": "owner", "value": "me"}]})
    assert data["__typename"] == "LaunchRunSuccess"
    run = data["run"]
    assert run["jobName"] == "hello_job" and run["status"] in ("STARTING", "STARTED", "SUCCESS", "FAILURE")
    assert {"key": "owner", "value": "me"} in run["tags"]
    assert {"key": "team", "value": "examples"} in run["tags"]  # the job's own tags
    stored = harness.storage.get_run(run["runId"])
    assert stored.run_config["ops"] == {"say_hello": {"config": {"name": "berth"}}}
    event_types = [r.event.event_type for r in harness.storage.get_events(stored.run_id)]
    assert event_types[0] == EventType.RUN_STARTING


def test_launch_accepts_run_config_as_yaml_and_pipeline_name(harness: SchemaHarness) -> None:  # noqa: F811
    variables = params(config="ops:\n  say_hello:\n    config:\n      name: yaml\n")
    selector = variables["executionParams"]["selector"]
    selector["pipelineName"] = selector.pop("jobName")
    data = harness.execute(LAUNCH.replace("launchRun(", "launchPipelineExecution("), variables)
    run = data["launchPipelineExecution"]["run"]
    assert harness.storage.get_run(run["runId"]).run_config["ops"]["say_hello"]["config"]["name"] == "yaml"


def test_job_default_config_is_used_when_no_config_is_given(harness: SchemaHarness) -> None:  # noqa: F811
    data = launch(harness, job="export_job", location="analytics", repository="analytics")
    assert data["__typename"] == "LaunchRunSuccess"
    config = harness.storage.get_run(data["run"]["runId"]).run_config["ops"]["export_table"]["config"]
    assert config["source"] == {"table": "events"} and config["target"]["bucket"] == "b"
    assert config["format"] == "csv" and config["columns"] == ["id"]


def test_invalid_config_reports_every_error_with_path_and_reason(harness: SchemaHarness) -> None:  # noqa: F811
    # "target" keeps the job's default ({"bucket": "b"}): given config is laid over the default config.
    config = {"ops": {"export_table": {"config": {
        "source": {"table": "t", "query": "q"}, "columns": "id", "format": "xml", "target": {}, "extra": 1}}}}
    data = launch(harness, job="export_job", location="analytics", repository="analytics", config=config)
    assert data["__typename"] == "RunConfigValidationInvalid" and data["pipelineName"] == "export_job"
    found = {(e["__typename"], e["reason"], tuple(e["path"])) for e in data["errors"]}
    base = ("ops", "export_table", "config")
    assert found == {
        ("SelectorTypeConfigError", "SELECTOR_FIELD_ERROR", base + ("source",)),
        ("RuntimeMismatchConfigError", "RUNTIME_TYPE_MISMATCH", base + ("columns",)),
        ("RuntimeMismatchConfigError", "RUNTIME_TYPE_MISMATCH", base + ("format",)),
        ("FieldNotDefinedConfigError", "FIELD_NOT_DEFINED", base),
    }
    mismatch = next(e for e in data["errors"] if tuple(e["path"]) == base + ("format",))
    assert "xml" in mismatch["message"]
    assert [entry["fieldName"] for entry in mismatch["stack"]["entries"]] == list(base + ("format",))


def test_unknown_job_and_repository(harness: SchemaHarness) -> None:  # noqa: F811
    data = launch(harness, job="no_such_job")
    assert data == {"__typename": "PipelineNotFoundError", "message": data["message"], "pipelineName": "no_such_job",
                    "repositoryName": "__repository__", "repositoryLocationName": "hello"}
    assert launch(harness, location="nowhere")["__typename"] == "PipelineNotFoundError"


def test_op_selection_runs_a_subset(harness: SchemaHarness) -> None:  # noqa: F811
    data = launch(harness, job="etl_job", selection=["transform*"])
    assert data["__typename"] == "LaunchRunSuccess"
    assert data["run"]["solidSelection"] == ["transform", "load", "notify"]
    data = launch(harness, job="etl_job", selection=["extract", "missing_op"])
    assert data["__typename"] == "InvalidSubsetError"
    assert "missing_op" in data["message"] and data["pipeline"] == {"name": "etl_job"}


def test_read_only_refuses_every_mutation(harness: SchemaHarness) -> None:  # noqa: F811
    before = harness.storage.get_runs_count()
    data = harness.execute(LAUNCH, params(), read_only=True)["launchRun"]
    assert data["__typename"] == "UnauthorizedError"
    run = add_run(harness.storage)
    data = harness.execute(TERMINATE, {"runId": run.run_id}, read_only=True)["terminateRun"]
    assert data["__typename"] == "UnauthorizedError"
    for mutation in ('deleteRun(runId: "x")', 'reloadRepositoryLocation(repositoryLocationName: "hello")',
                     "reloadWorkspace", 'shutdownRepositoryLocation(repositoryLocationName: "hello")'):
        result = harness.execute(f"mutation {{ {mutation} {{ __typename }} }}", read_only=True)
        assert next(iter(result.values())) == {"__typename": "UnauthorizedError"}
    assert harness.storage.get_runs_count() == before + 1


def test_reexecute_all_steps_keeps_lineage(harness: SchemaHarness) -> None:  # noqa: F811
    parent = add_run(harness.storage, job_name="etl_job", status=RunStatus.SUCCESS)
    data = harness.execute(REEXECUTE, {"parentRunId": parent.run_id, "strategy": "ALL_STEPS"})
    run = data["launchRunReexecution"]["run"]
    assert (run["parentRunId"], run["rootRunId"], run["stepKeysToExecute"]) == (parent.run_id, parent.run_id, None)
    assert {"key": "dagster/parent_run_id", "value": parent.run_id} in run["tags"]
    child = harness.execute(REEXECUTE, {"parentRunId": run["runId"], "strategy": "ALL_STEPS"})
    assert child["launchRunReexecution"]["run"]["rootRunId"] == parent.run_id


def test_reexecute_from_failure_runs_the_steps_that_did_not_succeed(harness: SchemaHarness) -> None:  # noqa: F811
    parent = add_run(harness.storage, job_name="etl_job", status=RunStatus.STARTED)
    add_events(harness.storage, parent.run_id,
               (EventType.STEP_START, "", "extract"), (EventType.STEP_SUCCESS, "", "extract"),
               (EventType.STEP_START, "", "transform"), (EventType.STEP_FAILURE, "", "transform"),
               (EventType.RUN_FAILURE, "failed", None))
    data = harness.execute(REEXECUTE, {"parentRunId": parent.run_id, "strategy": "FROM_FAILURE"})
    assert data["launchRunReexecution"]["run"]["stepKeysToExecute"] == ["transform", "load", "notify"]

    succeeded = add_run(harness.storage, job_name="etl_job", status=RunStatus.SUCCESS)
    data = harness.execute(REEXECUTE, {"parentRunId": succeeded.run_id, "strategy": "FROM_FAILURE"})
    assert data["launchRunReexecution"]["__typename"] == "ConflictingExecutionParamsError"
    data = harness.execute(REEXECUTE, {"parentRunId": "missing", "strategy": "ALL_STEPS"})
    assert data["launchRunReexecution"]["__typename"] == "PythonError"
    assert "missing" in data["launchRunReexecution"]["message"]


def test_reexecute_with_execution_params(harness: SchemaHarness) -> None:  # noqa: F811
    parent = add_run(harness.storage, status=RunStatus.FAILURE)
    variables = params(executionMetadata={"parentRunId": parent.run_id, "rootRunId": parent.run_id})
    query = LAUNCH.replace("launchRun(executionParams: $executionParams)",
                           "launchRunReexecution(executionParams: $executionParams)")
    run = harness.execute(query, variables)["launchRunReexecution"]["run"]
    assert harness.storage.get_run(run["runId"]).parent_run_id == parent.run_id


@pytest.mark.parametrize("status", [RunStatus.NOT_STARTED, RunStatus.STARTED])
def test_mark_as_canceled_immediately(harness: SchemaHarness, status: RunStatus) -> None:  # noqa: F811
    run = add_run(harness.storage, status=status)
    data = harness.execute(TERMINATE, {"runId": run.run_id, "policy": "MARK_AS_CANCELED_IMMEDIATELY"})
    assert data["terminateRun"] == {"__typename": "TerminateRunSuccess",
                                    "run": {"runId": run.run_id, "status": "CANCELED", "canTerminate": False}}


def test_safe_terminate_of_a_run_no_server_has_cancels_it(harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(harness.storage, status=RunStatus.STARTED)
    data = harness.execute(TERMINATE, {"runId": run.run_id, "policy": "SAFE_TERMINATE"})["terminateRun"]
    assert data["__typename"] == "TerminateRunSuccess" and data["run"]["status"] == "CANCELED"
    kinds = [r.event.event_type for r in harness.storage.get_events(run.run_id)]
    assert kinds == [EventType.RUN_CANCELING, EventType.RUN_CANCELED]


def test_terminate_finished_and_canceling_runs_fails(harness: SchemaHarness) -> None:  # noqa: F811
    done = add_run(harness.storage, status=RunStatus.SUCCESS)
    data = harness.execute(TERMINATE, {"runId": done.run_id, "policy": "MARK_AS_CANCELED_IMMEDIATELY"})
    assert data["terminateRun"]["__typename"] == "TerminateRunFailure"
    assert data["terminateRun"]["run"]["status"] == "SUCCESS"
    canceling = add_run(harness.storage, status=RunStatus.CANCELING)
    data = harness.execute(TERMINATE, {"runId": canceling.run_id})
    assert data["terminateRun"]["__typename"] == "TerminateRunFailure"


def test_terminate_runs_answers_for_each_run(harness: SchemaHarness) -> None:  # noqa: F811
    started, done = add_run(harness.storage, status=RunStatus.STARTED), add_run(harness.storage, status=RunStatus.SUCCESS)
    query = """mutation T($ids: [String!]!) { terminateRuns(runIds: $ids, terminatePolicy: MARK_AS_CANCELED_IMMEDIATELY) {
      __typename ... on TerminateRunsResult { terminateRunResults { __typename } } } }"""
    data = harness.execute(query, {"ids": [started.run_id, done.run_id, "missing"]})["terminateRuns"]
    assert [r["__typename"] for r in data["terminateRunResults"]] == [
        "TerminateRunSuccess", "TerminateRunFailure", "RunNotFoundError"]


def test_terminate_runs_on_a_read_only_webserver_refuses_each_run(harness: SchemaHarness) -> None:  # noqa: F811
    started = add_run(harness.storage, status=RunStatus.STARTED)
    query = """mutation T($ids: [String!]!) { terminateRuns(runIds: $ids) {
      __typename ... on TerminateRunsResult { terminateRunResults { __typename } } } }"""
    data = harness.execute(query, {"ids": [started.run_id, "missing"]}, read_only=True)["terminateRuns"]
    assert [r["__typename"] for r in data["terminateRunResults"]] == ["UnauthorizedError", "UnauthorizedError"]
    assert harness.storage.get_run(started.run_id).status == RunStatus.STARTED  # type: ignore[union-attr]


def test_delete_run(harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(harness.storage, status=RunStatus.SUCCESS)
    add_events(harness.storage, run.run_id, (None, "line", None))
    for field in ("deleteRun", "deletePipelineRun"):
        query = f'mutation {{ {field}(runId: "{run.run_id}") {{ __typename ... on DeletePipelineRunSuccess {{ runId }} }} }}'
        data = harness.execute(query)[field]
        if field == "deleteRun":
            assert data == {"__typename": "DeletePipelineRunSuccess", "runId": run.run_id}
        else:
            assert data == {"__typename": "RunNotFoundError"}
    assert harness.storage.get_run(run.run_id) is None


def test_deleting_a_run_in_progress_stops_its_worker_first(harness: SchemaHarness) -> None:  # noqa: F811
    run_id = launch(harness, job="slow_job", config={"ops": {"sleep_for": {"config": {"seconds": 60}}}})["run"]["runId"]
    client = harness.workspace.client("hello")  # type: ignore[union-attr]
    wait_for(lambda: run_id in harness.run(client.list_active_runs()))
    data = harness.execute(f'mutation {{ deleteRun(runId: "{run_id}") {{ __typename }} }}')["deleteRun"]
    assert data == {"__typename": "DeletePipelineRunSuccess"}
    # When deleteRun answers, the worker is gone (not left sleeping) and wrote nothing after the deletion.
    assert run_id not in harness.run(client.list_active_runs())
    assert harness.storage.get_run(run_id) is None and harness.storage.get_events(run_id) == []


def test_a_run_in_progress_whose_code_server_is_unreachable_is_not_deleted(harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(harness.storage, status=RunStatus.STARTED, location="gone_location")
    data = harness.execute(f'mutation {{ deleteRun(runId: "{run.run_id}") {{ __typename ... on PythonError '
                           "{ message } } }")["deleteRun"]
    assert data["__typename"] == "PythonError"
    assert "cannot be reached to stop it, so it was not deleted" in data["message"]
    assert harness.storage.get_run(run.run_id) is not None  # still there, to delete once it has ended


def test_a_canceling_run_whose_worker_is_gone_is_deleted(harness: SchemaHarness) -> None:  # noqa: F811
    # Its code server is up and runs no worker for it: nothing will ever end it, and nothing writes to it.
    run = add_run(harness.storage, status=RunStatus.CANCELING)
    data = harness.execute(f'mutation {{ deleteRun(runId: "{run.run_id}") {{ __typename }} }}')["deleteRun"]
    assert data == {"__typename": "DeletePipelineRunSuccess"}
    assert harness.storage.get_run(run.run_id) is None and harness.storage.get_events(run.run_id) == []


def test_deleting_a_run_deletes_its_outputs(harness: SchemaHarness, tmp_path: Any) -> None:  # noqa: F811
    store = open_output_store(str(tmp_path / "outputs"))
    run = add_run(harness.storage, status=RunStatus.SUCCESS)
    other = add_run(harness.storage, status=RunStatus.SUCCESS)
    for run_id in (run.run_id, other.run_id):
        store.store(run_id, "say_hello", "result", "hello")
    context = dataclasses.replace(harness.context(), output_store=store)
    assert harness.run(delete_run(context, run.run_id)) == 1
    assert store.run_outputs(run.run_id) == [] and harness.storage.get_run(run.run_id) is None
    assert store.load(other.run_id, "say_hello", "result") == "hello"


SNAPSHOT_RUNS = """
query Runs($filter: RunsFilter) {
  runsOrError(filter: $filter) { ... on Runs { results { runId pipelineSnapshotId } count } }
}"""


def test_launched_runs_filter_by_their_snapshot_id_and_mode(harness: SchemaHarness) -> None:  # noqa: F811
    hello = launch(harness)["run"]["runId"]
    slow = launch(harness, job="slow_job", config={"ops": {"sleep_for": {"config": {"seconds": 0}}}})["run"]["runId"]
    snapshots = {run["runId"]: run["pipelineSnapshotId"]
                 for run in harness.execute(SNAPSHOT_RUNS)["runsOrError"]["results"]}
    assert snapshots[hello] and snapshots[slow] and snapshots[hello] != snapshots[slow]

    def run_ids(**filter_: Any) -> set[str]:
        return {run["runId"] for run in harness.execute(SNAPSHOT_RUNS, {"filter": filter_})["runsOrError"]["results"]}

    by_snapshot = run_ids(snapshotId=snapshots[hello])
    assert hello in by_snapshot and slow not in by_snapshot
    assert run_ids(snapshotId="no-such-snapshot") == set()
    assert {hello, slow} <= run_ids(mode="default")
    assert run_ids(mode="another_mode") == set()
    assert harness.execute(SNAPSHOT_RUNS, {"filter": {"mode": "another_mode"}})["runsOrError"]["count"] == 0


def test_launched_run_reaches_a_finished_status(harness: SchemaHarness) -> None:  # noqa: F811
    run_id = launch(harness)["run"]["runId"]
    status = wait_for(lambda: harness.storage.get_run(run_id).is_finished and harness.storage.get_run(run_id).status)
    assert status in (RunStatus.SUCCESS, RunStatus.FAILURE)


def test_a_step_key_the_job_lacks_is_an_invalid_step_error(harness: SchemaHarness) -> None:  # noqa: F811
    document = """
    mutation Launch($executionParams: ExecutionParams!) {
      launchRun(executionParams: $executionParams) { __typename ... on InvalidStepError { invalidStepKey } }
    }"""
    data = harness.execute(document, params(stepKeys=["nope"]))["launchRun"]
    assert data == {"__typename": "InvalidStepError", "invalidStepKey": "nope"}


def test_a_launch_the_code_server_does_not_take_fails_the_run_once(harness: SchemaHarness) -> None:  # noqa: F811
    # The job is in the workspace, but the launcher reaches no server: a real gRPC client on a port
    # where nothing listens, as when a server dies between the snapshot and the launch.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = CodeLocationClient("127.0.0.1", port)
    context = RequestContext(harness.workspace, harness.async_storage,  # type: ignore[arg-type]
                             RunLauncher(lambda _name: dead))
    with pytest.raises(RunLaunchFailed) as failed:
        harness.run(launch_run(context, LaunchRequest("hello", "__repository__", "hello_job")))
    harness.run(dead.close())
    assert "did not start the run" in str(failed.value)
    run = harness.storage.get_run(failed.value.run_id)
    assert run is not None and run.status == RunStatus.FAILURE
    events = [record.event for record in harness.storage.get_events(run.run_id)]
    kinds = [event.event_type for event in events]
    assert kinds.count(EventType.RUN_FAILURE) == 1 and kinds.count(EventType.ENGINE_EVENT) == 1
    engine_event = events[kinds.index(EventType.ENGINE_EVENT)]
    assert "Could not launch the run" in engine_event.message and engine_event.error is not None


def test_permissions_are_all_refused_on_a_read_only_webserver(harness: SchemaHarness) -> None:  # noqa: F811
    query = "{ permissions { permission value disabledReason } }"
    assert all(item["value"] and item["disabledReason"] is None for item in harness.execute(query)["permissions"])
    answer = harness.execute(query, read_only=True)["permissions"]
    assert {item["permission"] for item in answer} >= {"launch_pipeline_execution", "terminate_pipeline_execution",
                                                      "shutdown_repository_location"}
    assert all(not item["value"] and "read-only" in item["disabledReason"] for item in answer)
