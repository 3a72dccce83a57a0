"""Nested graphs in the job snapshot: the structure as written, served over gRPC; step keys stay flat.

The location is ``tests/webserver/locations/nested_graphs.py``: ``nested_job`` runs ``twice``, a
graph holding two invocations of ``add_then_double`` (the second aliased ``second``), each
holding the ops ``add`` and ``double``.
"""

from __future__ import annotations

import pathlib
from typing import Iterator

import pytest
from test_server import Running, serve

from berth import graph, job, op
from berth.definitions.errors import DefinitionError
from berth.definitions.loader import load_code_location
from berth.events import EventType, RunEvent
from berth.execution.engine import RunOutcome, execute_job
from berth.protocol.v1 import snapshot_pb2
from berth.snapshot import build_job_snapshot, compute_snapshot_id, job_snapshot_bytes

NESTED = pathlib.Path(__file__).resolve().parents[1] / "webserver" / "locations" / "nested_graphs.py"
FLAT_STEP_KEYS = ["emit_number", "emit_offset", "twice.add_then_double.add", "twice.add_then_double.double",
                  "twice.second.add", "twice.second.double", "report"]


@pytest.fixture(scope="module")
def nested_job():  # type: ignore[no-untyped-def]
    return load_code_location(python_file=str(NESTED)).repositories["__repository__"].jobs["nested_job"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[snapshot_pb2.JobSnapshot]:
    """The snapshot of nested_job as a real code server streams it."""
    storage = tmp_path_factory.mktemp("nested") / "runs.db"
    running: Running = serve(python_file=str(NESTED), location_name="nested_graphs", storage_url=f"sqlite:///{storage}")
    try:
        [chunk] = [c for c in running.snapshot()[1:] if c.job.name == "nested_job"]
        yield chunk.job
    finally:
        running.close()


def _deps(node: snapshot_pb2.NodeInvocationSnapshot) -> dict[str, list[tuple[str, str]]]:
    return {i.input_name: [(u.op_name, u.output_name) for u in i.upstream] for i in node.inputs}


def test_ops_keep_their_flat_step_keys(served: snapshot_pb2.JobSnapshot) -> None:
    assert [op.name for op in served.ops] == FLAT_STEP_KEYS
    second_add = next(op for op in served.ops if op.name == "twice.second.add")
    upstream = {i.name: [(u.op_name, u.output_name) for u in i.upstream] for i in second_add.inputs}
    assert upstream == {"n": [("twice.add_then_double.double", "result")], "offset": [("emit_offset", "result")]}


def test_the_top_level_names_the_graph_node_and_its_siblings(served: snapshot_pb2.JobSnapshot) -> None:
    nodes = {n.name: n for n in served.nodes}
    assert list(nodes) == ["emit_number", "emit_offset", "twice", "report"]
    assert [n.name for n in served.nodes if n.is_graph] == ["twice"]
    assert _deps(nodes["twice"]) == {"n": [("emit_number", "result")], "offset": [("emit_offset", "result")]}
    assert _deps(nodes["report"]) == {"value": [("twice", "result")]}


def test_each_nested_graph_definition_is_served_once_with_its_mappings(served: snapshot_pb2.JobSnapshot) -> None:
    graphs = {g.name: g for g in served.graph_defs}
    assert list(graphs) == ["add_then_double", "twice"]
    twice = graphs["twice"]
    assert [(n.name, n.definition_name, n.is_graph) for n in twice.nodes] == [
        ("add_then_double", "add_then_double", True), ("second", "add_then_double", True)]
    assert _deps(twice.nodes[1]) == {"n": [("add_then_double", "result")], "offset": []}
    assert [(m.graph_input_name, m.node_name, m.input_name) for m in twice.input_mappings] == [
        ("n", "add_then_double", "n"), ("offset", "add_then_double", "offset"), ("offset", "second", "offset")]
    assert [(m.graph_output_name, m.node_name, m.output_name) for m in twice.output_mappings] == [
        ("result", "second", "result")]
    inner = graphs["add_then_double"]
    assert inner.description == "Adds the offset, then doubles."
    assert [(i.name, i.type_name) for i in inner.inputs] == [("n", "Int"), ("offset", "Int")]
    assert [(o.name, o.type_name) for o in inner.outputs] == [("result", "Any")]
    assert _deps(inner.nodes[1]) == {"n": [("add", "result")]}


def test_the_snapshot_id_covers_the_structure(nested_job, served: snapshot_pb2.JobSnapshot) -> None:  # type: ignore[no-untyped-def]
    assert compute_snapshot_id(served) == served.snapshot_id
    assert job_snapshot_bytes(nested_job) == served.SerializeToString(deterministic=True)


def test_a_job_of_ops_only_carries_no_extra_structure() -> None:
    @op
    def one() -> int:
        return 1

    @job
    def flat():
        one()

    snapshot = build_job_snapshot(flat)
    assert list(snapshot.nodes) == [] and list(snapshot.graph_defs) == []


def test_an_op_subset_keeps_only_the_graphs_holding_selected_ops(nested_job) -> None:  # type: ignore[no-untyped-def]
    subset = build_job_snapshot(nested_job.get_subset(["twice.second.double"]))
    assert [n.name for n in subset.nodes] == ["twice"]
    graphs = {g.name: g for g in subset.graph_defs}
    assert [n.name for n in graphs["twice"].nodes] == ["second"]
    assert [n.name for n in graphs["add_then_double"].nodes] == ["double"]


def test_two_different_graphs_of_one_name_are_refused() -> None:
    @op
    def one() -> int:
        return 1

    def make() -> object:
        @graph(name="same")
        def inner():
            return one()

        return inner

    first, second = make(), make()

    @job
    def clash():
        first.alias("a")()  # type: ignore[attr-defined]
        second.alias("b")()  # type: ignore[attr-defined]

    with pytest.raises(DefinitionError, match='two different graphs named "same"'):
        build_job_snapshot(clash)


def test_execution_runs_every_flat_step(nested_job) -> None:  # type: ignore[no-untyped-def]
    events: list[RunEvent] = []
    assert execute_job(nested_job, {}, run_id="nested", emit=events.append) == RunOutcome.SUCCESS
    succeeded = [e.step_key for e in events if e.event_type == EventType.STEP_SUCCESS]
    assert sorted(succeeded) == sorted(FLAT_STEP_KEYS)
