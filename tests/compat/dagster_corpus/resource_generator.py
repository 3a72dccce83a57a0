"""A generator resource: set up before the ops, torn down after them."""
from dagster import job, op, resource

EVENTS = []


@resource
def connection(_init_context):
    EVENTS.append("open")
    try:
        yield {"events": EVENTS}
    finally:
        EVENTS.append("close")


@op(required_resource_keys={"connection"})
def use_once(context):
    context.resources.connection["events"].append("use_once")
    context.log.info(f"events so far: {context.resources.connection['events']}")
    return list(context.resources.connection["events"])


@op(required_resource_keys={"connection"})
def use_twice(context, seen):
    context.log.info(f"upstream saw {seen}")
    return len(seen)


@job(resource_defs={"connection": connection})
def generator_resource_job():
    use_twice(use_once())


CASES = [{"job": "generator_resource_job"}]
