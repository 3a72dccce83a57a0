"""Every GraphQL document of seeds 000 and 001, verbatim, against the schema with a real context."""

from __future__ import annotations

import pathlib

import pytest
from test_schema_harness import SchemaHarness, add_run, harness  # noqa: F401 - fixture

from berth.runs import RunStatus

# The seed documents are kept once, with the compat suite's documents.
SEEDS = pathlib.Path(__file__).resolve().parents[1] / "compat" / "documents"
LAUNCH_VARIABLES = {"repositoryLocationName": "hello", "repositoryName": "__repository__", "jobName": "hello_job"}


def seed(name: str) -> str:
    """The seed document stored under that name."""
    return (SEEDS / f"{name}.graphql").read_text()


def test_every_seed_document_is_stored_verbatim() -> None:
    seed_texts = "".join(path.read_text() for path in pathlib.Path("/work/shared/seeds").glob("00[01]_*.txt")) \
        if pathlib.Path("/work/shared/seeds").exists() else None
    documents = sorted(SEEDS.glob("*.graphql"))
    assert len(documents) == 13
    if seed_texts is not None:  # the seeds live outside the repository; check when they are at hand
        for document in documents:
            assert document.read_text().rstrip("\n") in seed_texts, document.name


@pytest.fixture(scope="module")
def runs(harness: SchemaHarness) -> dict[str, list[str]]:  # noqa: F811
    """Fifteen stored runs: twelve succeeded, three failed (oldest first)."""
    ids: dict[str, list[str]] = {"SUCCESS": [], "FAILURE": []}
    for index in range(15):
        status = RunStatus.FAILURE if index % 5 == 0 else RunStatus.SUCCESS
        ids[status.value].append(add_run(harness.storage, status=status, run_config={"n": index}).run_id)
    return ids


@pytest.mark.parametrize("name", ["000_RunsQuery"])
def test_runs_query_lists_runs_with_stats(harness: SchemaHarness, runs: dict, name: str) -> None:  # noqa: F811
    data = harness.execute(seed(name))["runsOrError"]
    assert data["__typename"] == "Runs"
    listed = {r["runId"]: r for r in data["results"]}
    assert set(runs["SUCCESS"] + runs["FAILURE"]) <= set(listed)
    first = listed[runs["FAILURE"][0]]
    assert first["jobName"] == "hello_job" and first["status"] == "FAILURE"
    assert first["runConfigYaml"] == "n: 0\n"
    assert set(first["stats"]) == {"startTime", "endTime", "stepsFailed"}


def test_paginated_runs_query_with_unknown_cursor_is_empty(harness: SchemaHarness, runs: dict) -> None:  # noqa: F811
    data = harness.execute(seed("000_PaginatedRunsQuery"))["runsOrError"]
    assert data == {"__typename": "Runs", "results": []}


def test_filtered_runs_query_returns_failed_runs_only(harness: SchemaHarness, runs: dict) -> None:  # noqa: F811
    for name in ("000_FilteredRunsQuery", "001_FilteredRunsQuery"):
        results = harness.execute(seed(name))["runsOrError"]["results"]
        assert {r["status"] for r in results} == {"FAILURE"}
        assert set(runs["FAILURE"]) <= {r["runId"] for r in results}


def test_paginated_runs_query_pages_through_every_run(harness: SchemaHarness, runs: dict) -> None:  # noqa: F811
    seen: list[str] = []
    cursor = None
    while True:
        page = harness.execute(seed("001_PaginatedRunsQuery"), {"cursor": cursor})["runsOrError"]["results"]
        assert len(page) <= 10
        if not page:
            break
        assert {"runId", "jobName", "status", "runConfigYaml", "startTime", "endTime"} == set(page[0])
        seen.extend(r["runId"] for r in page)
        cursor = page[-1]["runId"]
    assert len(seen) == len(set(seen))
    assert set(runs["SUCCESS"] + runs["FAILURE"]) <= set(seen)


@pytest.mark.parametrize("name", ["000_RepositoriesQuery", "001_RepositoriesQuery"])
def test_repositories_query_lists_every_repository(harness: SchemaHarness, name: str) -> None:  # noqa: F811
    nodes = harness.execute(seed(name))["repositoriesOrError"]["nodes"]
    assert {(n["location"]["name"], n["name"]) for n in nodes} == {
        ("hello", "__repository__"), ("analytics", "analytics"), ("analytics", "reporting")}


@pytest.mark.parametrize("name", ["000_JobsQuery", "001_JobsQuery"])
def test_jobs_query_lists_the_jobs_of_a_repository(harness: SchemaHarness, name: str) -> None:  # noqa: F811
    data = harness.execute(seed(name), {"repositoryLocationName": "hello", "repositoryName": "__repository__"})
    assert [j["name"] for j in data["repositoryOrError"]["jobs"]] == [
        "etl_job", "failing_job", "flaky_job", "hello_job", "slow_job"]


@pytest.mark.parametrize("name", ["000_LaunchRunMutation", "001_LaunchRunMutation"])
def test_launch_run_mutation_launches_a_stored_run(harness: SchemaHarness, name: str) -> None:  # noqa: F811
    data = harness.execute(seed(name), {**LAUNCH_VARIABLES, "runConfigData": {}})["launchRun"]
    assert data["__typename"] == "LaunchRunSuccess"
    run = harness.storage.get_run(data["run"]["runId"])
    assert run is not None and run.job_name == "hello_job"
    assert run.run_config["ops"] == {"say_hello": {"config": {"name": "world"}}}  # defaults filled


@pytest.mark.parametrize("name", ["000_LaunchRunMutation", "001_LaunchRunMutation"])
def test_launch_run_mutation_reports_invalid_config(harness: SchemaHarness, name: str) -> None:  # noqa: F811
    config = {"ops": {"say_hello": {"config": {"name": 3, "shout": True}}}}
    data = harness.execute(seed(name), {**LAUNCH_VARIABLES, "runConfigData": config})["launchRun"]
    assert data["__typename"] == "RunConfigValidationInvalid"
    assert sorted(e["reason"] for e in data["errors"]) == ["FIELD_NOT_DEFINED", "RUNTIME_TYPE_MISMATCH"]
    assert all(e["message"] for e in data["errors"])


@pytest.mark.parametrize("name", ["000_TerminateRun", "001_TerminateRun"])
def test_terminate_run_mutation(harness: SchemaHarness, name: str) -> None:  # noqa: F811
    waiting = add_run(harness.storage)
    data = harness.execute(seed(name), {"runId": waiting.run_id})["terminateRun"]
    assert data == {"__typename": "TerminateRunSuccess", "run": {"runId": waiting.run_id}}
    assert harness.storage.get_run(waiting.run_id).status == RunStatus.CANCELED

    data = harness.execute(seed(name), {"runId": waiting.run_id})["terminateRun"]
    assert data["__typename"] == "TerminateRunFailure" and "CANCELED" in data["message"]

    data = harness.execute(seed(name), {"runId": "no-such-run"})["terminateRun"]
    assert data == {"__typename": "RunNotFoundError", "runId": "no-such-run"}
