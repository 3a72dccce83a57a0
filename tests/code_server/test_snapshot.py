"""Definitions -> JobSnapshot proto -> JobSnap: what the webserver sees equals what the code says."""

from __future__ import annotations

import pathlib

from berth import Field, job, op
from berth.definitions.loader import load_code_location
from berth.protocol.v1 import snapshot_pb2
from berth.snapshot import JobSnap, build_job_snapshot, compute_snapshot_id

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _over_the_wire(job_def) -> JobSnap:  # type: ignore[no-untyped-def]
    wire = build_job_snapshot(job_def).SerializeToString()
    return JobSnap.from_proto(snapshot_pb2.JobSnapshot.FromString(wire))


def test_round_trip_of_every_example_job() -> None:
    for path in (EXAMPLES / "hello" / "definitions.py", EXAMPLES / "analytics" / "repository.py"):
        for repo in load_code_location(python_file=str(path)).repositories.values():
            for job_def in repo.jobs.values():
                snap = _over_the_wire(job_def)
                assert snap.name == job_def.name
                assert snap.description == job_def.description
                assert snap.tags == job_def.tags
                assert snap.default_run_config == job_def.default_run_config
                assert snap.op_names == list(job_def.nodes)
                for op_snap in snap.ops:
                    node = job_def.nodes[op_snap.name]
                    assert op_snap.definition_name == node.op_def.name
                    assert op_snap.description == node.op_def.description
                    assert op_snap.upstream_op_names == node.upstream_node_names
                    assert [i.name for i in op_snap.inputs] == node.op_def.input_names
                    assert [o.name for o in op_snap.outputs] == node.op_def.output_names
                # the webserver validates exactly as the code server does
                assert snap.config_schema == job_def.run_config_schema
                for config in ({}, {"ops": {"nope": {}}}, {"execution": {"config": {"multiprocess": {}}}}):
                    assert snap.config_schema.validate(config) == job_def.run_config_schema.validate(config)


def test_etl_snapshot_details() -> None:
    repo = load_code_location(python_file=str(EXAMPLES / "hello" / "definitions.py")).repositories["__repository__"]
    snap = _over_the_wire(repo.jobs["etl_job"])
    notify = snap.op("notify")
    assert notify is not None
    [after] = notify.inputs
    assert after.is_nothing and after.type_name == "Nothing"
    assert [(u.op_name, u.output_name) for u in after.upstream] == [("load", "result")]
    load = snap.op("load")
    assert load is not None and load.outputs[0].type_name == "Int"
    extract = snap.op("extract")
    assert extract is not None and extract.config_type_key and extract.config_type_key.startswith("Shape.")
    assert extract.config_type_key in snap.config_schema.types
    assert load.config_type_key is None
    assert snap.tags == {"kind": "etl"}


def test_snapshot_id_is_a_stable_content_hash() -> None:
    def make(description: str):  # type: ignore[no-untyped-def]
        @op(config_schema={"n": Field(int, default_value=1)})
        def configured(context):
            return context.op_config["n"]

        @job(description=description)
        def hashed():
            configured()

        return hashed

    first, same, other = build_job_snapshot(make("a")), build_job_snapshot(make("a")), build_job_snapshot(make("b"))
    assert first.snapshot_id == same.snapshot_id != other.snapshot_id
    assert compute_snapshot_id(first) == first.snapshot_id


def test_a_large_repository_snapshots_with_shared_config_types() -> None:
    @op(config_schema={"n": Field(int, default_value=1)})
    def source(context):
        return 1

    @op
    def middle(value):
        return value

    @op
    def sink(value):
        return value

    jobs = []
    for index in range(500):
        def body() -> None:
            sink(middle(source()))

        body.__name__ = f"job_{index}"
        jobs.append(job(body))
    snapshots = [build_job_snapshot(job_def) for job_def in jobs]
    assert len({snapshot.snapshot_id for snapshot in snapshots}) == 500
    assert {snapshot.ops[0].config_type_key for snapshot in snapshots} == {source.config_field.config_type.key}
    assert all(len(snapshot.ops) == 3 for snapshot in snapshots)
