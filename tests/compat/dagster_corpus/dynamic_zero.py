"""A dynamic op that yields nothing: no mapped step runs and the collecting op receives []."""
from dagster import DynamicOut, DynamicOutput, job, op


@op(out=DynamicOut())
def nothing_found(context):
    context.log.info("searching")
    for item in []:
        yield DynamicOutput(item, mapping_key=str(item))


@op
def process(item):
    return item


@op
def summarize(context, items):
    context.log.info(f"got {len(items)} items")
    return len(items)


@job
def empty_dynamic_job():
    summarize(nothing_found().map(process).collect())


CASES = [{"job": "empty_dynamic_job"}]
