"""A job that nests graphs two levels deep keeps its structure in the ops API, as Dagster serves it.

The location (``locations/nested_graphs.py``) runs in a real code server; what a user of the ops
explorer reads — handles and their parents, composite definitions, their solids and mappings — is
asserted here, and ``tests/compat/test_nested_graphs_agree.py`` checks it equals Dagster's answer.
"""

from __future__ import annotations

from typing import Any

from nested_graph_harness import NESTED_GRAPHS_FILE, NESTED_JOB, nested_harness  # noqa: F401 - fixture
from test_schema_harness import SchemaHarness, wait_for

from berth.runs import RunStatus

QUERY = NESTED_GRAPHS_FILE.with_suffix(".graphql").read_text()


def _pipeline(harness: SchemaHarness, parent: str = "twice") -> dict[str, Any]:
    data = harness.execute(QUERY, {"selector": NESTED_JOB, "parent": parent})["pipelineOrError"]
    assert data["__typename"] == "Pipeline"
    return data


def test_solids_are_the_top_level_nodes_and_a_graph_is_a_composite(nested_harness: SchemaHarness) -> None:  # noqa: F811
    solids = {s["name"]: s["definition"]["__typename"] for s in _pipeline(nested_harness)["solids"]}
    assert solids == {"emit_number": "SolidDefinition", "emit_offset": "SolidDefinition",
                      "report": "SolidDefinition", "twice": "CompositeSolidDefinition"}


def test_every_handle_names_its_parent(nested_harness: SchemaHarness) -> None:  # noqa: F811
    handles = {h["handleID"]: (h["parent"] or {}).get("handleID") for h in _pipeline(nested_harness)["all"]}
    assert handles == {
        "emit_number": None, "emit_offset": None, "report": None, "twice": None,
        "twice.add_then_double": "twice", "twice.second": "twice",
        "twice.add_then_double.add": "twice.add_then_double",
        "twice.add_then_double.double": "twice.add_then_double",
        "twice.second.add": "twice.second", "twice.second.double": "twice.second",
    }
    assert list(handles) == sorted(handles)


def test_parent_handle_id_selects_one_level(nested_harness: SchemaHarness) -> None:  # noqa: F811
    data = _pipeline(nested_harness, parent="twice.second")
    assert [h["handleID"] for h in data["children"]] == ["twice.second.add", "twice.second.double"]
    assert [h["handleID"] for h in data["top"]] == ["emit_number", "emit_offset", "report", "twice"]
    assert _pipeline(nested_harness, parent="report")["children"] == []
    assert _pipeline(nested_harness, parent="no.such.node")["children"] == []


def test_an_aliased_inner_graph_shows_its_definition_and_siblings(nested_harness: SchemaHarness) -> None:  # noqa: F811
    handle = _pipeline(nested_harness)["solidHandle"]
    assert (handle["handleID"], handle["parent"]) == ("twice.second", {"handleID": "twice"})
    solid = handle["solid"]
    assert solid["name"] == "second"
    # Its input n comes from its sibling inside `twice`; offset comes through the graph's input mapping.
    inputs = {i["definition"]["name"]: [d["solid"]["name"] for d in i["dependsOn"]] for i in solid["inputs"]}
    assert inputs == {"n": ["add_then_double"], "offset": []}
    assert solid["outputs"] == [{"definition": {"name": "result"}, "dependedBy": []}]


def test_a_composite_definition_has_its_body_and_mappings(nested_harness: SchemaHarness) -> None:  # noqa: F811
    definition = _pipeline(nested_harness)["solidHandle"]["solid"]["definition"]
    assert definition["__typename"] == "CompositeSolidDefinition"
    assert (definition["name"], definition["description"]) == ("add_then_double", "Adds the offset, then doubles.")
    assert definition["inputDefinitions"] == [{"name": "n", "type": {"displayName": "Int"}},
                                              {"name": "offset", "type": {"displayName": "Int"}}]
    body = {s["name"]: {i["definition"]["name"]: [d["solid"]["name"] for d in i["dependsOn"]] for i in s["inputs"]}
            for s in definition["solids"]}
    assert body == {"add": {"n": [], "offset": []}, "double": {"n": ["add"]}}
    mapped_in = [(m["definition"]["name"], m["mappedInput"]["solid"]["name"], m["mappedInput"]["definition"]["name"])
                 for m in definition["inputMappings"]]
    assert mapped_in == [("n", "add", "n"), ("offset", "add", "offset")]
    mapped_out = [(m["definition"]["name"], m["mappedOutput"]["solid"]["name"]) for m in definition["outputMappings"]]
    assert mapped_out == [("result", "double")]
    assert definition["modes"] == []


def test_an_unknown_handle_is_null(nested_harness: SchemaHarness) -> None:  # noqa: F811
    assert _pipeline(nested_harness)["missing"] is None


def test_node_names_are_the_top_level_nodes(nested_harness: SchemaHarness) -> None:  # noqa: F811
    assert _pipeline(nested_harness)["nodeNames"] == ["emit_number", "emit_offset", "report", "twice"]


def test_an_op_subset_keeps_only_the_graphs_that_hold_selected_ops(nested_harness: SchemaHarness) -> None:  # noqa: F811
    selector = {**NESTED_JOB, "solidSelection": ["twice.second.double"]}
    document = ("query($s: PipelineSelector!) { pipelineOrError(params: $s) { ... on Pipeline { "
                "solidHandles { handleID } } } }")
    handles = nested_harness.execute(document, {"s": selector})["pipelineOrError"]["solidHandles"]
    assert [h["handleID"] for h in handles] == ["twice", "twice.second", "twice.second.double"]


STEP_STATS = """
query StepStats($selector: PipelineSelector!, $handle: String!) {
  pipelineOrError(params: $selector) {
    ... on Pipeline {
      solidHandle(handleID: $handle) {
        stepStats(limit: 5) {
          __typename
          ... on SolidStepStatsConnection { nodes { runId stepKey status } }
          ... on SolidStepStatusUnavailableError { message }
        }
      }
    }
  }
}
"""
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) { __typename ... on LaunchRunSuccess { run { runId } } }
}
"""


def test_an_op_handle_shows_its_step_in_each_run_and_a_graph_handle_says_it_has_none(
        nested_harness: SchemaHarness) -> None:  # noqa: F811
    selector = {key: NESTED_JOB[key] for key in ("repositoryLocationName", "repositoryName")}
    launched = nested_harness.execute(LAUNCH, {"params": {"selector": {**selector, "jobName": "nested_job"}}})
    run_id = launched["launchRun"]["run"]["runId"]
    wait_for(lambda: (run := nested_harness.storage.get_run(run_id)) is not None and run.status == RunStatus.SUCCESS,
             timeout=60)

    def stats(handle: str) -> dict[str, Any]:
        data = nested_harness.execute(STEP_STATS, {"selector": NESTED_JOB, "handle": handle})
        return data["pipelineOrError"]["solidHandle"]["stepStats"]

    op_stats = stats("twice.second.double")
    assert op_stats["__typename"] == "SolidStepStatsConnection"
    assert {"runId": run_id, "stepKey": "twice.second.double", "status": "SUCCESS"} in op_stats["nodes"]
    assert stats("twice.second") == {"__typename": "SolidStepStatusUnavailableError",
                                     "message": "Step stats are not available for composite solids / subgraphs"}
