"""A resource written as a @contextmanager function: entered before the ops, exited after."""
from contextlib import contextmanager

from dagster import job, op, resource

LOG = []


@resource
@contextmanager
def session(_init_context):
    LOG.append("enter")
    try:
        yield "session-1"
    finally:
        LOG.append("exit")


@op(required_resource_keys={"session"})
def use_session(context):
    context.log.info(f"{context.resources.session} after {LOG}")
    return list(LOG)


@job(resource_defs={"session": session})
def context_manager_job():
    use_session()


CASES = [{"job": "context_manager_job"}]
