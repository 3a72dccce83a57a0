"""DynamicOut fanned out with .map and gathered with .collect."""
from dagster import DynamicOut, DynamicOutput, job, op


@op(out=DynamicOut())
def files():
    for name in ["a", "b", "c"]:
        yield DynamicOutput(name * 2, mapping_key=name)


@op
def size(context, content):
    context.log.info(f"size of {content}")
    return len(content)


@op
def total(sizes):
    return sum(sizes)


@job
def dynamic_job():
    total(files().map(size).collect())


CASES = [{"job": "dynamic_job"}]
