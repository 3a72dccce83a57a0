"""A failing op: its downstream op is skipped, an independent branch still runs."""
from dagster import Failure, job, op


@op
def source():
    return 10


@op
def breaks(value):
    raise Failure(description=f"cannot handle {value}")


@op
def downstream(value):
    return value


@op
def independent(value):
    return value * 2


@job
def failure_job():
    value = source()
    downstream(breaks(value))
    independent(value)


CASES = [{"job": "failure_job"}]
