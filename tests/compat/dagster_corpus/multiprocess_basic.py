"""Fan-out and fan-in on the multiprocess executor."""
from dagster import job, op


@op
def numbers():
    return [1, 2, 3]


@op
def double(values):
    return [value * 2 for value in values]


@op
def square(values):
    return [value * value for value in values]


@op
def combine(context, left, right):
    context.log.info(f"combining {left} and {right}")
    return sum(left) + sum(right)


@job
def multiprocess_job():
    values = numbers()
    combine(double(values), square(values))


CASES = [{"job": "multiprocess_job", "run_config": {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}}]
