"""A dynamic op that yields some outputs and then fails; and one that fails on its first try only.

As in Dagster, the mapped steps and whatever hangs off them never exist (no event at all), while a
plain op fed by another output of the failed op is skipped.
"""
from dagster import DynamicOut, DynamicOutput, Out, RetryPolicy, job, op


@op(out=DynamicOut())
def emit_then_fail(context):
    for key in ["a", "b"]:
        context.log.info(f"emitting {key}")
        yield DynamicOutput(ord(key), mapping_key=key)
    raise ValueError("the source broke after two items")


@op
def double(value):
    return value * 2


@op
def total(values):
    return sum(values)


@job
def dynamic_midway_job():
    total(emit_then_fail().map(double).collect())


@op(out=DynamicOut(), retry_policy=RetryPolicy(max_retries=1))
def flaky_emit(context):
    yield DynamicOutput(1, mapping_key="first")
    if context.retry_number == 0:
        raise ValueError("first try breaks after one item")
    yield DynamicOutput(2, mapping_key="second")


@job
def dynamic_retry_job():
    total(flaky_emit().map(double).collect())


@op(out={"items": DynamicOut(), "count": Out()})
def two_outputs_then_fail():
    yield DynamicOutput(1, mapping_key="a", output_name="items")
    raise ValueError("broke before the count")


@op
def report(value):
    return value


@job
def dynamic_midway_downstream_job():
    items, count = two_outputs_then_fail()
    report(total(items.map(double).collect()))
    report.alias("report_count")(count)


CASES = [
    {"job": "dynamic_midway_job"},
    {"job": "dynamic_retry_job"},
    {"job": "dynamic_midway_downstream_job"},
    {"job": "dynamic_midway_job", "run_config": {"execution": {"config": {"multiprocess": {}}}}},
]
