"""The schema comparer itself, on small schemas built from SDL with graphql-core (no Dagster needed).

It must catch every kind of reshaping and must not fail on what berth adds.
"""

from __future__ import annotations

from typing import Any

from compat_schema import compare_schemas, render_type_ref
from graphql import build_schema, get_introspection_query, graphql_sync

DAGSTER_SDL = """
type Query {
  runsOrError(filter: RunsFilter, cursor: String, limit: Int): RunsOrError!
  version: String!
  instance: String
}
type Mutation { terminateRun(runId: String!): TerminateRunResult! }
interface Error { message: String! }
type Runs { results: [Run!]! count: Int }
type Run { runId: String! status: RunStatus! tags: [String!]! }
type PythonError implements Error { message: String! stack: [String!]! }
type RunNotFoundError implements Error { message: String! runId: String! }
type TerminateRunSuccess { run: Run! }
union RunsOrError = Runs | PythonError
union TerminateRunResult = TerminateRunSuccess | RunNotFoundError | PythonError
enum RunStatus { QUEUED STARTED SUCCESS FAILURE CANCELED }
input RunsFilter { runIds: [String] statuses: [RunStatus!] }
"""


def introspect(sdl: str) -> dict[str, Any]:
    """The `__schema` introspection of a schema written in SDL."""
    result = graphql_sync(build_schema(sdl), get_introspection_query(descriptions=False))
    assert result.errors is None
    assert result.data is not None
    return result.data["__schema"]


DAGSTER = introspect(DAGSTER_SDL)


def test_identical_schemas_agree_and_cover_every_root_field() -> None:
    comparison = compare_schemas(DAGSTER, DAGSTER)
    assert comparison.mismatches == ()
    assert comparison.additions == ()
    query, mutation = comparison.coverage
    assert (query.root, query.served, query.missing) == ("Query", ("runsOrError", "version", "instance"), ())
    assert (mutation.root, mutation.total) == ("Mutation", 1)


def test_serving_less_is_coverage_not_a_mismatch() -> None:
    berth = introspect(
        """
        type Query { runsOrError(filter: RunsFilter, cursor: String, limit: Int): RunsOrError! }
        type Runs { results: [Run!]! }
        type Run { runId: String! status: RunStatus! }
        type PythonError { message: String! }
        union RunsOrError = Runs | PythonError
        enum RunStatus { SUCCESS FAILURE }
        input RunsFilter { runIds: [String] statuses: [RunStatus!] }
        """
    )
    comparison = compare_schemas(berth, DAGSTER)
    assert comparison.mismatches == ()
    (query,) = comparison.coverage[:1]
    assert query.served == ("runsOrError",)
    assert query.missing == ("version", "instance")
    assert "0 / 1" in comparison.coverage_table()


def test_additions_are_listed_not_failed() -> None:
    berth = introspect(
        DAGSTER_SDL.replace("count: Int }", "count: Int berthOnly: Boolean }")
        + "type BerthThing { id: ID! }\nextend type Query { thing(verbose: Boolean): BerthThing }"
    )
    comparison = compare_schemas(berth, DAGSTER)
    assert comparison.mismatches == ()
    assert "Runs.berthOnly: Boolean" in comparison.additions
    assert "type BerthThing (OBJECT)" in comparison.additions
    assert "Query.thing: BerthThing" in comparison.additions


def test_every_reshaping_is_a_mismatch() -> None:
    berth = introspect(
        """
        type Query {
          runsOrError(filter: RunsFilter, cursor: Int, extra: String!): RunsOrError
          version: String!
        }
        type Mutation { terminateRun(runId: String!): TerminateRunResult! }
        type Runs { results: [Run] }
        type Run { runId: String! status: RunStatus! }
        type PythonError { message: String! }
        type TerminateRunSuccess { run: Run! }
        type Oops { message: String! }
        union RunsOrError = Runs | PythonError | Oops
        union TerminateRunResult = TerminateRunSuccess
        enum RunStatus { SUCCESS FAILURE EXPLODED }
        input RunsFilter { runIds: [String!] }
        scalar RunNotFoundError
        """
    )
    mismatches = compare_schemas(berth, DAGSTER).mismatches
    expected = [
        "Query.runsOrError: Dagster has type RunsOrError!, berth has RunsOrError",
        "Query.runsOrError(cursor): Dagster has type String, berth has Int",
        "Query.runsOrError(extra): berth requires it, Dagster has no such input",
        "Query.runsOrError(limit): Dagster accepts it (Int), berth does not",
        "Runs.results: Dagster has type [Run!]!, berth has [Run]",
        "RunsOrError: berth has member Oops, which is not a member in Dagster",
        "RunStatus: berth serves enum value EXPLODED, which Dagster does not have",
        "RunsFilter(runIds): Dagster has type [String], berth has [String!]",
        "RunsFilter(statuses): Dagster accepts it ([RunStatus!]), berth does not",
        "RunNotFoundError: Dagster has kind OBJECT, berth has SCALAR",
    ]
    for item in expected:
        assert item in mismatches
    assert len(mismatches) == len(expected)


def test_an_interface_dagster_does_not_declare_is_a_mismatch() -> None:
    berth = introspect(
        DAGSTER_SDL.replace(
            "type TerminateRunSuccess {", "type TerminateRunSuccess implements Error { message: String!"
        )
    )
    mismatches = compare_schemas(berth, DAGSTER).mismatches
    assert (
        "TerminateRunSuccess: berth declares interface Error, Dagster's TerminateRunSuccess does not implement it"
        in mismatches
    )
    assert "Error: berth has member TerminateRunSuccess, which is not a member in Dagster" in mismatches


def test_type_references_render_with_full_wrapping() -> None:
    string = {"kind": "SCALAR", "name": "String", "ofType": None}
    ref = {
        "kind": "NON_NULL",
        "name": None,
        "ofType": {"kind": "LIST", "name": None, "ofType": {"kind": "NON_NULL", "name": None, "ofType": string}},
    }
    assert render_type_ref(ref) == "[String!]!"
