"""Dagster's own Python client (dagster-graphql 1.13.27, unmodified) drives a live `berth dev`.

Each call goes through scripts/client_driver.py in the compat venv; the assertions are on what
the client returns or raises, as a Dagster user would see it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from compat_berth_dev import BerthDev
from compat_runs import RUN_DEADLINE
from compat_venv import ClientCallError, ClientDriver

pytestmark = pytest.mark.compat

TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}

_RUN_QUERY = """
query CompatRun($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      jobName
      status
      solidSelection
      tags { key value }
      repositoryOrigin { repositoryLocationName repositoryName }
      stepStats { stepKey status }
    }
  }
}
"""


def wait_for_status(client: ClientDriver, run_id: str, wanted: set[str], deadline: float = RUN_DEADLINE) -> str:
    """Polls get_run_status until the run reaches one of `wanted` (or any final status); returns it."""
    end = time.monotonic() + deadline
    status = client.call("get_run_status", run_id=run_id)
    while status not in wanted and status not in TERMINAL and time.monotonic() < end:
        time.sleep(0.1)
        status = client.call("get_run_status", run_id=run_id)
    return status


def run_details(berth: BerthDev, run_id: str) -> dict[str, Any]:
    """The run as berth's GraphQL API shows it."""
    body = berth.graphql(_RUN_QUERY, {"runId": run_id})
    assert "errors" not in body, body
    run = body["data"]["runOrError"]
    assert run["__typename"] == "Run", run
    return run


def client_error(client: ClientDriver, method: str, **kwargs: Any) -> ClientCallError:
    """Calls a client method that must raise; returns what it raised."""
    with pytest.raises(ClientCallError) as raised:
        client.call(method, **kwargs)
    return raised.value


def test_submit_with_explicit_location_and_repository_succeeds(dagster_client: ClientDriver) -> None:
    run_id = dagster_client.call(
        "submit_job_execution",
        job_name="hello_job",
        repository_location_name="hello",
        repository_name="__repository__",
        run_config={"ops": {"say_hello": {"config": {"name": "dagster client"}}}},
    )
    assert isinstance(run_id, str) and run_id
    assert wait_for_status(dagster_client, run_id, {"SUCCESS"}) == "SUCCESS"


def test_submit_infers_location_and_repository(dagster_client: ClientDriver, live_berth: BerthDev) -> None:
    run_id = dagster_client.call("submit_job_execution", job_name="daily_report")
    assert wait_for_status(dagster_client, run_id, {"SUCCESS"}) == "SUCCESS"
    run = run_details(live_berth, run_id)
    assert run["jobName"] == "daily_report"
    assert run["repositoryOrigin"] == {"repositoryLocationName": "analytics", "repositoryName": "reporting"}


def test_submit_with_tags_records_them_on_the_run(dagster_client: ClientDriver, live_berth: BerthDev) -> None:
    run_id = dagster_client.call(
        "submit_job_execution", job_name="etl_job", tags={"team": "compat", "ticket": "42"}
    )
    assert wait_for_status(dagster_client, run_id, {"SUCCESS"}) == "SUCCESS"
    tags = {tag["key"]: tag["value"] for tag in run_details(live_berth, run_id)["tags"]}
    assert tags["team"] == "compat"
    assert tags["ticket"] == "42"


def test_submit_with_op_selection_runs_only_those_ops(dagster_client: ClientDriver, live_berth: BerthDev) -> None:
    run_id = dagster_client.call(
        "submit_job_execution",
        job_name="etl_job",
        repository_location_name="hello",
        repository_name="__repository__",
        op_selection=["extract", "transform"],
    )
    assert wait_for_status(dagster_client, run_id, {"SUCCESS"}) == "SUCCESS"
    run = run_details(live_berth, run_id)
    assert sorted(run["solidSelection"]) == ["extract", "transform"]
    assert {step["stepKey"] for step in run["stepStats"]} == {"extract", "transform"}


