"""The webserver's index of a job's structure, fed snapshots that no berth code server sends.

A code server is another process, possibly another version: a snapshot without the nested
structure (an older server), a graph node whose definition is missing, or a graph that contains
itself must still be shown as far as it goes, never loop or fail the whole query.
"""

from __future__ import annotations

from berth.protocol.v1 import snapshot_pb2 as pb
from berth_webserver.schema.job_graph import JobGraph


def _op(name: str, upstream: tuple[str, ...] = ()) -> pb.OpSnapshot:
    inputs = [pb.InputSnapshot(name=f"in_{u}", upstream=[pb.OutputHandle(op_name=u, output_name="result")])
              for u in upstream]
    return pb.OpSnapshot(name=name, definition_name=name.rsplit(".", 1)[-1], inputs=inputs,
                         outputs=[pb.OutputSnapshot(name="result")])


def test_a_snapshot_without_structure_shows_its_flat_ops() -> None:
    graph = JobGraph(pb.JobSnapshot(ops=[_op("a"), _op("b", ("a",))]), {})
    assert graph.handles_under(None) == ["a", "b"]
    assert graph.top.consumers == {("a", "result"): [("b", "in_a")]}


def test_a_graph_node_without_its_definition_is_left_out() -> None:
    snapshot = pb.JobSnapshot(ops=[_op("a"), _op("g.x")], nodes=[
        pb.NodeInvocationSnapshot(name="a", definition_name="a"),
        pb.NodeInvocationSnapshot(name="g", definition_name="g", is_graph=True)])
    assert JobGraph(snapshot, {}).handles_under(None) == ["a"]


def test_a_graph_that_contains_itself_stops_at_the_first_repeat() -> None:
    loop = pb.GraphDefSnapshot(name="g", nodes=[pb.NodeInvocationSnapshot(name="g", definition_name="g",
                                                                           is_graph=True)])
    snapshot = pb.JobSnapshot(nodes=[pb.NodeInvocationSnapshot(name="g", definition_name="g", is_graph=True)],
                              graph_defs=[loop])
    graph = JobGraph(snapshot, {})
    assert graph.handles_under(None) == ["g", "g.g"]
    assert graph.handles_under("g") == ["g.g"]
