"""Every member of every result union maps to the right return value or exception."""

from __future__ import annotations

import pytest

from berth_client import (
    AmbiguousJobError,
    DagsterGraphQLClientError,
    DagsterRunStatus,
    InvalidOutputErrorInfo,
    JobHandle,
    NotFoundError,
    ReloadRepositoryLocationInfo,
    ReloadRepositoryLocationStatus,
    RunConfigValidationError,
    ShutdownRepositoryLocationInfo,
    ShutdownRepositoryLocationStatus,
)

REPOSITORIES = {
    "__typename": "RepositoryConnection",
    "nodes": [
        {"name": "__repository__", "location": {"name": "hello"}, "pipelines": [{"name": "hello_job"}, {"name": "etl_job"}]},
        {"name": "__repository__", "location": {"name": "hello_copy"}, "pipelines": [{"name": "hello_job"}]},
        {"name": "reporting", "location": {"name": "analytics"}, "pipelines": [{"name": "daily_report"}]},
    ],
}
LAUNCHED = {"__typename": "LaunchRunSuccess", "run": {"runId": "run-1"}}


# submit_job_execution


def test_submit_infers_location_and_repository_of_a_unique_job(client, fake) -> None:
    fake.answer("repositoriesOrError", REPOSITORIES).answer("launchPipelineExecution", LAUNCHED)
    run_id = client.submit_job_execution("daily_report", run_config={"ops": {}}, tags={"team": "a", "n": 1},
                                         op_selection=["count_rows"])
    assert run_id == "run-1"
    params = fake.requests[-1]["variables"]["executionParams"]
    assert params["selector"] == {"repositoryLocationName": "analytics", "repositoryName": "reporting",
                                  "pipelineName": "daily_report", "solidSelection": ["count_rows"]}
    assert params["runConfigData"] == {"ops": {}}
    assert params["executionMetadata"] == {"tags": [{"key": "team", "value": "a"}, {"key": "n", "value": "1"}]}


def test_submit_with_location_and_repository_skips_inference(client, fake) -> None:
    fake.answer("launchPipelineExecution", LAUNCHED)
    assert client.submit_job_execution("hello_job", "hello", "__repository__") == "run-1"
    assert fake.fields_requested() == ["launchPipelineExecution"]
    assert fake.requests[0]["variables"]["executionParams"]["runConfigData"] == {}


def test_submit_with_location_only_narrows_the_choices(client, fake) -> None:
    fake.answer("repositoriesOrError", REPOSITORIES).answer("launchPipelineExecution", LAUNCHED)
    client.submit_job_execution("hello_job", repository_location_name="hello_copy")
    selector = fake.requests[-1]["variables"]["executionParams"]["selector"]
    assert selector["repositoryLocationName"] == "hello_copy"


def test_submit_of_an_ambiguous_job_lists_the_choices(client, fake) -> None:
    fake.answer("repositoriesOrError", REPOSITORIES)
    with pytest.raises(AmbiguousJobError) as caught:
        client.submit_job_execution("hello_job")
    message = str(caught.value)
    assert "hello:__repository__" in message and "hello_copy:__repository__" in message
    assert caught.value.choices == (JobHandle("hello", "__repository__", "hello_job"),
                                    JobHandle("hello_copy", "__repository__", "hello_job"))
    assert "launchPipelineExecution" not in fake.fields_requested()


def test_submit_of_an_unknown_job(client, fake) -> None:
    fake.answer("repositoriesOrError", REPOSITORIES)
    with pytest.raises(NotFoundError) as caught:
        client.submit_job_execution("nope")
    assert caught.value.args[0] == "JobNotFoundError"
    assert "nope" in caught.value.args[1]


def test_submit_when_repositories_cannot_be_listed(client, fake) -> None:
    fake.answer("repositoriesOrError", {"__typename": "PythonError", "message": "workspace broken"})
    with pytest.raises(DagsterGraphQLClientError) as caught:
        client.submit_job_execution("hello_job")
    assert caught.value.args == ("PythonError", "workspace broken")


def test_submit_with_invalid_config_carries_the_validation_errors(client, fake) -> None:
    errors = [{"__typename": "MissingFieldConfigError", "message": 'Missing required config entry "ops"',
               "path": ["root"], "reason": "MISSING_REQUIRED_FIELD"}]
    fake.answer("launchPipelineExecution", {"__typename": "RunConfigValidationInvalid", "errors": errors})
    with pytest.raises(RunConfigValidationError) as caught:
        client.submit_job_execution("export_job", "analytics", "analytics", run_config={})
    exc = caught.value
    assert exc.args == ("RunConfigValidationInvalid", errors)  # as Dagster's client raises it
    assert exc.body == errors
    assert exc.errors[0].reason == "MISSING_REQUIRED_FIELD"
    assert exc.errors[0].path == ("root",)


