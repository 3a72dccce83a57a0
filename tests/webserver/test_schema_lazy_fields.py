"""Work is done only for what a query selects: run counts without reading runs, job names without graphs.

Each test counts calls into the real storage or the real graph builder (a wrapper that calls
through), because what a user notices here is time and memory on big stores and locations, which
a test cannot measure reliably; the answers themselves are checked as well.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from test_schema_harness import (  # noqa: F401 - fixtures
    HELLO,
    SchemaHarness,
    add_run,
    harness,
    storage_harness,
)

from berth.runs import RunStatus
from berth_webserver.schema import solids

COUNT_ONLY = "{ runsOrError(filter: {statuses: [FAILURE]}) { __typename ... on Runs { count } } }"


@pytest.fixture(scope="module")
def stored(storage_harness: SchemaHarness) -> SchemaHarness:  # noqa: F811
    """Twelve runs: four of them failed."""
    for index in range(12):
        add_run(storage_harness.storage, status=RunStatus.FAILURE if index % 3 == 0 else RunStatus.SUCCESS)
    return storage_harness


@pytest.fixture
def run_reads(stored: SchemaHarness, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The filters of every ``get_runs`` call on the harness storage during the test."""
    calls: list[Any] = []
    real = stored.storage.get_runs

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0] if args else kwargs.get("filters"))
        return real(*args, **kwargs)

    monkeypatch.setattr(stored.storage, "get_runs", counting)
    return calls


def test_a_count_alone_reads_no_runs(stored: SchemaHarness, run_reads: list[Any]) -> None:
    data = stored.execute(COUNT_ONLY)["runsOrError"]
    assert data == {"__typename": "Runs", "count": 4}
    assert run_reads == []


@pytest.mark.parametrize("document", [
    "{ runsOrError(limit: 2) { ... on Runs { count results { runId } } } }",
    "{ runsOrError(limit: 2) { ... on PipelineRuns { results { runId } } } }",
    "{ runsOrError(limit: 2) { ...Page } } fragment Page on Runs { count results { runId } }",
    "{ runsOrError(limit: 2) { ...Outer } } fragment Outer on Runs { ...Inner } "
    "fragment Inner on PipelineRuns { results { runId } }",
    "{ pipelineRunsOrError(limit: 2) { ... on Runs { results { runId } } } }",
])
def test_results_are_read_however_the_query_selects_them(stored: SchemaHarness, run_reads: list[Any],
                                                         document: str) -> None:
    data = stored.execute(document)
    page = next(iter(data.values()))
    assert len(page["results"]) == 2
    assert len(run_reads) == 1


def test_a_negative_limit_is_refused_also_when_only_counting(stored: SchemaHarness) -> None:
    data = stored.execute("{ runsOrError(limit: -1) { __typename ... on Error { message } } }")
    assert data["runsOrError"]["__typename"] == "InvalidPipelineRunsFilterError"
    assert "limit must not be negative" in data["runsOrError"]["message"]


@pytest.fixture
def graph_builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the jobs whose op graph is built during the test."""
    built: list[str] = []
    real: Callable[..., Any] = solids.JobGraph.from_job_snap.__func__  # type: ignore[attr-defined]

    def counting(cls: type, job_snap: Any, op_names: Any = None) -> Any:
        built.append(job_snap.name)
        return real(cls, job_snap, op_names)

    monkeypatch.setattr(solids.JobGraph, "from_job_snap", classmethod(counting))
    yield built


REPOSITORY_JOBS = """
query Jobs($selector: RepositorySelector!) {
  repositoryOrError(repositorySelector: $selector) { ... on Repository { jobs { name description tags { key } %s } } }
}
"""


def _jobs(harness: SchemaHarness, fields: str = "") -> list[dict[str, Any]]:  # noqa: F811
    selector = {"repositoryLocationName": HELLO[0], "repositoryName": HELLO[1]}
    return harness.execute(REPOSITORY_JOBS % fields, {"selector": selector})["repositoryOrError"]["jobs"]


def test_listing_jobs_builds_no_op_graphs(harness: SchemaHarness, graph_builds: list[str]) -> None:  # noqa: F811
    jobs = _jobs(harness)
    assert "hello_job" in {job["name"] for job in jobs}
    assert graph_builds == []


def test_asking_for_ops_builds_each_graph_once(harness: SchemaHarness, graph_builds: list[str]) -> None:  # noqa: F811
    jobs = _jobs(harness, "solids { name } nodeNames solidHandles { handleID }")
    hello = next(job for job in jobs if job["name"] == "hello_job")
    assert hello["solids"] and [s["name"] for s in hello["solids"]] == hello["nodeNames"]
    assert sorted(graph_builds) == sorted(job["name"] for job in jobs)
