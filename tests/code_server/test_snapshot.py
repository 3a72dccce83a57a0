"""Definitions -> JobSnapshot proto -> JobSnap: what the webserver sees equals what the code says."""

from __future__ import annotations

import pathlib

from berth import Field, job, op
from berth.definitions.loader import load_code_location
from berth.protocol.v1 import snapshot_pb2
from berth.snapshot import JobSnap, build_job_snapshot, compute_snapshot_id, job_snapshot_bytes

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


def test_snapshot_bytes_are_the_canonical_serialization_of_the_snapshot() -> None:
    # Snapshots are assembled from pre-serialized parts; the result must be exactly what protobuf
    # itself writes for the message, or ids would depend on how the snapshot was built.
    @op(config_schema={"b": Field(str, default_value="x", description="bee"), "a": Field([int], is_required=False)},
        description="an op with config", tags={"t": "1", "a": "2"})
    def configured(context):  # type: ignore[no-untyped-def]
        return 1

    @op
    def free(unconnected):  # type: ignore[no-untyped-def]
        return unconnected

    @job(tags={"z": "last", "a": "first"}, description="tricky", config={"ops": {"configured": {"config": {"b": "y"}}}})
    def tricky():
        free(configured())
        free.alias("alone")()

    jobs = [tricky, tricky.get_subset(["alone"])]
    for path in (EXAMPLES / "hello" / "definitions.py", EXAMPLES / "analytics" / "repository.py"):
        for repo in load_code_location(python_file=str(path)).repositories.values():
            jobs += repo.jobs.values()
    for job_def in jobs:
        encoded = job_snapshot_bytes(job_def)
        pb = snapshot_pb2.JobSnapshot.FromString(encoded)
        assert pb.SerializeToString(deterministic=True) == encoded
        assert build_job_snapshot(job_def) == pb
        assert compute_snapshot_id(pb) == pb.snapshot_id
        schema = job_def.run_config_schema
        assert list(pb.config_types) == [schema.types[key].to_proto() for key in sorted(schema.types)]


def test_snapshot_ids_do_not_change_between_versions() -> None:
    # Runs store the snapshot id of their job; the same definitions must keep the same id. (It changed
    # once on purpose: the run-config schema gained the default io_manager resource, as in Dagster.)
    @op(config_schema={"n": Field(int, default_value=1)})
    def work(context):  # type: ignore[no-untyped-def]
        return 1

    @job
    def job_0000():
        work()

    assert build_job_snapshot(job_0000).snapshot_id == "4486ab923d0d5c5a646c6c0c24f30311c98d7c91"


def test_jobs_with_the_same_ops_share_their_run_config_type() -> None:
    @op(config_schema={"n": Field(int, default_value=1)})
    def first(context):  # type: ignore[no-untyped-def]
        return 1

    @op
    def second(value):  # type: ignore[no-untyped-def]
        return value

    def make(name: str, *, config=None):  # type: ignore[no-untyped-def]
        def body() -> None:
            second(first())

        body.__name__ = name
        return job(body, config=config)

    one, two, other_defaults = make("one"), make("two"), make("three", config={"ops": {"first": {"config": {"n": 2}}}})
    assert one.run_config_type is two.run_config_type
    assert other_defaults.run_config_type.key != one.run_config_type.key
    assert other_defaults.run_config_schema.validate({}).value["ops"]["first"]["config"] == {"n": 2}
    assert one.run_config_schema.validate({}).value["ops"]["first"]["config"] == {"n": 1}
    # shared types, distinct snapshots: the job name is part of the content
    assert build_job_snapshot(one).snapshot_id != build_job_snapshot(two).snapshot_id
    assert build_job_snapshot(one).config_types == build_job_snapshot(two).config_types
