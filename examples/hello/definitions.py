"""Example code location "hello": a handful of small jobs built with the berth definitions API.

Written exactly as a Dagster user would write it; only the import line says berth.
"""

import time

from berth import Definitions, Field, In, Nothing, OpExecutionContext, Out, RetryPolicy, job, op


@op(config_schema={"name": Field(str, default_value="world", description="Who to greet")})
def say_hello(context: OpExecutionContext) -> str:
    """Greets whoever the config names."""
    greeting = f"hello, {context.op_config['name']}!"
    context.log.info(greeting)
    return greeting


@job(description="Greets someone.", tags={"team": "examples"})
def hello_job():
    say_hello()


@op(config_schema={"rows": Field(int, default_value=3)})
def extract(context) -> list:
    """Produces some rows."""
    return list(range(context.op_config["rows"]))


@op
def transform(rows: list) -> list:
    """Doubles every row."""
    return [row * 2 for row in rows]


@op(out=Out(int))
def load(context, rows: list) -> int:
    """Sums the rows and logs the total."""
    total = sum(rows)
    context.log.info(f"loaded total {total}")
    return total


@op(ins={"after": In(Nothing)})
def notify(context):
    """Runs after load, with no data passed."""
    context.log.info("notified")


@job(tags={"kind": "etl"})
def etl_job():
    notify(after=load(transform(extract())))


@op
def explode(context):
    """Always fails."""
    raise ValueError("this op always fails")


@job
def failing_job():
    explode()


@op(config_schema={"seconds": Field(float, default_value=30.0)})
def sleep_for(context):
    """Sleeps, so that a run can be watched or terminated while it is in progress."""
    deadline = time.time() + context.op_config["seconds"]
    while time.time() < deadline:
        time.sleep(0.05)


@job
def slow_job():
    sleep_for()


_attempts = {"count": 0}


@op(retry_policy=RetryPolicy(max_retries=2))
def flaky(context):
    """Fails on its first attempt in each worker, then succeeds."""
    _attempts["count"] += 1
    if _attempts["count"] == 1:
        raise RuntimeError("first attempt fails")
    return _attempts["count"]


@job
def flaky_job():
    flaky()


defs = Definitions(jobs=[hello_job, etl_job, failing_job, slow_job, flaky_job])
