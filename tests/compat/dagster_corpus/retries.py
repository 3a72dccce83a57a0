"""Retry policies: a flaky op that succeeds on its second attempt, and one that never does."""
from dagster import Failure, RetryPolicy, job, op


@op(retry_policy=RetryPolicy(max_retries=2))
def flaky(context):
    context.log.info(f"attempt {context.retry_number}")
    if context.retry_number < 1:
        raise Exception("first attempt fails")
    return context.retry_number


@op(retry_policy=RetryPolicy(max_retries=1))
def hopeless(context):
    context.log.info(f"hopeless attempt {context.retry_number}")
    raise Failure(description="never works")


@op
def after(value):
    return value + 1


@job
def flaky_job():
    after(flaky())


@job
def hopeless_job():
    after(hopeless())


CASES = [{"job": "flaky_job"}, {"job": "hopeless_job"}]
