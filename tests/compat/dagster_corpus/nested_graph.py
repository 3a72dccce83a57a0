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


def in_process_check():
    """Nodes inside graphs by their dotted names, a graph node by its output mapping, and bad config."""
    config = {"ops": {"outer": {"ops": {"begin": {"config": {"start": 5}}}}}}
    result = nested_graph_job.execute_in_process(run_config=config)
    seen = {"success": result.success, "outer": result.output_for_node("outer"),
            "inner_increment": result.output_for_node("outer.inner.increment"),
            "last": result.output_for_node("last"),
            "outer_steps": sorted({event.step_key for event in result.events_for_node("outer")})}
    graph_result = outer.execute_in_process(run_config={"ops": {"begin": {"config": {"start": 1}}}})
    seen["graph_output_value"] = graph_result.output_value()
    try:
        nested_graph_job.execute_in_process(run_config={"ops": {"outer": {"ops": {"begin": {"config": {"start": "5"}}}}}})
    except Exception as exc:  # noqa: BLE001 - the check records which error class each side raises
        seen["bad_config"] = type(exc).__name__
    return seen
