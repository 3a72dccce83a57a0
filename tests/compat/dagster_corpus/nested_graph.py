"""Ops inside nested graphs: step keys graph.op and config under ops.graph.ops.op."""
from dagster import graph, job, op


@op(config_schema={"start": int})
def begin(context):
    return context.op_config["start"]


@op
def increment(context, value):
    context.log.info(f"incrementing {value}")
    return value + 1


@graph
def inner(value):
    return increment(value)


@graph
def outer():
    return inner(begin())


@job
def nested_graph_job():
    increment.alias("last")(outer())


CASES = [
    {"job": "nested_graph_job", "run_config": {"ops": {"outer": {"ops": {"begin": {"config": {"start": 5}}}}}}},
    {"job": "nested_graph_job", "run_config": {"ops": {"outer": {"ops": {"begin": {"config": {"start": "5"}}}}}}},
]
