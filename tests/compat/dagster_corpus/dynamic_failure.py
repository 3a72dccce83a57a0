"""One mapped step fails: the others succeed and the collecting op is skipped."""
from dagster import DynamicOut, DynamicOutput, job, op


@op(out=DynamicOut())
def items():
    for value in [1, 0, 2]:
        yield DynamicOutput(value, mapping_key=f"item_{value}")


@op
def invert(value):
    return 1 / value


@op
def collect_all(values):
    return values


@job
def dynamic_failure_job():
    collect_all(items().map(invert).collect())


CASES = [{"job": "dynamic_failure_job"}]