@pytest.mark.parametrize(
    ("result", "expected_args"),
    [
        ({"__typename": "InvalidStepError", "invalidStepKey": "s1"}, ("InvalidStepError", "s1")),
        ({"__typename": "PythonError", "message": "boom"}, ("PythonError", "boom")),
        ({"__typename": "RunConflict", "message": "exists"}, ("RunConflict", "exists")),
        ({"__typename": "InvalidSubsetError", "message": "no op x"}, ("InvalidSubsetError", "no op x")),
        ({"__typename": "UnauthorizedError", "message": "read-only"}, ("UnauthorizedError", "read-only")),
        ({"__typename": "PresetNotFoundError", "message": "p"}, ("PresetNotFoundError", "p")),
        ({"__typename": "ConflictingExecutionParamsError", "message": "c"}, ("ConflictingExecutionParamsError", "c")),
    ],
)
def test_submit_error_members(client, fake, result, expected_args) -> None:
    fake.answer("launchPipelineExecution", result)
    with pytest.raises(DagsterGraphQLClientError) as caught:
        client.submit_job_execution("j", "l", "r")
    assert caught.value.args == expected_args


def test_submit_pipeline_not_found_is_not_found(client, fake) -> None:
    fake.answer("launchPipelineExecution", {"__typename": "PipelineNotFoundError", "message": "no job j"})
    with pytest.raises(NotFoundError) as caught:
        client.submit_job_execution("j", "l", "r")
    assert caught.value.args == ("PipelineNotFoundError", "no job j")


def test_submit_invalid_output_carries_its_info(client, fake) -> None:
    fake.answer("launchPipelineExecution", {"__typename": "InvalidOutputError", "stepKey": "s", "invalidOutputName": "o"})
    with pytest.raises(DagsterGraphQLClientError) as caught:
        client.submit_job_execution("j", "l", "r")
    assert caught.value.args == ("InvalidOutputError",)
    assert caught.value.body == InvalidOutputErrorInfo("s", "o")


# get_run_status


@pytest.mark.parametrize("typename", ["Run", "PipelineRun"])
def test_run_status(client, fake, typename) -> None:
    fake.answer("pipelineRunOrError", {"__typename": typename, "status": "CANCELING"})
    assert client.get_run_status("r") is DagsterRunStatus.CANCELING


def test_run_status_of_an_unknown_run(client, fake) -> None:
    fake.answer("pipelineRunOrError", {"__typename": "RunNotFoundError", "message": "Run r not found"})
    with pytest.raises(NotFoundError) as caught:
        client.get_run_status("r")
    assert caught.value.args == ("RunNotFoundError", "Run r not found")


def test_run_status_python_error(client, fake) -> None:
    fake.answer("pipelineRunOrError", {"__typename": "PythonError", "message": "db down"})
    with pytest.raises(DagsterGraphQLClientError, match="db down"):
        client.get_run_status("r")


# reload and shutdown


def _entry(location: dict, load_status: str = "LOADED") -> dict:
    return {"__typename": "WorkspaceLocationEntry", "name": "hello", "loadStatus": load_status,
            "locationOrLoadError": location}


def test_reload_success(client, fake) -> None:
    fake.answer("reloadRepositoryLocation", _entry({"__typename": "RepositoryLocation"}))
    info = client.reload_repository_location("hello")
    assert info == ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.SUCCESS)


def test_reload_of_a_location_that_fails_to_load(client, fake) -> None:
    fake.answer("reloadRepositoryLocation", _entry({"__typename": "PythonError", "message": "SyntaxError"}))
    info = client.reload_repository_location("hello")
    assert info == ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.FAILURE, "PythonError", "SyntaxError")


@pytest.mark.parametrize("typename", ["RepositoryLocationNotFound", "ReloadNotSupported", "UnauthorizedError", "PythonError"])
def test_reload_error_members(client, fake, typename) -> None:
    fake.answer("reloadRepositoryLocation", {"__typename": typename, "message": "why"})
    info = client.reload_repository_location("nope")
    assert info == ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.FAILURE, typename, "why")


