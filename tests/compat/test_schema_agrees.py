"""berth's GraphQL schema, introspected over HTTP, agrees with Dagster's own (dagster_graphql.create_schema()).

Whatever berth serves under a Dagster name must have Dagster's kind, field types, arguments,
union and interface members, enum values and input fields. What berth adds is listed in the run's
summary, with the coverage of Dagster's root fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from compat_berth_dev import BerthDev
from compat_schema import SchemaComparison, compare_schemas
from compat_venv import run_script
from graphql import get_introspection_query

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def dagster_schema(compat_python: str) -> dict[str, Any]:
    """Dagster's schema introspection, printed by the compat venv."""
    return run_script(compat_python, "dagster_introspection.py")


@pytest.fixture(scope="module")
def berth_schema(live_berth: BerthDev) -> dict[str, Any]:
    """berth's schema, from an introspection query over HTTP."""
    body = live_berth.graphql(get_introspection_query(descriptions=False))
    assert "errors" not in body, body.get("errors")
    return body["data"]["__schema"]


@pytest.fixture(scope="module")
def comparison(berth_schema: dict[str, Any], dagster_schema: dict[str, Any]) -> SchemaComparison:
    """The comparison of the two schemas."""
    return compare_schemas(berth_schema, dagster_schema)


def test_coverage_of_dagster_root_fields(
    comparison: SchemaComparison, compat_report: Callable[[str, str], None]
) -> None:
    compat_report("berth vs Dagster GraphQL schema", comparison.report())
    query = next(cov for cov in comparison.coverage if cov.root == "Query")
    mutation = next(cov for cov in comparison.coverage if cov.root == "Mutation")
    # The fields the seed documents and Dagster's client use must all be there.
    for name in ("repositoriesOrError", "repositoryOrError", "runsOrError", "pipelineRunOrError", "runOrError"):
        assert name in query.served, f"berth does not serve Query.{name}"
    for name in (
        "launchRun",
        "launchPipelineExecution",
        "terminateRun",
        "terminateRuns",
        "reloadRepositoryLocation",
        "shutdownRepositoryLocation",
    ):
        assert name in mutation.served, f"berth does not serve Mutation.{name}"


def test_every_type_berth_shares_with_dagster_has_dagsters_shape(comparison: SchemaComparison) -> None:
    assert comparison.shared_types > 0
    mismatches = "\n".join(comparison.mismatches)
    assert not comparison.mismatches, f"{len(comparison.mismatches)} mismatches with Dagster's schema:\n{mismatches}"
