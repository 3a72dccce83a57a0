"""Chained maps over a dynamic output (op[key] steps downstream of op[key] steps), then collect."""
from dagster import DynamicOut, DynamicOutput, job, op


@op(out=DynamicOut())
def chunks():
    for index in range(3):
        yield DynamicOutput(list(range(index + 1)), mapping_key=f"chunk_{index}")


@op
def add_one(context, chunk):
    context.log.info(f"add_one {context.get_mapping_key()}")
    return [value + 1 for value in chunk]


@op
def total_of(chunk):
    return sum(chunk)


@op
def grand_total(totals):
    return sum(totals)


@job
def chained_dynamic_job():
    grand_total(chunks().map(add_one).map(total_of).collect())


CASES = [{"job": "chained_dynamic_job"}]
