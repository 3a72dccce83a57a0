"""A resource that fails while it is set up fails the run before any op runs."""
from dagster import job, op, resource


@resource
def broken_database(_init_context):
    raise ConnectionError("database is down")


@op(required_resource_keys={"database"})
def query(context):
    return 1


@op
def unrelated():
    return 2


@job(resource_defs={"database": broken_database})
def broken_resource_job():
    query()
    unrelated()


CASES = [{"job": "broken_resource_job"}]