def test_bad_run_config_raises_with_the_validation_errors(dagster_client: ClientDriver) -> None:
    error = client_error(
        dagster_client,
        "submit_job_execution",
        job_name="hello_job",
        run_config={"ops": {"say_hello": {"config": {"name": 5}}}},
    )
    assert error.kind == "DagsterGraphQLClientError"
    kind, validation_errors = error.error_args
    assert kind == "RunConfigValidationInvalid"
    assert validation_errors, "the client error carries no validation errors"
    for item in validation_errors:
        assert item["message"]
        assert isinstance(item["path"], list)
        assert item["reason"]
    assert "RUNTIME_TYPE_MISMATCH" in {item["reason"] for item in validation_errors}


def test_unknown_job_is_not_found(dagster_client: ClientDriver) -> None:
    inferred = client_error(dagster_client, "submit_job_execution", job_name="no_such_job")
    assert inferred.error_args[0] == "JobNotFoundError"
    explicit = client_error(
        dagster_client,
        "submit_job_execution",
        job_name="no_such_job",
        repository_location_name="hello",
        repository_name="__repository__",
    )
    assert explicit.error_args[0] == "PipelineNotFoundError"
    assert explicit.error_args[1]


def test_failing_job_ends_in_failure(dagster_client: ClientDriver) -> None:
    run_id = dagster_client.call("submit_job_execution", job_name="failing_job")
    assert wait_for_status(dagster_client, run_id, {"FAILURE"}) == "FAILURE"


def test_status_of_an_unknown_run_raises(dagster_client: ClientDriver) -> None:
    error = client_error(dagster_client, "get_run_status", run_id="00000000-0000-0000-0000-000000000000")
    assert error.error_args[0] == "RunNotFoundError"


def test_reload_repository_location(dagster_client: ClientDriver) -> None:
    assert dagster_client.call("reload_repository_location", repository_location_name="hello") == {
        "status": "SUCCESS",
        "failure_type": None,
        "message": None,
    }
    unknown = dagster_client.call("reload_repository_location", repository_location_name="nowhere")
    assert unknown["status"] == "FAILURE"
    assert unknown["failure_type"] == "RepositoryLocationNotFound"
    assert unknown["message"]


def test_terminate_run_cancels_a_long_run(dagster_client: ClientDriver) -> None:
    run_id = dagster_client.call("submit_job_execution", job_name="slow_job")
    assert wait_for_status(dagster_client, run_id, {"STARTED"}) == "STARTED"
    assert dagster_client.call("terminate_run", run_id=run_id) is None
    assert wait_for_status(dagster_client, run_id, {"CANCELED"}) == "CANCELED"


def test_terminate_runs_cancels_every_run(dagster_client: ClientDriver) -> None:
    run_ids = [dagster_client.call("submit_job_execution", job_name="slow_job") for _ in range(2)]
    for run_id in run_ids:
        assert wait_for_status(dagster_client, run_id, {"STARTED"}) == "STARTED"
    assert dagster_client.call("terminate_runs", run_ids=run_ids) is None
    assert [wait_for_status(dagster_client, run_id, {"CANCELED"}) for run_id in run_ids] == ["CANCELED"] * 2


def test_terminate_unknown_run_raises(dagster_client: ClientDriver) -> None:
    error = client_error(dagster_client, "terminate_run", run_id="00000000-0000-0000-0000-000000000000")
    assert error.error_args[0] == "RunNotFoundError"


def test_shutdown_location_comes_back_and_takes_runs(dagster_client: ClientDriver, live_berth: BerthDev) -> None:
    before = live_berth.location_server_ids()["analytics"]
    assert before
    assert dagster_client.call("shutdown_repository_location", repository_location_name="analytics") == {
        "status": "SUCCESS",
        "message": None,
    }
    deadline = time.monotonic() + RUN_DEADLINE
    after = before
    while time.monotonic() < deadline and after in (before, None):
        time.sleep(0.1)
        after = live_berth.location_server_ids().get("analytics")
    assert after not in (before, None), "the supervised code server did not come back with a new server id"
    run_id = dagster_client.call(
        "submit_job_execution",
        job_name="daily_report",
        repository_location_name="analytics",
        repository_name="reporting",
    )
    assert wait_for_status(dagster_client, run_id, {"SUCCESS"}) == "SUCCESS"


def test_shutdown_unknown_location_fails(dagster_client: ClientDriver) -> None:
    result = dagster_client.call("shutdown_repository_location", repository_location_name="nowhere")
    assert result["status"] == "FAILURE"
    assert result["message"]
