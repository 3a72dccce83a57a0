"""A resource that requires another resource (required_resource_keys on @resource)."""
from dagster import job, op, resource


@resource(config_schema={"host": str})
def credentials(init_context):
    return {"host": init_context.resource_config["host"], "user": "reader"}


@resource(required_resource_keys={"credentials"})
def client(init_context):
    creds = init_context.resources.credentials
    return f"{creds['user']}@{creds['host']}"


@op(required_resource_keys={"client"})
def connect(context):
    context.log.info(f"connected as {context.resources.client}")
    return context.resources.client


@job(resource_defs={"credentials": credentials, "client": client})
def dependent_resource_job():
    connect()


CASES = [{"job": "dependent_resource_job", "run_config": {"resources": {"credentials": {"config": {"host": "db1"}}}}}]
