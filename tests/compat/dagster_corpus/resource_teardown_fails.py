"""A resource whose teardown raises: the run still succeeds, as the ops did."""
from dagster import job, op, resource


@resource
def leaky_pool(_init_context):
    yield {"size": 2}
    raise RuntimeError("pool did not close")


@op(required_resource_keys={"pool"})
def borrow(context):
    context.log.info(f"borrowing from a pool of {context.resources.pool['size']}")
    return context.resources.pool["size"]


@job(resource_defs={"pool": leaky_pool})
def leaky_teardown_job():
    borrow()


CASES = [
    {"job": "leaky_teardown_job"},
    {"job": "leaky_teardown_job", "run_config": {"execution": {"config": {"multiprocess": {}}}}},
]
