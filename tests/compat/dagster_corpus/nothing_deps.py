"""Order-only dependencies through Nothing inputs."""
from dagster import In, Nothing, Out, job, op


@op(out=Out(Nothing))
def create_table(context):
    context.log.info("created")


@op(ins={"after": In(Nothing)})
def fill_table(context):
    context.log.info("filled")
    return 3


@op(ins={"first": In(Nothing), "second": In(Nothing)})
def report(context):
    context.log.info("reported")


@job
def nothing_job():
    created = create_table()
    report(first=created, second=fill_table(after=created))


CASES = [{"job": "nothing_job"}]
