"""The documented GraphQL documents as test cases: which variables each runs with, and its documented shape.

Seed documents are keyed by their file in documents/, the client's by their constant name in
dagster_graphql.client.client_queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compat_berth_dev import BerthDev
from compat_runs import launch_run, wait_for_run_status

UNKNOWN_RUN = "00000000-0000-0000-0000-000000000000"
HELLO_JOBS = {"hello_job", "etl_job", "failing_job", "slow_job", "flaky_job"}
EXAMPLE_REPOSITORIES = {("hello", "__repository__"), ("analytics", "analytics"), ("analytics", "reporting")}


@dataclass(frozen=True)
class SeededRuns:
    """Runs that exist before the documents run: one succeeded, one failed."""

    success: str
    failure: str


# What a case runs with, and how it checks the answer's `data`.
Variables = Callable[[BerthDev, SeededRuns], dict[str, Any]]
Check = Callable[[dict[str, Any], BerthDev, SeededRuns], None]


@dataclass(frozen=True)
class Case:
    """One document run with some variables, and the check of its `data`."""

    document: str
    name: str
    variables: Variables
    check: Check


def started_slow_run(berth: BerthDev) -> str:
    """A slow_job run that is in progress."""
    run_id = launch_run(berth, "slow_job")
    assert wait_for_run_status(berth, run_id, {"STARTED"}) == "STARTED"
    return run_id


def no_variables(berth: BerthDev, runs: SeededRuns) -> dict[str, Any]:
    """For documents without variables."""
    return {}


# --- checks of the documented shapes -------------------------------------------------------------


def check_runs(fields: set[str], only_status: str | None = None) -> Check:
    """runsOrError is Runs; every result has `fields`; the seeded runs show up with their status."""

    def check(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
        result = data["runsOrError"]
        assert result["__typename"] == "Runs"
        by_id = {run["runId"]: run for run in result["results"]}
        for run in result["results"]:
            assert fields <= set(run), f"run lacks {fields - set(run)}: {run}"
            if only_status:
                assert run["status"] == only_status
        assert runs.failure in by_id
        assert by_id[runs.failure]["jobName"] == "failing_job"
        if "stats" in fields:
            assert by_id[runs.failure]["stats"]["stepsFailed"] == 1
            assert set(by_id[runs.failure]["stats"]) == {"startTime", "endTime", "stepsFailed"}
        if only_status is None:
            assert by_id[runs.success]["status"] == "SUCCESS"

    return check


def check_unknown_cursor_page(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
    """A cursor naming no run still gives a Runs page (Dagster's gives an empty one)."""
    assert data["runsOrError"]["__typename"] == "Runs"
    assert isinstance(data["runsOrError"]["results"], list)


def check_page_after_failed_run(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
    """The page after a run holds older runs only: the cursor run itself is not repeated."""
    result = data["runsOrError"]
    assert result["__typename"] == "Runs"
    ids = [run["runId"] for run in result["results"]]
    assert runs.failure not in ids
    assert runs.success in ids


def check_repositories(key: str) -> Check:
    """repositoriesOrError lists the three example repositories with their locations."""

    def check(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
        nodes = data["repositoriesOrError"]["nodes"]
        assert {(node["location"]["name"], node["name"]) for node in nodes} == EXAMPLE_REPOSITORIES
        if key == "pipelines":
            assert data["repositoriesOrError"]["__typename"] == "RepositoryConnection"
            hello = next(node for node in nodes if node["location"]["name"] == "hello")
            assert {job["name"] for job in hello["pipelines"]} == HELLO_JOBS

    return check


def check_jobs(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
    """repositoryOrError gives the hello repository's jobs."""
    assert {job["name"] for job in data["repositoryOrError"]["jobs"]} == HELLO_JOBS


def check_launched(field: str) -> Check:
    """The launch succeeded, and the run it names exists and finishes."""

    def check(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
        result = data[field]
        assert result["__typename"] == "LaunchRunSuccess", result
        assert wait_for_run_status(berth, result["run"]["runId"], {"SUCCESS"}) == "SUCCESS"

    return check


def check_config_invalid(field: str, keys: set[str]) -> Check:
    """The launch was refused as RunConfigValidationInvalid, with errors carrying `keys`."""

    def check(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
        result = data[field]
        assert result["__typename"] == "RunConfigValidationInvalid", result
        assert result["errors"]
        for error in result["errors"]:
            assert set(error) == keys and error["message"] and error["reason"]

    return check


def check_terminated(field: str) -> Check:
    """terminateRun answered TerminateRunSuccess and the run ends CANCELED."""

    def check(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
        result = data[field]
        assert result["__typename"] == "TerminateRunSuccess", result
        assert wait_for_run_status(berth, result["run"]["runId"], {"CANCELED"}) == "CANCELED"

    return check


def check_run_not_found(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
    """terminateRun on an unknown id answers RunNotFoundError naming it."""
    assert data["terminateRun"] == {"__typename": "RunNotFoundError", "runId": UNKNOWN_RUN}


def check_client_terminate_runs(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
    """terminateRuns answers per run: success for the live one, RunNotFoundError for the unknown one."""
    result = data["terminateRuns"]
    assert result["__typename"] == "TerminateRunsResult"
    live, unknown = result["terminateRunResults"]
    assert live["__typename"] == "TerminateRunSuccess", live
    assert unknown["__typename"] == "RunNotFoundError" and unknown["runId"] == UNKNOWN_RUN and unknown["message"]
    assert wait_for_run_status(berth, live["run"]["runId"], {"CANCELED"}) == "CANCELED"


def check_client_status(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
    """pipelineRunOrError gives the run (a Run, which is a PipelineRun) with its status."""
    assert data["pipelineRunOrError"] == {"__typename": "Run", "status": "SUCCESS"}


def check_client_reload(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
    """reloadRepositoryLocation gives the reloaded location's entry."""
    entry = data["reloadRepositoryLocation"]
    assert entry["__typename"] == "WorkspaceLocationEntry" and entry["name"] == "hello"
    assert entry["locationOrLoadError"] == {
        "__typename": "RepositoryLocation",
        "isReloadSupported": True,
        "repositories": [{"name": "__repository__"}],
    }


def check_location_not_found(field: str) -> Check:
    """An unknown location answers RepositoryLocationNotFound with a message."""

    def check(data: dict[str, Any], berth: BerthDev, runs: SeededRuns) -> None:
        assert data[field]["__typename"] == "RepositoryLocationNotFound"
        assert data[field]["message"]

    return check


# --- the cases ---------------------------------------------------------------------------------

RUN_FIELDS_000 = {"runId", "jobName", "status", "runConfigYaml", "stats"}
RUN_FIELDS_001 = {"runId", "jobName", "status", "runConfigYaml", "startTime", "endTime"}
BAD_HELLO_CONFIG = {"ops": {"say_hello": {"config": {"name": 5}}}}


def seed_launch_variables(run_config: dict[str, Any]) -> Variables:
    """Variables of the seeds' LaunchRunMutation for hello_job."""
    return lambda berth, runs: {
        "repositoryLocationName": "hello",
        "repositoryName": "__repository__",
        "jobName": "hello_job",
        "runConfigData": run_config,
    }


def client_submit_variables(run_config: dict[str, Any]) -> Variables:
    """Variables exactly as DagsterGraphQLClient.submit_job_execution builds them, for hello_job."""
    return lambda berth, runs: {
        "executionParams": {
            "selector": {
                "repositoryLocationName": "hello",
                "repositoryName": "__repository__",
                "pipelineName": "hello_job",
                "solidSelection": None,
                "assetSelection": None,
            },
            "runConfigData": run_config,
            "mode": "default",
            "executionMetadata": {"tags": [{"key": "source", "value": "compat"}]},
        }
    }


def _seed_cases(edition: str, run_fields: set[str]) -> list[Case]:
    latest = edition == "001"
    cases = [
        Case(f"{edition}_PaginatedRunsQuery.graphql", "first page", no_variables, check_runs(run_fields)),
        Case(f"{edition}_FilteredRunsQuery.graphql", "failed runs", no_variables, check_runs(run_fields, "FAILURE")),
        Case(f"{edition}_RepositoriesQuery.graphql", "all", no_variables, check_repositories("name")),
        Case(
            f"{edition}_JobsQuery.graphql",
            "hello",
            lambda berth, runs: {"repositoryLocationName": "hello", "repositoryName": "__repository__"},
            check_jobs,
        ),
        Case(f"{edition}_LaunchRunMutation.graphql", "success", seed_launch_variables({}), check_launched("launchRun")),
        Case(
            f"{edition}_LaunchRunMutation.graphql",
            "invalid config",
            seed_launch_variables(BAD_HELLO_CONFIG),
            check_config_invalid("launchRun", {"message", "reason"}),
        ),
        Case(
            f"{edition}_TerminateRun.graphql",
            "in progress",
            lambda berth, runs: {"runId": started_slow_run(berth)},
            check_terminated("terminateRun"),
        ),
        Case(
            f"{edition}_TerminateRun.graphql", "unknown run", lambda b, r: {"runId": UNKNOWN_RUN}, check_run_not_found
        ),
    ]
    if latest:
        cases.append(
            Case(
                "001_PaginatedRunsQuery.graphql",
                "after the failed run",
                lambda berth, runs: {"cursor": runs.failure},
                check_page_after_failed_run,
            )
        )
    else:
        cases[0] = Case("000_PaginatedRunsQuery.graphql", "unknown cursor", no_variables, check_unknown_cursor_page)
        cases.append(Case("000_RunsQuery.graphql", "all", no_variables, check_runs(run_fields)))
    return cases


SEED_CASES: list[Case] = _seed_cases("000", RUN_FIELDS_000) + _seed_cases("001", RUN_FIELDS_001)

CLIENT_CASES: list[Case] = [
    Case(
        "CLIENT_GET_REPO_LOCATIONS_NAMES_AND_PIPELINES_QUERY", "all", no_variables, check_repositories("pipelines")
    ),
    Case(
        "CLIENT_SUBMIT_PIPELINE_RUN_MUTATION",
        "success",
        client_submit_variables({}),
        check_launched("launchPipelineExecution"),
    ),
    Case(
        "CLIENT_SUBMIT_PIPELINE_RUN_MUTATION",
        "invalid config",
        client_submit_variables(BAD_HELLO_CONFIG),
        check_config_invalid("launchPipelineExecution", {"__typename", "message", "path", "reason"}),
    ),
    Case(
        "GET_PIPELINE_RUN_STATUS_QUERY", "succeeded run", lambda b, runs: {"runId": runs.success}, check_client_status
    ),
    Case(
        "RELOAD_REPOSITORY_LOCATION_MUTATION",
        "hello",
        lambda b, r: {"repositoryLocationName": "hello"},
        check_client_reload,
    ),
    Case(
        "RELOAD_REPOSITORY_LOCATION_MUTATION",
        "unknown location",
        lambda b, r: {"repositoryLocationName": "nowhere"},
        check_location_not_found("reloadRepositoryLocation"),
    ),
    Case(
        "SHUTDOWN_REPOSITORY_LOCATION_MUTATION",
        "unknown location",
        lambda b, r: {"repositoryLocationName": "nowhere"},
        check_location_not_found("shutdownRepositoryLocation"),
    ),
    Case("TERMINATE_RUN_JOB_MUTATION", "unknown run", lambda b, r: {"runId": UNKNOWN_RUN}, check_run_not_found),
    Case(
        "TERMINATE_RUNS_JOB_MUTATION",
        "live and unknown run",
        lambda berth, runs: {"runIds": [started_slow_run(berth), UNKNOWN_RUN]},
        check_client_terminate_runs,
    ),
]