def test_reload_waits_until_the_location_has_loaded(client, fake) -> None:
    fake.answer("reloadRepositoryLocation", _entry(None, "LOADING"))
    loading = {"__typename": "Workspace", "locationEntries": [
        {"name": "hello", "loadStatus": "LOADING", "locationOrLoadError": None}]}
    failed = {"__typename": "Workspace", "locationEntries": [
        {"name": "hello", "loadStatus": "LOADED", "locationOrLoadError": {"__typename": "PythonError", "message": "bad"}}]}
    fake.answer("workspaceOrError", loading, failed)
    info = client.reload_repository_location("hello", wait=True)
    assert info == ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.FAILURE, "PythonError", "bad")
    assert fake.fields_requested() == ["reloadRepositoryLocation", "workspaceOrError", "workspaceOrError"]


def test_reload_without_wait_returns_at_once(client, fake) -> None:
    fake.answer("reloadRepositoryLocation", _entry(None, "LOADING"))
    assert client.reload_repository_location("hello", wait=False).status is ReloadRepositoryLocationStatus.SUCCESS
    assert fake.fields_requested() == ["reloadRepositoryLocation"]


def test_shutdown(client, fake) -> None:
    fake.answer("shutdownRepositoryLocation",
                {"__typename": "ShutdownRepositoryLocationSuccess", "repositoryLocationName": "hello"},
                {"__typename": "RepositoryLocationNotFound", "message": "Location nope does not exist."})
    assert client.shutdown_repository_location("hello") == ShutdownRepositoryLocationInfo(
        ShutdownRepositoryLocationStatus.SUCCESS)
    info = client.shutdown_repository_location("nope")
    assert info.status is ShutdownRepositoryLocationStatus.FAILURE
    assert info.message == "Location nope does not exist."


# terminate


def test_terminate_run_success_and_policy(client, fake) -> None:
    fake.answer("terminateRun", {"__typename": "TerminateRunSuccess", "run": {"runId": "r"}})
    client.terminate_run("r")
    client.terminate_run("r", force=True)
    policies = [r["variables"]["terminatePolicy"] for r in fake.requests]
    assert policies == ["SAFE_TERMINATE", "MARK_AS_CANCELED_IMMEDIATELY"]


@pytest.mark.parametrize(
    ("result", "error", "args"),
    [
        ({"__typename": "RunNotFoundError", "runId": "r", "message": "Run r not found"}, NotFoundError,
         ("RunNotFoundError", "Run r not found")),
        ({"__typename": "RunNotFoundError", "runId": "r"}, NotFoundError, ("RunNotFoundError", "Run Id r not found")),
        ({"__typename": "TerminateRunFailure", "message": "already done"}, DagsterGraphQLClientError,
         ("TerminateRunFailure", "already done")),
        ({"__typename": "PythonError", "message": "x", "stack": []}, DagsterGraphQLClientError, ("PythonError", "x")),
    ],
)
def test_terminate_run_errors(client, fake, result, error, args) -> None:
    fake.answer("terminateRun", result)
    with pytest.raises(error) as caught:
        client.terminate_run("r")
    assert caught.value.args == args


def test_terminate_runs(client, fake) -> None:
    ok = {"__typename": "TerminateRunSuccess", "run": {"runId": "a"}}
    missing = {"__typename": "RunNotFoundError", "runId": "b", "message": "Run b not found"}
    fake.answer("terminateRuns",
                {"__typename": "TerminateRunsResult", "terminateRunResults": [ok, ok]},
                {"__typename": "TerminateRunsResult", "terminateRunResults": [ok, missing]},
                {"__typename": "TerminateRunsResult", "terminateRunResults": [missing]})
    client.terminate_runs(["a", "a"], force=True)
    assert fake.requests[0]["variables"] == {"runIds": ["a", "a"], "terminatePolicy": "MARK_AS_CANCELED_IMMEDIATELY"}
    with pytest.raises(DagsterGraphQLClientError, match="Some runs could not be terminated") as caught:
        client.terminate_runs(["a", "b"])
    assert caught.value.args[0] == "TerminateRunsError"
    assert caught.value.body == [("RunNotFoundError", "Run b not found")]
    with pytest.raises(DagsterGraphQLClientError, match="All run terminations failed"):
        client.terminate_runs(["b"])


# location statuses


def test_location_statuses(client, fake) -> None:
    fake.answer("locationStatusesOrError", {"__typename": "WorkspaceLocationStatusEntries", "entries": [
        {"name": "hello", "loadStatus": "LOADED", "updateTimestamp": 1700000000.5},
        {"name": "analytics", "loadStatus": "LOADING", "updateTimestamp": 1700000001.0}]})
    statuses = client.get_location_statuses()
    assert [(s.name, s.load_status.value) for s in statuses] == [("hello", "LOADED"), ("analytics", "LOADING")]
    assert statuses[0].update_timestamp == 1700000000.5
